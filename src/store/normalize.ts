/**
 * Normalisation and validation of the identifiers in order data: Persian/Arabic digits and letters,
 * Iranian national IDs (checksum), IBANs (ISO 13616 mod 97), mobiles, order numbers, and the
 * Jalali calendar for dates typed by the finance unit (1404/08/15).
 * Pure functions, no I/O.
 */

import { isValidOrderNumber, nationalIdIssue, type NationalIdIssue } from '../domain/identifiers.ts';

const PERSIAN_ZERO = 0x06f0; // ۰
const ARABIC_ZERO = 0x0660; // ٠

/** Persian (۰–۹) and Arabic-Indic (٠–٩) digits to ASCII; Arabic ي/ك/ى/ة to Persian ی/ک; trims. */
export function normalizeText(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= PERSIAN_ZERO && c <= PERSIAN_ZERO + 9) out += String(c - PERSIAN_ZERO);
    else if (c >= ARABIC_ZERO && c <= ARABIC_ZERO + 9) out += String(c - ARABIC_ZERO);
    else if (ch === 'ي' || ch === 'ى') out += 'ی';
    else if (ch === 'ك') out += 'ک';
    else if (ch === '\u00a0') out += ' ';
    else out += ch;
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** ASCII digits to Persian digits (for SMS text). */
export function toPersianDigits(s: string): string {
  return s.replace(/[0-9]/g, (d) => String.fromCodePoint(PERSIAN_ZERO + Number(d)));
}

export { isValidNationalId, isValidOrderNumber, ORDER_NUMBER_HINT } from '../domain/identifiers.ts';

const NATIONAL_ID_MESSAGES: Record<NationalIdIssue, string> = {
  'wrong-length': 'national ID must be exactly 10 digits',
  'same-digits': 'national ID cannot be one digit repeated',
  checksum: 'national ID check digit is wrong (not a valid Iranian national ID)',
};

/** Why a national ID is not valid, or null when it is (the rule: src/domain/identifiers.ts). */
export function nationalIdProblem(id: string): string | null {
  const issue = nationalIdIssue(id);
  return issue && NATIONAL_ID_MESSAGES[issue];
}

/**
 * A national ID from a spreadsheet cell: a number loses its leading zeros in Excel
 * (499370899 → "0499370899"); text may hold Persian digits, spaces or dashes.
 * Returns the 10-digit text, or null when it cannot be one.
 */
export function nationalIdFromCell(v: unknown): string | null {
  let s: string;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) return null;
    s = String(v);
  } else if (typeof v === 'string') {
    s = normalizeText(v).replace(/[\s\-_.]/g, '');
  } else return null;
  if (!/^\d{1,10}$/.test(s)) return null;
  return s.padStart(10, '0');
}

/** A mobile number from a cell or text: 9121234567, +989121234567, ۰۹۱۲… → 09121234567; null if not a mobile. */
export function normalizeMobile(v: unknown): string | null {
  let s = typeof v === 'number' ? String(v) : typeof v === 'string' ? normalizeText(v) : '';
  s = s.replace(/[\s\-()]/g, '');
  if (s.startsWith('+98')) s = '0' + s.slice(3);
  else if (s.startsWith('0098')) s = '0' + s.slice(4);
  else if (/^9\d{9}$/.test(s)) s = '0' + s;
  return /^09\d{9}$/.test(s) ? s : null;
}

/** IBAN check (ISO 13616, mod 97) for Iranian IBANs: IR + 2 check digits + 22 digits. */
export function isValidIban(iban: string): boolean {
  const s = iban.toUpperCase();
  if (!/^IR\d{24}$/.test(s)) return false;
  return ibanMod97(s.slice(4) + s.slice(0, 4)) === 1;
}

/** Computes the IBAN of an Iranian BBAN (22 digits): IR + check digits + bban. */
export function makeIranIban(bban22: string): string {
  if (!/^\d{22}$/.test(bban22)) throw new Error('BBAN must be 22 digits');
  const check = 98 - ibanMod97(bban22 + 'IR00');
  return `IR${String(check).padStart(2, '0')}${bban22}`;
}

function ibanMod97(s: string): number {
  let rem = 0;
  for (const ch of s) {
    const code = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of code) rem = (rem * 10 + Number(d)) % 97;
  }
  return rem;
}

/** An order number from a cell (a number or text with Persian digits); null if not 10 such digits. */
export function orderNumberFromCell(v: unknown): string | null {
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : '') : typeof v === 'string' ? normalizeText(v).replace(/[\s\-_]/g, '') : '';
  return isValidOrderNumber(s) ? s : null;
}

// ---------------------------------------------------------------------------------------------
// Jalali (Solar Hijri) calendar: the arithmetic of jalaali-js (Borkowski's algorithm), which is
// exact for the years this system sees (1300–1500).

const BREAKS = [-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178];

function div(a: number, b: number): number {
  return ~~(a / b);
}
function mod(a: number, b: number): number {
  return a - ~~(a / b) * b;
}

