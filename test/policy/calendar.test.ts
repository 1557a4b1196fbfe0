import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../src/policy/calendar.ts';
import { calNoHolidays, calThuOff, calThuOn, holidays } from './helpers.ts';

const faDigits = (s: string) => Number(s.replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d))));

/** Jalali date of a point in time as Node's Persian locale writes it (Persian digits) */
function intlJalali(d: Date): { year: number; month: number; day: number; weekday: string } {
  const parts = new Intl.DateTimeFormat('fa-IR-u-ca-persian', { timeZone: 'Asia/Tehran', year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(d);
  const get = (t: string) => faDigits(parts.find((p) => p.type === t)!.value);
  const weekday = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Tehran', weekday: 'long' }).format(d);
  return { year: get('year'), month: get('month'), day: get('day'), weekday };
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

describe('toJalali', () => {
  it.each([
    ['2025-03-21', { year: 1404, month: 1, day: 1, weekday: 5 }], // Nowruz 1404, a Friday
    ['2025-03-20', { year: 1403, month: 12, day: 30, weekday: 4 }], // last day of leap year 1403
    ['2026-03-21', { year: 1405, month: 1, day: 1, weekday: 6 }],
    ['2025-09-22', { year: 1403 + 1, month: 6, day: 31, weekday: 1 }],
    ['2025-09-23', { year: 1404, month: 7, day: 1, weekday: 2 }],
  ])('%s is %o', (day, j) => {
    expect(calThuOff.toJalali(day)).toEqual(j);
  });

  it('agrees with Intl (fa-IR, Persian calendar, Asia/Tehran) on every day of 1403–1406, at 00:05 and 23:55 Tehran time', () => {
    const start = Date.UTC(2024, 2, 1);
    for (let t = start; t < Date.UTC(2027, 5, 1); t += 86_400_000) {
      for (const offsetMin of [-205, 1230]) {
        // 00:05 Tehran = 20:35 UTC the day before; 23:55 Tehran = 20:25 UTC
        const d = new Date(t + offsetMin * 60_000);
        const expected = intlJalali(d);
        const got = calThuOff.toJalali(d);
        expect({ ...got, weekday: WEEKDAYS[got.weekday] }).toEqual(expected);
      }
    }
  });

  it('fromJalali is the inverse of toJalali and rejects dates that do not exist', () => {
    for (let n = 0; n < 800; n += 7) {
      const day = calThuOff.addCalendarDays('2025-01-01', n);
      const j = calThuOff.toJalali(day);
      expect(calThuOff.fromJalali(j.year, j.month, j.day)).toBe(day);
    }
    expect(calThuOff.fromJalali(1403, 12, 30)).toBe('2025-03-20'); // leap year
    expect(calThuOff.fromJalali(1404, 12, 30)).toBeNull(); // 1404 is not a leap year
    expect(calThuOff.fromJalali(1404, 7, 31)).toBeNull();
    expect(calThuOff.fromJalali(1404, 13, 1)).toBeNull();
  });
});

describe('days in Asia/Tehran', () => {
  it.each([
    ['2025-06-01T20:29:59Z', '2025-06-01'], // 23:59:59 Tehran (+03:30)
    ['2025-06-01T20:30:00Z', '2025-06-02'], // midnight Tehran
    ['2021-06-01T19:45:00Z', '2021-06-02'], // +04:30 in 2021 (DST): 00:15 Tehran; a fixed +03:30 would say June 1
    ['2021-12-01T20:15:00Z', '2021-12-01'], // winter 2021: +03:30, 23:45 Tehran
    ['2025-07-21', '2025-07-21'], // a date-only text is that day
    ['2025-07-21T23:30', '2025-07-21'], // a wall time without zone is Tehran time
  ])('%s is Tehran day %s', (input, day) => {
    const d = /Z$/.test(input) ? new Date(input) : input;
    expect(calThuOff.dayOf(d)).toBe(day);
  });

  it('reads a wall time without zone as Tehran time', () => {
    expect(calThuOff.instantOf('2025-07-21T10:00').toISOString()).toBe('2025-07-21T06:30:00.000Z');
    expect(calThuOff.instantOf('2021-06-01T10:00').toISOString()).toBe('2021-06-01T05:30:00.000Z'); // DST then
    expect(calThuOff.instantOf('2025-07-21').toISOString()).toBe('2025-07-20T20:30:00.000Z');
  });

  it('rejects an unknown time zone', () => {
    expect(() => createWorkingCalendar({ holidays: [], thursdayIsWorkingDay: false, timeZone: 'Asia/Nowhere' })).toThrow(RangeError);
  });
});

describe('isWorkingDay', () => {
  it.each([
    ['2025-07-16', 'Wednesday', true, true],
    ['2025-07-17', 'Thursday', false, true],
    ['2025-07-18', 'Friday', false, false],
    ['2025-07-19', 'Saturday', true, true],
    ['2025-07-05', 'Saturday, Tasua (lunar holiday)', false, false],
    ['2025-07-06', 'Sunday, Ashura (lunar holiday)', false, false],
    ['2025-06-04', 'Wednesday, death of Imam Khomeini (solar holiday)', false, false],
    ['2026-05-27', 'Wednesday, Eid al-Adha 1405 (predicted)', false, false],
    ['2025-03-26', 'Wednesday after Nowruz', true, true],
  ])('%s (%s): Thursday off → %s, Thursday on → %s', (day, _what, off, on) => {
    expect(calThuOff.isWorkingDay(day)).toBe(off);
    expect(calThuOn.isWorkingDay(day)).toBe(on);
  });

  it('a holiday only counts when it is in the table', () => {
    expect(calNoHolidays.isWorkingDay('2025-07-05')).toBe(true);
  });

  it('lists several holidays on one day', () => {
    expect(calThuOff.holidaysOn('2025-03-22').map((h) => h.kind).sort()).toEqual(['lunar', 'solar']);
    expect(calThuOff.holidaysOn('2025-03-26')).toEqual([]);
  });

  it('knows which Jalali years the table covers', () => {
    expect(calThuOff.holidayYears).toEqual([1404, 1405]);
    expect(holidays.length).toBe(57);
  });
});

describe('addWorkingDays / workingDaysBetween', () => {
  it.each([
    // [from, n, Thursday off, Thursday on]
    ['2025-07-12', 7, '2025-07-21', '2025-07-20'], // across a Thursday and a Friday
    ['2025-07-12', 8, '2025-07-22', '2025-07-21'],
    ['2025-07-02', 7, '2025-07-15', '2025-07-13'], // across Tasua and Ashura
    ['2025-07-02', 8, '2025-07-16', '2025-07-14'],
    ['2025-03-19', 1, '2025-03-25', '2025-03-20'], // Nowruz 1404: 20 Thursday, 21 Friday and Nowruz, 22-24 Nowruz
    ['2025-07-16', 1, '2025-07-19', '2025-07-17'],
  ])('%s + %i working days = %s (Thursday off), %s (Thursday on)', (from, n, off, on) => {
    expect(calThuOff.dayOf(calThuOff.addWorkingDays(from, n))).toBe(off);
    expect(calThuOn.dayOf(calThuOn.addWorkingDays(from, n))).toBe(on);
  });

  it('without the holiday table the holidays count as working days', () => {
    expect(calNoHolidays.dayOf(calNoHolidays.addWorkingDays('2025-07-02', 7))).toBe('2025-07-13');
  });

  it('keeps the time of day and counts from the day after the start', () => {
    const from = new Date('2025-07-12T06:30:00Z'); // 10:00 Tehran, Saturday
    expect(calThuOff.addWorkingDays(from, 7).toISOString()).toBe('2025-07-21T06:30:00.000Z');
    expect(calThuOff.addWorkingDays(from, 0).toISOString()).toBe(from.toISOString());
    expect(calThuOff.workingDaysBetween(from, '2025-07-12T23:59')).toBe(0);
  });

  it('workingDaysBetween inverts addWorkingDays, both ways, over 1404 and 1405 with both Thursday settings', () => {
    for (const cal of [calThuOff, calThuOn]) {
      for (let k = 0; k < 730; k += 3) {
        const from = cal.addCalendarDays('2025-03-10', k);
        for (const n of [1, 2, 5, 7, 8, 14]) {
          const to = cal.addWorkingDays(from, n);
          expect(cal.workingDaysBetween(from, to)).toBe(n);
          expect(cal.workingDaysBetween(to, from)).toBe(-n);
          expect(cal.isWorkingDay(to)).toBe(true);
          const back = cal.addWorkingDays(to, -n);
          if (cal.isWorkingDay(from)) expect(cal.dayOf(back)).toBe(from);
        }
      }
    }
  });

  it('counts a week of Saturday–Wednesday as 5 working days with Thursday off and 6 with it on', () => {
    expect(calThuOff.workingDaysBetween('2025-07-11', '2025-07-18')).toBe(5);
    expect(calThuOn.workingDaysBetween('2025-07-11', '2025-07-18')).toBe(6);
  });
});
