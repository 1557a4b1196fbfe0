// Persian on screen: digits, numbers, durations and Jalali dates (the browser's Intl persian calendar).
const DIGITS = '۰۱۲۳۴۵۶۷۸۹';

/** Latin digits of a text → Persian digits. */
export function faDigits(s) {
  return String(s ?? '').replace(/[0-9]/g, (d) => DIGITS[Number(d)]);
}

/** Persian or Arabic digits → Latin (for what a person types). */
export function latinDigits(s) {
  return String(s ?? '')
    .replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660));
}

const numberFmt = new Intl.NumberFormat('fa-IR');
export function faNumber(n, digits) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return digits === undefined ? numberFmt.format(n) : new Intl.NumberFormat('fa-IR', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}

export function faPercent(x) {
  return x === null || x === undefined || Number.isNaN(x) ? '–' : new Intl.NumberFormat('fa-IR', { style: 'percent', maximumFractionDigits: 1 }).format(x);
}

export const TIME_ZONE = 'Asia/Tehran';
const dateTimeFmt = new Intl.DateTimeFormat('fa-IR-u-ca-persian', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const dateFmt = new Intl.DateTimeFormat('fa-IR-u-ca-persian', { timeZone: TIME_ZONE, year: 'numeric', month: 'long', day: 'numeric' });

/** A moment as a Jalali date and time in Tehran, Persian digits. */
export function faDateTime(t) {
  if (t === null || t === undefined) return '–';
  return dateTimeFmt.format(new Date(t));
}

export function faDate(t) {
  return dateFmt.format(new Date(t));
}

/** Seconds as m:ss (or h:mm:ss) in Persian digits. */
export function faDuration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return faDigits(h ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`);
}

const latinParts = new Intl.DateTimeFormat('en-US-u-ca-persian-nu-latn', { timeZone: TIME_ZONE, year: 'numeric', month: 'numeric', day: 'numeric' });

/** The Jalali [year, month, day] of a moment, in Tehran. */
export function jalaliOf(t) {
  const p = Object.fromEntries(latinParts.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return [Number(String(p.year).replace(/\D.*$/, '')), Number(p.month), Number(p.day)];
}

/** "1405/09/10" of a moment (Latin digits, for inputs and the API). */
export function jalaliString(t) {
  const [y, m, d] = jalaliOf(t);
  return `${y}/${String(m).padStart(2, '0')}/${String(d).padStart(2, '0')}`;
}

/**
 * A Jalali date typed by a person ("۱۴۰۵/۰۹/۱۰", "1405-9-10") → the Gregorian "YYYY-MM-DD" of that
 * day, found by searching with Intl (no table of our own); throws with a Persian message.
 */
export function gregorianOfJalali(text) {
  const m = /^\s*(\d{4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*$/.exec(latinDigits(text));
  if (!m) throw new Error(`تاریخ «${text}» را به شکل ۱۴۰۵/۰۹/۱۰ بنویسید`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) throw new Error(`تاریخ «${text}» وجود ندارد`);
  // Farvardin 1 falls on March 20 or 21 of year y + 621: estimate, then step a day at a time
  const days = mo <= 6 ? (mo - 1) * 31 : 186 + (mo - 7) * 30;
  let t = Date.UTC(y + 621, 2, 21, 12) + (days + d - 1) * 86400000;
  const want = y * 10000 + mo * 100 + d;
  for (let i = 0; i < 20; i++) {
    const [a, b, c] = jalaliOf(t);
    const got = a * 10000 + b * 100 + c;
    if (got === want) break;
    t += (got < want ? 1 : -1) * 86400000;
  }
  const [yy, mm, dd] = jalaliOf(t);
  if (yy !== y || mm !== mo || dd !== d) throw new Error(`تاریخ «${text}» وجود ندارد`);
  return new Date(t).toISOString().slice(0, 10);
}
