/**
 * The studio round trip (issue 15) on a copy of the prompts: `prompts script` exports the script,
 * "recordings" of a few prompts are made with sox under the script's file names, `prompts
 * import-batch` puts them live together, and a call through the built-in switch plays them; a
 * session with one bad file changes nothing; `prompts list` shows the share still on drafts.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as prompts } from '../../src/cli/commands/prompts.ts';
import type { AriEvent } from '../../src/ari/events.ts';
import { loadConfig } from '../../src/config/load.ts';
import { importBatch, wavSeconds } from '../../src/speech/batch.ts';
import { hashBytes, readManifest } from '../../src/speech/manifest.ts';
import { capture, hasSox, ROOT } from '../speech/helpers.ts';
import { startHarness, type Harness } from './harness.ts';

const root = mkdtempSync(join(tmpdir(), 'ivr-1699-studio-'));
const dir = join(root, 'prompts', 'fa');
const session = join(root, 'session');
const scriptDir = join(root, 'script');

/** a voice-like test tone of `seconds` (a 220 Hz tone, tremolo, 0.2 s of silence at each end) at `gainDb` */
function record(file: string, seconds: number, gainDb = -12): void {
  execFileSync('sox', ['-D', '-V1', '-n', '-r', '16000', '-c', '1', '-b', '16', file, 'synth', String(seconds), 'sine', '220', 'tremolo', '4', '60', 'gain', String(gainDb), 'pad', '0.2', '0.2']);
}

const snapshot = (names: string[]) =>
  Object.fromEntries(names.flatMap((n) => ['wav', 'ulaw', 'alaw', 'sln16'].map((f) => [`${n}.${f}`, hashBytes(readFileSync(join(dir, `${n}.${f}`)))])));

