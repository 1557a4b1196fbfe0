/**
 * `ivr-1699 prompts import NAME FILE` from the bad input up (issue 12, item 4): a silent, a
 * clipped, a too-short recording and an MP3 this server's sox cannot read are refused with one
 * line and exit 1, the live folder unchanged byte for byte; a good recording (WAV, MP3 with
 * libsox-fmt-mp3) goes live with the audio it replaced kept in the history.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { buildPrompts, promptStatuses } from '../../src/speech/build.ts';
import { checkPrompts } from '../../src/speech/check.ts';
import { listVersions } from '../../src/speech/history.ts';
import { readManifest } from '../../src/speech/manifest.ts';
import { hasEspeak, hasSox, tempPrompts, tone, wavBytes } from './helpers.ts';
import { spawnSync } from 'node:child_process';

/** every file under dir (the history and staging folders too) with a hash of its bytes */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[p.slice(dir.length + 1)] = createHash('sha1').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** runs `ivr-1699 …` in-process: exit code, stdout, stderr */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    return { code: await main(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const soxMp3 = hasSox && spawnSync('sox', ['-h'], { encoding: 'utf8' }).stdout.includes(' mp3 ');

describe.skipIf(!hasSox || !hasEspeak)('prompts import: checked before it goes live', () => {
  let dir: string;
  let studio: string;
  let before: Record<string, string>;
  beforeAll(async () => {
    dir = tempPrompts({ hello: 'سلام', bye: 'خدانگهدار' });
    await buildPrompts({ dir });
    studio = join(dir, '..', `${dir.split('/').pop()}-studio`);
    mkdirSync(studio);
  }, 60_000);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(studio, { recursive: true, force: true });
  });
  afterEach(() => vi.restoreAllMocks());
  const put = (name: string, data: Buffer) => {
    const p = join(studio, name);
    writeFileSync(p, data);
    return p;
  };

  const refused: [string, () => string, RegExp][] = [
    ['a silent recording', () => put('silent.wav', wavBytes(new Int16Array(16000), 16000)), /the recording is silent \(peak -inf dBFS, below -40 dBFS\)/],
    [
      'a clipped recording',
      () => put('clipped.wav', wavBytes(Int16Array.from(tone(1, 8000, 1).map((_, i) => (i % 4 === 0 ? 32767 : -32768))))),
      /the recording is clipped \(\d+ of 8000 samples at full scale\)/,
    ],
    ['a recording too short for a prompt', () => put('short.wav', wavBytes(tone(0.1, 8000, 0.5))), /lasts 0\.10 s; a prompt lasts at least 0\.3 s/],
    ['a file that is not audio', () => put('notes.wav', Buffer.from('not a recording')), /the file cannot be read as audio .*; send WAV, FLAC, OGG or MP3/],
  ];
  for (const [what, make, why] of refused) {
    it(`refuses ${what}: exit 1, one line, the live folder unchanged`, async () => {
      before = snapshot(dir);
      const file = make();
      const r = await cli(['prompts', 'import', 'hello', file, '--dir', dir]);
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^ivr-1699 prompts import: refused, nothing changed: /);
      expect(r.err).toContain(file);
      expect(r.err).toMatch(why);
      expect(snapshot(dir)).toEqual(before);
      expect(promptStatuses(dir).find((s) => s.name === 'hello')?.state).toBe('draft');
    });
  }

  it('an MP3 where sox has no MP3 reader (libsox-fmt-mp3 missing): one line saying how to convert it', async () => {
    // sox as it is without the Debian package libsox-fmt-mp3: its own message for an MP3, the real sox otherwise
    const bin = join(studio, 'bin');
    mkdirSync(bin, { recursive: true });
    const real = spawnSync('sh', ['-c', 'command -v sox'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(
      join(bin, 'sox'),
      `#!/bin/sh\nfor a in "$@"; do case "$a" in *.mp3) echo "sox FAIL formats: no handler for file extension \\\`mp3'" >&2; exit 2;; esac; done\nexec ${real} "$@"\n`,
    );
    chmodSync(join(bin, 'sox'), 0o755);
    const file = join(studio, 'welcome take 3.mp3');
    expect(spawnSync(real, ['-n', '-r', '22050', '-c', '1', file.replace(/\.mp3$/, '.wav'), 'synth', '1', 'sine', '500', 'vol', '0.5']).status).toBe(0);
    writeFileSync(file, readFileSync(file.replace(/\.mp3$/, '.wav'))); // its content does not matter: refused by name, like sox does
    before = snapshot(dir);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    let r: Awaited<ReturnType<typeof cli>>;
    try {
      r = await cli(['prompts', 'import', 'hello', file, '--dir', dir]);
    } finally {
      process.env.PATH = path;
    }
    expect(r.code).toBe(1);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toContain("the file cannot be read as audio (no handler for file extension `mp3')");
    expect(r.err).toContain('install the Debian package libsox-fmt-mp3 (`apt-get install libsox-fmt-mp3`)');
    expect(r.err).toContain('`ffmpeg -i welcome take 3.mp3 -ac 1 -ar 16000 welcome take 3.wav`');
    expect(r.err).not.toMatch(/Command failed|-V1/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('a good 44.1 kHz stereo WAV goes live: recorded, the draft it replaced kept, check OK', async () => {
    const file = join(studio, 'hello-take-1.wav');
    expect(spawnSync('sox', ['-n', '-r', '44100', '-c', '2', '-b', '16', file, 'synth', '1.2', 'sine', '400', 'vol', '0.5']).status).toBe(0);
    const draft = readFileSync(join(dir, 'hello.wav'));
    const r = await cli(['prompts', 'import', 'hello', file, '--dir', dir]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^'hello' is live \(1\.2 s, 44100 Hz 2 channels, peak -6\.0 dBFS as recorded\); the audio it replaced is kept as version \S+ in /m);
    expect(promptStatuses(dir).find((s) => s.name === 'hello')?.state).toBe('recorded');
    expect(readManifest(dir).prompts.hello?.source).toBe('recording');
    const versions = listVersions(dir, 'hello');
    expect(versions).toHaveLength(1);
    expect(readFileSync(join(dir, '.history', 'hello', versions[0]!.id, 'hello.wav')).equals(draft)).toBe(true);
    expect(checkPrompts({ dir })).toEqual([]);
    // no staging folder left behind
    expect(readdirSync(dir).filter((f) => f.startsWith('.staging'))).toEqual([]);
  });

  it.skipIf(!soxMp3)('an MP3 goes live where sox reads MP3 (libsox-fmt-mp3, as .ci/run installs)', async () => {
    const file = join(studio, 'bye.mp3');
    expect(spawnSync('sox', ['-n', '-r', '22050', '-c', '1', file, 'synth', '1', 'sine', '500', 'vol', '0.5']).status).toBe(0);
    const r = await cli(['prompts', 'import', 'bye', file, '--dir', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^'bye' is live \(1\.\d s, 22050 Hz, /m);
    expect(promptStatuses(dir).find((s) => s.name === 'bye')?.state).toBe('recorded');
    expect(checkPrompts({ dir })).toEqual([]);
  });

  it('an unknown prompt name: one line naming the fix, nothing changed', async () => {
    before = snapshot(dir);
    const r = await cli(['prompts', 'import', 'helo', join(studio, 'hello-take-1.wav'), '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/no catalogue entry named 'helo' in .*: add its text first/);
    expect(snapshot(dir)).toEqual(before);
  });
});
