import { describe, expect, it } from 'vitest';
import {
  excelSerialToIso,
  gregorianToJalali,
  isValidIban,
  isValidNationalId,
  isValidOrderNumber,
  jalaliToGregorian,
  makeIranIban,
  nationalIdFromCell,
  nationalIdProblem,
  normalizeMobile,
  normalizeText,
  parseJalaliText,
} from '../../src/store/normalize.ts';

describe('national ID', () => {
  it('accepts IDs whose check digit matches, including leading zeros', () => {
    expect(isValidNationalId('0499370899')).toBe(true);
    expect(isValidNationalId('0014636417')).toBe(true);
    expect(isValidNationalId('1274814316')).toBe(true);
  });
  it('rejects a wrong check digit, a wrong length and one repeated digit', () => {
    expect(isValidNationalId('0499370898')).toBe(false);
    expect(isValidNationalId('499370899')).toBe(false);
    expect(isValidNationalId('1111111111')).toBe(false);
    expect(nationalIdProblem('1111111111')).toMatch(/repeated/);
    expect(nationalIdProblem('12345')).toMatch(/exactly 10 digits/);
    expect(nationalIdProblem('0499370898')).toMatch(/check digit/);
    expect(nationalIdProblem('0499370899')).toBeNull();
  });
  it('restores leading zeros lost by Excel and reads Persian digits', () => {
    expect(nationalIdFromCell(499370899)).toBe('0499370899');
    expect(nationalIdFromCell(14636417)).toBe('0014636417');
    expect(nationalIdFromCell('۰۴۹۹۳۷۰۸۹۹')).toBe('0499370899');
    expect(nationalIdFromCell('٠٤٩٩-٣٧٠٨٩٩')).toBe('0499370899');
    expect(nationalIdFromCell(12345678901)).toBeNull();
    expect(nationalIdFromCell('abc')).toBeNull();
  });
});

describe('IBAN, mobile, order number, text', () => {
  it('checks IBANs with mod 97 and builds valid ones', () => {
    expect(isValidIban('IR820540102680020817909002')).toBe(true);
    expect(isValidIban('IR830540102680020817909002')).toBe(false);
    const made = makeIranIban('0170000000123456789001');
    expect(isValidIban(made)).toBe(true);
    expect(made.slice(4)).toBe('0170000000123456789001');
  });
  it('normalises mobiles', () => {
    expect(normalizeMobile('+98 912 123 4567')).toBe('09121234567');
    expect(normalizeMobile(9121234567)).toBe('09121234567');
    expect(normalizeMobile('۰۹۱۲۱۲۳۴۵۶۷')).toBe('09121234567');
    expect(normalizeMobile('02188001234')).toBeNull();
  });
  it('order numbers are a Jalali year 1400–1499 then 6 digits', () => {
    expect(isValidOrderNumber('1404001234')).toBe(true);
    expect(isValidOrderNumber('1504001234')).toBe(false);
    expect(isValidOrderNumber('140400123')).toBe(false);
  });
  it('normalises Arabic letters and digits to Persian/ASCII', () => {
    expect(normalizeText(' كد  ملي ۱۲ ')).toBe('کد ملی 12');
  });
});

describe('Jalali calendar', () => {
  it('converts known dates both ways', () => {
    expect(jalaliToGregorian(1404, 1, 1)).toEqual({ gy: 2025, gm: 3, gd: 21 });
    expect(jalaliToGregorian(1404, 8, 15)).toEqual({ gy: 2025, gm: 11, gd: 6 });
    expect(jalaliToGregorian(1405, 9, 4)).toEqual({ gy: 2026, gm: 11, gd: 25 });
    expect(jalaliToGregorian(1403, 12, 30)).toEqual({ gy: 2025, gm: 3, gd: 20 }); // 1403 is leap
    expect(gregorianToJalali(2026, 11, 25)).toEqual({ jy: 1405, jm: 9, jd: 4 });
    expect(() => jalaliToGregorian(1404, 12, 30)).toThrow(); // 1404 is not leap
  });
  it('parses Jalali text with Persian digits and various separators', () => {
    expect(parseJalaliText('1404/08/15')).toBe('2025-11-06T00:00:00+03:30');
    expect(parseJalaliText('۱۴۰۴/۰۸/۱۵')).toBe('2025-11-06T00:00:00+03:30');
    expect(parseJalaliText('1404-8-15')).toBe('2025-11-06T00:00:00+03:30');
    expect(parseJalaliText('15/08/1404')).toBe('2025-11-06T00:00:00+03:30');
    expect(parseJalaliText('1404/13/01')).toBeNull();
    expect(parseJalaliText('2025/11/06')).toBeNull();
  });
  it('reads Excel serial day numbers', () => {
    expect(excelSerialToIso(45967)).toBe('2025-11-06T00:00:00+03:30');
    expect(excelSerialToIso(45967.75)).toBe('2025-11-06T00:00:00+03:30');
    expect(excelSerialToIso(-3)).toBeNull();
  });
});
