/** Test helpers: WAV writing, tones, tool detection, temp prompt folders. */
import { vi } from 'vitest';
import { mulberry32 } from '../../src/caller/random-keys.ts';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PROMPTS_DIR = join(ROOT, 'prompts', 'fa');
export const CATALOGUE_DIR = join(PROMPTS_DIR, 'catalogue');

export function hasTool(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}
export const hasSox = hasTool('sox');
export const hasEspeak = hasTool('espeak-ng');

/** Interleaved 16-bit PCM as a RIFF/WAVE file. */
export function wavBytes(samples: Int16Array, sampleRate = 8000, channels = 1): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(s, i * 2));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** A tone at `amplitude` (0…1 of full scale). */
export function tone(seconds: number, rate = 8000, amplitude = 0.5, hz = 440): Int16Array {
  const n = Math.round(seconds * rate);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * amplitude * 32767);
  return out;
}

export function pcmBytes(samples: Int16Array): Buffer {
  const b = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => b.writeInt16LE(s, i * 2));
  return b;
}

/** µ-law encoding of one 16-bit sample (G.711, after the reference g711.c). */
export function linearToUlaw(sample: number): number {
  let pcm = Math.max(-32768, Math.min(32767, sample)) >> 2;
  let mask = 0xff;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  }
  pcm = Math.min(pcm, 8159) + (0x84 >> 2);
  const ends = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
  const seg = ends.findIndex((e) => pcm <= e);
  if (seg < 0) return 0x7f ^ mask;
  return ((seg << 4) | ((pcm >> (seg + 1)) & 0x0f)) ^ mask;
}

/** A-law encoding of one 16-bit sample (G.711, after the reference g711.c). */
export function linearToAlaw(sample: number): number {
  let pcm = Math.max(-32768, Math.min(32767, sample)) >> 3;
  let mask = 0xd5;
  if (pcm < 0) {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const ends = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
  const seg = ends.findIndex((e) => pcm <= e);
  if (seg < 0) return 0x7f ^ mask;
  return ((seg << 4) | (seg < 2 ? (pcm >> 1) & 0x0f : (pcm >> seg) & 0x0f)) ^ mask;
}

/** Writes a complete, valid set of the four formats for `name` under `dir` (a 0.3 s tone). */
export function writePromptAudio(dir: string, name: string, amplitude = 0.5): void {
  const base = join(dir, name);
  mkdirSync(dirname(base), { recursive: true });
  const t8 = tone(0.3, 8000, amplitude);
  writeFileSync(`${base}.wav`, wavBytes(t8));
  writeFileSync(`${base}.ulaw`, Buffer.from(Array.from(t8, linearToUlaw)));
  writeFileSync(`${base}.alaw`, Buffer.from(Array.from(t8, linearToAlaw)));
  writeFileSync(`${base}.sln16`, pcmBytes(tone(0.3, 16000, amplitude)));
}

/** A temp prompts folder with a catalogue file holding `entries`. */
export function tempPrompts(entries: Record<string, string>, file = 'test.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'ivr-1699-speech-test-'));
  mkdirSync(join(dir, 'catalogue'));
  const yaml = Object.entries(entries)
    .map(([n, t]) => `${n}: { text: ${JSON.stringify(t)}, purpose: "test prompt ${n}" }`)
    .join('\n');
  writeFileSync(join(dir, 'catalogue', file), yaml + '\n');
  return dir;
}

/** A small seeded PRNG (mulberry32), so "random" test values are the same every run. */
export const prng = mulberry32;

/** Captures what a CLI command writes to stdout (restored by vi.restoreAllMocks()). */
export function capture(): { out: () => string } {
  let buf = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    buf += String(s);
    return true;
  });
  return { out: () => buf };
}
