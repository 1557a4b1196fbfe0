import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultPolicyConfig, parsePolicyConfig, PolicyConfigError } from '../../src/policy/config.ts';
import { HolidaysError, parseHolidays } from '../../src/policy/holidays.ts';
import { checkPolicy } from '../../src/policy/check.ts';
import { loadHolidaysFile, loadWorkingCalendar } from '../../src/policy/load.ts';
import { HOLIDAYS_PATH } from './helpers.ts';

const row = (r: Record<string, unknown> = {}) => ({
  jalali: '1404/01/12',
  gregorian: '2025-04-01',
  nameFa: 'روز جمهوری اسلامی ایران',
  nameEn: 'Islamic Republic Day',
  kind: 'solar',
  status: 'official',
  ...r,
});

function problems(input: unknown): string[] {
  try {
    parseHolidays(input);
  } catch (e) {
    expect(e).toBeInstanceOf(HolidaysError);
    return (e as HolidaysError).problems;
  }
  throw new Error('expected the table to be rejected');
}

describe('holiday table', () => {
  it('config/holidays.json is valid, sorted, and every row is the same day in both calendars', () => {
    const rows = parseHolidays(readFileSync(HOLIDAYS_PATH, 'utf8'));
    expect(rows.length).toBe(57);
    expect(rows.filter((r) => r.status === 'predicted').length).toBeGreaterThan(0);
    expect(rows.map((r) => r.gregorian)).toEqual([...rows.map((r) => r.gregorian)].sort());
    const fmt = new Intl.DateTimeFormat('en-US-u-ca-persian', { timeZone: 'UTC', numberingSystem: 'latn', year: 'numeric', month: '2-digit', day: '2-digit' });
    for (const r of rows) {
      const p = Object.fromEntries(fmt.formatToParts(new Date(`${r.gregorian}T12:00:00Z`)).map((x) => [x.type, x.value]));
      expect(`${p.year}/${p.month}/${p.day}`).toBe(r.jalali);
    }
  });

  it('accepts the parsed object as well as the text, and two holidays on one day', () => {
    const rows = parseHolidays({ holidays: [row(), row({ nameEn: 'Eid al-Fitr holiday (2 Shawwal)', nameFa: 'تعطیل به مناسبت عید سعید فطر', kind: 'lunar' })] });
    expect(rows).toHaveLength(2);
  });

  it.each([
    ['a Gregorian date that does not match the Jalali date', [row({ gregorian: '2025-04-02' })], /holidays\[0\] \(1404\/01\/12 Islamic Republic Day\): gregorian 2025-04-02 does not match jalali 1404\/01\/12, which is 2025-04-01/],
    ['a duplicate row', [row(), row()], /holidays\[1\] \(1404\/01\/12 Islamic Republic Day\): duplicate of holidays\[0\]/],
    ['a Jalali date that does not exist', [row({ jalali: '1404/12/30', gregorian: '2026-03-21' })], /holidays\[0\].*jalali 1404\/12\/30 is not a date/],
    ['a Jalali date in the wrong format', [row({ jalali: '1404-01-12' })], /holidays\[0\].*jalali: write the Solar Hijri date as YYYY\/MM\/DD/],
    ['a Gregorian date that does not exist', [row({ gregorian: '2025-02-30' })], /holidays\[0\].*gregorian 2025-02-30 is not a date/],
    ['an unknown kind', [row({ kind: 'religious' })], /holidays\[0\].*kind: must be one of solar, lunar, company/],
    ['an unknown status', [row({ status: 'maybe' })], /holidays\[0\].*status: must be one of official, predicted/],
    ['a missing name', [row({ nameEn: undefined })], /holidays\[0\].*nameEn: the English name is required/],
  ])('rejects %s, naming the row', (_what, rows, message) => {
    const ps = problems({ holidays: rows });
    expect(ps.some((p) => message.test(p)), ps.join('\n')).toBe(true);
  });

  it('lists every problem at once, one line each', () => {
    const ps = problems({ holidays: [row({ gregorian: '2025-04-05' }), row({ kind: 'x' }), row({ jalali: '1404/01/13', gregorian: '2025-04-02', nameEn: 'Nature Day' })] });
    expect(ps).toHaveLength(2);
    expect(ps[0]).toMatch(/^holidays\[0\]/);
    expect(ps[1]).toMatch(/^holidays\[1\]/);
  });

  it('rejects text that is not JSON and a file without a holidays list', () => {
    expect(problems('{ holidays: ')[0]).toMatch(/not valid JSON/);
    expect(problems({ rows: [] })[0]).toMatch(/"holidays" list/);
  });

  it('the loader names a file it cannot read', () => {
    expect(() => loadHolidaysFile('config/no-such-holidays.json')).toThrow(/config\/no-such-holidays.json: 1 problem\(s\):\n.*cannot read the holiday table/);
  });

  it('loadWorkingCalendar uses the configured Thursday and file', () => {
    const cal = loadWorkingCalendar({ ...defaultPolicyConfig, thursdayIsWorkingDay: true });
    expect(cal.isWorkingDay('2025-07-17')).toBe(true);
    expect(cal.isWorkingDay('2025-07-05')).toBe(false);
  });
});

