/**
 * /metrics (prom-client, one registry per service) adds up to what happened: the bench's scenario
 * calls through the built-in switch, then a scrape whose calls, durations, answer latencies, node
 * entries and exits, decisions, registrations and outcomes match the callers' own reports — and
 * `ivr-1699 report --json` over the same run (its store on disk) totals the same counts.
 * The exit causes of a node are checked call by call in the observer alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Metrics } from '../../src/app/metrics.ts';
import { runCalls, type CallRun } from '../../src/caller/run-calls.ts';
import { SCENARIOS } from '../../src/cli/commands/bench.ts';
import { run as reportCommand } from '../../src/cli/commands/report.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Report } from '../../src/domain/report.ts';
import { SOUND_FOLDER } from '../../src/speech/compose.ts';
import { startHarness, type Harness } from '../integration/harness.ts';

/** the value of one sample (exact labels, in the order prom-client writes them); undefined when absent */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const l = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const line = `${name}${l ? `{${l}}` : ''} `;
  const found = text.split('\n').find((x) => x.startsWith(line));
  return found === undefined ? undefined : Number(found.slice(line.length));
}

/** every sample of a metric: labels → value */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}(?:\\{(.*)\\})? (\\S+)$`).exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const p of (m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[p[1]!] = p[2]!;
    out.push({ labels, value: Number(m[2]) });
  }
  return out;
}

const tally = (keys: string[]): Record<string, number> => {
  const t: Record<string, number> = {};
  for (const k of keys) t[k] = (t[k] ?? 0) + 1;
  return t;
};

describe('the call observer: how each listen at a node ends', () => {
  it('key, invalid, no-input, repeat, then the call\'s end', async () => {
    const m = new Metrics();
    const c = m.call();
    c.note({ type: 'node', node: 'main-menu' });
    c.note({ type: 'key', digit: '9' }); // no such item: asked again
    c.note({ type: 'node', node: 'main-menu' });
    c.note({ type: 'node', node: 'main-menu' }); // nothing pressed: asked again
    c.note({ type: 'key', digit: '*' });
    c.note({ type: 'node', node: 'main-menu' });
    c.note({ type: 'key', digit: '3' });
    c.note({ type: 'node', node: 'menu-after' });
    c.note({ type: 'playback-failed' });
    c.note({ type: 'failure', kind: 'order-mismatch' });
    c.note({ type: 'decision', topic: 'refund', rule: 'A6', outcome: 'refund-registered' });
    c.end({ kind: 'hangup', reason: 'caller-hangup' });
    const text = await m.render();
    expect(sample(text, 'ivr_node_entries_total', { node: 'main-menu' })).toBe(4);
    expect(sample(text, 'ivr_node_entries_total', { node: 'menu-after' })).toBe(1);
    expect(samples(text, 'ivr_node_exits_total').map((s) => `${s.labels.node} ${s.labels.cause} ${s.value}`).sort()).toEqual([
      'main-menu invalid 1',
      'main-menu key 1',
      'main-menu no-input 1',
      'main-menu repeat 1',
      'menu-after hangup 1',
    ]);
    expect(sample(text, 'ivr_playback_failures_total')).toBe(1);
    expect(sample(text, 'ivr_call_failures_total', { kind: 'order-mismatch' })).toBe(1);
    expect(sample(text, 'ivr_decisions_total', { rule: 'A6', outcome: 'refund-registered' })).toBe(1);
    expect(sample(text, 'ivr_call_duration_seconds_count')).toBe(1);
    // no first prompt was reported: no answer latency
    expect(sample(text, 'ivr_answer_latency_seconds_count')).toBe(0);
  });

  it('each service counts in its own registry; process metrics carry the ivr_ prefix', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.outcome('transfer', 'general');
    a.registration('failed');
    const [ta, tb] = [await a.render(), await b.render()];
    expect(sample(ta, 'ivr_call_outcomes_total', { kind: 'transfer', skill: 'general' })).toBe(1);
    expect(sample(tb, 'ivr_call_outcomes_total', { kind: 'transfer', skill: 'general' })).toBeUndefined();
    expect(sample(ta, 'ivr_registrations_total', { result: 'failed' })).toBe(1);
    expect(sample(tb, 'ivr_registrations_total', { result: 'failed' })).toBe(0);
    expect(a.registrationsFailed).toBe(1);
    for (const t of [ta, tb]) {
      expect(t).toMatch(/^ivr_process_cpu_user_seconds_total \d/m);
      expect(t).toMatch(/^ivr_nodejs_eventloop_lag_seconds \d/m);
      expect(t).toMatch(/^ivr_process_resident_memory_bytes \d/m);
    }
    // a second scrape of the same registry: the same counts, not doubled
    expect(sample(await a.render(), 'ivr_call_outcomes_total', { kind: 'transfer', skill: 'general' })).toBe(1);
  });
});

describe('/metrics and report over a bench run', () => {
  let h: Harness;
  let dir: string;
  let runs: CallRun[];
  let text: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ivr-metrics-'));
    // the store on disk (seeded with the demo data) so that `report` reads what the service wrote;
    // the dialplan's watchdog kept far out: these calls are about the counts (see call-records.test.ts)
    const config = loadConfig({ env: { IVR_WATCHDOG_SECONDS: '600', IVR_DB: join(dir, 'ivr.db') }, cwd: '/' });
    h = await startHarness({ config, memoryStore: false, timeScale: 0.1, httpPort: 0 });
    runs = await runCalls({
      client: h.client,
      call: { app: h.app, context: 'ivr-inbound', extension: '1699', agentsContext: 'agents', mediaPrefix: SOUND_FOLDER, timeoutMs: 60_000 },
      scripts: [...SCENARIOS],
      concurrency: 8,
      callerId: (i) => `0912${String(i).padStart(7, '0')}`,
    });
    // the service counts a call's end just after the caller sees it
    for (let i = 0; i < 100 && h.stack.service.activeCalls() > 0; i++) await new Promise((r) => setTimeout(r, 50));
    text = await (await fetch(`http://127.0.0.1:${h.stack.service.health!.port}/metrics`)).text();
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('calls, durations, answer latencies and outcomes add up to the callers\' reports', () => {
    const n = SCENARIOS.length;
    expect(runs.every((r) => r.report)).toBe(true);
    expect(sample(text, 'ivr_calls_total')).toBe(n);
    expect(sample(text, 'ivr_calls_active')).toBe(0);
    expect(sample(text, 'ivr_call_duration_seconds_count')).toBe(n);
    expect(sample(text, 'ivr_answer_latency_seconds_count')).toBe(n);
    // every call took longer than its first prompt took to start
    expect(sample(text, 'ivr_call_duration_seconds_sum')!).toBeGreaterThan(sample(text, 'ivr_answer_latency_seconds_sum')!);
    expect(sample(text, 'ivr_answer_latency_seconds_bucket', { le: '+Inf' })).toBe(n);
    const outcomes = tally(runs.map((r) => (r.report!.outcome.kind === 'transfer' ? `transfer ${r.report!.outcome.skill}` : `hangup ${r.report!.outcome.reason}`)));
    const scraped = Object.fromEntries(samples(text, 'ivr_call_outcomes_total').map((s) => [`${s.labels.kind} ${s.labels.skill ?? s.labels.reason}`, s.value]));
    expect(scraped).toEqual(outcomes);
    expect(text).toMatch(/^# TYPE ivr_call_outcomes_total counter$/m);
  });

  it('node entries are the listens the callers saw; every listen ended once, the last by how the call ended', () => {
    const seen = tally(runs.flatMap((r) => r.report!.nodes));
    const entries = Object.fromEntries(samples(text, 'ivr_node_entries_total').map((s) => [s.labels.node, s.value]));
    expect(entries).toEqual(seen);
    // each call reached the main menu once at least ("w w w" asked it three times)
    expect(entries['main-menu']).toBe(SCENARIOS.length + 2);
    const exits = samples(text, 'ivr_node_exits_total');
    for (const [node, count] of Object.entries(entries)) {
      expect(exits.filter((s) => s.labels.node === node).reduce((a, s) => a + s.value, 0), node).toBe(count);
    }
    const byCause = (cause: string) => exits.filter((s) => s.labels.cause === cause).reduce((a, s) => a + s.value, 0);
    const ends = runs.map((r) => r.report!.outcome);
    expect(byCause('transfer')).toBe(ends.filter((o) => o.kind === 'transfer').length);
    expect(byCause('hangup')).toBe(ends.filter((o) => o.kind === 'hangup' && o.reason === 'caller-hangup').length);
    expect(byCause('end')).toBe(ends.filter((o) => o.kind === 'hangup' && o.reason !== 'caller-hangup').length);
    // "w w w": the main menu asked again twice for want of a key, then the tries ran out
    expect(sample(text, 'ivr_node_exits_total', { node: 'main-menu', cause: 'no-input' })).toBe(2);
    // the scenario that gets a wrong national ID/order pair enters the ID again
    expect(entries['national-id']).toBeGreaterThan(runs.filter((r) => r.report!.nodes.includes('national-id')).length);
  });

  it('decisions and registrations match what the callers heard', () => {
    const decided = tally(runs.flatMap((r) => r.report!.decisions.map((d) => `${d.rule} ${d.outcome}`)));
    expect(Object.keys(decided).length).toBeGreaterThan(3);
    const scraped = Object.fromEntries(samples(text, 'ivr_decisions_total').map((s) => [`${s.labels.rule} ${s.labels.outcome}`, s.value]));
    expect(scraped).toEqual(decided);
    const announced = runs.reduce((a, r) => a + r.report!.requests.length, 0);
    expect(announced).toBeGreaterThan(0);
    // the callers hear every request's number but the nearest-stores SMS's ("1 3 021#"): it is registered too
    const stored = h.stack.registry.list({});
    expect(stored.filter((r) => r.type !== 'sms')).toHaveLength(announced);
    expect(stored.filter((r) => r.type === 'sms')).toHaveLength(1);
    expect(sample(text, 'ivr_registrations_total', { result: 'registered' })).toBe(stored.length);
    expect(sample(text, 'ivr_registrations_total', { result: 'already-registered' })).toBe(0);
    expect(sample(text, 'ivr_registrations_total', { result: 'failed' })).toBe(0);
    // no Quantum here: registered requests stay pending in the local outbox
    expect(sample(text, 'ivr_outbox_requests', { status: 'pending' })).toBe(stored.length);
    expect(sample(text, 'ivr_outbox_requests', { status: 'failed' })).toBe(0);
    expect(sample(text, 'ivr_playback_failures_total')).toBe(0);
    expect(sample(text, 'ivr_dependency_up', { dependency: 'store', state: 'ok' })).toBe(1);
  });

  it('`report --json` over the same run totals the callers\' counts', async () => {
    // the records are written in batches: wait for the last one
    for (let i = 0; i < 100 && h.stack.records.pending > 0; i++) await new Promise((r) => setTimeout(r, 50));
    let out = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      expect(await reportCommand(['--json', '--db', join(dir, 'ivr.db')])).toBe(0);
    } finally {
      write.mockRestore();
    }
    const report = JSON.parse(out) as Report;
    const ends = runs.map((r) => r.report!.outcome);
    expect(report.calls).toBe(SCENARIOS.length);
    expect(report.selfService).toBe(ends.filter((o) => o.kind === 'hangup' && o.reason === 'completed').length);
    expect(report.transfers).toBe(ends.filter((o) => o.kind === 'transfer').length);
    expect(report.transfersBySkill).toEqual(tally(ends.flatMap((o) => (o.kind === 'transfer' ? [o.skill] : []))));
    expect(report.callerHangups).toBe(ends.filter((o) => o.kind === 'hangup' && o.reason === 'caller-hangup').length);
    expect(report.outcomes).toEqual(tally(runs.flatMap((r) => r.report!.decisions.map((d) => `${d.rule} ${d.outcome}`))));
    // and the same figures as /metrics
    expect(report.calls).toBe(sample(text, 'ivr_calls_total'));
    expect(report.nodes.find((x) => x.node === 'main-menu')!.calls).toBe(SCENARIOS.length);
  });
});
