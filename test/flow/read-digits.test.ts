/**
 * The reader of an entry's digits (src/flow/read-digits.ts): the key rules, the type-ahead, the
 * inter-digit timeout, the keypad's routing and its drop of a # after an entry at its maximum length.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { Keypad, readDigits, readKey, type ReadDigitsInput, type ReadDigitsOutput } from '../../src/flow/read-digits.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const spec = { maxLength: 10, terminator: '#' };
const input = (o: Partial<ReadDigitsInput> = {}): ReadDigitsInput => ({ buf: '0', keys: '', swallowHash: false, interDigitMs: 3000, ...spec, ...o });

function start(o: Partial<ReadDigitsInput> = {}) {
  const keypad = new Keypad();
  const ac = new AbortController();
  let out: ReadDigitsOutput | undefined;
  void readDigits(keypad)({ input: input(o), signal: ac.signal }).then((r) => (out = r));
  const press = (keys: string) => [...keys].map((k) => keypad.press(k));
  return { keypad, ac, press, result: async () => (await vi.advanceTimersByTimeAsync(0), out) };
}

describe('readKey', () => {
  test('digits append, # submits, * restarts, A–D are ignored, the maximum length ends the entry', () => {
    expect(readKey('04', '9', spec)).toEqual({ buf: '049', end: null });
    expect(readKey('049', '#', spec)).toEqual({ buf: '049', end: 'submit' });
    expect(readKey('049', '*', spec)).toEqual({ buf: '', end: 'restart' });
    expect(readKey('049', 'A', spec)).toEqual({ buf: '049', end: null });
    expect(readKey('049937089', '9', spec)).toEqual({ buf: '0499370899', end: 'full' });
  });
});

describe('readDigits on a keypad', () => {
  test('keys go to the reader while it reads, to the machine once it ended', async () => {
    const r = start();
    expect(r.keypad.reading).toBe(true);
    expect(r.press('49937')).toEqual([true, true, true, true, true]);
    expect(r.press('#')).toEqual([true]);
    expect(await r.result()).toEqual({ end: 'submit', buf: '049937', rest: '', given: 0 });
    expect(r.keypad.reading).toBe(false);
    expect(r.keypad.press('1')).toBe(false);
  });

  test('the inter-digit timeout ends the entry; each digit restarts it, A–D do not', async () => {
    const r = start();
    await vi.advanceTimersByTimeAsync(2999);
    r.press('4');
    await vi.advanceTimersByTimeAsync(2999);
    expect(await r.result()).toBeUndefined();
    r.press('A');
    await vi.advanceTimersByTimeAsync(1);
    expect(await r.result()).toEqual({ end: 'submit', buf: '04', rest: '', given: 0 });
  });

  test('type-ahead keys are read first; the ones after the end are given back', async () => {
    const r = start({ buf: '', keys: '12#56' });
    expect(await r.result()).toEqual({ end: 'submit', buf: '12', rest: '56', given: 5 });
    expect(r.keypad.reading).toBe(false);
  });

  test('* clears and restarts the entry', async () => {
    const r = start();
    r.press('49*');
    expect(await r.result()).toEqual({ end: 'restart', buf: '', rest: '', given: 0 });
  });

  test('at the maximum length the entry ends; a # pressed next is dropped, any other key is not', async () => {
    const r = start();
    r.press('499370899');
    expect(await r.result()).toEqual({ end: 'full', buf: '0499370899', rest: '', given: 0 });
    expect(r.keypad.press('#')).toBe(true);
    expect(r.keypad.press('#')).toBe(false);
    const s = start();
    s.press('499370899');
    expect(s.keypad.press('1')).toBe(false);
    expect(s.keypad.press('#')).toBe(false);
  });

  test('a # right after a full entry in the type-ahead is dropped too, and so is a # the previous full entry left', async () => {
    const r = start({ buf: '', keys: '0499370899#1' });
    expect(await r.result()).toEqual({ end: 'full', buf: '0499370899', rest: '1', given: 12 });
    const s = start({ buf: '', keys: '#12#', swallowHash: true });
    expect(await s.result()).toEqual({ end: 'submit', buf: '12', rest: '', given: 4 });
  });

  test('the flow leaving the entry (abort) gives the keypad back and clears the timer', async () => {
    const r = start();
    r.ac.abort();
    await r.result();
    expect(r.keypad.reading).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    expect(r.keypad.press('5')).toBe(false);
  });

  test('one reader at a time', async () => {
    const r = start();
    await expect(readDigits(r.keypad)({ input: input(), signal: new AbortController().signal })).rejects.toThrow(/already being read/);
  });
});
