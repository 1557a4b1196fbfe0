/**
 * Validation of what callers key in (pure). Each validator returns `null` when the value is good,
 * otherwise a reason code; the flow plays the prompt that the configuration maps to that code
 * (FlowConfig.prompts.reasons) to explain what was wrong, then asks again.
 */

import { nationalIdIssue, orderNumberIssue } from '../domain/identifiers.ts';

export const REASON_CODES = [
  'nid-wrong-length',
  'nid-same-digits',
  'nid-checksum',
  'order-wrong-length',
  'order-bad-year',
  'area-wrong-length',
  'area-no-leading-zero',
  'mobile-wrong-length',
  'mobile-bad-prefix',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** The kinds of digit entry the flow knows; each has one validator. */
export const ENTRY_KINDS = ['national-id', 'order-number', 'area-code', 'mobile'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

const allDigits = (s: string) => /^[0-9]+$/.test(s);

/** National ID: the rule is src/domain/identifiers.ts; here its issue becomes the explanation's reason code. */
export function nationalIdProblem(value: string): ReasonCode | null {
  const issue = nationalIdIssue(value);
  return issue && (`nid-${issue}` as ReasonCode);
}
export const isValidNationalId = (value: string): boolean => nationalIdProblem(value) === null;

/** Order / pro-forma number: 10 digits, Jalali year of issue (1400–1499) then a serial (src/domain/identifiers.ts). */
export function orderNumberProblem(value: string): ReasonCode | null {
  const issue = orderNumberIssue(value);
  return issue && (`order-${issue}` as ReasonCode);
}
export const isValidOrderNumber = (value: string): boolean => orderNumberProblem(value) === null;

/**
 * Telephone area code (پیش‌شماره): `0` then 2 or 3 digits, the first of them not 0 (021 Tehran,
 * 031 Isfahan; today every Iranian province has a 3-digit code, the 4-digit form is accepted for
 * data that still uses the old codes, as the data file does).
 */
export function areaCodeProblem(value: string): ReasonCode | null {
  if (!allDigits(value) || value.length < 3 || value.length > 4) return 'area-wrong-length';
  if (!/^0[1-9]/.test(value)) return 'area-no-leading-zero';
  return null;
}
export const isValidAreaCode = (value: string): boolean => areaCodeProblem(value) === null;

/** Iranian mobile number: 11 digits, `09` then 9 digits. */
export function mobileProblem(value: string): ReasonCode | null {
  if (value.length !== 11 || !allDigits(value)) return 'mobile-wrong-length';
  if (!value.startsWith('09')) return 'mobile-bad-prefix';
  return null;
}
export const isValidMobile = (value: string): boolean => mobileProblem(value) === null;

/**
 * A caller ID as a mobile number in the national form 09xxxxxxxxx, or null when it is not a mobile
 * number. Accepts +989…, 00989…, 989…, 9… (10 digits) and 09… forms; spaces and dashes are ignored.
 */
export function normalizeMobile(callerNumber: string): string | null {
  const s = callerNumber.replace(/[\s-]/g, '');
  let national: string;
  if (/^\+98\d{10}$/.test(s)) national = '0' + s.slice(3);
  else if (/^0098\d{10}$/.test(s)) national = '0' + s.slice(4);
  else if (/^98\d{10}$/.test(s)) national = '0' + s.slice(2);
  else if (/^9\d{9}$/.test(s)) national = '0' + s;
  else national = s;
  return isValidMobile(national) ? national : null;
}

export const VALIDATORS: Record<EntryKind, (value: string) => ReasonCode | null> = {
  'national-id': nationalIdProblem,
  'order-number': orderNumberProblem,
  'area-code': areaCodeProblem,
  mobile: mobileProblem,
};