function jalCal(jy: number): { leap: number; gy: number; march: number } {
  const bl = BREAKS.length;
  const gy = jy + 621;
  let leapJ = -14;
  let jp = BREAKS[0]!;
  let jump = 0;
  if (jy < jp || jy >= BREAKS[bl - 1]!) throw new Error(`Jalali year out of range: ${jy}`);
  for (let i = 1; i < bl; i += 1) {
    const jm = BREAKS[i]!;
    jump = jm - jp;
    if (jy < jm) break;
    leapJ = leapJ + div(jump, 33) * 8 + div(mod(jump, 33), 4);
    jp = jm;
  }
  let n = jy - jp;
  leapJ = leapJ + div(n, 33) * 8 + div(mod(n, 33) + 3, 4);
  if (mod(jump, 33) === 4 && jump - n === 4) leapJ += 1;
  const leapG = div(gy, 4) - div((div(gy, 100) + 1) * 3, 4) - 150;
  const march = 20 + leapJ - leapG;
  if (jump - n < 6) n = n - jump + div(jump + 4, 33) * 33;
  let leap = mod(mod(n + 1, 33) - 1, 4);
  if (leap === -1) leap = 4;
  return { leap, gy, march };
}

function g2d(gy: number, gm: number, gd: number): number {
  let d = div((gy + div(gm - 8, 6) + 100100) * 1461, 4) + div(153 * mod(gm + 9, 12) + 2, 5) + gd - 34840408;
  d = d - div(div(gy + 100100 + div(gm - 8, 6), 100) * 3, 4) + 752;
  return d;
}

function d2g(jdn: number): { gy: number; gm: number; gd: number } {
  let j = 4 * jdn + 139361631;
  j = j + div(div(4 * jdn + 183187720, 146097) * 3, 4) * 4 - 3908;
  const i = div(mod(j, 1461), 4) * 5 + 308;
  const gd = div(mod(i, 153), 5) + 1;
  const gm = mod(div(i, 153), 12) + 1;
  const gy = div(j, 1461) - 100100 + div(8 - gm, 6);
  return { gy, gm, gd };
}

function j2d(jy: number, jm: number, jd: number): number {
  const r = jalCal(jy);
  return g2d(r.gy, 3, r.march) + (jm - 1) * 31 - div(jm, 7) * (jm - 7) + jd - 1;
}

function d2j(jdn: number): { jy: number; jm: number; jd: number } {
  const gy = d2g(jdn).gy;
  let jy = gy - 621;
  const r = jalCal(jy);
  const jdn1f = g2d(gy, 3, r.march);
  let k = jdn - jdn1f;
  if (k >= 0) {
    if (k <= 185) return { jy, jm: 1 + div(k, 31), jd: mod(k, 31) + 1 };
    k -= 186;
  } else {
    jy -= 1;
    k += 179;
    if (r.leap === 1) k += 1;
  }
  return { jy, jm: 7 + div(k, 30), jd: mod(k, 30) + 1 };
}

export function jalaliMonthLength(jy: number, jm: number): number {
  if (jm <= 6) return 31;
  if (jm <= 11) return 30;
  return jalCal(jy).leap === 0 ? 30 : 29;
}

/** Jalali → Gregorian (y, m 1-12, d). Throws on an impossible date. */
export function jalaliToGregorian(jy: number, jm: number, jd: number): { gy: number; gm: number; gd: number } {
  if (jm < 1 || jm > 12 || jd < 1 || jd > jalaliMonthLength(jy, jm)) throw new Error(`no such Jalali date ${jy}/${jm}/${jd}`);
  return d2g(j2d(jy, jm, jd));
}

export function gregorianToJalali(gy: number, gm: number, gd: number): { jy: number; jm: number; jd: number } {
  return d2j(g2d(gy, gm, gd));
}

/** Iran's civil time has been UTC+03:30 all year since 1402 (no daylight saving). */
export const IRAN_OFFSET = '+03:30';

/**
 * A Jalali date text (1404/08/15, ۱۴۰۴-۰۸-۱۵, 1404.8.5, or day first: 15/08/1404) to an ISO date-time at midnight Iran time
 * (e.g. 2025-11-06T00:00:00+03:30); null when the text is not such a date.
 */
export function parseJalaliText(text: string): string | null {
  const t = normalizeText(text);
  const ymd = /^(1[34]\d{2})[/\-.](\d{1,2})[/\-.](\d{1,2})$/.exec(t);
  const dmy = ymd ? null : /^(\d{1,2})[/\-.](\d{1,2})[/\-.](1[34]\d{2})$/.exec(t); // 15/08/1404, also seen
  if (!ymd && !dmy) return null;
  const [jy, jm, jd] = ymd ? [Number(ymd[1]), Number(ymd[2]), Number(ymd[3])] : [Number(dmy![3]), Number(dmy![2]), Number(dmy![1])];
  try {
    const g = jalaliToGregorian(jy, jm, jd);
    return `${g.gy}-${pad2(g.gm)}-${pad2(g.gd)}T00:00:00${IRAN_OFFSET}`;
  } catch {
    return null;
  }
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Excel serial day number (1900 date system: 1 = 1900-01-01, with Excel's fictitious 1900-02-29)
 * to the calendar date it shows, as an ISO date-time at midnight Iran time.
 */
export function excelSerialToIso(serial: number): string | null {
  if (!Number.isFinite(serial) || serial < 1 || serial > 2958465) return null;
  const days = Math.floor(serial);
  const ms = Date.UTC(1899, 11, 30) + days * 86_400_000;
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T00:00:00${IRAN_OFFSET}`;
}

/**
 * A Date cell as read from .xlsx: the reader gives the wall-clock date as a UTC Date (Excel has no
 * time zone). Keeps the calendar date, at midnight Iran time.
 */
export function excelDateToIso(d: Date): string | null {
  if (Number.isNaN(d.getTime())) return null;
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T00:00:00${IRAN_OFFSET}`;
}
