/**
 * The identifiers callers key and data files carry, checked in one place (the call flow explains
 * a problem to the caller, the data import names it for the admin).
 */

export type NationalIdIssue = 'wrong-length' | 'same-digits' | 'checksum';

/**
 * Iranian national ID (کد ملی): exactly 10 digits (leading zeros are part of it, so it is a
 * string); not ten times the same digit; check digit d[9] from s = Σ d[i]·(10−i), i = 0..8,
 * r = s mod 11: r < 2 → d[9] = r, otherwise d[9] = 11 − r.
 */
export function nationalIdIssue(id: string): NationalIdIssue | null {
  if (!/^\d{10}$/.test(id)) return 'wrong-length';
  if (/^(\d)\1{9}$/.test(id)) return 'same-digits';
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(id[i]) * (10 - i);
  const r = sum % 11;
  return Number(id[9]) === (r < 2 ? r : 11 - r) ? null : 'checksum';
}

export const isValidNationalId = (id: string): boolean => nationalIdIssue(id) === null;

export type OrderNumberIssue = 'wrong-length' | 'bad-year';

/**
 * Order / pro-forma number (the project's format): exactly 10 digits, the 4-digit Jalali year of
 * issue (1400–1499) followed by a 6-digit serial, e.g. 1404001234.
 */
export function orderNumberIssue(s: string): OrderNumberIssue | null {
  if (!/^\d{10}$/.test(s)) return 'wrong-length';
  const year = Number(s.slice(0, 4));
  return year < 1400 || year > 1499 ? 'bad-year' : null;
}

export const isValidOrderNumber = (s: string): boolean => orderNumberIssue(s) === null;

export const ORDER_NUMBER_HINT = '10 digits: the Jalali year of issue (1400–1499) then a 6-digit serial, e.g. 1404001234';
