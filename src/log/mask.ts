/**
 * Masking of personal data for logs: national IDs, phone numbers and IBANs never appear whole.
 * Keeps enough for an operator to correlate (last digits), nothing to identify a person.
 */

/** 0499370899 → ******0899 */
export function maskNationalId(id: string): string {
  return maskTail(id, 4);
}

/** 09121234567 → 0912*****67 (operator prefix and last two digits) */
export function maskPhone(phone: string): string {
  const s = String(phone);
  if (s.length <= 6) return '*'.repeat(s.length);
  return s.slice(0, 4) + '*'.repeat(s.length - 6) + s.slice(-2);
}

/** IR820540102680020817909002 → IR82**********************9002 */
export function maskIban(iban: string): string {
  const s = String(iban);
  if (s.length <= 8) return '*'.repeat(s.length);
  return s.slice(0, 4) + '*'.repeat(s.length - 8) + s.slice(-4);
}

function maskTail(s: string, keep: number): string {
  const t = String(s);
  if (t.length <= keep) return '*'.repeat(t.length);
  return '*'.repeat(t.length - keep) + t.slice(-keep);
}

const IBAN_RE = /\bIR\d{24}\b/gi;
const MOBILE_RE = /(?<!\d)(?:\+98|0098|0)9\d{9}(?!\d)/g;
const PHONE_RE = /(?<!\d)0\d{10}(?!\d)/g; // 11-digit landline with area code
const NATIONAL_ID_RE = /(?<!\d)\d{10}(?!\d)/g;

/**
 * Masks every IBAN, mobile/landline number and 10-digit run (a national ID candidate) in a text.
 * Used on every string that reaches the log, whatever the field is called.
 */
export function maskText(text: string): string {
  return text
    .replace(IBAN_RE, (m) => maskIban(m))
    .replace(MOBILE_RE, (m) => maskPhone(m))
    .replace(PHONE_RE, (m) => maskPhone(m))
    .replace(NATIONAL_ID_RE, (m) => maskNationalId(m));
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
