/**
 * The switch against today's Asterisk: the conformance scenarios are recorded afresh on the real
 * Asterisk (test/switch/record.ts, what `npx tsx scripts/record-ari-fixtures.ts` does) into a temp
 * folder, and the built-in switch is replayed against those fresh recordings with the comparison of
 * test/switch/conformance.test.ts. The committed fixtures stay the reference where no Asterisk is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalAsterisk } from '../../src/asterisk/local.ts';
import { startSwitch, type BuiltinSwitch } from '../../src/switch/index.ts';
import type { Fixture } from '../switch/convert-traces.ts';
import { loadScenarios, RECORDED_DIALPLAN, recordScenarios, writeRecordings, writeStandInSounds, type Recording } from '../switch/record.ts';
import { replay, replayScale } from '../switch/replay.ts';
import { expectLikeRecording } from '../switch/replay-check.ts';
import { asteriskMissing, PROJECT_ROOT, startAsterisk, tierTitle } from './harness.ts';

const committed = loadScenarios(join(PROJECT_ROOT, 'test/switch/fixtures'));

describe.skipIf(asteriskMissing)(tierTitle('conformance fixtures recorded afresh on the real Asterisk'), () => {
  let ast: LocalAsterisk | undefined;
  let recordings: Recording[] = [];
  let out: string;
  let sw: BuiltinSwitch | undefined;

  beforeAll(async () => {
    ast = await startAsterisk({ extensionsConf: RECORDED_DIALPLAN });
    writeStandInSounds(join(ast.scratch, 'data', 'sounds'));
    recordings = await recordScenarios({ url: ast.ariUrl, username: ast.ariUsername, password: ast.ariPassword }, committed, 'Recorded by test/asterisk/record-fixtures.test.ts');
    out = mkdtempSync(join(tmpdir(), 'ivr-fixtures-'));
    writeRecordings(recordings, out);
  }, 120_000);
  afterAll(async () => {
    await sw?.stop();
    await ast?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('records every scenario of the committed fixtures', () => {
    expect(recordings.map((r) => r.fixture.scenario).sort()).toEqual(committed.map((f) => f.scenario).sort());
    for (const { fixture } of recordings) expect(fixture.steps.length, fixture.scenario).toBeGreaterThan(0);
  });

  for (const scenario of committed.map((f) => f.scenario)) {
    it(`the switch replays ${scenario} like today's Asterisk`, async () => {
      const fx = recordings.find((r) => r.fixture.scenario === scenario)?.fixture as Fixture;
      expect(fx, `${scenario} was recorded`).toBeDefined();
      const scale = replayScale(scenario);
      sw = await startSwitch({ ...(fx.switchOptions as object), timeScale: scale });
      try {
        const r = await replay(fx, { url: sw.url, username: sw.username, password: sw.password }, scale);
        expectLikeRecording(fx, r, scale);
      } finally {
        await sw.stop();
        sw = undefined;
      }
    });
  }
});