beforeAll(() => {
  cpSync(join(ROOT, 'prompts'), join(root, 'prompts'), { recursive: true });
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!hasSox)('studio round trip (needs sox)', () => {
  const chosen = ['welcome', 'main-menu', 'goodbye'];

  it('script → recordings → import-batch → a call plays them', async () => {
    // 1. the script: CSV and printable HTML, every prompt and fragment, joining notes on the -o forms
    let c = capture();
    expect(await prompts(['script', '--out', scriptDir, '--dir', dir])).toBe(0);
    vi.restoreAllMocks();
    const csv = readFileSync(join(scriptDir, 'prompts-script.csv'), 'utf8');
    const rows = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(rows[0]).toBe('file,name,text,purpose,notes,state,seconds');
    const byName = new Map(rows.slice(1).map((r) => [r.split(',')[1]!, r]));
    expect(byName.get('welcome')).toMatch(/^welcome\.wav,welcome,/);
    expect(byName.get('num/20-o')).toMatch(/^num__20-o\.wav,num\/20-o,بیست و,.*Joining form/);
    expect(byName.has('pause/group')).toBe(false); // generated: nothing to record
    expect(readFileSync(join(scriptDir, 'prompts-script.html'), 'utf8')).toContain('<td class="t" dir="rtl" lang="fa">بیست و</td>');

    // 2. recordings of three prompts under the script's file names, each about as long as its draft
    mkdirSync(session, { recursive: true });
    const file = (n: string) => byName.get(n)!.split(',')[0]!;
    // welcome noticeably longer than its draft (1.8×, within the 0.5–2.5× allowed): a call shows which one plays
    const draftWelcome = wavSeconds(join(dir, 'welcome.wav'))!;
    for (const n of chosen) record(join(session, file(n)), n === 'welcome' ? draftWelcome * 1.8 : Math.max(1, wavSeconds(join(dir, `${n}.wav`))! * 0.9));

    // 3. import-batch: checked, all live together, the drafts kept in .history
    c = capture();
    expect(await prompts(['import-batch', session, '--dir', dir])).toBe(0);
    vi.restoreAllMocks();
    expect(c.out()).toContain('3 recording(s) live');
    const manifest = readManifest(dir);
    for (const n of chosen) {
      expect(manifest.prompts[n]?.source).toBe('recording');
      expect(readdirSync(join(dir, '.history', n))).toHaveLength(1);
    }
    c = capture();
    await prompts(['list', '--dir', dir]);
    vi.restoreAllMocks();
    expect(c.out()).toMatch(/welcome\s+recorded/);
    expect(c.out().trim().split('\n').at(-1)).toBe('drafts: 246 of 249 prompts (98.8%) still on drafts, 3 recorded');

    // 4. a call through the built-in switch serving this prompts folder plays the recordings
    const scale = 0.2;
    const h: Harness = await startHarness({ timeScale: scale, config: loadConfig({ env: { PROMPTS_DIR: join(root, 'prompts') }, cwd: '/' }) });
    const started = new Map<string, number>();
    const onEvent = (ev: AriEvent) => {
      if (ev.type !== 'PlaybackStarted') return;
      const uri = (ev as { playback: { media_uri: string } }).playback.media_uri.replace('sound:ivr-1699/', '');
      if (!started.has(uri)) started.set(uri, Date.now());
    };
    h.client.on('event', onEvent);
    try {
      const r = await h.call('0');
      expect(r.prompts.slice(0, 2)).toEqual(['welcome', 'main-menu']);
      expect(r.outcome).toEqual({ kind: 'transfer', skill: 'general' });
      // the switch plays a prompt as long as its file: welcome lasted the recording's length, not the draft's
      const recorded = wavSeconds(join(dir, 'welcome.wav'))!;
      expect(recorded).toBeGreaterThan(draftWelcome * 1.6);
      const played = (started.get('main-menu')! - started.get('welcome')!) / 1000 / scale;
      expect(played).toBeGreaterThan((draftWelcome + recorded) / 2);
    } finally {
      h.client.off('event', onEvent);
      await h.close();
    }
  }, 120_000);

  it('a session with one bad file (clipped) changes nothing, and names every problem', async () => {
    const bad = join(root, 'bad-session');
    mkdirSync(bad, { recursive: true });
    const names = ['thank-you', 'please-wait', 'goodbye'];
    for (const n of names) record(join(bad, `${n}.wav`), Math.max(1, wavSeconds(join(dir, `${n}.wav`))!));
    record(join(bad, 'goodbye.wav'), 3, 30); // driven far into clipping
    const before = snapshot(names);
    const manifestBefore = readFileSync(join(dir, '.drafts.json'), 'utf8');
    const historyBefore = readdirSync(join(dir, '.history', 'goodbye'));
    const r = await importBatch({ dir, folder: bad });
    expect(r.imported).toEqual([]);
    expect(r.problems.some((p) => p.startsWith(join(bad, 'goodbye.wav')) && /clipped/.test(p))).toBe(true);
    expect(snapshot(names)).toEqual(before);
    expect(readFileSync(join(dir, '.drafts.json'), 'utf8')).toBe(manifestBefore);
    expect(existsSync(join(dir, '.history', 'thank-you'))).toBe(false);
    expect(readdirSync(join(dir, '.history', 'goodbye'))).toEqual(historyBefore);
    expect(readdirSync(dir).filter((f) => f.startsWith('.staging'))).toEqual([]);
  }, 60_000);

  it('names, level across the session, length against the draft and silence at the ends are checked', async () => {
    const s = join(root, 'odd-session');
    mkdirSync(join(s, 'num'), { recursive: true });
    record(join(s, 'thank-you.wav'), wavSeconds(join(dir, 'thank-you.wav'))!); // fine
    record(join(s, 'please-wait.wav'), wavSeconds(join(dir, 'please-wait.wav'))!, -35); // far quieter than the rest
    record(join(s, 'no-such-prompt.wav'), 1);
    record(join(s, 'pause__group.wav'), 1);
    record(join(s, 'invalid-key.wav'), wavSeconds(join(dir, 'invalid-key.wav'))! * 4); // another text?
    record(join(s, 'num', '20-o.wav'), 1); // subfolders work too
    execFileSync('sox', ['-D', '-V1', join(s, 'thank-you.wav'), join(s, 'no-input.wav'), 'pad', '2', '0']); // 2 s of silence first
    const r = await importBatch({ dir, folder: s });
    const about = (f: string) => r.problems.filter((p) => p.startsWith(join(s, f)));
    expect(about('no-such-prompt.wav')[0]).toMatch(/no prompt named 'no-such-prompt'/);
    expect(about('pause__group.wav')[0]).toMatch(/generated pause/);
    expect(about('please-wait.wav')[0]).toMatch(/speech level .* dB below the session's median/);
    expect(about('invalid-key.wav')[0]).toMatch(/current audio lasts .* is it the text of 'invalid-key'/);
    expect(about('no-input.wav')[0]).toMatch(/s of silence before the first word/);
    expect(about('thank-you.wav')).toEqual([]);
    expect(about(join('num', '20-o.wav'))).toEqual([]);
    expect(r.imported).toEqual([]);
  }, 60_000);
});
