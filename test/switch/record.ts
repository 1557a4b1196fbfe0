/**
 * Records the switch's conformance scenarios afresh on a live Asterisk, in the project's fixture
 * form (convert-traces.ts), so that the switch is checked against today's Asterisk and not only
 * against a frozen copy: `npx tsx scripts/record-ari-fixtures.ts` (or the real-Asterisk test
 * test/asterisk/record-fixtures.test.ts, which records into a temp folder and replays the switch
 * against the fresh recordings).
 *
 * Each scenario is driven by its script: the steps of the committed fixture (the requests, when
 * they go and what each waits for). Asterisk's answers and events are recorded as they come, in the
 * trace format of the original recordings (/work/shared/ari-traces), and converted.
 *
 * The Asterisk runs the dialplan the traces were first recorded with (RECORDED_DIALPLAN, the
 * switch's 'recorded' dialplan style), and plays stand-in core sounds (hello-world, demo-congrats,
 * beep, digits/N: the Asterisk tarball ships no sounds) of the durations the switch assumes.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_SOUNDS } from '../../src/switch/sounds.ts';
import { resolveSwitchOptions } from '../../src/switch/options.ts';
import { convertTrace, type Fixture, type TraceLine } from './convert-traces.ts';
import { replay, type AriTarget } from './replay.ts';

/** The dialplan of the recordings (switch dialplanStyle 'recorded', queueHoldMs 2000). */
export const RECORDED_DIALPLAN = [
  '; the dialplan the switch conformance scenarios are recorded with (test/switch/record.ts)',
  '[general]',
  'static = yes',
  'writeprotect = yes',
  '',
  '[default]',
  'exten => 1699,1,Set(CHANNEL(language)=en)',
  ' same => n,Stasis(ivr-1699,inbound)',
  ' same => n,NoOp(STASISSTATUS=${STASISSTATUS})',
  ' same => n,Hangup()',
  '',
  '[agents]',
  'exten => _[a-z].,1,NoOp(queue ${EXTEN} nid=${IVR_NATIONAL_ID})',
  ' same => n,Wait(2)',
  ' same => n,Hangup()',
  '',
].join('\n');

/** the order the scenarios were first recorded in (one Asterisk, one after the other) */
export const SCENARIO_ORDER = [
  'commands-wait-behind-playback',
  'answer-play-dtmf-stop-continue',
  'missing-sound-and-lists',
  'caller-hangs-up-during-playback',
  'dtmf-sequence-while-playing-queue',
  'app-not-connected',
  'ivr-app-reconnects-mid-call',
];

/** A mono 16-bit 8 kHz WAV of `ms` milliseconds (a quiet 440 Hz tone). */
export function toneWav(ms: number): Buffer {
  const rate = 8000;
  const n = Math.round((rate * ms) / 1000);
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + n * 2, 4);
  b.write('WAVEfmt ', 8, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return b;
}

/**
 * Writes the core sounds the scenarios play into `<soundsDir>/en/`, as long as the switch assumes
 * them (BUILTIN_SOUNDS; digits/N one say-back item each).
 */
export function writeStandInSounds(soundsDir: string): void {
  const en = join(soundsDir, 'en');
  mkdirSync(join(en, 'digits'), { recursive: true });
  for (const name of ['hello-world', 'demo-congrats', 'beep']) writeFileSync(join(en, `${name}.wav`), toneWav(BUILTIN_SOUNDS[name]!));
  const itemMs = resolveSwitchOptions({}).sayItemMs;
  for (let d = 0; d <= 9; d++) writeFileSync(join(en, 'digits', `${d}.wav`), toneWav(itemMs));
}

/** The committed fixtures (the scenarios' scripts), in recording order. */
export function loadScenarios(fixturesDir: string): Fixture[] {
  const all = readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(fixturesDir, f), 'utf8')) as Fixture);
  const rank = (s: string) => (SCENARIO_ORDER.includes(s) ? SCENARIO_ORDER.indexOf(s) : SCENARIO_ORDER.length);
  return all.sort((a, b) => rank(a.scenario) - rank(b.scenario) || a.scenario.localeCompare(b.scenario));
}

export interface Recording {
  fixture: Fixture;
  trace: TraceLine[];
}

/**
 * Drives each scenario on the Asterisk behind `target` (real time, one after the other) and
 * converts what it answered and sent into a fresh fixture. `source` names the Asterisk.
 */
export async function recordScenarios(target: AriTarget, scenarios: Fixture[], source: string): Promise<Recording[]> {
  const out: Recording[] = [];
  for (const script of scenarios) {
    // waits for what preceded each step as recorded before (generous: a loaded machine), then
    // half a second more for any event the old recording did not have
    const r = await replay(script, target, 1, { waitMs: 15_000, settleMs: 500 });
    const fixture = convertTrace(script.scenario, r.trace, `${source}: ${script.scenario}`);
    out.push({ fixture, trace: r.trace });
  }
  return out;
}

/** Writes fixtures (and, beside them, the traces as JSON lines when `traceDir` is given). */
export function writeRecordings(recordings: Recording[], fixturesDir: string, traceDir?: string): void {
  mkdirSync(fixturesDir, { recursive: true });
  for (const { fixture, trace } of recordings) {
    writeFileSync(join(fixturesDir, `${fixture.scenario}.json`), `${JSON.stringify(fixture, null, 1)}\n`);
    if (traceDir) {
      mkdirSync(traceDir, { recursive: true });
      writeFileSync(join(traceDir, `${fixture.scenario}.jsonl`), trace.map((l) => JSON.stringify(l)).join('\n') + '\n');
    }
  }
}
