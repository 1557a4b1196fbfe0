/**
 * The request outbox over the cluster's PostgreSQL table (PostgresOutboxQueue) delivering to the
 * fake Quantum through the real HTTP adapter, against a real PostgreSQL started here in a temp dir
 * (test/docker/local-postgres.ts). Skipped, with the reason, when the PostgreSQL server binaries are
 * not installed (Debian: `apt-get install postgresql`).
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NewRequest } from '../../src/domain/ports.ts';
import { QuantumHttpClient } from '../../src/quantum/http.ts';
import { RequestOutbox } from '../../src/store/outbox.ts';
import { PostgresOutboxQueue } from '../../src/store/postgres-outbox.ts';
import { PostgresRequestRegistry } from '../../src/store/postgres-registry.ts';
import { type LocalPostgres, pgSkipReason, startLocalPostgres } from '../docker/local-postgres.ts';
import { type FakeQuantum, startFakeQuantum } from '../quantum/fake-quantum.ts';

let server: LocalPostgres;
let pool: pg.Pool;
let quantum: FakeQuantum;

const req = (callId: string, over: Partial<NewRequest> = {}): NewRequest => ({
  callId,
  topic: 'refund',
  type: 'refund-request',
  unit: 'follow-up',
  nationalId: '0499370899',
  orderNumber: '1403001234',
  ...over,
});

/** the adapter as a service builds it, without its own retries (the outbox's backoff is under test) */
const client = (installationId: string) => new QuantumHttpClient({ baseUrl: quantum.url, installationId, retries: 0, timeoutMs: 2000 });

/** POST /ivr-requests the fake received, per idempotency key (repeats included) */
function postsPerKey(): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of quantum.calls) {
    if (c.method === 'POST' && c.path.endsWith('/ivr-requests') && c.idempotencyKey) m.set(c.idempotencyKey, (m.get(c.idempotencyKey) ?? 0) + 1);
  }
  return m;
}

async function rows(table: string) {
  const r = await pool.query<{ seq: string; status: string; attempts: number; next_attempt_at: string; last_error: string | null; delivered_at: string | null; claimed_by: string | null }>(
    `SELECT seq, status, attempts, next_attempt_at, last_error, delivered_at, claimed_by FROM ${table} ORDER BY seq`,
  );
  return r.rows;
}

