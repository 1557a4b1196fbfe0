/**
 * 1,000 random key scripts (seeded, reproducible) through the built-in switch: every call ends
 * in a transfer or a completed hang-up (a caller hang-up only where the script hangs up); no flow
 * error, no call left waiting, no unhandled rejection.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, randomScript } from '../../src/caller/random-keys.ts';
import { runCalls } from '../../src/caller/run-calls.ts';
import { SOUND_FOLDER } from '../../src/speech/compose.ts';
import { startHarness, type Harness } from './harness.ts';

const SEED = 1699;
const CALLS = Number(process.env.RANDOM_CALLS ?? 1000);

let h: Harness;
const rejections: unknown[] = [];
const onRejection = (r: unknown) => rejections.push(r);
beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  h = await startHarness({ timeScale: 0.02 });
});
afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  await h?.close();
});

describe(`${CALLS} random key scripts (seed ${SEED})`, () => {
  it('every call ends at an answer or a human', async () => {
    const demo = JSON.parse(readFileSync(new URL('../../data/demo.json', import.meta.url), 'utf8')) as { orders: { nationalId: string; orderNumber: string }[] };
    const pairs = demo.orders.map((o) => ({ nationalId: o.nationalId, orderNumber: o.orderNumber }));
    const rnd = mulberry32(SEED);
    const scripts = Array.from({ length: CALLS }, () => randomScript(rnd, { pairs }));
    const runs = await runCalls({
      client: h.client,
      call: { app: (h.client as unknown as { opts: { app: string } }).opts.app, context: 'ivr-inbound', extension: '1699', agentsContext: 'agents', mediaPrefix: SOUND_FOLDER, timeoutMs: 60_000 },
      scripts,
      concurrency: 20,
      // many calling numbers, as in real traffic (the per-number lookup limit still acts on repeats)
      callerId: (i) => `0912${String(1_000_000 + (i % 200)).padStart(7, '0')}`,
    });
    const hangsUp = (script: string) => script.split(' ').includes('h');
    const bad = runs.filter((r) => {
      const o = r.report?.outcome;
      if (r.error || !o) return true;
      if (o.kind === 'transfer') return false; // at a human
      if (o.reason === 'completed') return false; // an announced, completed hang-up
      if (o.reason === 'caller-hangup') return !hangsUp(r.script);
      return true; // timeout, lost: the call waited or vanished
    });
    const kinds = new Map<string, number>();
    for (const r of runs) {
      const o = r.report?.outcome;
      const k = !o ? 'error' : o.kind === 'transfer' ? `transfer:${o.skill}` : `hangup:${o.reason}`;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    console.log(`random calls: ${runs.length}, outcomes: ${JSON.stringify(Object.fromEntries([...kinds].sort()))}`);
    expect(bad.slice(0, 5).map((b) => ({ script: b.script, outcome: b.report?.outcome, error: b.error }))).toEqual([]);
    const deep = runs.filter((r) => (r.report?.decisions.length ?? 0) > 0).length;
    expect(deep).toBeGreaterThan(CALLS / 50); // the scripts do reach the rules, not only the menus
    await new Promise((r) => setTimeout(r, 200));
    expect(h.stack.service.activeCalls()).toBe(0);
    expect(h.stack.service.metrics.flowErrors).toBe(0);
    expect(h.stack.switch!.calls.filter((c) => c.app === 'ivr-1699')).toEqual([]);
    expect(h.logs.filter((l) => l.includes('call flow failed'))).toEqual([]);
    expect(rejections).toEqual([]);
  }, 600_000);
});
