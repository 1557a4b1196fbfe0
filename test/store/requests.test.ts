import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewRequest, RegisteredRequest } from '../../src/domain/ports.ts';
import { openStore, type IvrStore } from '../../src/store/db.ts';
import { FailedLookups } from '../../src/store/lookups.ts';
import { PermanentDeliveryError, RequestOutbox, type QuantumRequestSink } from '../../src/store/outbox.ts';
import { formatRequestNumber, parseRequestNumber, SqliteRequestRegistry } from '../../src/store/requests.ts';
import { EARLIER_REQUEST_UNITS } from '../../src/policy/index.ts';

const req = (callId: string, topic = 'refund', extra: Partial<NewRequest> = {}): NewRequest => ({
  callId,
  topic,
  type: 'refund-request',
  unit: 'follow-up',
  nationalId: '0499370899',
  orderNumber: '1403001234',
  ...extra,
});

let store: IvrStore;
afterEach(() => store?.close());

describe('SqliteRequestRegistry', () => {
  it('numbers requests R-000001, R-000002 … and reads them back', async () => {
    store = openStore(':memory:');
    const reg = new SqliteRequestRegistry(store, { now: () => new Date('2026-11-25T06:30:00Z') });
    const a = await reg.register(req('c1'));
    const b = await reg.register(req('c2', 'festival-card', { type: 'referral', unit: 'festival', details: { answer: 'yes' } }));
    expect(a.number).toBe('R-000001');
    expect(b.number).toBe('R-000002');
    expect(a.status).toBe('pending');
    expect(a.createdAt).toBe('2026-11-25T06:30:00.000Z');
    expect(reg.get('R-000002')).toMatchObject({ callId: 'c2', unit: 'festival', details: { answer: 'yes' }, attempts: 0 });
    expect(reg.get('R-000099')).toBeNull();
    expect(formatRequestNumber('R', 1234567)).toBe('R-1234567');
    expect(parseRequestNumber('r-000123')).toEqual({ prefix: 'R', seq: 123 });
    expect(parseRequestNumber('R123')).toBeNull();
  });

  it('is idempotent per (callId, topic, order): a retry gets the first registration back, marked as such', async () => {
    store = openStore(':memory:');
    const seen: RegisteredRequest[] = [];
    const reg = new SqliteRequestRegistry(store, { onRegistered: (r) => seen.push(r) });
    const first = await reg.register(req('call-7'));
    const again = await reg.register(req('call-7', 'refund', { outcome: 'something else' }));
    const other = await reg.register(req('call-7', 'delivery'));
    const otherOrder = await reg.register(req('call-7', 'refund', { orderNumber: '1404001234' }));
    const noOrder = await reg.register(req('call-7', 'nearest-stores', { orderNumber: undefined }));
    const noOrderAgain = await reg.register(req('call-7', 'nearest-stores', { orderNumber: undefined }));
    expect(first.alreadyRegistered).toBeUndefined();
    expect(again).toEqual({ ...first, alreadyRegistered: true });
    expect(other.number).not.toBe(first.number);
    expect(otherOrder.number).not.toBe(first.number);
    expect(noOrderAgain).toEqual({ ...noOrder, alreadyRegistered: true });
    expect(reg.list()).toHaveLength(4);
    expect(seen.map((r) => r.number)).toEqual([first.number, other.number, otherOrder.number, noOrder.number]);
  });

  it('migrates a version-1 store (UNIQUE call_id, topic) keeping every row and serial', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivr-mig-'));
    try {
      const path = join(dir, 'v1.sqlite');
      const v1 = new Database(path);
      v1.exec(`CREATE TABLE requests (seq INTEGER PRIMARY KEY AUTOINCREMENT, prefix TEXT NOT NULL, call_id TEXT NOT NULL, topic TEXT NOT NULL, type TEXT NOT NULL,
        unit TEXT NOT NULL, national_id TEXT, order_number TEXT, caller_number TEXT, rule TEXT, outcome TEXT, details TEXT, created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0, last_error TEXT,
        delivered_at TEXT, UNIQUE (call_id, topic));
        INSERT INTO requests (prefix, call_id, topic, type, unit, order_number, created_at) VALUES ('R', 'a', 'refund', 'refund-request', 'follow-up', '1403001234', 'x');
        INSERT INTO requests (prefix, call_id, topic, type, unit, order_number, created_at) VALUES ('R', 'b', 'refund', 'refund-request', 'follow-up', '1403001234', 'x');
        DELETE FROM requests WHERE call_id = 'b';`);
      // the rest of schema 1, as openStore made it (call_records came with schema 3, sms.idem_key with schema 4)
      const full = openStore(':memory:');
      const schema1 = (full.db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name NOT IN ('requests', 'sqlite_sequence', 'call_records') AND sql IS NOT NULL`).all() as { sql: string }[]).map((r) => r.sql.replace(/,\s*idem_key TEXT/, ''));
      full.close();
      for (const sql of schema1) v1.exec(sql);
      v1.pragma('user_version = 1');
      v1.close();
      store = openStore(path);
      const reg = new SqliteRequestRegistry(store);
      expect(reg.list().map((r) => [r.number, r.callId])).toEqual([['R-000001', 'a']]);
      const again = await reg.register({ callId: 'a', topic: 'refund', type: 'refund-request', unit: 'follow-up', orderNumber: '1403001234' });
      expect(again).toMatchObject({ number: 'R-000001', alreadyRegistered: true });
      const next = await reg.register({ callId: 'a', topic: 'refund', type: 'refund-request', unit: 'follow-up', orderNumber: '1404001234' });
      expect(parseRequestNumber(next.number)!.seq).toBeGreaterThan(2); // serial 2 was taken before the migration: never reused
    } finally {
      store?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses the configured prefix and never reuses a serial', async () => {
    store = openStore(':memory:');
    const reg = new SqliteRequestRegistry(store, { prefix: 'T' });
    await reg.register(req('a'));
    store.db.prepare('DELETE FROM requests').run();
    expect((await reg.register(req('b'))).number).toBe('T-000002');
    expect(() => new SqliteRequestRegistry(store, { prefix: 'r1' })).toThrow(/capital letters/);
  });

  it('lists earlier requests of a customer, optionally of one order', async () => {
    store = openStore(':memory:');
    const reg = new SqliteRequestRegistry(store);
    await reg.register(req('c1', 'festival-card', { type: 'referral', unit: 'festival', orderNumber: '1405001410' }));
    await reg.register(req('c2', 'refund'));
    await reg.register(req('c3', 'refund', { nationalId: '0014636417' }));
    const all = await reg.earlierRequests('0499370899');
    expect(all.map((e) => e.number)).toEqual(['R-000001', 'R-000002']);
    const one = await reg.earlierRequests('0499370899', '1405001410');
    expect(one).toEqual([{ number: 'R-000001', type: 'referral', unit: 'festival', topic: 'festival-card', orderNumber: '1405001410', createdAt: expect.any(String), status: 'pending' }]);
    expect(await reg.earlierRequests('0134512685')).toEqual([]);
    // only the units asked for (what the rules read): the refund is left out, with or without the order
    expect((await reg.earlierRequests('0499370899', undefined, ['festival'])).map((e) => e.number)).toEqual(['R-000001']);
    expect((await reg.earlierRequests('0499370899', '1405001410', ['festival', 'finance'])).map((e) => e.number)).toEqual(['R-000001']);
    expect(await reg.earlierRequests('0499370899', undefined, [])).toEqual([]);
  });

  it('a much-called order gives the rules only the earlier requests they read', async () => {
    store = openStore(':memory:');
    const reg = new SqliteRequestRegistry(store);
    for (let i = 0; i < 50; i++) await reg.register(req(`r${i}`, 'refund', { orderNumber: '1403001234' }));
    await reg.register(req('f', 'festival-card', { type: 'referral', unit: 'festival', orderNumber: '1403001234' }));
    expect(await reg.earlierRequests('0499370899', '1403001234')).toHaveLength(51);
    const read = await reg.earlierRequests('0499370899', '1403001234', EARLIER_REQUEST_UNITS);
    expect(read.map((e) => e.unit)).toEqual(['festival']);
  });
});

describe('RequestOutbox', () => {
  function sinkThatFails(times: number, permanent = false) {
    const got: { number: string; key: string }[] = [];
    let left = times;
    const sink: QuantumRequestSink = {
      async deliver(r, key) {
        if (left-- > 0) throw permanent ? new PermanentDeliveryError('422 unknown unit') : new Error('HTTP 503');
        got.push({ number: r.number, key });
      },
    };
    return { sink, got };
  }

  it('delivers pending requests with an idempotency key and marks them delivered', async () => {
    store = openStore(':memory:');
    const reg = new SqliteRequestRegistry(store);
    await reg.register(req('a'));
    await reg.register(req('b'));
    const { sink, got } = sinkThatFails(0);
    const ob = new RequestOutbox(store, { sink });
    expect(await ob.runOnce()).toEqual({ delivered: 2, retrying: 0, failed: 0 });
    expect(got).toEqual([
      { number: 'R-000001', key: `${store.installationId}:R-000001` },
      { number: 'R-000002', key: `${store.installationId}:R-000002` },
    ]);
    expect(reg.counts()).toEqual({ pending: 0, delivered: 2, failed: 0 });
    expect(await ob.runOnce()).toEqual({ delivered: 0, retrying: 0, failed: 0 });
  });

  it('retries with growing backoff and gives up after maxAttempts; retryFailed puts it back', async () => {
    store = openStore(':memory:');
    let now = 1_000_000;
    const reg = new SqliteRequestRegistry(store);
    await reg.register(req('a'));
    const { sink, got } = sinkThatFails(3);
    const ob = new RequestOutbox(store, { sink, maxAttempts: 3, backoffBaseMs: 1000, now: () => now });
    expect((await ob.runOnce()).retrying).toBe(1);
    const r1 = reg.get('R-000001')!;
    expect(r1.attempts).toBe(1);
    expect(r1.nextAttemptAt - now).toBeGreaterThanOrEqual(1000);
    expect(r1.nextAttemptAt - now).toBeLessThanOrEqual(1200);
    expect(await ob.runOnce()).toEqual({ delivered: 0, retrying: 0, failed: 0 }); // not due yet
    now = r1.nextAttemptAt;
    await ob.runOnce();
    const r2 = reg.get('R-000001')!;
    expect(r2.nextAttemptAt - now).toBeGreaterThanOrEqual(2000); // doubled
    now = r2.nextAttemptAt;
    expect((await ob.runOnce()).failed).toBe(1);
    expect(reg.get('R-000001')).toMatchObject({ status: 'failed', attempts: 3, lastError: 'Error: HTTP 503' });
    expect(reg.retryFailed('R-000001')).toBe(1);
    expect((await ob.runOnce()).delivered).toBe(1);
    expect(got).toHaveLength(1);
  });

  it('marks a permanent refusal failed at once', async () => {
    store = openStore(':memory:');
    const reg = new SqliteRequestRegistry(store);
    await reg.register(req('a'));
    const { sink } = sinkThatFails(1, true);
    const ob = new RequestOutbox(store, { sink });
    expect((await ob.runOnce()).failed).toBe(1);
    expect(reg.get('R-000001')?.status).toBe('failed');
  });

  it('start() delivers in the background and wake() delivers a new request without waiting for the poll', async () => {
    store = openStore(':memory:');
    const { sink, got } = sinkThatFails(0);
    const ob = new RequestOutbox(store, { sink, pollMs: 60_000 });
    const reg = new SqliteRequestRegistry(store, { onRegistered: () => ob.wake() });
    ob.start();
    await new Promise((r) => setTimeout(r, 20));
    await reg.register(req('a'));
    for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await ob.stop();
    expect(got.map((g) => g.number)).toEqual(['R-000001']);
  });
});

describe('FailedLookups', () => {
  it('counts failures per calling number within a sliding window', () => {
    store = openStore(':memory:');
    let now = 0;
    const fl = new FailedLookups(store, { maxFailures: 3, windowMs: 60_000, now: () => now });
    expect(fl.record('09121234567')).toBe(1);
    now = 10_000;
    fl.record('09121234567');
    fl.record('02188001234');
    expect(fl.isLimited('09121234567')).toBe(false);
    now = 20_000;
    expect(fl.record('09121234567')).toBe(3);
    expect(fl.isLimited('09121234567')).toBe(true);
    expect(fl.isLimited('02188001234')).toBe(false);
    now = 60_001; // the first failure left the window
    expect(fl.count('09121234567')).toBe(2);
    expect(fl.isLimited('09121234567')).toBe(false);
    fl.clear('09121234567');
    expect(fl.count('09121234567')).toBe(0);
    now = 200_000;
    expect(fl.prune()).toBe(1);
  });
});

describe('RequestOutbox during an outage', () => {
  it('a transient failure ends the round: the other requests keep their tries', async () => {
    store = openStore(':memory:');
    const reg = new SqliteRequestRegistry(store);
    for (const c of ['a', 'b', 'c']) await reg.register(req(c));
    let down = true;
    const got: string[] = [];
    const ob = new RequestOutbox(store, {
      sink: {
        async deliver(r) {
          if (down) throw new Error('HTTP 503');
          got.push(r.number);
        },
      },
      backoffBaseMs: 0,
    });
    expect(await ob.runOnce()).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    expect(reg.list().map((r) => r.attempts)).toEqual([0, 0, 1]); // newest first
    down = false;
    expect(await ob.drain()).toMatchObject({ delivered: 3, failed: 0 });
    expect(got).toEqual(['R-000001', 'R-000002', 'R-000003']);
  });
});
