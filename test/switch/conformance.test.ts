/**
 * Conformance: every scenario recorded on a real Asterisk 22 (fixtures/*.json, converted
 * from the ARI traces by convert-traces.ts) is replayed against the built-in switch — the
 * requests over raw HTTP (exact statuses and bodies), the events through the real
 * ari-client — and the switch must answer and send events like Asterisk did: same types,
 * same order, same fields an IVR reads, same key order on the wire.
 *
 * Order: the IVR app's events must match exactly. The caller app's events are compared per
 * channel half (;1 and ;2 each in exact order), because Asterisk interleaves the two halves
 * differently from run to run. The replay and the comparison are replay.ts / replay-check.ts,
 * shared with the real-Asterisk test that records the scenarios afresh and compares the switch
 * against those (test/asterisk/record-fixtures.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startSwitch, type BuiltinSwitch } from '../../src/switch/index.ts';
import type { Fixture } from './convert-traces.ts';
import { replay, replayScale } from './replay.ts';
import { expectLikeRecording } from './replay-check.ts';

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixtures = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(fixturesDir, f), 'utf8')) as Fixture);

let sw: BuiltinSwitch | undefined;
afterEach(async () => {
  await sw?.stop();
  sw = undefined;
});

describe('conformance with the recorded Asterisk 22 traces', () => {
  it('has a fixture for every recorded scenario', () => {
    expect(fixtures.map((f) => f.scenario)).toEqual([
      'answer-play-dtmf-stop-continue',
      'app-not-connected',
      'caller-hangs-up-during-playback',
      'commands-wait-behind-playback',
      'dtmf-sequence-while-playing-queue',
      'ivr-app-reconnects-mid-call',
      'missing-sound-and-lists',
    ]);
  });

  for (const fx of fixtures) {
    it(`replays ${fx.scenario}`, async () => {
      const scale = replayScale(fx.scenario);
      sw = await startSwitch({ ...(fx.switchOptions as object), timeScale: scale });
      const r = await replay(fx, { url: sw.url, username: sw.username, password: sw.password }, scale);
      expectLikeRecording(fx, r, scale);
    });
  }
});
