import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../src/speech/catalogue.ts';
import { normaliseForSpeech } from '../../src/speech/normalize.ts';
import { CATALOGUE_DIR } from './helpers.ts';

const cat = loadCatalogue(CATALOGUE_DIR);
const norm = (t: string) => normaliseForSpeech(t, (n) => cat.entries.get(n));

describe('normaliseForSpeech', () => {
  it('spells numbers with the spoken "-o" and reads leading-zero numbers digit by digit', () => {
    expect(norm('مبلغ 450,000 تومان')).toBe('مبلغ چهارصدُ پنجاه هزار تومان');
    expect(norm('کد ۰۲۱ را بگیرید')).toBe('کد صفر دو یک را بگیرید');
    expect(norm('21')).toBe('بیستُ یک');
  });

  it('spells Jalali and Gregorian dates', () => {
    expect(norm('تا 1403/01/15')).toBe('تا پانزدهم فروردین هزارُ چهارصدُ سه');
    expect(norm('2024-03-20')).toBe('یکم فروردین هزارُ چهارصدُ سه');
  });

  it('gives number words written with a separate "و" their "-o" spelling, and leaves other "و" alone', () => {
    expect(norm('سی و یک روز')).toBe('سی‌یُ یک روز');
    expect(norm('سلام و درود')).toBe('سلام و درود');
  });

  it('names a missing fragment', () => {
    expect(() => normaliseForSpeech('5', () => undefined)).toThrow(/fragment 'num\/5' is missing from the catalogue/);
  });
});
