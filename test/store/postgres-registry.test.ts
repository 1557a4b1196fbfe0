/**
 * PostgresRequestRegistry against a real PostgreSQL started here in a temp dir (unix socket only,
 * no TCP port; test/docker/local-postgres.ts). Skipped, with the reason, when the PostgreSQL server
 * binaries are not installed (Debian: `apt-get install postgresql`).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewRequest } from '../../src/domain/ports.ts';
import { PostgresRequestRegistry, redactDbUrl } from '../../src/store/postgres-registry.ts';
import { type LocalPostgres, pgSkipReason, startLocalPostgres } from '../docker/local-postgres.ts';

let server: LocalPostgres;
let dir = '';
let pool: pg.Pool;

const req = (over: Partial<NewRequest> = {}): NewRequest => ({
  callId: 'call-1',
  topic: 'refund',
  type: 'refund-request',
  unit: 'follow-up',
  nationalId: '0499370899',
  orderNumber: '1403001234',
  callerNumber: '09121234567',
  rule: 'A6',
  outcome: 'refund-registered',
  details: { amount: 450000, wallet: 'credit' },
  ...over,
});

describe.skipIf(pgSkipReason !== null)(`PostgresRequestRegistry (real PostgreSQL)${pgSkipReason ? ` — skipped: ${pgSkipReason}` : ''}`, () => {
  beforeAll(() => {
    server = startLocalPostgres();
    dir = server.dir;
    pool = new pg.Pool({ host: dir, user: 'ivr', database: 'postgres', max: 10 });
  }, 30_000);

  afterAll(async () => {
    await pool?.end();
    server?.stop();
  });

  it('registers with a number, the clock and every field, durably readable by another connection', async () => {
    const at = new Date('2026-11-25T08:00:00.000Z');
    const reg = new PostgresRequestRegistry(pool, { table: 't_fields', now: () => at });
    const r = await reg.register(req());
    expect(r).toEqual({ ...req(), number: 'R-000001', createdAt: at.toISOString(), status: 'pending' });
    const other = new pg.Client({ host: dir, user: 'ivr', database: 'postgres' });
    await other.connect();
    try {
      const rows = (await other.query('SELECT call_id, status, details FROM t_fields')).rows;
      expect(rows).toEqual([{ call_id: 'call-1', status: 'pending', details: { amount: 450000, wallet: 'credit' } }]);
    } finally {
      await other.end();
    }
  });

  it('is idempotent per (callId, topic, order) and reports only new registrations', async () => {
    const seen: string[] = [];
    const reg = new PostgresRequestRegistry(pool, { table: 't_idem', prefix: 'T', onRegistered: (x) => seen.push(x.number) });
    const a = await reg.register(req());
    const again = await reg.register(req({ type: 'ticket', details: { changed: true } }));
    const other = await reg.register(req({ topic: 'delivery', type: 'ticket', unit: 'sales-head-office' }));
    const otherOrder = await reg.register(req({ orderNumber: '1404001234' }));
    expect(again).toEqual({ ...a, alreadyRegistered: true });
    expect(a.number).toBe('T-000001');
    expect(other.number).not.toBe(a.number);
    expect(otherOrder.number).not.toBe(a.number);
    expect(seen).toEqual([a.number, other.number, otherOrder.number]);
  });

  it('counts what waits in the outbox (pending, failed) for /metrics', async () => {
    const reg = new PostgresRequestRegistry(pool, { table: 't_depth' });
    expect(await reg.outboxDepth()).toEqual({ pending: 0, failed: 0 });
    await reg.register(req({ callId: 'd-1' }));
    await reg.register(req({ callId: 'd-2' }));
    await reg.register(req({ callId: 'd-3' }));
    await pool.query(`UPDATE t_depth SET status = 'failed' WHERE call_id = 'd-2'`);
    await pool.query(`UPDATE t_depth SET status = 'delivered' WHERE call_id = 'd-3'`);
    expect(await reg.outboxDepth()).toEqual({ pending: 1, failed: 1 });
  });

  it('gives two services registering the same call at once the same number, and distinct calls distinct numbers', async () => {
    const poolB = new pg.Pool({ host: dir, user: 'ivr', database: 'postgres', max: 10 });
    try {
      const a = new PostgresRequestRegistry(pool, { table: 't_race' });
      const b = new PostgresRequestRegistry(poolB, { table: 't_race' });
      const same = await Promise.all([a.register(req({ callId: 'dup' })), b.register(req({ callId: 'dup' })), a.register(req({ callId: 'dup' }))]);
      expect(new Set(same.map((x) => x.number)).size).toBe(1);
      const many = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).register(req({ callId: `c${i}` }))));
      expect(new Set(many.map((x) => x.number)).size).toBe(30);
    } finally {
      await poolB.end();
    }
  });

  it('lists earlier requests of a national ID, optionally of one order, oldest first', async () => {
    const reg = new PostgresRequestRegistry(pool, { table: 't_earlier' });
    const r1 = await reg.register(req({ callId: 'x1', orderNumber: '1403000001' }));
    const r2 = await reg.register(req({ callId: 'x2', topic: 'festival-card', type: 'referral', unit: 'festival', orderNumber: '1403000002' }));
    await reg.register(req({ callId: 'x3', nationalId: '0012345679' }));
    const all = await reg.earlierRequests('0499370899');
    expect(all.map((e) => e.number)).toEqual([r1.number, r2.number]);
    expect(all[1]).toEqual({ number: r2.number, type: 'referral', unit: 'festival', topic: 'festival-card', orderNumber: '1403000002', createdAt: r2.createdAt, status: 'pending' });
    expect((await reg.earlierRequests('0499370899', '1403000002')).map((e) => e.number)).toEqual([r2.number]);
    expect(await reg.earlierRequests('1111111111')).toEqual([]);
    expect((await reg.earlierRequests('0499370899', undefined, ['festival'])).map((e) => e.number)).toEqual([r2.number]);
    expect((await reg.earlierRequests('0499370899', '1403000001', ['festival'])).map((e) => e.number)).toEqual([]);
  });

  it('creates its table safely when several services start together', async () => {
    const regs = Array.from({ length: 4 }, () => new PostgresRequestRegistry(pool, { table: 't_migrate' }));
    await Promise.all(regs.map((r) => r.migrate()));
    const r = await regs[3]!.register(req());
    expect(r.number).toBe('R-000001');
  });

  it('connects from a URL, and names the database (password hidden) when it cannot', async () => {
    const url = `postgres://ivr:secret@localhost/postgres?host=${encodeURIComponent(dir)}`;
    const reg = await PostgresRequestRegistry.connect(url, { table: 't_url' });
    try {
      expect((await reg.register(req())).number).toBe('R-000001');
    } finally {
      await reg.close();
    }
    await expect(PostgresRequestRegistry.connect(`postgres://ivr:secret@localhost/nosuchdb?host=${encodeURIComponent(dir)}`)).rejects.toThrow(
      /^cannot use the request database postgres:\/\/ivr:\*\*\*@localhost\/nosuchdb.*: database "nosuchdb" does not exist$/,
    );
  });
});

describe('PostgresRequestRegistry without a server', () => {
  it('refuses a URL that is not postgres://, naming the variable and the expected form', async () => {
    await expect(PostgresRequestRegistry.connect('mysql://u:pw@h/db')).rejects.toThrow(
      'IVR_DB_URL must be a postgres:// URL such as postgres://ivr:<password>@postgres:5432/ivr (got "mysql://u:pw@h/db")',
    );
  });
  it('hides the password of a URL', () => {
    expect(redactDbUrl('postgres://ivr:s3cr3t@postgres:5432/ivr')).toBe('postgres://ivr:***@postgres:5432/ivr');
    expect(redactDbUrl('postgresql://ivr@postgres/ivr')).toBe('postgresql://ivr@postgres/ivr');
  });
  it('validates prefix and table name', () => {
    const q = { query: () => Promise.reject(new Error('unused')) };
    expect(() => new PostgresRequestRegistry(q, { prefix: 'r1' })).toThrow(/prefix must be 1–3 capital letters \(got "r1"\)/);
    expect(() => new PostgresRequestRegistry(q, { table: 'x; drop' })).toThrow(/table name must be a lowercase SQL identifier/);
  });
});