describe('policy configuration', () => {
  it('has the seed figures as defaults', () => {
    expect(parsePolicyConfig({})).toEqual({
      timeZone: 'Asia/Tehran',
      thursdayIsWorkingDay: false,
      creditRefundLimitToman: 500_000,
      cashRefundLimitToman: 3_000_000,
      proformaValidityWorkingDays: 7,
      proformaUnchargedFollowUpDays: 30,
      chequeApprovalStandardWorkingDays: 3,
      bouncedChequeWaitDays: 14,
      festivalReferralWaitWorkingDays: 7,
      holidaysFile: 'config/holidays.json',
    });
  });

  it('accepts numbers and true/false given as text (environment variables)', () => {
    const c = parsePolicyConfig({ creditRefundLimitToman: '600,000', thursdayIsWorkingDay: 'true' });
    expect(c.creditRefundLimitToman).toBe(600_000);
    expect(c.thursdayIsWorkingDay).toBe(true);
  });

  it.each([
    [{ creditRefundLimitToman: 'lots' }, /^policy\.creditRefundLimitToman: must be a whole number \(Toman\), e\.g\. 500000 \(got "lots"\)$/],
    [{ cashRefundLimitToman: 2.5 }, /cashRefundLimitToman: must be a whole number/],
    [{ proformaValidityWorkingDays: 0 }, /proformaValidityWorkingDays: must be at least 1 \(working days\)/],
    [{ thursdayIsWorkingDay: 'sometimes' }, /thursdayIsWorkingDay: must be true or false/],
    [{ timeZone: 'Iran/Tehran' }, /timeZone: not a known IANA time zone/],
    [{ creditRefundLimit: 1 }, /unknown key\(s\) 'creditRefundLimit'; known keys: timeZone/],
  ])('rejects %o with an admin-readable message', (input, message) => {
    try {
      parsePolicyConfig(input);
      throw new Error('expected a PolicyConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyConfigError);
      expect((e as PolicyConfigError).problems.join('\n')).toMatch(message);
    }
  });
});

describe('checkPolicy', () => {
  it('passes with the shipped table inside 1404 and 1405', () => {
    expect(checkPolicy({ now: new Date('2025-07-20T10:00:00+03:30') })).toEqual({ errors: [], warnings: [] });
  });

  it('errors for a Jalali year the table does not cover, and warns a month before an uncovered year starts', () => {
    expect(checkPolicy({ now: new Date('2027-04-01T10:00:00+03:30') }).errors[0]).toMatch(/config\/holidays.json: no holidays for the current Jalali year 1406/);
    const r = checkPolicy({ now: new Date('2027-03-01T10:00:00+03:30') });
    expect(r.errors).toEqual([]);
    expect(r.warnings[0]).toMatch(/no holidays for the Jalali year 1406, which starts on 2027-03-21/);
  });

  it('reports bad thresholds and a missing table', () => {
    expect(checkPolicy({ policy: { bouncedChequeWaitDays: -1 } }).errors[0]).toMatch(/bouncedChequeWaitDays: must be at least 1/);
    expect(checkPolicy({ policy: { holidaysFile: 'config/none.json' } }).errors[0]).toMatch(/config\/none.json: cannot read the holiday table/);
  });
});
