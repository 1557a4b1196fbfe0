import { spawnSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPrompts } from '../../src/speech/check.ts';
import { PROMPTS_DIR, hasSox, pcmBytes, tempPrompts, tone, wavBytes, writePromptAudio } from './helpers.ts';

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * A copy of the project's prompts folder to break things in: audio files are hard links where the
 * file system allows (fast; a test removes a link before writing there), text files are copies.
 */
function repoCopy(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'ivr-1699-check-')), 'fa');
  temps.push(dirname(dir));
  const walk = (from: string, to: string): void => {
    mkdirSync(to, { recursive: true });
    for (const e of readdirSync(from, { withFileTypes: true })) {
      const a = join(from, e.name);
      const b = join(to, e.name);
      if (e.isDirectory()) walk(a, b);
      else if (/\.(wav|ulaw|alaw|sln16)$/.test(e.name)) {
        try {
          linkSync(a, b);
        } catch {
          copyFileSync(a, b);
        }
      } else copyFileSync(a, b);
    }
  };
  walk(PROMPTS_DIR, dir);
  return dir;
}

function small(entries: Record<string, string>): string {
  const dir = tempPrompts(entries);
  temps.push(dir);
  return dir;
}

describe('checkPrompts', () => {
  it('passes on the repository', () => {
    expect(checkPrompts({ dir: PROMPTS_DIR })).toEqual([]);
  });

  it('fails naming the file when a fragment is removed', () => {
    const dir = repoCopy();
    rmSync(join(dir, 'num', '20-o.ulaw'));
    expect(checkPrompts({ dir })).toEqual([
      `${join(dir, 'num', '20-o.ulaw')}: missing; prompt 'num/20-o' needs .wav .ulaw .alaw .sln16 (run 'ivr-1699 prompts build')`,
    ]);
  });

  it.skipIf(!hasSox)('fails naming the file on a 44.1 kHz stereo recording (made with sox)', () => {
    const dir = repoCopy();
    const file = join(dir, 'welcome.wav');
    rmSync(file); // a hard link to the project's file: never write through it
    const r = spawnSync('sox', ['-n', '-r', '44100', '-c', '2', '-b', '16', file, 'synth', '0.5', 'sine', '440', 'gain', '-6']);
    expect(r.status, String(r.stderr)).toBe(0);
    const problems = checkPrompts({ dir });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toBe(
      `${file}: 44100 Hz stereo 16-bit PCM; must be 8000 Hz mono 16-bit PCM (convert with 'ivr-1699 prompts import NAME FILE')`,
    );
  });

  it('finds silent and clipped files, odd .sln16, orphans and unknown required names', () => {
    const dir = small({ a: 'الف', b: 'ب', c: 'پ' });
    writePromptAudio(dir, 'a');
    writePromptAudio(dir, 'b');
    writePromptAudio(dir, 'c');
    writeFileSync(join(dir, 'a.wav'), wavBytes(new Int16Array(4000)));
    writeFileSync(join(dir, 'b.sln16'), Buffer.concat([pcmBytes(tone(0.3, 16000)), Buffer.from([1])]));
    writeFileSync(join(dir, 'c.wav'), wavBytes(Int16Array.from(tone(0.3), (s) => (s > 0 ? 32767 : -32768))));
    writePromptAudio(dir, 'extra/old');
    const problems = checkPrompts({ dir, required: ['a', 'menu-x'] });
    expect(problems).toEqual(
      expect.arrayContaining([
        `${join(dir, 'a.wav')}: is silent (peak -inf dBFS, below -40 dBFS)`,
        `${join(dir, 'b.sln16')}: size 9601 bytes is odd; must be raw signed 16-bit samples (16000 Hz mono)`,
        `${join(dir, 'c.wav')}: is clipped (2400 of 2400 samples at full scale)`,
        `prompt 'menu-x' is used by the flow or policy but has no entry in ${join(dir, 'catalogue')}/*.yaml`,
        `${join(dir, 'menu-x.wav')}: missing; prompt 'menu-x' needs .wav .ulaw .alaw .sln16 (run 'ivr-1699 prompts build')`,
        `${join(dir, 'extra', 'old.wav')}: audio with no catalogue entry 'extra/old' (add it to a catalogue file or delete the file)`,
      ]),
    );
    // each extra/old format is an orphan, menu-x misses 4 formats
    expect(problems).toHaveLength(3 + 1 + 4 + 4);
  });

  it('passes on a complete folder of recordings, and reports a catalogue problem', () => {
    const dir = small({ a: 'الف' });
    writePromptAudio(dir, 'a');
    expect(checkPrompts({ dir, required: ['a'] })).toEqual([]);
    writeFileSync(join(dir, 'catalogue', 'bad.yaml'), 'b: { text: "" , purpose: "x" }\n');
    expect(checkPrompts({ dir })).toEqual([expect.stringMatching(/bad\.yaml: entry 'b': field 'text': must be a non-empty Persian text/)]);
  });

  it('reports a draft whose text changed since it was built', () => {
    const dir = repoCopy();
    const cat = join(dir, 'catalogue', 'common.yaml');
    writeFileSync(cat, readFileSync(cat, 'utf8').replace('لطفاً چند لحظه صبر کنید.', 'لطفاً کمی صبر کنید.'));
    expect(checkPrompts({ dir })).toEqual([
      `${join(dir, 'please-wait')}.*: draft audio does not match the text in ${cat}; run 'ivr-1699 prompts build --only please-wait'`,
    ]);
  });

  it('names a missing folder', () => {
    expect(checkPrompts({ dir: '/nonexistent/prompts' })).toEqual(['/nonexistent/prompts: the prompts folder does not exist']);
  });
});
