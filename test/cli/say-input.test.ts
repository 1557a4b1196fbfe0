/**
 * Issue 12 item 3: `say` reads a Jalali date as Jalali (never as Gregorian year 1403) and accepts
 * Persian and Arabic-Indic digits; a date that is none is refused with one line.
 */
import { describe, expect, it } from 'vitest';
import { fragmentsFor } from '../../src/cli/commands/say.ts';
import { UsageError } from '../../src/cli/usage-error.ts';

describe('say: what an admin types', () => {
  it('a Jalali date is said as that date (1403/05/17 = 2024-08-07)', () => {
    const expected = ['day/17', 'month/5', 'num/1000-o', 'num/400-o', 'num/3'];
    expect(fragmentsFor('1403/05/17', 'date')).toEqual(expected);
    expect(fragmentsFor('1403-05-17', 'date')).toEqual(expected);
    expect(fragmentsFor('۱۴۰۳/۰۵/۱۷', 'date')).toEqual(expected);
    expect(fragmentsFor('2024-08-07', 'date')).toEqual(expected);
  });
  it('Persian and Arabic-Indic digits are the same number', () => {
    expect(fragmentsFor('۱۲۵۰۰۰۰', 'amount')).toEqual(fragmentsFor('1250000', 'amount'));
    expect(fragmentsFor('١٢٥٠٠٠٠', 'amount')).toEqual(fragmentsFor('1250000', 'amount'));
    expect(fragmentsFor('۰۴۹۹۳۷۰۸۹۹', 'digits')).toEqual(fragmentsFor('0499370899', 'digits'));
  });
  it('not a date: refused, naming both forms', () => {
    expect(() => fragmentsFor('1403/13/40', 'date')).toThrow(UsageError);
    expect(() => fragmentsFor('1403/13/40', 'date')).toThrow(/Jalali date like 1403\/05\/17/);
    expect(() => fragmentsFor('tomorrow', 'date')).toThrow(/is not a date/);
    expect(() => fragmentsFor('2024-13-01', 'date')).toThrow(/not a valid date/);
  });
});
