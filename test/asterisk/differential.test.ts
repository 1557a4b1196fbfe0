/**
 * Differential conformance: the same black-box call scripts through the built-in switch (fast time
 * scale) and through a real Asterisk 22 running the project's dialplan/ (real time), each side with
 * its own service, a fresh memory store with the demo data and the clock at DEMO_NOW. Every call
 * must end alike on both: outcome, skill, rule and outcome code, requests registered, the prompts
 * heard, the nodes listened at and the IVR_* variables the caller saw. Request numbers come from
 * each side's own sequence and calls run side by side, so a number is compared by its shape and the
 * prompts that read it back are compared as "the request number".
 *
 * The scripts: every seed item, wrong keys, no keys, `*`, `0`, hang-ups at each kind of node (menu,
 * digit entry, question, announcement), invalid IDs and mismatched ID/order pairs up to the limit
 * (per call, and per calling number across calls).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalAsterisk } from '../../src/asterisk/local.ts';
import type { CallReport } from '../../src/caller/report.ts';
import { loadConfig } from '../../src/config/load.ts';
import { spellRequestNumber } from '../../src/speech/numbers.ts';
import { startHarness, type Harness } from '../integration/harness.ts';
import { after, during, festivalFollowUp, seedCases } from '../integration/seed-cases.ts';
import { asteriskMissing, startAsterisk, startAsteriskHarness, tierTitle, type AsteriskHarness } from './harness.ts';

interface Script {
  name: string;
  keys: string;
  caller?: string;
  hangupAtPrompt?: string;
}

const refundCredit = after(4, '0499370899', '1403001234');
const mismatch = '0499370899# 1405001702#'; // a valid national ID, an order of another customer
const badId = '1234567890#'; // wrong check digit

/** Chains of calls: the calls of one chain run one after the other (same store, same caller), chains side by side. */
const chains: Script[][] = [
  ...seedCases.filter((c) => !c.name.startsWith('A9 festival card')).map((c) => [{ name: `seed: ${c.name}`, keys: c.keys, caller: c.caller }]),
  // the two A9 cases on one order: the follow-up first (the festival unit failed before), in the same order on both sides
  [
    { name: `seed: ${festivalFollowUp.name}`, keys: festivalFollowUp.keys },
    ...seedCases.filter((c) => c.name.startsWith('A9 festival card')).map((c) => ({ name: `seed: ${c.name}`, keys: c.keys })),
  ],
  [{ name: 'nearest stores, area code 051', keys: '1 3 051#' }],
  // 0 and * at the menus
  [{ name: '0 at the main menu', keys: '0' }],
  [{ name: '0 in the before-purchase menu', keys: '1 0' }],
  [{ name: '0 in the after-purchase menu', keys: '3 0' }],
  [{ name: '* repeats the main menu', keys: '* 0' }],
  [{ name: '* repeats the during-purchase menu', keys: '2 * 0' }],
  // wrong keys and no keys
  [{ name: 'wrong keys at the main menu ×3', keys: '9 8 7' }],
  [{ name: 'wrong key, then a right one', keys: '9 1 2' }],
  [{ name: 'wrong keys in the after-purchase menu ×3', keys: '3 9 9 9' }],
  [{ name: 'no key at the main menu ×3', keys: 'w w w' }],
  [{ name: 'no key in the before-purchase menu ×3', keys: '1 w w w' }],
  [{ name: 'no national ID keyed ×3', keys: '3 2 w w w' }],
  [{ name: 'no answer to the refund question ×3', keys: `${refundCredit} w w w` }],
  // digit entry: * clears, # ends early
  [{ name: '* clears a national ID being keyed', keys: `3 2 0499* 2277567566# 1405001702#` }],
  [{ name: 'a short national ID, then a right one', keys: `3 2 12345# 2277567566# 1405001702#` }],
  // invalid and mismatched IDs up to the limit
  [{ name: 'invalid national ID ×3 → agent', keys: `3 2 ${badId} ${badId} ${badId}` }],
  [{ name: 'invalid order number ×3 → agent', keys: '3 2 2277567566# 1305001702# 12# 0000000000#' }],
  [{ name: 'mismatched ID and order ×3 → agent', keys: `3 2 ${mismatch} ${mismatch} ${mismatch}` }],
  [
    { name: 'mismatches per calling number: first call ×3', keys: `2 1 ${mismatch} ${mismatch} ${mismatch}`, caller: '09129990001' },
    { name: 'mismatches per calling number: second call reaches the hourly limit', keys: `2 1 ${mismatch} ${mismatch} ${mismatch}`, caller: '09129990001' },
  ],
  // hang-ups at each kind of node, as the node's prompt starts (a hang-up at IVR_NODE races with the
  // start of that prompt: whether it was heard differs from run to run on Asterisk itself)
  [{ name: 'hang-up during the welcome', keys: '', hangupAtPrompt: 'welcome' }],
  [{ name: 'hang-up at the main menu', keys: '', hangupAtPrompt: 'main-menu' }],
  [{ name: 'hang-up in a sub-menu', keys: '3', hangupAtPrompt: 'menu-after' }],
  [{ name: 'hang-up at the national ID', keys: '3 4', hangupAtPrompt: 'enter-national-id' }],
  [{ name: 'hang-up at the order number', keys: '3 4 0499370899#', hangupAtPrompt: 'enter-order-number' }],
  [{ name: 'hang-up at the refund question', keys: refundCredit, hangupAtPrompt: 'refund-ask-wallet' }],
  [{ name: 'hang-up at a confirmation (customer registration)', keys: '1 4 0134512685#', hangupAtPrompt: 'confirm-entry' }],
  [{ name: 'hang-up during the announcement (A3 overdue)', keys: after(2, '2277567566', '1405001702'), hangupAtPrompt: 'delivery-overdue-production-date' }],
  [{ name: 'hang-up during the announcement (P3)', keys: during(2, '1281203246', '1405002120'), hangupAtPrompt: 'order-stock-orderable' }],
  [{ name: 'hang-up while the request number is read (A1)', keys: after(1, '1365749487', '1405001960'), hangupAtPrompt: 'request-registered' }],
];
const scripts = chains.flat();

