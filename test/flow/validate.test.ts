import { describe, expect, test } from 'vitest';
import {
  areaCodeProblem,
  isValidMobile,
  isValidNationalId,
  isValidOrderNumber,
  mobileProblem,
  nationalIdProblem,
  normalizeMobile,
  orderNumberProblem,
} from '../../src/flow/validate.ts';

/** an independent check digit: the definition written the other way round */
function withCheckDigit(nine: string): string {
  const weights = [10, 9, 8, 7, 6, 5, 4, 3, 2];
  const s = weights.reduce((acc, w, i) => acc + w * Number(nine[i]), 0);
  const r = s % 11;
  return nine + String(r < 2 ? r : 11 - r);
}

describe('national ID', () => {
  test.each(['0499370899', '0010350829', withCheckDigit('123456789'), withCheckDigit('000000001'), withCheckDigit('987654321')])(
    '%s is valid',
    (id) => expect(nationalIdProblem(id)).toBeNull(),
  );

  test('0499370899: the spec vector, leading zero kept', () => {
    expect(isValidNationalId('0499370899')).toBe(true);
    expect(isValidNationalId('499370899')).toBe(false); // the leading zero is part of the ID
    expect(nationalIdProblem('499370899')).toBe('nid-wrong-length');
  });

  test('every wrong check digit is caught', () => {
    for (let d = 0; d <= 9; d++) {
      const id = `049937089${d}`;
      expect(nationalIdProblem(id)).toBe(d === 9 ? null : 'nid-checksum');
    }
  });

  test('remainders 0 and 1 give the remainder itself as check digit', () => {
    // 0100000010: 1×9 + 1×2 = 11, r = 0 → check 0;  1000000011: 1×10 + 1×2 = 12, r = 1 → check 1
    expect(nationalIdProblem('0100000010')).toBeNull();
    expect(nationalIdProblem('0100000011')).toBe('nid-checksum');
    expect(nationalIdProblem('1000000011')).toBeNull();
    expect(nationalIdProblem('1000000010')).toBe('nid-checksum');
  });

  test('all-same-digit codes are rejected even when the checksum would pass', () => {
    for (let d = 0; d <= 9; d++) expect(nationalIdProblem(String(d).repeat(10))).toBe('nid-same-digits');
    // 1111111111: s = 54, r = 10 → check 1: passes the checksum, still rejected
    expect(isValidNationalId('1111111111')).toBe(false);
  });

  test('wrong length and non-digits', () => {
    for (const id of ['', '049937089', '04993708990', '04993708a9']) expect(nationalIdProblem(id)).toBe('nid-wrong-length');
  });
});

describe('order number (10 digits: Jalali year 1400–1499 + 6-digit serial)', () => {
  test('valid', () => {
    for (const n of ['1404001234', '1400000001', '1499999999', '1403001234']) expect(isValidOrderNumber(n)).toBe(true);
  });
  test('wrong length', () => {
    for (const n of ['140400123', '14040012345', '']) expect(orderNumberProblem(n)).toBe('order-wrong-length');
  });
  test('year out of range', () => {
    for (const n of ['1399001234', '1500001234', '0404001234']) expect(orderNumberProblem(n)).toBe('order-bad-year');
  });
});

describe('area code', () => {
  test('0 + 2 or 3 digits', () => {
    for (const a of ['021', '031', '0441']) expect(areaCodeProblem(a)).toBeNull();
    expect(areaCodeProblem('21')).toBe('area-wrong-length');
    expect(areaCodeProblem('02155')).toBe('area-wrong-length');
    expect(areaCodeProblem('121')).toBe('area-no-leading-zero');
    expect(areaCodeProblem('001')).toBe('area-no-leading-zero');
  });
});

describe('mobile', () => {
  test('09 + 9 digits', () => {
    expect(isValidMobile('09121234567')).toBe(true);
    expect(mobileProblem('0912123456')).toBe('mobile-wrong-length');
    expect(mobileProblem('02188776655')).toBe('mobile-bad-prefix');
  });
  test('caller IDs in international forms become 09…', () => {
    expect(normalizeMobile('+989121234567')).toBe('09121234567');
    expect(normalizeMobile('00989121234567')).toBe('09121234567');
    expect(normalizeMobile('989121234567')).toBe('09121234567');
    expect(normalizeMobile('9121234567')).toBe('09121234567');
    expect(normalizeMobile('0912 123 4567')).toBe('09121234567');
    expect(normalizeMobile('02188776655')).toBeNull();
    expect(normalizeMobile('')).toBeNull();
  });
});
