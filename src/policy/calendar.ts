/**
 * The Iranian working-day calendar (pure; no I/O).
 *
 * - Calendar days are the days of a time zone (default Asia/Tehran), found with `Intl` — never a
 *   fixed offset: Iran observed daylight saving time until 2022, and `Intl` knows the history.
 * - Jalali (Solar Hijri) dates come from `Intl.DateTimeFormat('en-US-u-ca-persian', { numberingSystem: 'latn' })`.
 * - Friday is the weekly day off; Thursday is a working day or not by configuration; the official
 *   holidays come from the holiday table (config/holidays.json, see holidays.ts).
 *
 * Day arithmetic works on "day keys" (`YYYY-MM-DD`, the Gregorian date of the day in the time
 * zone) and on day numbers (days since 1970-01-01 of that civil date).
 */
import type { Holiday } from './holidays.ts';

/** A civil date `YYYY-MM-DD` (the Gregorian date of a day in the calendar's time zone). */
export type DayKey = string;

export interface JalaliDate {
  year: number;
  month: number; // 1..12 (1 = Farvardin)
  day: number; // 1..31
  /** day of the week as in JavaScript: 0 = Sunday (یکشنبه) … 5 = Friday (جمعه), 6 = Saturday (شنبه) */
  weekday: number;
}

/** A point in time (Date) or a text: `YYYY-MM-DD` (that day), ISO date-time with zone, or without zone (wall time in the calendar's zone). */
export type DateInput = Date | string;

export interface WorkingCalendar {
  readonly timeZone: string;
  readonly thursdayIsWorkingDay: boolean;
  /** the civil day (in the time zone) of a point in time or a date text */
  dayOf(date: DateInput): DayKey;
  /** the point in time of a date text (date-only: 00:00 of that day in the time zone) */
  instantOf(date: DateInput): Date;
  /** false on Fridays, on Thursdays unless configured as working days, and on holidays of the table */
  isWorkingDay(date: DateInput): boolean;
  /** the holidays of the table on that day (several holidays may fall on one day) */
  holidaysOn(date: DateInput): Holiday[];
  /**
   * The point in time `n` working days after `from` (same wall-clock time of day): the working days
   * are counted from the day after `from`'s day. `n = 0` returns `from`; negative `n` counts back.
   */
  addWorkingDays(from: DateInput, n: number): Date;
  /**
   * Working days in the days after `a`'s day up to and including `b`'s day (0 when the same day);
   * negative when `b` is before `a`. `workingDaysBetween(a, addWorkingDays(a, n)) === n`.
   */
  workingDaysBetween(a: DateInput, b: DateInput): number;
  /** whole calendar days from `a`'s day to `b`'s day (negative when `b` is earlier) */
  calendarDaysBetween(a: DateInput, b: DateInput): number;
  /** the day `n` calendar days after `from`'s day */
  addCalendarDays(from: DateInput, n: number): DayKey;
  /** Jalali date of the day (in the time zone) */
  toJalali(date: DateInput): JalaliDate;
  /** the Gregorian day of a Jalali date; null when that date does not exist (e.g. 1404/12/30) */
  fromJalali(year: number, month: number, day: number): DayKey | null;
  /** Jalali years that have at least one row in the holiday table (lunar holidays are only known for these) */
  readonly holidayYears: readonly number[];
}

export interface CalendarOptions {
  holidays: readonly Holiday[];
  thursdayIsWorkingDay: boolean;
  timeZone?: string;
}

const DAY_MS = 86_400_000;
const FRIDAY = 5;
const THURSDAY = 4;

const dtfCache = new Map<string, Intl.DateTimeFormat>();
function wallFormat(timeZone: string): Intl.DateTimeFormat {
  let f = dtfCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US-u-ca-gregory', {
      timeZone,
      numberingSystem: 'latn',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    dtfCache.set(timeZone, f);
  }
  return f;
}

const persianFormat = new Intl.DateTimeFormat('en-US-u-ca-persian', {
  timeZone: 'UTC',
  numberingSystem: 'latn',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
});

interface Wall {
  y: number;
  m: number;
  d: number;
  hh: number;
  mi: number;
  ss: number;
  ms: number;
}

function partsOf(f: Intl.DateTimeFormat, t: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(t))) out[p.type] = p.value;
  return out;
}

/** wall-clock fields of a point in time in a zone (through Intl) */
export function wallTime(t: number, timeZone: string): Wall {
  const p = partsOf(wallFormat(timeZone), t);
  const ms = ((t % 1000) + 1000) % 1000;
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), hh: Number(p.hour) % 24, mi: Number(p.minute), ss: Number(p.second), ms };
}

function wallAsUtc(w: Wall): number {
  return Date.UTC(w.y, w.m - 1, w.d, w.hh, w.mi, w.ss, w.ms);
}

/** offset of the zone at a point in time, in ms (Tehran today: +3:30) */
function offsetAt(t: number, timeZone: string): number {
  return wallAsUtc(wallTime(t, timeZone)) - t;
}

/** the point in time of a wall-clock time in a zone */
export function instantOfWall(w: Wall, timeZone: string): number {
  const guess = wallAsUtc(w);
  let t = guess - offsetAt(guess, timeZone);
  const o2 = offsetAt(t, timeZone);
  if (guess - o2 !== t) t = guess - o2;
  return t;
}

export function dayNumberOfKey(key: DayKey): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!m) throw new RangeError(`not a day YYYY-MM-DD: ${key}`);
  return Math.floor(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS);
}

