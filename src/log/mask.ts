/**
 * Masking of personal data for logs: national IDs, phone numbers, IBANs and card numbers never
 * appear whole, in any digit script (ASCII, Persian ۰-۹, Arabic-Indic ٠-٩); passwords written into
 * URLs never appear at all. Keeps enough for an operator to correlate (last digits), nothing to
 * identify a person — and leaves identifiers alone: Asterisk channel ids (`1732871234.56`), UUIDs,
 * request numbers (`R-000123`) and our own call ids, so log lines still match Asterisk's.
 */

/** 0499370899 → ******0899 */
export function maskNationalId(id: string): string {
  return maskTail(id, 4);
}

/**
 * 09121234567 → 0912*****67; +989121234567 → +98912*****67; 00989121234567 → 0098912*****67:
 * the country/trunk prefix and operator (or area) code stay, then all but the last two digits go.
 */
export function maskPhone(phone: string): string {
  const s = String(phone);
  const digits = [...s];
  const n = digits.map(asciiDigit).join('');
  const lead = /^(\+98|0098|98|0)/.exec(n)?.[1]?.length ?? 0;
  const keep = lead + 3;
  if (digits.length <= keep + 2) return '*'.repeat(digits.length);
  return digits.slice(0, keep).join('') + '*'.repeat(digits.length - keep - 2) + digits.slice(-2).join('');
}

/** IR820540102680020817909002 → IR82******************9002 */
export function maskIban(iban: string): string {
  const s = [...String(iban)];
  if (s.length <= 8) return '*'.repeat(s.length);
  // the country code and check digits stay, and the last four digits (spaces of a grouped IBAN kept)
  let tail = 4;
  return s
    .map((c, i) => i)
    .reverse()
    .map((i) => {
      const c = s[i]!;
      if (i < 4 || c === ' ') return c;
      if (tail > 0) return tail--, c;
      return '*';
    })
    .reverse()
    .join('');
}

function maskTail(s: string, keep: number): string {
  const t = [...String(s)];
  if (t.length <= keep) return '*'.repeat(t.length);
  return '*'.repeat(t.length - keep) + t.slice(-keep).join('');
}

/** ASCII digit of a Persian (۰-۹) or Arabic-Indic (٠-٩) digit; anything else unchanged */
function asciiDigit(c: string): string {
  const code = c.charCodeAt(0);
  if (code >= 0x06f0 && code <= 0x06f9) return String(code - 0x06f0);
  if (code >= 0x0660 && code <= 0x0669) return String(code - 0x0660);
  return c;
}

const D = '[0-9\u06F0-\u06F9\u0660-\u0669]';
/** one digit in any of the three scripts */
const lit = (d: number) => `[${d}${String.fromCharCode(0x06f0 + d)}${String.fromCharCode(0x0660 + d)}]`;
/** identifiers that look like numbers but are not personal data: left exactly as they are */
const KEEP_RE = new RegExp(
  [
    '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', // UUIDs (playbacks, originated channels)
    `(?<![0-9A-Za-z])\\d+\\.\\d+(?:\\.\\d+)*`, // Asterisk channel ids / uniqueids (1732871234.56), decimals, versions
    '\\b[A-Z]{1,3}-\\d{6,}\\b', // request numbers (R-000123)
  ].join('|'),
  'gi',
);
const URL_USERINFO_RE = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/?#]*):([^\s@/?#]+)@/gi;
const URL_SECRET_PARAM_RE = /([?&;](?:password|passwd|pwd|pass|api_key|apikey|token|access_token|secret|key)=)[^&\s#"']+/gi;
const IBAN_RE = new RegExp(`\\bIR(?: ?${D}){24}(?!${D})`, 'gi');
/** a mobile written in groups: 0912 123 4567, +98 912-123-4567 */
const GROUPED_MOBILE_RE = new RegExp(
  `(?<![0-9A-Za-z\u06F0-\u06F9\u0660-\u0669+])(?:(?:\\+|${lit(0)}{2})${lit(9)}${lit(8)}[ -]?|${lit(0)})${lit(9)}${D}{2}[ -]${D}{3}[ -]?${D}{4}(?!${D})`,
  'g',
);
/** a run of 10–16 digits, optionally after +, not glued to letters or other digits */
const DIGIT_RUN_RE = new RegExp(`(?<![0-9A-Za-z\u06F0-\u06F9\u0660-\u0669+])\\+?${D}{10,16}(?![0-9A-Za-z\u06F0-\u06F9\u0660-\u0669])`, 'g');

/** What a run of digits (any script, maybe with +) is, by its ASCII form. */
function maskDigitRun(run: string): string {
  const n = [...run].map(asciiDigit).join('');
  // phones: 0 + 10 digits (09… mobile, 0XX… landline), 98 + 10, +98 + 10, 0098 + 10
  if (/^(?:0\d{10}|98\d{10}|\+98\d{10}|0098\d{10})$/.test(n)) return maskPhone(run);
  // 10 digits: a national ID, an order number or a mobile without its 0 (9…): the last four stay
  if (/^\d{10}$/.test(n)) return maskNationalId(run);
  // 16 digits: a bank card number
  if (/^\d{16}$/.test(n)) return maskTail(run, 4);
  if (n.startsWith('+')) return maskTail(run, 2); // any other international number
  return run; // 11–15 digits that are none of the above (e.g. timestamps in ms): not personal data
}

function maskPlain(text: string): string {
  return text
    .replace(URL_USERINFO_RE, (_m, scheme: string, user: string) => `${scheme}${user}:***@`)
    .replace(URL_SECRET_PARAM_RE, (_m, k: string) => `${k}***`)
    .replace(IBAN_RE, (m) => maskIban(m))
    .replace(GROUPED_MOBILE_RE, (m) => maskPhone(m))
    .replace(DIGIT_RUN_RE, (m) => maskDigitRun(m));
}

/**
 * Masks every IBAN, phone number, national-ID-like or card-like run of digits and every password in
 * a URL in a text, leaving identifiers (KEEP_RE) intact. Used on every string that reaches the log,
 * whatever the field is called.
 */
export function maskText(text: string): string {
  // URL passwords first (a password may look like an id); then mask between the kept identifiers
  const t = text.replace(URL_USERINFO_RE, (_m, scheme: string, user: string) => `${scheme}${user}:***@`);
  let out = '';
  let last = 0;
  for (const m of t.matchAll(KEEP_RE)) {
    out += maskPlain(t.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + maskPlain(t.slice(last));
}

/** Deep copy of a value with every string masked (objects, arrays; cycles cut). */
export function maskDeep(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return maskText(value);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1e9) return maskText(String(value));
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[cycle]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, seen));
  if (value instanceof Error) {
    return { type: value.name, message: maskText(value.message), stack: value.stack ? maskText(value.stack) : undefined };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, seen);
  return out;
}