describe.skipIf(pgSkipReason !== null)(`RequestOutbox over PostgreSQL (real PostgreSQL, fake Quantum)${pgSkipReason ? ` — skipped: ${pgSkipReason}` : ''}`, () => {
  beforeAll(() => {
    server = startLocalPostgres();
    pool = new pg.Pool({ host: server.dir, user: 'ivr', database: 'postgres', max: 10 });
  }, 30_000);

  afterAll(async () => {
    await pool?.end();
    server?.stop();
  });

  beforeEach(async () => {
    quantum = await startFakeQuantum();
  });
  afterEach(async () => {
    await quantum?.close();
  });

  it('delivers pending requests to Quantum with the database-wide key and marks them delivered', async () => {
    const reg = new PostgresRequestRegistry(pool, { table: 'o_deliver' });
    await reg.register(req('a'));
    await reg.register(req('b', { topic: 'delivery', type: 'ticket', unit: 'sales-head-office' }));
    const at = Date.parse('2026-11-25T08:00:00Z');
    const ob = new RequestOutbox(new PostgresOutboxQueue(reg), { sink: client('svc-a'), now: () => at });
    expect(await ob.runOnce()).toEqual({ delivered: 2, retrying: 0, failed: 0 });
    const id = await reg.installationId();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect([...quantum.delivered.keys()]).toEqual([`${id}:R-000001`, `${id}:R-000002`]);
    expect(quantum.delivered.get(`${id}:R-000002`)).toMatchObject({ number: 'R-000002', type: 'ticket', unit: 'sales-head-office', status: 'pending', installationId: 'svc-a' });
    expect(await rows('o_deliver')).toEqual([
      { seq: '1', status: 'delivered', attempts: 1, next_attempt_at: '0', last_error: null, delivered_at: '2026-11-25T08:00:00.000Z', claimed_by: null },
      { seq: '2', status: 'delivered', attempts: 1, next_attempt_at: '0', last_error: null, delivered_at: '2026-11-25T08:00:00.000Z', claimed_by: null },
    ]);
    expect(await ob.runOnce()).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect(await reg.earlierRequests('0499370899')).toMatchObject([{ status: 'delivered' }, { status: 'delivered' }]);
  });

  it('retries with growing backoff while Quantum answers 503, ending the round; the rest is not used up', async () => {
    const reg = new PostgresRequestRegistry(pool, { table: 'o_retry' });
    for (const c of ['a', 'b', 'c']) await reg.register(req(c));
    let now = 1_000_000;
    const ob = new RequestOutbox(new PostgresOutboxQueue(reg), { sink: client('svc-a'), backoffBaseMs: 1000, now: () => now });
    quantum.behave({ failWith: 503 });
    expect(await ob.runOnce()).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    const first = await rows('o_retry');
    let [r1, r2] = first;
    expect(r1).toMatchObject({ status: 'pending', attempts: 1, last_error: 'UnavailableError: Quantum unavailable: POST /ivr-requests failed 1 time(s), last: HTTP 503', claimed_by: null });
    const wait1 = Number(r1!.next_attempt_at) - now;
    expect(wait1).toBeGreaterThanOrEqual(1000);
    expect(wait1).toBeLessThanOrEqual(1200);
    // the round ended at the first failure: the others were released unharmed
    expect(first.slice(1)).toMatchObject([{ attempts: 0, claimed_by: null }, { attempts: 0, claimed_by: null }]);
    expect(await ob.runOnce()).toEqual({ delivered: 0, retrying: 1, failed: 0 }); // R-000002 now, R-000001 waits
    [r1, r2] = await rows('o_retry');
    expect(r2).toMatchObject({ attempts: 1 });
    now = Number(r1!.next_attempt_at);
    await ob.runOnce(); // R-000001 again: second failure, doubled wait
    [r1] = await rows('o_retry');
    expect(r1!.attempts).toBe(2);
    expect(Number(r1!.next_attempt_at) - now).toBeGreaterThanOrEqual(2000);
    quantum.behave({});
    now += 60_000;
    expect(await ob.drain()).toMatchObject({ delivered: 3, failed: 0 });
    expect((await rows('o_retry')).map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
    // posts per request: R-000001 failed twice then went through, R-000002 once, R-000003 never failed
    expect([...postsPerKey().values()]).toEqual([3, 2, 1]);
  });

  it('marks a request failed after maxAttempts, and at once when Quantum refuses it for good', async () => {
    const reg = new PostgresRequestRegistry(pool, { table: 'o_failed' });
    await reg.register(req('a'));
    let now = 5_000_000;
    const ob = new RequestOutbox(new PostgresOutboxQueue(reg), { sink: client('svc-a'), maxAttempts: 3, backoffBaseMs: 1000, now: () => now });
    quantum.behave({ failWith: 503 });
    for (let i = 0; i < 2; i++) {
      expect(await ob.runOnce()).toEqual({ delivered: 0, retrying: 1, failed: 0 });
      now += 10_000;
    }
    expect(await ob.runOnce()).toEqual({ delivered: 0, retrying: 0, failed: 1 });
    expect((await rows('o_failed'))[0]).toMatchObject({ status: 'failed', attempts: 3, claimed_by: null });
    now += 10_000;
    expect(await ob.runOnce()).toEqual({ delivered: 0, retrying: 0, failed: 0 }); // failed is not tried again

    await reg.register(req('b'));
    quantum.behave({ failWith: 422 });
    expect(await ob.runOnce()).toEqual({ delivered: 0, retrying: 0, failed: 1 });
    expect((await rows('o_failed'))[1]).toMatchObject({ status: 'failed', attempts: 1, last_error: expect.stringMatching(/^PermanentDeliveryError: Quantum refused request R-000002: HTTP 422/) });
  });

  it('two services on one table deliver every request exactly once', async () => {
    const poolB = new pg.Pool({ host: server.dir, user: 'ivr', database: 'postgres', max: 10 });
    try {
      const regA = new PostgresRequestRegistry(pool, { table: 'o_two' });
      const regB = new PostgresRequestRegistry(poolB, { table: 'o_two' });
      const n = 60;
      for (let i = 0; i < n; i++) await (i % 2 ? regA : regB).register(req(`call-${i}`));
      quantum.behave({ delayMs: 2 }); // deliveries overlap in time
      const a = new RequestOutbox(new PostgresOutboxQueue(regA), { sink: client('svc-a'), batchSize: 5 });
      const b = new RequestOutbox(new PostgresOutboxQueue(regB), { sink: client('svc-b'), batchSize: 5 });
      const [ra, rb] = await Promise.all([a.drain(), b.drain()]);
      expect(ra.delivered + rb.delivered).toBe(n);
      expect(ra.delivered).toBeGreaterThan(0);
      expect(rb.delivered).toBeGreaterThan(0);
      const posts = postsPerKey();
      expect(posts.size).toBe(n);
      expect([...posts.values()].every((c) => c === 1)).toBe(true);
      expect(quantum.deliveryPosts()).toBe(n);
      const byService = [...quantum.delivered.values()].map((r) => r.installationId);
      expect(byService.filter((s) => s === 'svc-a')).toHaveLength(ra.delivered);
      expect((await rows('o_two')).every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
    } finally {
      await poolB.end();
    }
  });

  it('a claim holds for its lease: a crashed service’s requests go to the other after it, and a late result is ignored', async () => {
    const reg = new PostgresRequestRegistry(pool, { table: 'o_lease' });
    for (const c of ['a', 'b', 'c']) await reg.register(req(c));
    const now = 9_000_000;
    const crashed = new PostgresOutboxQueue(reg, { leaseMs: 60_000, owner: 'crashed' });
    const other = new PostgresOutboxQueue(reg, { leaseMs: 60_000, owner: 'other' });
    const taken = await crashed.due(2, now);
    expect(taken.map((t) => t.request.number)).toEqual(['R-000001', 'R-000002']);
    expect((await other.due(10, now + 1000)).map((t) => t.request.number)).toEqual(['R-000003']);
    expect(await other.due(10, now + 59_999)).toEqual([]);
    const retaken = await other.due(10, now + 60_000);
    expect(retaken.map((t) => t.request.number)).toEqual(['R-000001', 'R-000002']);
    expect(retaken[0]!.idempotencyKey).toBe(taken[0]!.idempotencyKey);
    // the crashed service comes back with an old answer: its claim is gone, the row is not touched
    await crashed.retry(taken[0]!, 1, now + 1000, 'late');
    await crashed.failed(taken[1]!, 12, 'late');
    expect((await rows('o_lease')).slice(0, 2)).toMatchObject([
      { status: 'pending', attempts: 0, last_error: null, claimed_by: 'other' },
      { status: 'pending', attempts: 0, last_error: null, claimed_by: 'other' },
    ]);
    await other.release(retaken);
    expect((await rows('o_lease')).map((r) => r.claimed_by)).toEqual([null, null, 'other']);
  });

  it('upgrades a table made before the outbox columns, and delivers what it holds', async () => {
    await pool.query(`
      CREATE TABLE o_old (
        seq BIGSERIAL PRIMARY KEY, prefix TEXT NOT NULL, call_id TEXT NOT NULL, topic TEXT NOT NULL, type TEXT NOT NULL,
        unit TEXT NOT NULL, national_id TEXT, order_number TEXT, caller_number TEXT, rule TEXT, outcome TEXT, details JSONB,
        created_at TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', UNIQUE (call_id, topic));
      INSERT INTO o_old (prefix, call_id, topic, type, unit, created_at) VALUES ('R', 'old-call', 'refund', 'refund-request', 'follow-up', '2026-11-01T00:00:00.000Z');
    `);
    const reg = new PostgresRequestRegistry(pool, { table: 'o_old' });
    await Promise.all([reg.migrate(), new PostgresRequestRegistry(pool, { table: 'o_old' }).migrate()]);
    const ob = new RequestOutbox(new PostgresOutboxQueue(reg), { sink: client('svc-a') });
    expect(await ob.runOnce()).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    expect((await rows('o_old'))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    expect([...quantum.delivered.values()]).toMatchObject([{ number: 'R-000001', callId: 'old-call' }]);
  });
});

describe('PostgresOutboxQueue without a server', () => {
  it('refuses a lease under a second, naming the value', () => {
    const reg = new PostgresRequestRegistry({ query: () => Promise.reject(new Error('unused')) });
    expect(() => new PostgresOutboxQueue(reg, { leaseMs: 10 })).toThrow('outbox lease must be a whole number of ms, at least 1000 (got 10)');
  });
});