export function keyOfDayNumber(n: number): DayKey {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday */
function weekdayOfDayNumber(n: number): number {
  return new Date(n * DAY_MS).getUTCDay();
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;

/** Point in time of an input; texts without a zone are wall times in `timeZone`. */
export function toInstant(date: DateInput, timeZone: string): number {
  if (date instanceof Date) {
    const t = date.getTime();
    if (Number.isNaN(t)) throw new RangeError('invalid Date');
    return t;
  }
  const s = date.trim();
  let m = DATE_ONLY.exec(s);
  if (m) return instantOfWall({ y: Number(m[1]), m: Number(m[2]), d: Number(m[3]), hh: 0, mi: 0, ss: 0, ms: 0 }, timeZone);
  m = LOCAL_DATE_TIME.exec(s);
  if (m) {
    return instantOfWall(
      { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]), hh: Number(m[4]), mi: Number(m[5]), ss: Number(m[6] ?? 0), ms: Number((m[7] ?? '0').padEnd(3, '0')) },
      timeZone,
    );
  }
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new RangeError(`not an ISO-8601 date: ${JSON.stringify(s)}`);
  return t;
}

/** Day number (days since 1970-01-01) of the civil day of an input in a zone. */
export function dayNumberOf(date: DateInput, timeZone: string): number {
  if (typeof date === 'string' && DATE_ONLY.test(date.trim())) return dayNumberOfKey(date.trim());
  const w = wallTime(toInstant(date, timeZone), timeZone);
  return Math.floor(Date.UTC(w.y, w.m - 1, w.d) / DAY_MS);
}

/** Jalali date of a civil day (pure calendar conversion through Intl's Persian calendar). */
export function jalaliOfDayNumber(n: number): JalaliDate {
  const p = partsOf(persianFormat, n * DAY_MS + DAY_MS / 2);
  return { year: Number(p.year), month: Number(p.month), day: Number(p.day), weekday: weekdayOfDayNumber(n) };
}

/** Gregorian civil day of a Jalali date, or null when the date does not exist. */
export function dayNumberOfJalali(year: number, month: number, day: number): number | null {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  if (month < 1 || month > 12 || day < 1 || day > (month <= 6 ? 31 : 30)) return null;
  // Nowruz falls on 20, 21 or 22 March of Gregorian year (year + 621); search around the estimate.
  const nowruzGuess = Math.floor(Date.UTC(year + 621, 2, 21) / DAY_MS);
  const dayOfYear = month <= 6 ? (month - 1) * 31 + day - 1 : 186 + (month - 7) * 30 + day - 1;
  const guess = nowruzGuess + dayOfYear;
  for (const delta of [0, -1, 1, -2, 2]) {
    const j = jalaliOfDayNumber(guess + delta);
    if (j.year === year && j.month === month && j.day === day) return guess + delta;
  }
  return null;
}

export function createWorkingCalendar(opts: CalendarOptions): WorkingCalendar {
  const timeZone = opts.timeZone ?? 'Asia/Tehran';
  wallFormat(timeZone); // throws RangeError for an unknown zone
  const thursdayIsWorkingDay = opts.thursdayIsWorkingDay;
  const byDay = new Map<number, Holiday[]>();
  const years = new Set<number>();
  for (const h of opts.holidays) {
    const n = dayNumberOfKey(h.gregorian);
    const list = byDay.get(n) ?? [];
    list.push(h);
    byDay.set(n, list);
    years.add(Number(h.jalali.slice(0, 4)));
  }

  const dayNo = (d: DateInput) => dayNumberOf(d, timeZone);
  const working = (n: number): boolean => {
    const wd = weekdayOfDayNumber(n);
    if (wd === FRIDAY) return false;
    if (wd === THURSDAY && !thursdayIsWorkingDay) return false;
    return !byDay.has(n);
  };
  const countBetween = (a: number, b: number): number => {
    if (b === a) return 0;
    const [lo, hi, sign] = b > a ? [a, b, 1] : [b, a, -1];
    let c = 0;
    for (let n = lo + 1; n <= hi; n++) if (working(n)) c++;
    return sign * c;
  };

  return {
    timeZone,
    thursdayIsWorkingDay,
    holidayYears: [...years].sort((x, y) => x - y),
    dayOf: (d) => keyOfDayNumber(dayNo(d)),
    instantOf: (d) => new Date(toInstant(d, timeZone)),
    isWorkingDay: (d) => working(dayNo(d)),
    holidaysOn: (d) => [...(byDay.get(dayNo(d)) ?? [])],
    addWorkingDays(from, n) {
      if (!Number.isInteger(n)) throw new RangeError(`addWorkingDays: n must be a whole number, got ${n}`);
      const t = toInstant(from, timeZone);
      if (n === 0) return new Date(t);
      const start = dayNo(from);
      let day = start;
      let left = Math.abs(n);
      const step = n > 0 ? 1 : -1;
      while (left > 0) {
        day += step;
        if (working(day)) left--;
      }
      const w = wallTime(t, timeZone);
      const target = new Date(day * DAY_MS);
      return new Date(
        instantOfWall({ ...w, y: target.getUTCFullYear(), m: target.getUTCMonth() + 1, d: target.getUTCDate() }, timeZone),
      );
    },
    workingDaysBetween: (a, b) => countBetween(dayNo(a), dayNo(b)),
    calendarDaysBetween: (a, b) => dayNo(b) - dayNo(a),
    addCalendarDays: (from, n) => keyOfDayNumber(dayNo(from) + n),
    toJalali: (d) => jalaliOfDayNumber(dayNo(d)),
    fromJalali(y, m, d) {
      const n = dayNumberOfJalali(y, m, d);
      return n === null ? null : keyOfDayNumber(n);
    },
  };
}
