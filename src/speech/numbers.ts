/**
 * Persian say-back from recorded fragments (pure: no fs, no clock). Each function returns the
 * prompt names of the fragments, in playing order; their texts live in
 * prompts/fa/catalogue/fragments.yaml.
 *
 * The conjunction "و" between the parts of a number is spoken as an unstressed "-o" glued to the
 * word before it ("بیست و یک" = bist-o yek), never as a separate word with a pause. So every word
 * that can stand before "و" has a second recording ending in it: `num/20-o` "بیست و",
 * `num/300-o` "سیصد و", `num/1000-o` "هزار و"; a separate "و" fragment would put a gap and the
 * formal "va" into every number.
 */

import { IDENTIFIER_FORMATS, type IdentifierFormat } from '../domain/say.ts';

export const MAX_NUMBER = 999_999_999_999;

/** Fragment folders and the fixed words. */
export const WORD = {
  toman: 'word/toman',
  rial: 'word/rial',
  year: 'word/year',
} as const;

const SCALES: ReadonlyArray<{ value: number; name: string }> = [
  { value: 1_000_000_000, name: 'num/1000000000' },
  { value: 1_000_000, name: 'num/1000000' },
  { value: 1_000, name: 'num/1000' },
];

/** The fragment name of the "-o" form of a number word (`num/20` → `num/20-o`). */
export function withO(name: string): string {
  return `${name}-o`;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

function checkInteger(field: string, n: unknown, max = MAX_NUMBER): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > max) {
    throw new RangeError(
      `${field}: ${describe(n)} cannot be spoken; expected a whole number from 0 to ${max.toLocaleString('en-US')}`,
    );
  }
  return n;
}

/** 1 … 999 as words, each part but the last in its "-o" form. */
function group(n: number): string[] {
  const parts: string[] = [];
  const h = Math.floor(n / 100) * 100;
  const r = n % 100;
  if (h) parts.push(`num/${h}`);
  if (r > 0 && r < 20) parts.push(`num/${r}`);
  else if (r >= 20) {
    parts.push(`num/${Math.floor(r / 10) * 10}`);
    if (r % 10) parts.push(`num/${r % 10}`);
  }
  return parts.map((p, i) => (i < parts.length - 1 ? withO(p) : p));
}

/**
 * A cardinal number, 0 … 999,999,999,999: 1250 → ['num/1000-o', 'num/200-o', 'num/50'].
 * 1000 is "هزار" (not "یک هزار"); a million and a billion take "یک".
 */
export function spellNumber(n: number): string[] {
  checkInteger('number', n);
  if (n === 0) return ['num/0'];
  const chunks: string[][] = [];
  let rest = n;
  for (const s of SCALES) {
    const g = Math.floor(rest / s.value);
    rest %= s.value;
    if (!g) continue;
    chunks.push(s.value === 1000 && g === 1 ? [s.name] : [...group(g), s.name]);
  }
  if (rest) chunks.push(group(rest));
  // between two chunks the "و" glues to the last word of the first one (a scale word)
  return chunks.flatMap((c, i) => (i < chunks.length - 1 ? [...c.slice(0, -1), withO(c[c.length - 1]!)] : c));
}

/** A count of things, spoken as a cardinal (the noun comes from the prompt around it). */
export function spellCount(n: number): string[] {
  checkInteger('count', n);
  return spellNumber(n);
}

export interface AmountOptions {
  /** say it in Rial (value × 10) instead of Toman; default 'toman' */
  unit?: 'toman' | 'rial';
}

/** An amount in Toman: 450000 → ['num/400-o', 'num/50', 'num/1000', 'word/toman']. */
export function spellAmount(toman: number, opts: AmountOptions = {}): string[] {
  const unit = opts.unit ?? 'toman';
  if (unit === 'rial') {
    checkInteger('amount', toman, Math.floor(MAX_NUMBER / 10));
    return [...spellNumber(toman * 10), WORD.rial];
  }
  checkInteger('amount', toman);
  return [...spellNumber(toman), WORD.toman];
}

