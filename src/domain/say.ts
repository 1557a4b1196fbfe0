/**
 * What the IVR says, before it becomes audio: a list of items. `prompt` names a prompt of the
 * catalogue (prompts/fa); the other kinds carry a value that src/speech spells out from recorded
 * fragments (Asterisk has no Persian say-back). Pure data, shared by policy, flow and speech.
 */
export type SayItem =
  | { kind: 'prompt'; name: string }
  /** an amount in Toman, spoken with the word "Toman" */
  | { kind: 'amount'; value: number }
  /** a cardinal number */
  | { kind: 'number'; value: number }
  /** a count of things (spoken as a cardinal) */
  | { kind: 'count'; value: number }
  /** a string read digit by digit (national ID, order number, phone, request number); letters and '-' are skipped or spelled */
  | { kind: 'digits'; value: string }
  /** a calendar date (ISO-8601 string or YYYY-MM-DD), spoken in the Jalali calendar, Asia/Tehran */
  | { kind: 'date'; value: string }
  /** a national ID, order number, mobile, area code or request number, read back in the groups people say it in */
  | { kind: 'identifier'; value: string; format: IdentifierFormat };

/** How an identifier is grouped when read back (src/speech/numbers.ts DIGIT_GROUPS). */
export const IDENTIFIER_FORMATS = ['national-id', 'order-number', 'mobile', 'area-code', 'request-number'] as const;
export type IdentifierFormat = (typeof IDENTIFIER_FORMATS)[number];

export const say = {
  prompt: (name: string): SayItem => ({ kind: 'prompt', name }),
  amount: (value: number): SayItem => ({ kind: 'amount', value }),
  number: (value: number): SayItem => ({ kind: 'number', value }),
  count: (value: number): SayItem => ({ kind: 'count', value }),
  digits: (value: string): SayItem => ({ kind: 'digits', value }),
  date: (value: string): SayItem => ({ kind: 'date', value }),
  identifier: (value: string, format: IdentifierFormat): SayItem => ({ kind: 'identifier', value, format }),
};