/** the caller number of a script: its own, else one per script (the lookup limit counts per number) */
const callerOf = (s: Script) => s.caller ?? `0912${String(20_000_000 + scripts.indexOf(s)).slice(1)}`;

/** calls at once on each side (Asterisk plays prompts in real time: the calls run side by side) */
const CONCURRENCY = 15;

type Call = (keys: string, o: { caller: string; hangupAtPrompt?: string }) => Promise<CallReport>;

/** the chains in the order they start: the longest first (each `w` waits out a menu or entry timeout), so that the run ends soonest */
const estimate = (c: Script[]) => c.reduce((n, s) => n + s.keys.split(/\s+/).filter(Boolean).reduce((m, g) => m + (g === 'w' ? 5 : 1), 0), 0);
const longestFirst = [...chains].sort((a, b) => estimate(b) - estimate(a));

/** Runs the chains with at most `cap` calls at once; a call that throws is reported as such. */
async function runAll(side: string, call: Call, cap: number): Promise<Map<string, CallReport | { error: string }>> {
  const out = new Map<string, CallReport | { error: string }>();
  let next = 0;
  const worker = async () => {
    while (next < longestFirst.length) {
      const chain = longestFirst[next++]!;
      for (const s of chain) {
        const t = Date.now();
        try {
          out.set(s.name, await call(s.keys, { caller: callerOf(s), ...(s.hangupAtPrompt ? { hangupAtPrompt: s.hangupAtPrompt } : {}) }));
        } catch (e) {
          out.set(s.name, { error: (e as Error).message });
        }
        if (process.env.DIFFERENTIAL_LOG) console.log(`${side}: ${s.name} ${((Date.now() - t) / 1000).toFixed(1)} s ${JSON.stringify((out.get(s.name) as CallReport).outcome ?? out.get(s.name))}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(cap, chains.length) }, worker));
  return out;
}

/** request numbers by shape (R-000123 → R-######), and the digits reading one back as one token */
const shape = (n: string) => n.replace(/\d/g, '#');

function comparable(r: CallReport | { error: string }) {
  if ('error' in r) return r;
  // the number is said right after `request-registered` (as its serial: a cardinal, or digits in groups)
  let prompts = [...r.prompts];
  for (const { number } of r.requests) {
    const spoken = spellRequestNumber(number);
    for (let i = 0; i < prompts.length; i++) {
      if (prompts[i] !== 'request-registered') continue;
      const at = i + 1;
      if (spoken.length > 0 && spoken.every((p, j) => prompts[at + j] === p)) prompts = [...prompts.slice(0, at), `<request number ${shape(number)}>`, ...prompts.slice(at + spoken.length)];
    }
  }
  const variables = Object.fromEntries(
    Object.entries(r.variables)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, k === 'IVR_REQUEST_NUMBER' && v ? shape(v) : v]),
  );
  return {
    outcome: r.outcome,
    skill: r.variables.IVR_SKILL ?? null,
    decisions: r.decisions,
    requests: r.requests.map((q) => ({ type: q.type, unit: q.unit, number: shape(q.number) })),
    nodes: r.nodes,
    prompts,
    variables,
  };
}

describe.skipIf(asteriskMissing)(tierTitle('differential: the same calls through the built-in switch and a real Asterisk'), () => {
  let sw: Map<string, CallReport | { error: string }>;
  let ast: Map<string, CallReport | { error: string }>;
  let swH: Harness | undefined;
  let asterisk: LocalAsterisk | undefined;
  let astH: AsteriskHarness | undefined;
  const seconds = { switch: 0, asterisk: 0 };

  beforeAll(async () => {
    // the switch at a quarter of real time: faster, with IVR timeouts still well above the jitter
    // of a loaded 2-core machine
    let t = Date.now();
    swH = await startHarness({ timeScale: 0.25 });
    sw = await runAll('switch', (k, o) => swH!.call(k, o), CONCURRENCY);
    seconds.switch = (Date.now() - t) / 1000;
    await swH.close();
    swH = undefined;
    t = Date.now();
    // ari-client holds one ARI user per process: the Asterisk gets the switch's (the config defaults)
    const cfg = loadConfig({ env: {}, cwd: '/' }).service.ari;
    asterisk = await startAsterisk({ ariUsername: cfg.username, ariPassword: cfg.password });
    astH = await startAsteriskHarness({ asterisk });
    ast = await runAll('asterisk', (k, o) => astH!.call(k, o), CONCURRENCY);
    seconds.asterisk = (Date.now() - t) / 1000;
  }, 400_000);
  afterAll(async () => {
    await swH?.close();
    await astH?.close();
    await asterisk?.stop();
  });

  it.each(scripts.map((s) => [s.name, s] as const))('%s', (_n, s) => {
    const a = comparable(ast.get(s.name)!);
    const b = comparable(sw.get(s.name)!);
    expect(a, `${s.name} [keys "${s.keys}"]: Asterisk (received, +) vs switch (expected, -)`).toEqual(b);
  });

  it('prints how many calls ended alike', () => {
    const alike = scripts.filter((s) => JSON.stringify(comparable(ast.get(s.name)!)) === JSON.stringify(comparable(sw.get(s.name)!)));
    console.log(`differential: ${alike.length}/${scripts.length} calls alike switch vs Asterisk (switch ${seconds.switch.toFixed(0)} s, Asterisk ${seconds.asterisk.toFixed(0)} s)`);
    // the scripts really exercised the IVR: every ending is there on both sides
    const ends = new Set([...ast.values()].map((r) => ('error' in r ? 'error' : `${r.outcome.kind}:${'skill' in r.outcome ? r.outcome.skill : r.outcome.reason}`)));
    expect([...ends].sort()).toEqual(expect.arrayContaining(['hangup:caller-hangup', 'hangup:completed', 'transfer:general', 'transfer:sales-expert']));
    expect(alike.length).toBe(scripts.length);
  });
});