/**
 * A string read digit by digit (national ID, order number, phone, request number such as
 * `R-000123`): digits only, leading zeros kept, anything else (letters, '-', spaces) skipped.
 * Persian (۰–۹) and Arabic-Indic (٠–٩) digits are read too.
 */
export function spellDigits(s: string): string[] {
  if (typeof s !== 'string') throw new TypeError(`digits: ${describe(s)} is not a string of digits`);
  const digits = toLatinDigits(s).replace(/[^0-9]/g, '');
  if (!digits) throw new RangeError(`digits: '${s}' has no digit to read; expected e.g. '0499370899' or 'R-000123'`);
  return [...digits].map((d) => `digit/${d}`);
}

/** The short silence played between two groups of a grouped number (generated, never recorded). */
export const GROUP_PAUSE = 'pause/group';


/**
 * Group sizes, left to right:
 * - national ID 3-6-1, as printed on the national ID card and on forms (049-937089-9): the caller
 *   checks the read-back against the card in hand;
 * - mobile 4-3-4 (0912 123 4567): operator prefix, then the subscriber number as people say it;
 * - order number 4-3-3 (1404 001 234): the Jalali year of issue, then the serial in threes;
 * - area code: one group (021).
 */
export const DIGIT_GROUPS: Record<Exclude<IdentifierFormat, 'request-number'>, readonly number[]> = {
  'national-id': [3, 6, 1],
  mobile: [4, 3, 4],
  'order-number': [4, 3, 3],
  'area-code': [],
};

/** Request numbers up to this serial are said as one cardinal ("صد و بیست و سه"); longer ones in groups of three. */
export const REQUEST_NUMBER_CARDINAL_MAX = 9999;

function digitsOnly(field: string, s: string): string {
  if (typeof s !== 'string') throw new TypeError(`${field}: ${describe(s)} is not a string of digits`);
  const digits = toLatinDigits(s).replace(/[^0-9]/g, '');
  if (!digits) throw new RangeError(`${field}: '${s}' has no digit to read`);
  return digits;
}

/**
 * Digits read one by one in groups of the given sizes, with GROUP_PAUSE between groups:
 * ('0499370899', [3, 6, 1]) → digit/0 digit/4 digit/9 pause/group digit/9 … pause/group digit/9.
 * Digits beyond the groups form one more group; a string shorter than the groups is cut where it ends.
 */
export function spellGrouped(s: string, groups: readonly number[]): string[] {
  const digits = digitsOnly('digits', s);
  const parts: string[] = [];
  let pos = 0;
  for (const size of groups) {
    if (pos >= digits.length) break;
    parts.push(digits.slice(pos, pos + size));
    pos += size;
  }
  if (pos < digits.length) parts.push(digits.slice(pos));
  return parts.flatMap((g, i) => [...(i ? [GROUP_PAUSE] : []), ...[...g].map((d) => `digit/${d}`)]);
}

/**
 * A request number as a caller writes it down: the serial without its padding zeros (letters and
 * '-' are not said; `R-000123` and an old or future `R-123` read the same). Up to 9,999 one cardinal:
 * R-000123 → "صد و بیست و سه"; longer serials digit by digit in threes from the right with pauses:
 * R-1234567 → "1 · 234 · 567".
 */
export function spellRequestNumber(s: string): string[] {
  const digits = digitsOnly('request number', s).replace(/^0+(?=.)/, '');
  const n = Number(digits);
  if (n <= REQUEST_NUMBER_CARDINAL_MAX) return spellNumber(n);
  const first = digits.length % 3 || 3;
  const groups = [first, ...Array.from({ length: Math.ceil((digits.length - first) / 3) }, () => 3)];
  return spellGrouped(digits, groups);
}

/** An identifier read back the way people say it (see DIGIT_GROUPS and spellRequestNumber). */
export function spellIdentifier(s: string, format: IdentifierFormat): string[] {
  if (format === 'request-number') return spellRequestNumber(s);
  const groups = DIGIT_GROUPS[format];
  if (!groups) throw new RangeError(`identifier: unknown format '${String(format)}'; expected ${IDENTIFIER_FORMATS.join(', ')}`);
  return spellGrouped(s, groups);
}

