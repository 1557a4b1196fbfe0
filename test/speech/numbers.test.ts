/**
 * Say-back composition against independent references: @persian-tools/persian-tools (numberToWords,
 * addOrdinalSuffix) for the words, a Nowruz table plus the Jalali month-length rule for dates.
 * The words compared are the catalogue texts of the fragments (prompts/fa/catalogue), so a wrong
 * text in fragments.yaml fails here too.
 */
import { addOrdinalSuffix, numberToWords } from '@persian-tools/persian-tools';
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../src/speech/catalogue.ts';
import { compose, toMedia, toPersianText } from '../../src/speech/compose.ts';
import {
  MAX_NUMBER,
  fragmentNames,
  spellAmount,
  spellCount,
  spellDate,
  spellDigits,
  spellGrouped,
  spellIdentifier,
  spellNumber,
  spellRequestNumber,
  toJalali,
} from '../../src/speech/numbers.ts';
import { say } from '../../src/domain/say.ts';
import { CATALOGUE_DIR, prng } from './helpers.ts';

const catalogue = loadCatalogue(CATALOGUE_DIR);
const text = (names: string[]): string => toPersianText(names, catalogue.entries);

/** Spelling variants that are equally correct Persian, made the same on both sides. */
function canon(s: string): string {
  return s
    .replace(/\u064F/g, '') // zamma (ُ) written in some forms
    .replace(/\u200C/g, ' ') // zero-width non-joiner as a space
    .replace(/(چهار|شش|هفت|هشت|نه) صد/g, '$1صد') // "نه صد" = "نهصد"
    .replace(/\s+/g, ' ')
    .trim();
}

/** The reference says "یک هزار" for a lone thousand; spoken Persian says "هزار" (our choice). */
function reference(n: number): string {
  return canon(String(numberToWords(n))).replace(/(^|(?:میلیون|میلیارد) و )یک هزار/g, '$1هزار');
}

const EDGE = [
  0, 1, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 29, 30, 31, 99, 100, 101, 110, 111, 119, 120, 199, 200, 201, 300,
  400, 500, 555, 600, 700, 800, 900, 999, 1000, 1001, 1010, 1100, 1999, 2000, 2001, 10_000, 11_000, 12_345, 20_000, 100_000,
  101_000, 110_001, 999_999, 1_000_000, 1_000_001, 1_001_000, 1_001_001, 2_000_000, 10_000_000, 100_000_000, 999_999_999,
  1_000_000_000, 1_000_000_001, 1_000_001_000, 2_500_000_000, 999_999_999_999, 500_000, 3_000_000, 450_000,
];

