/**
 * The cluster's wiring (src/app/stack.ts): with IVR_DB_URL and QUANTUM_URL set, a service running in
 * the background registers requests in the shared PostgreSQL and its outbox delivers them from
 * there to Quantum, woken by each registration; two services on one database deliver each request
 * once. Real PostgreSQL in a temp dir (test/docker/local-postgres.ts), fake Quantum; skipped, with
 * the reason, when the PostgreSQL server binaries are not installed.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/app/stack.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { NewRequest } from '../../src/domain/ports.ts';
import { type LocalPostgres, pgSkipReason, startLocalPostgres } from '../docker/local-postgres.ts';
import { memoryLogger } from '../integration/harness.ts';
import { type FakeQuantum, startFakeQuantum } from '../quantum/fake-quantum.ts';

let server: LocalPostgres;
let quantum: FakeQuantum;

const req = (callId: string): NewRequest => ({ callId, topic: 'refund', type: 'refund-request', unit: 'follow-up', nationalId: '0499370899', orderNumber: '1403001234' });

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function service(logs = memoryLogger('warn')): Promise<Stack> {
  const env = {
    IVR_DB_URL: `postgres://ivr@localhost/postgres?host=${encodeURIComponent(server.dir)}`,
    QUANTUM_URL: quantum.url,
    QUANTUM_RETRIES: '0',
    IVR_OUTBOX_POLL_MS: '60000', // only a wake (or the first round) delivers within the test
  };
  const config = loadConfig({ env, cwd: '/' });
  return startStack({ config, logger: logs.logger, memoryStore: true, switchPort: 0, httpPort: false, background: true });
}

describe.skipIf(pgSkipReason !== null)(`cluster stack: outbox over the shared PostgreSQL${pgSkipReason ? ` — skipped: ${pgSkipReason}` : ''}`, () => {
  beforeAll(async () => {
    server = startLocalPostgres();
    quantum = await startFakeQuantum();
  }, 30_000);

  afterAll(async () => {
    await quantum?.close();
    server?.stop();
  });

  it('two services register in PostgreSQL and deliver every request to Quantum exactly once, woken by the registration', async () => {
    const a = await service();
    const b = await service();
    try {
      // both outboxes have done their first round (at start, nothing due) before anything is
      // registered: with a 60 s poll only the registry's wake can deliver within the test
      await new Promise((r) => setTimeout(r, 300));
      const n = 20;
      const got = await Promise.all(Array.from({ length: n }, (_, i) => (i % 2 ? a : b).services.registry.register(req(`call-${i}`))));
      expect(new Set(got.map((r) => r.number)).size).toBe(n);
      await until(`${n} deliveries`, () => quantum.delivered.size === n);
      await new Promise((r) => setTimeout(r, 100)); // a double delivery would arrive meanwhile
      const posts = quantum.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/ivr-requests'));
      expect(posts).toHaveLength(n);
      expect(new Set([...quantum.delivered.values()].map((r) => r.number))).toEqual(new Set(got.map((r) => r.number)));
      // the same key whichever service delivered: the database's installation id, not either store's
      const prefixes = new Set(posts.map((p) => p.idempotencyKey?.split(':')[0]));
      expect(prefixes.size).toBe(1);
      expect([...prefixes][0]).not.toBe(a.store.installationId);
      expect([...prefixes][0]).not.toBe(b.store.installationId);
      // nothing went to the local SQLite stores
      expect(a.registry.counts()).toEqual({ pending: 0, delivered: 0, failed: 0 });
      // the outbox's depth on /metrics is the shared table's: all delivered, none waiting
      for (const s of [a, b]) {
        const text = await s.service.metrics.render();
        expect(text).toMatch(/^ivr_outbox_requests\{status="pending"\} 0$/m);
        expect(text).toMatch(/^ivr_outbox_requests\{status="failed"\} 0$/m);
        expect(text).toMatch(new RegExp(`^ivr_registrations_total\\{result="registered"\\} \\d+$`, 'm'));
      }
      const db = new pg.Client({ host: server.dir, user: 'ivr', database: 'postgres' });
      await db.connect();
      try {
        const rows = (await db.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM ivr_requests GROUP BY status`)).rows;
        expect(rows).toEqual([{ status: 'delivered', n: String(n) }]);
      } finally {
        await db.end();
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 20_000);
});
