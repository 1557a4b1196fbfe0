/** Draft building with espeak-ng and sox in a temp folder (CI installs both Debian packages). */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPrompts, promptStatuses } from '../../src/speech/build.ts';
import { importRecording } from '../../src/speech/import.ts';
import { parseWav } from '../../src/speech/audio.ts';
import { checkPrompts } from '../../src/speech/check.ts';
import { readManifest } from '../../src/speech/manifest.ts';
import { hasEspeak, hasSox, tempPrompts, tone, wavBytes } from './helpers.ts';

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

// the fragments the normaliser needs for "3" in a text
const FRAGMENTS = { 'num/3': 'سه', 'num/20': 'بیست', 'num/20-o': 'بیست و' };

function folder(entries: Record<string, string>): string {
  const dir = tempPrompts({ ...FRAGMENTS, ...entries });
  temps.push(dir);
  return dir;
}

const state = (dir: string, name: string) => promptStatuses(dir).find((s) => s.name === name)?.state;

describe.skipIf(!hasEspeak || !hasSox)('buildPrompts (espeak-ng, sox)', () => {
  it('builds every format, skips what is up to date, rebuilds a changed text', async () => {
    const dir = folder({ hello: 'سلام، 3 بار خوش آمدید.', bye: 'خدانگهدار' });
    const r1 = await buildPrompts({ dir });
    expect(r1.built.sort()).toEqual(['bye', 'hello', 'num/20', 'num/20-o', 'num/3']);
    for (const ext of ['wav', 'ulaw', 'alaw', 'sln16']) expect(existsSync(join(dir, `hello.${ext}`)), ext).toBe(true);
    expect(parseWav(readFileSync(join(dir, 'hello.wav')))).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16 });
    expect(readFileSync(join(dir, 'hello.sln16')).length % 2).toBe(0);
    expect(checkPrompts({ dir })).toEqual([]);

    const r2 = await buildPrompts({ dir });
    expect(r2.built).toEqual([]);
    expect(r2.upToDate).toHaveLength(5);

    const cat = join(dir, 'catalogue', 'test.yaml');
    writeFileSync(cat, readFileSync(cat, 'utf8').replace('خدانگهدار', 'به امید دیدار'));
    expect(state(dir, 'bye')).toBe('draft-outdated');
    const r3 = await buildPrompts({ dir });
    expect(r3.built).toEqual(['bye']);
    expect(state(dir, 'bye')).toBe('draft');
  });

  it('never overwrites a recording, derives its missing formats, and --force keeps it', async () => {
    const dir = folder({ hello: 'سلام' });
    await buildPrompts({ dir });
    const studio = wavBytes(tone(0.5, 8000, 0.5, 300));
    writeFileSync(join(dir, 'hello.wav'), studio);
    rmSync(join(dir, 'hello.alaw'));
    const draftUlaw = readFileSync(join(dir, 'hello.ulaw'));
    const r = await buildPrompts({ dir, force: true });
    expect(r.derived).toEqual(['hello']);
    expect(readFileSync(join(dir, 'hello.wav')).equals(studio)).toBe(true);
    // the other formats now come from the recording (0.5 s at 8 kHz), not the draft
    expect(readFileSync(join(dir, 'hello.ulaw')).equals(draftUlaw)).toBe(false);
    expect(readFileSync(join(dir, 'hello.ulaw')).length).toBe(4000);
    expect(readFileSync(join(dir, 'hello.sln16')).length).toBe(16000);
    expect(state(dir, 'hello')).toBe('recorded');
    expect(readManifest(dir).prompts.hello).toMatchObject({ source: 'recording', from: 'wav' });
    expect(checkPrompts({ dir })).toEqual([]);
    // a text change does not touch a recording
    const cat = join(dir, 'catalogue', 'test.yaml');
    writeFileSync(cat, readFileSync(cat, 'utf8').replace('"سلام"', '"درود"'));
    const again = await buildPrompts({ dir, only: ['hello'] });
    expect(again.built).toEqual([]);
    expect(readFileSync(join(dir, 'hello.wav')).equals(studio)).toBe(true);
    // … but the check says the recording is older than its text
    expect(state(dir, 'hello')).toBe('recorded-outdated');
    expect(checkPrompts({ dir })).toEqual([expect.stringMatching(/hello\.\*: the recording was made for an older text of 'hello'/)]);
    // a new recording is taken as made for the current text
    writeFileSync(join(dir, 'hello.wav'), wavBytes(tone(0.5, 8000, 0.4, 350)));
    await buildPrompts({ dir });
    expect(state(dir, 'hello')).toBe('recorded');
    expect(checkPrompts({ dir })).toEqual([]);
  });

  it('imports a 44.1 kHz stereo studio file into the four formats', async () => {
    const dir = folder({ hello: 'سلام' });
    const src = join(dir, 'studio.wav');
    const made = spawnSync('sox', ['-n', '-r', '44100', '-c', '2', '-b', '16', src, 'synth', '0.4', 'sine', '500']);
    expect(made.status).toBe(0);
    await importRecording({ dir, name: 'hello', file: src });
    rmSync(src);
    await buildPrompts({ dir });
    expect(state(dir, 'hello')).toBe('recorded');
    expect(readManifest(dir).prompts.hello).toMatchObject({ source: 'recording', textHash: expect.any(String) });
    expect(parseWav(readFileSync(join(dir, 'hello.wav')))).toMatchObject({ sampleRate: 8000, channels: 1 });
    expect(checkPrompts({ dir })).toEqual([]);
    await expect(importRecording({ dir, name: 'nope', file: src })).rejects.toThrow(/no catalogue entry named 'nope'/);
  });

  it('rejects --only with an unknown name', async () => {
    const dir = folder({});
    await expect(buildPrompts({ dir, only: ['welcom'] })).rejects.toThrow(/--only: no catalogue entry named 'welcom'/);
  });
});