describe('spellNumber against numberToWords', () => {
  it.each(EDGE)('%i', (n) => {
    expect(canon(text(spellNumber(n)))).toBe(reference(n));
  });

  it('agrees on 5000 seeded random values across every magnitude', () => {
    const rnd = prng(1699);
    const mismatches: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const digits = 1 + Math.floor(rnd() * 12);
      const n = Math.floor(rnd() * 10 ** digits);
      const got = canon(text(spellNumber(n)));
      if (got !== reference(n)) mismatches.push(`${n}: ${got} ≠ ${reference(n)}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('joins with the spoken "-o" forms, never a separate "and"', () => {
    expect(spellNumber(21)).toEqual(['num/20-o', 'num/1']);
    expect(spellNumber(1250)).toEqual(['num/1000-o', 'num/200-o', 'num/50']);
    expect(spellNumber(100_000)).toEqual(['num/100', 'num/1000']);
    expect(spellNumber(1_000_001)).toEqual(['num/1', 'num/1000000-o', 'num/1']);
    expect(spellNumber(1000)).toEqual(['num/1000']);
  });

  it('rejects what cannot be spoken, naming the value and the range', () => {
    for (const bad of [-1, 1.5, MAX_NUMBER + 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => spellNumber(bad)).toThrow(/number: .* cannot be spoken; expected a whole number from 0 to 999,999,999,999/);
    }
  });

  it('uses only fragments that have a catalogue entry', () => {
    const missing = fragmentNames().filter((n) => !catalogue.entries.has(n));
    expect(missing).toEqual([]);
    const rnd = prng(7);
    for (let i = 0; i < 500; i++) {
      for (const name of spellNumber(Math.floor(rnd() * MAX_NUMBER))) expect(catalogue.entries.has(name), name).toBe(true);
    }
  });
});

describe('spellAmount, spellCount, spellDigits', () => {
  it('says an amount in Toman, or in Rial (×10)', () => {
    expect(canon(text(spellAmount(450_000)))).toBe(`${reference(450_000)} تومان`);
    expect(canon(text(spellAmount(450_000, { unit: 'rial' })))).toBe(`${reference(4_500_000)} ریال`);
    expect(() => spellAmount(-5)).toThrow(/amount: -5/);
    expect(() => spellAmount(10.5)).toThrow(/amount: 10.5/);
  });

  it('says a count as a cardinal', () => {
    expect(spellCount(3)).toEqual(spellNumber(3));
    expect(() => spellCount(-1)).toThrow(/count: -1/);
  });

  it('reads digits one by one, keeping leading zeros and skipping the rest', () => {
    expect(spellDigits('0499370899')).toEqual(['0', '4', '9', '9', '3', '7', '0', '8', '9', '9'].map((d) => `digit/${d}`));
    expect(spellDigits('R-000123')).toEqual(['digit/0', 'digit/0', 'digit/0', 'digit/1', 'digit/2', 'digit/3']);
    expect(spellDigits('۰۹۱۲')).toEqual(['digit/0', 'digit/9', 'digit/1', 'digit/2']);
    expect(text(spellDigits('021'))).toBe('صفر دو یک');
    expect(() => spellDigits('R-')).toThrow(/digits: 'R-' has no digit/);
  });
});

// Nowruz (1 Farvardin) in Gregorian dates, from the published Iranian calendar
const NOWRUZ: Record<number, string> = {
  1399: '2020-03-20', 1400: '2021-03-21', 1401: '2022-03-21', 1402: '2023-03-21', 1403: '2024-03-20', 1404: '2025-03-21',
  1405: '2026-03-21', 1406: '2027-03-21', 1407: '2028-03-20', 1408: '2029-03-20', 1409: '2030-03-21', 1410: '2031-03-21',
};
const MONTHS = ['فروردین', 'اردیبهشت', 'خرداد', 'تیر', 'مرداد', 'شهریور', 'مهر', 'آبان', 'آذر', 'دی', 'بهمن', 'اسفند'];

function ordinalDay(d: number): string {
  return canon(String(addOrdinalSuffix(String(numberToWords(d)))));
}

describe('spellDate against the Jalali calendar', () => {
  it('says every day from Nowruz 1399 to the end of 1409 right (months of 31, 30, 29/30 days)', () => {
    const day = 86_400_000;
    const mismatches: string[] = [];
    let checked = 0;
    for (let y = 1399; y <= 1409; y++) {
      const start = Date.parse(`${NOWRUZ[y]}T12:00:00Z`);
      const end = Date.parse(`${NOWRUZ[y + 1]}T12:00:00Z`);
      const esfand = (end - start) / day - 336; // 6×31 + 5×30 = 336 days before Esfand
      expect([29, 30]).toContain(esfand);
      let t = start;
      for (let m = 1; m <= 12; m++) {
        const len = m <= 6 ? 31 : m <= 11 ? 30 : esfand;
        for (let d = 1; d <= len; d++, t += day) {
          const iso = new Date(t).toISOString().slice(0, 10);
          const want = `${ordinalDay(d)} ${MONTHS[m - 1]} ${reference(y)}`;
          const got = canon(text(spellDate(iso)));
          if (got !== want) mismatches.push(`${iso}: ${got} ≠ ${want}`);
          checked++;
        }
      }
      expect(t).toBe(end);
    }
    expect(checked).toBeGreaterThan(4000);
    expect(mismatches).toEqual([]);
  });

  it('takes an instant in Asia/Tehran time, across Nowruz', () => {
    // 2024-03-19T20:29:59Z is 23:59:59 on 29 Esfand 1402 in Tehran (UTC+03:30); a second later it is Nowruz
    expect(toJalali('2024-03-19T20:29:59Z')).toMatchObject({ year: 1402, month: 12, day: 29 });
    expect(toJalali('2024-03-19T20:30:00Z')).toMatchObject({ year: 1403, month: 1, day: 1 });
    expect(spellDate(new Date('2024-03-19T20:30:00Z'))).toEqual(['day/1', 'month/1', 'num/1000-o', 'num/400-o', 'num/3']);
  });

  it('adds the weekday and "year" on request', () => {
    // 2024-03-20 was a Wednesday
    expect(spellDate('2024-03-20', { weekday: true, yearWord: true }).slice(0, 4)).toEqual([
      'weekday/wednesday', 'day/1', 'month/1', 'word/year',
    ]);
  });

  it('rejects dates that do not exist, naming the value', () => {
    expect(() => spellDate('2024-02-30')).toThrow(/date: '2024-02-30' is not a valid date/);
    expect(() => spellDate('tomorrow')).toThrow(/date: 'tomorrow'/);
  });
});

describe('identifiers read back in groups, with a pause between groups', () => {
  /** the groups as digit strings, from the fragment names */
  const groups = (names: string[]): string[] =>
    names.join(' ').split('pause/group').map((g) => g.trim().split(/\s+/).map((n) => n.replace('digit/', '')).join(''));

  it('national ID 3-6-1 as on the card, mobile 4-3-4, order number 4-3-3 (year, serial), area code one group', () => {
    expect(groups(spellIdentifier('0499370899', 'national-id'))).toEqual(['049', '937089', '9']);
    expect(groups(spellIdentifier('09121234567', 'mobile'))).toEqual(['0912', '123', '4567']);
    expect(groups(spellIdentifier('1404001234', 'order-number'))).toEqual(['1404', '001', '234']);
    expect(spellIdentifier('021', 'area-code')).toEqual(['digit/0', 'digit/2', 'digit/1']);
    // Persian digits typed in a config or data file are read the same
    expect(spellIdentifier('۰۴۹۹۳۷۰۸۹۹', 'national-id')).toEqual(spellIdentifier('0499370899', 'national-id'));
  });

  it('every digit is kept (leading zeros too); extra digits form one more group; a short value stops where it ends', () => {
    expect(spellGrouped('0000000000', [3, 6, 1]).filter((n) => n === 'digit/0')).toHaveLength(10);
    expect(groups(spellGrouped('123456789012', [3, 6, 1]))).toEqual(['123', '456789', '0', '12']);
    expect(groups(spellGrouped('0912', [4, 3, 4]))).toEqual(['0912']);
    expect(() => spellGrouped('--', [3])).toThrow(/has no digit to read/);
  });

  it('request numbers without padding zeros: a cardinal up to 9,999, longer serials in threes from the right', () => {
    expect(spellRequestNumber('R-000001')).toEqual(['num/1']);
    expect(text(spellRequestNumber('R-000123'))).toBe(text(spellNumber(123)));
    expect(spellRequestNumber('R-009999')).toEqual(spellNumber(9999));
    // an old number and the same serial without padding read the same
    expect(spellRequestNumber('R-123')).toEqual(spellRequestNumber('R-000123'));
    expect(groups(spellRequestNumber('R-012345'))).toEqual(['12', '345']);
    expect(groups(spellRequestNumber('R-1234567'))).toEqual(['1', '234', '567']);
    expect(groups(spellRequestNumber('R-100200'))).toEqual(['100', '200']);
    expect(spellRequestNumber('R-000000')).toEqual(['num/0']);
    expect(spellIdentifier('R-000042', 'request-number')).toEqual(spellNumber(42));
  });

  it('the pause is a generated silence in the catalogue, and compose plays it in the same list', () => {
    expect(catalogue.entries.get('pause/group')?.silenceMs).toBe(300);
    expect(fragmentNames()).toContain('pause/group');
    expect(compose([say.prompt('you-entered'), say.identifier('09121234567', 'mobile')])).toEqual([
      'you-entered', 'digit/0', 'digit/9', 'digit/1', 'digit/2', 'pause/group', 'digit/1', 'digit/2', 'digit/3', 'pause/group',
      'digit/4', 'digit/5', 'digit/6', 'digit/7',
    ]);
  });
});

describe('compose', () => {
  it('turns say items into one list of prompt names and media', () => {
    const names = compose([say.prompt('request-registered'), say.digits('R-000123'), say.prompt('goodbye')]);
    expect(names).toEqual(['request-registered', 'digit/0', 'digit/0', 'digit/0', 'digit/1', 'digit/2', 'digit/3', 'goodbye']);
    expect(toMedia(['num/20-o'])).toEqual(['sound:ivr-1699/num/20-o']);
    expect(compose([say.amount(450_000)])).toEqual(spellAmount(450_000));
    expect(compose([say.number(7), say.count(2), say.date('2024-03-20')])).toEqual([
      'num/7', 'num/2', ...spellDate('2024-03-20'),
    ]);
  });

  it('rejects a prompt name that is not kebab-case', () => {
    expect(() => compose([say.prompt('Main Menu')])).toThrow(/prompt: 'Main Menu' is not a prompt name/);
  });

  it('shows the Persian text, and [name] for an unknown prompt', () => {
    expect(toPersianText(['num/20-o', 'num/1', 'word/toman'], catalogue.entries)).toBe('بیست و یک تومان');
    expect(toPersianText(['no-such-prompt'], { })).toBe('[no-such-prompt]');
    expect(toPersianText(['x'], (n) => (n === 'x' ? 'ایکس' : undefined))).toBe('ایکس');
  });
});
