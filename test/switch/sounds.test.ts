/**
 * Sound durations: files looked up like Asterisk (language, then en, then none; format
 * preference), durations from WAV headers and raw sizes, say-back media and built-ins.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SoundLibrary, wavHeaderMs } from '../../src/switch/sounds.ts';

function wav(sampleRate: number, bitsPerSample: number, seconds: number, extraChunk = false): Buffer {
  const byteRate = (sampleRate * bitsPerSample) / 8;
  const data = Buffer.alloc(Math.round(byteRate * seconds));
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'ascii');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8);
  fmt.writeUInt16LE(1, 10);
  fmt.writeUInt32LE(sampleRate, 12);
  fmt.writeUInt32LE(byteRate, 16);
  fmt.writeUInt16LE(bitsPerSample / 8, 20);
  fmt.writeUInt16LE(bitsPerSample, 22);
  const list = Buffer.alloc(extraChunk ? 8 + 5 + 1 : 0);
  if (extraChunk) {
    list.write('LIST', 0, 'ascii');
    list.writeUInt32LE(5, 4); // odd size: padded
  }
  const dataHead = Buffer.alloc(8);
  dataHead.write('data', 0, 'ascii');
  dataHead.writeUInt32LE(data.length, 4);
  const body = Buffer.concat([Buffer.from('WAVE', 'ascii'), fmt, list, dataHead, data]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'ascii');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

function library() {
  const dir = mkdtempSync(join(tmpdir(), 'switch-sounds-'));
  mkdirSync(join(dir, 'fa', 'num'), { recursive: true });
  mkdirSync(join(dir, 'en'), { recursive: true });
  writeFileSync(join(dir, 'fa', 'welcome.wav'), wav(8000, 16, 1.5, true));
  writeFileSync(join(dir, 'fa', 'welcome.sln16'), Buffer.alloc(32000 * 2)); // preferred: 2 s
  writeFileSync(join(dir, 'fa', 'menu.alaw'), Buffer.alloc(8000 * 3));
  writeFileSync(join(dir, 'fa', 'num', '20.sln'), Buffer.alloc(16000 / 2));
  writeFileSync(join(dir, 'en', 'only-english.ulaw'), Buffer.alloc(4000));
  writeFileSync(join(dir, 'fa', 'wide.wav'), wav(16000, 16, 0.75));
  const core = mkdtempSync(join(tmpdir(), 'switch-core-'));
  mkdirSync(join(core, 'en'));
  writeFileSync(join(core, 'en', 'tt-monkeys.ulaw'), Buffer.alloc(8000 * 4));
  return new SoundLibrary({ 'ivr-1699': dir, '': core }, 850);
}

describe('sound durations', () => {
  it('reads WAV headers (fmt byte rate, data size, padded chunks)', () => {
    expect(wavHeaderMs(wav(8000, 16, 1.5, true), 1e9)).toBe(1500);
    expect(wavHeaderMs(wav(16000, 16, 0.25), 1e9)).toBe(250);
    expect(wavHeaderMs(Buffer.from('not a wav file at all'), 16044)).toBe(1000); // fallback: 16 kB/s after a 44-byte header
  });

  it('finds project prompts by prefix and language, preferring Asterisk formats in order', () => {
    const lib = library();
    expect(lib.soundMs('ivr-1699/welcome', 'fa')).toBe(2000); // .sln16 wins over .wav
    expect(lib.soundMs('ivr-1699/menu', 'fa')).toBe(3000);
    expect(lib.soundMs('ivr-1699/num/20', 'fa')).toBe(500);
    expect(lib.soundMs('ivr-1699/wide', 'fa')).toBe(750);
    expect(lib.soundMs('ivr-1699/only-english', 'fa')).toBe(500); // falls back to en
    expect(lib.soundMs('ivr-1699/missing', 'fa')).toBeNull();
    expect(lib.soundMs('ivr-1699/../etc/passwd', 'fa')).toBeNull();
    expect(lib.soundMs('tt-monkeys', 'fa')).toBe(4000); // unprefixed: the '' directory
  });

  it('knows built-in core sounds, silence/N and say-back media', () => {
    const lib = new SoundLibrary({}, 850);
    expect(lib.soundMs('beep', 'en')).toBe(425);
    expect(lib.soundMs('hello-world', 'en')).toBe(1405);
    expect(lib.soundMs('silence/3', 'en')).toBe(3000);
    expect(lib.media('digits:0499', 'en')).toEqual({ kind: 'say', durationMs: 4 * 850, stoppable: false });
    expect(lib.media('number:120', 'en')).toEqual({ kind: 'say', durationMs: 3 * 850, stoppable: false });
    expect(lib.media('sound:no-such-prompt', 'en')).toEqual({ kind: 'missing', durationMs: 0, stoppable: true });
    expect(lib.media('recording:x', 'en').kind).toBe('missing');
    expect(lib.media('sound:beep', 'en')).toEqual({ kind: 'sound', durationMs: 425, stoppable: true });
  });
});
