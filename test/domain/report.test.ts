/**
 * The report builder (pure) over hand-made records, and `ivr-1699 report` over a store: the
 * figures follow their documented definitions; --from/--to select by entry time; retention prunes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run as report } from '../../src/cli/commands/report.ts';
import { UsageError } from '../../src/cli/usage-error.ts';
import type { CallRecord } from '../../src/domain/call-record.ts';
import { buildReport, reportCsv, reportText } from '../../src/domain/report.ts';
import { CallRecordStore } from '../../src/store/call-records.ts';
import { openStore } from '../../src/store/db.ts';

const rec = (o: Partial<CallRecord> & Pick<CallRecord, 'end'>): CallRecord => ({
  callId: 'c',
  startedAt: '2026-11-25T06:30:00.000Z', // 10:00 in Tehran
  durationMs: 10_000,
  caller: '0912*****67',
  recovered: false,
  topic: null,
  nodes: [{ node: 'main-menu', atMs: 1000, ms: 2000, keys: '0', repeats: 0 }],
  rule: null,
  outcome: null,
  request: null,
  agentMs: null,
  failures: [],
  ...o,
});

const records: CallRecord[] = [
  rec({ end: { kind: 'transfer', skill: 'general', reason: 'caller-choice' }, agentMs: 4000 }),
  rec({ end: { kind: 'transfer', skill: 'general', reason: 'too-many-tries' }, agentMs: 16_000, nodes: [{ node: 'main-menu', atMs: 1000, ms: 15_000, keys: '', repeats: 2 }] }),
  rec({
    end: { kind: 'hangup', reason: 'completed' },
    topic: 'refund',
    rule: 'A6',
    outcome: 'refund-registered',
    request: { type: 'refund-request', unit: 'follow-up', number: 'R-000001' },
    nodes: [
      { node: 'main-menu', atMs: 1000, ms: 1000, keys: '3', repeats: 0 },
      { node: 'menu-after', atMs: 2000, ms: 1000, keys: '4', repeats: 0 },
      { node: 'national-id', atMs: 3000, ms: 5000, keys: 'xxxxxxxxxx#', repeats: 1 },
    ],
    failures: ['playback-failed'],
  }),
  rec({ end: { kind: 'hangup', reason: 'caller-hangup' }, startedAt: '2026-11-25T21:00:00.000Z', nodes: [{ node: 'main-menu', atMs: 1000, ms: 500, keys: '3', repeats: 0 }, { node: 'menu-after', atMs: 1500, ms: 700, keys: '', repeats: 0 }] }),
  rec({ end: { kind: 'hangup', reason: 'caller-hangup' }, nodes: [] }),
  rec({ end: { kind: 'hangup', reason: 'transfer-failed' }, failures: ['transfer-failed'] }),
];

describe('buildReport', () => {
  const r = buildReport(records);
  it('counts calls by how they ended; the parts add up', () => {
    expect(r.calls).toBe(6);
    expect(r.selfService).toBe(1);
    expect(r.selfServiceRate).toBeCloseTo(1 / 6, 4);
    expect(r.transfers).toBe(2);
    expect(r.callerHangups).toBe(2);
    expect(r.otherEnds).toEqual({ 'transfer-failed': 1 });
  });
  it('transfers by skill, by reason, time to an agent', () => {
    expect(r.transfersBySkill).toEqual({ general: 2 });
    expect(r.transfersByReason).toEqual({ 'caller-choice': 1, 'too-many-tries': 1 });
    expect(r.timeToAgentMs).toMatchObject({ count: 2, mean: 10_000, p50: 4000, max: 16_000 });
  });
  it('per node: calls, repeats, drop-offs (welcome before the first node)', () => {
    const node = (n: string) => r.nodes.find((x) => x.node === n)!;
    expect(node('main-menu')).toMatchObject({ calls: 5, visits: 5, repeats: 2, repeatRate: 0.2, dropOffs: 0 });
    expect(node('menu-after')).toMatchObject({ calls: 2, dropOffs: 1, dropOffRate: 0.5 });
    expect(node('national-id')).toMatchObject({ calls: 1, repeats: 1, repeatRate: 1, avgMs: 5000 });
    expect(node('welcome')).toMatchObject({ calls: 1, dropOffs: 1, visits: 0 });
  });
  it('rules, requests, failures; per day and per hour in Tehran time', () => {
    expect(r.outcomes).toEqual({ 'A6 refund-registered': 1 });
    expect(r.requests).toEqual({ 'refund-request': 1 });
    expect(r.failures).toEqual({ 'playback-failed': 1, 'transfer-failed': 1 });
    // 21:00Z is 00:30 the next day in Tehran
    expect(r.perDay).toEqual([
      { period: '2026-11-25', calls: 5, selfService: 1, transfers: 2, callerHangups: 1 },
      { period: '2026-11-26', calls: 1, selfService: 0, transfers: 0, callerHangups: 1 },
    ]);
    expect(r.perHour.map((p) => p.period)).toEqual(['2026-11-25T10', '2026-11-26T00']);
  });
  it('no records: zeros, not NaN', () => {
    const e = buildReport([]);
    expect(e.calls).toBe(0);
    expect(e.selfServiceRate).toBe(0);
    expect(e.timeToAgentMs.mean).toBeNull();
    expect(reportText(e)).toContain('calls            0');
  });
  it('CSV: one figure a row', () => {
    const csv = reportCsv(r).trim().split('\n');
    expect(csv[0]).toBe('section,key,metric,value');
    expect(csv).toContain('summary,,calls,6');
    expect(csv).toContain('transfersBySkillAndReason,general / caller-choice,calls,1');
    expect(csv).toContain('node,menu-after,dropOffs,1');
  });
});

describe('ivr-1699 report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ivr-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let out = '';
  beforeEach(() => {
    out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  });
  afterEach(() => vi.restoreAllMocks());

  const db = join(dir, 'r.sqlite');
  const fill = () => {
    const store = openStore(db);
    const s = new CallRecordStore(store);
    records.forEach((x, i) => s.add({ ...x, callId: `c${i}` }));
    s.close();
    store.close();
  };

  it('reads the records of the store, by entry day in Tehran time; --json and --csv', async () => {
    fill();
    expect(await report(['--db', db, '--json'])).toBe(0);
    expect(JSON.parse(out).calls).toBe(6);
    out = '';
    expect(await report(['--db', db, '--json', '--from', '2026-11-26'])).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ calls: 1, from: '2026-11-25T20:30:00.000Z' });
    out = '';
    expect(await report(['--db', db, '--json', '--to', '2026-11-25'])).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ calls: 5, to: '2026-11-25T20:30:00.000Z' });
    out = '';
    expect(await report(['--db', db, '--csv', '--from', '2026-11-25T10:00:00+03:30', '--to', '2026-11-25T10:00:01+03:30'])).toBe(0);
    expect(out).toContain('summary,,calls,5');
    out = '';
    expect(await report(['--db', db])).toBe(0);
    expect(out).toContain('self-service     1 (16.7%)');
  });

  it('bad options: one clear line, nothing read', async () => {
    await expect(report(['--db', db, '--from', 'yesterday'])).rejects.toThrow(UsageError);
    await expect(report(['--db', db, '--from', '2026-02-30'])).rejects.toThrow(/no such day/);
    await expect(report(['--db', db, '--from', '2026-11-26', '--to', '2026-11-25'])).rejects.toThrow(/--from must be before --to/);
    await expect(report(['--db', db, '--json', '--csv'])).rejects.toThrow(/not both/);
  });

  it('retention: prune deletes records older than the cut-off', async () => {
    const store = openStore(join(dir, 'p.sqlite'));
    const s = new CallRecordStore(store);
    records.forEach((x) => s.add(x));
    expect(await s.prune(new Date('2026-11-25T12:00:00Z'))).toBe(5);
    expect(s.count()).toBe(1);
    store.close();
  });
});
