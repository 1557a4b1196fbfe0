import { describe, expect, it } from 'vitest';
import { alawToLinear, decodeG711, levelProblem, levels, parseWav, ulawToLinear } from '../../src/speech/audio.ts';
import { linearToAlaw, linearToUlaw, tone, wavBytes } from './helpers.ts';

describe('parseWav', () => {
  it('reads rate, channels and bits, skipping other chunks', () => {
    const w = wavBytes(tone(0.1, 44100), 44100, 2);
    // insert a LIST chunk between fmt and data
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([4, 0, 0, 0]), Buffer.from('INFO')]);
    const withList = Buffer.concat([w.subarray(0, 36), list, w.subarray(36)]);
    for (const b of [w, withList]) {
      expect(parseWav(b)).toMatchObject({ audioFormat: 1, sampleRate: 44100, channels: 2, bitsPerSample: 16, dataLength: 8820 });
    }
  });

  it('says what is wrong with a broken file', () => {
    expect(() => parseWav(Buffer.from('hello world, not audio'))).toThrow(/not a RIFF\/WAVE file/);
    expect(() => parseWav(wavBytes(tone(0.1)).subarray(0, 30))).toThrow(/fmt/);
  });
});

describe('G.711', () => {
  it('decodes the reference code points', () => {
    expect(ulawToLinear(0xff)).toBe(0);
    expect(ulawToLinear(0x80)).toBe(32124);
    expect(ulawToLinear(0x00)).toBe(-32124);
    expect(alawToLinear(0xd5)).toBe(8);
    expect(alawToLinear(0x55)).toBe(-8);
    expect(alawToLinear(0xaa)).toBe(32256);
  });

  it('round-trips within the quantisation step', () => {
    for (let s = -32000; s <= 32000; s += 97) {
      const step = Math.max(16, Math.abs(s) / 16);
      expect(Math.abs(ulawToLinear(linearToUlaw(s)) - s)).toBeLessThanOrEqual(step);
      expect(Math.abs(alawToLinear(linearToAlaw(s)) - s)).toBeLessThanOrEqual(step);
    }
  });
});

describe('levels', () => {
  it('finds silence, clipping and a healthy level', () => {
    expect(levelProblem(levels(new Int16Array(800)))).toMatch(/is silent \(peak -inf dBFS/);
    expect(levelProblem(levels(tone(0.2, 8000, 0.001)))).toMatch(/is silent \(peak -59\.9 dBFS, below -40 dBFS\)/);
    const square = Int16Array.from(tone(0.2), (s) => (s >= 0 ? 32767 : -32768));
    expect(levelProblem(levels(square))).toMatch(/is clipped \(1600 of 1600 samples at full scale\)/);
    expect(levelProblem(levels(tone(0.2, 8000, 0.7)))).toBeUndefined();
    expect(levelProblem(levels(decodeG711(Buffer.from(Array.from(tone(0.2, 8000, 0.7), linearToUlaw)), 'ulaw'), 32124))).toBeUndefined();
  });
});
