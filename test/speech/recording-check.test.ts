/** inspectRecording: what a recording must be before it becomes a prompt (console uploads). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectRecording } from '../../src/speech/recording-check.ts';
import { hasSox, tone, wavBytes } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'ivr-1699-reccheck-'));
const file = (name: string, data: Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
const soxMp3 = hasSox && (() => {
  const r = spawnSync('sox', ['-n', '-r', '22050', '-c', '1', join(dir, 'probe.mp3'), 'synth', '0.5', 'sine', '440'], { stdio: 'ignore' });
  return r.status === 0;
})();

describe.skipIf(!hasSox)('inspectRecording (sox)', () => {
  it('accepts a 16 kHz tone and reports its facts', async () => {
    const r = await inspectRecording(file('ok.wav', wavBytes(tone(1.2, 16000, 0.5), 16000)));
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ sampleRate: 16000, channels: 1 });
    expect(r.seconds).toBeCloseTo(1.2, 2);
    expect(r.peakDb).toBeCloseTo(-6, 0);
  });

  it('refuses silence, clipping, a low rate, too short, and a file that is not audio — each with its reason', async () => {
    expect((await inspectRecording(file('silent.wav', wavBytes(new Int16Array(8000))))).problems).toEqual([expect.stringMatching(/^the recording is silent/)]);
    const clipped = Int16Array.from(tone(1, 8000, 1).map((_, i) => (i % 4 === 0 ? 32767 : -32768)));
    expect((await inspectRecording(file('clipped.wav', wavBytes(clipped)))).problems).toEqual([expect.stringMatching(/clipped/)]);
    expect((await inspectRecording(file('low.wav', wavBytes(tone(1, 6000, 0.5), 6000)))).problems).toEqual([expect.stringMatching(/6000 Hz; a prompt needs at least 8000 Hz/)]);
    expect((await inspectRecording(file('short.wav', wavBytes(tone(0.1, 8000, 0.5))))).problems).toEqual([expect.stringMatching(/lasts 0.10 s; a prompt lasts at least 0.3 s/)]);
    const junk = await inspectRecording(file('notes.mp3', Buffer.from('this is not audio at all')));
    expect(junk.problems).toHaveLength(1);
    expect(junk.problems[0]).toMatch(/^the file cannot be read as audio/);
  });

  it.skipIf(!soxMp3)('reads MP3 (Debian libsox-fmt-mp3)', async () => {
    const r = await inspectRecording(join(dir, 'probe.mp3'));
    expect(r.problems).toEqual([]);
    expect(r.sampleRate).toBe(22050);
  });
});