/** ۰–۹ and ٠–٩ → 0–9. */
export function toLatinDigits(s: string): string {
  return s.replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (c) => {
    const code = c.charCodeAt(0);
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}

export interface JalaliDate {
  year: number;
  /** 1 = Farvardin … 12 = Esfand */
  month: number;
  day: number;
  /** 0 = Sunday … 6 = Saturday (as Date#getDay) */
  weekday: number;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

const persianFormat = new Intl.DateTimeFormat('en-US-u-ca-persian', {
  timeZone: 'Asia/Tehran',
  numberingSystem: 'latn',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  weekday: 'long',
});

/**
 * Reads a date: a Date, an ISO-8601 instant ('2024-03-20T08:00:00Z', taken in Asia/Tehran) or a
 * calendar date 'YYYY-MM-DD' (that day, whatever the time zone).
 */
export function parseDateInput(v: string | Date): Date {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new RangeError('date: invalid Date object');
    return v;
  }
  if (typeof v !== 'string') throw new TypeError(`date: ${describe(v)} is not a date; expected 'YYYY-MM-DD' or an ISO-8601 time`);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim());
  // a calendar date: noon UTC is 15:30 in Tehran, the same calendar day
  const d = m ? new Date(`${m[1]}-${m[2]}-${m[3]}T12:00:00Z`) : new Date(v.trim());
  if (Number.isNaN(d.getTime()) || (m && d.toISOString().slice(0, 10) !== v.trim())) {
    throw new RangeError(`date: '${v}' is not a valid date; expected 'YYYY-MM-DD' or an ISO-8601 time such as '2024-03-20T08:00:00Z'`);
  }
  return d;
}

/** The Jalali (Solar Hijri) calendar date of a day in Asia/Tehran, from Intl's Persian calendar. */
export function toJalali(v: string | Date): JalaliDate {
  const parts = persianFormat.formatToParts(parseDateInput(v));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = WEEKDAYS.indexOf(get('weekday').toLowerCase() as (typeof WEEKDAYS)[number]);
  const jd = { year: Number(get('year')), month: Number(get('month')), day: Number(get('day')), weekday };
  if (!(jd.year > 0 && jd.month >= 1 && jd.month <= 12 && jd.day >= 1 && jd.day <= 31 && weekday >= 0)) {
    throw new RangeError(`date: '${String(v)}' could not be read in the Persian calendar`);
  }
  return jd;
}

export interface DateOptions {
  /** start with the weekday ("سه‌شنبه"); default false */
  weekday?: boolean;
  /** say "سال" before the year; default false */
  yearWord?: boolean;
}

/**
 * A date in the Jalali calendar: ordinal day, month name, year as a cardinal.
 * '2024-03-20' → ['day/1', 'month/1', 'num/1000-o', 'num/400-o', 'num/3'] (یکم فروردین هزار و چهارصد و سه).
 */
export function spellDate(v: string | Date, opts: DateOptions = {}): string[] {
  const j = toJalali(v);
  return [
    ...(opts.weekday ? [`weekday/${WEEKDAYS[j.weekday]}`] : []),
    `day/${j.day}`,
    `month/${j.month}`,
    ...(opts.yearWord ? [WORD.year] : []),
    ...spellNumber(j.year),
  ];
}

/** Every fragment name that the spell functions can produce (for checks and tests). */
export function fragmentNames(): string[] {
  const names = new Set<string>();
  for (let i = 0; i <= 19; i++) names.add(`num/${i}`);
  for (let t = 20; t <= 90; t += 10) names.add(`num/${t}`).add(`num/${t}-o`);
  for (let h = 100; h <= 900; h += 100) names.add(`num/${h}`).add(`num/${h}-o`);
  for (const s of SCALES) names.add(s.name).add(withO(s.name));
  for (let d = 0; d <= 9; d++) names.add(`digit/${d}`);
  for (let d = 1; d <= 31; d++) names.add(`day/${d}`);
  for (let m = 1; m <= 12; m++) names.add(`month/${m}`);
  for (const w of WEEKDAYS) names.add(`weekday/${w}`);
  for (const w of Object.values(WORD)) names.add(w);
  names.add(GROUP_PAUSE);
  return [...names];
}
