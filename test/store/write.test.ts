/**
 * IvrStore.write, the service's one write path (src/store/db.ts): on the writer thread when the
 * store has one, else on the store's own connection with a lock retried on timers. The same
 * statements give the same results and the same errors on both paths: rows and changes, a bad
 * statement (its whole write undone), another process's lock (StoreUnavailableError after
 * writeWaitMs, counted busy, the event loop running meanwhile).
 */
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/store/busy.ts';
import { openStore, type IvrStore } from '../../src/store/db.ts';
import type { WriteStmt } from '../../src/store/writer.ts';
import { holdWriteLock } from '../fault/helpers.ts';
import { tempStores } from './temp-stores.ts';

const openStoreHere = tempStores('s');
/** a store with the writer thread and one without, both as the service opens its store (busy timeout 0) */
function pair(writeWaitMs = 2000): { name: string; store: IvrStore }[] {
  return [true, false].map((writer) => {
    const store = openStoreHere({ writeWaitMs, writer });
    return { name: writer ? 'writer thread' : 'own connection', store };
  });
}
const metaKeys = (s: IvrStore) => (s.db.prepare(`SELECT key FROM meta WHERE key LIKE 't-%' ORDER BY key`).all() as { key: string }[]).map((r) => r.key);

const INSERT = `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING`;

describe('IvrStore.write: the writer thread and the store\'s own connection answer alike', () => {
  it('the same statements give the same results: changes, row ids, rows read in the same transaction, null for no row', async () => {
    const stmts: WriteStmt[] = [
      { sql: INSERT, params: ['t-a', '1'] },
      { sql: INSERT, params: ['t-a', '2'] }, // idempotent: nothing doubled, 0 changes
      { sql: `SELECT key, value FROM meta WHERE key = ?`, params: ['t-a'], get: true },
      { sql: `SELECT key FROM meta WHERE key = ?`, params: ['t-none'], get: true },
      { sql: `INSERT INTO lookup_failures (caller_number, at_ms) VALUES (?, ?)`, params: ['09121234567', 5] },
    ];
    const results = [];
    for (const { store } of pair()) {
      results.push(await store.write(stmts, 'write the test rows'));
      // committed: the main connection reads it once write() has resolved
      expect(metaKeys(store)).toEqual(['t-a']);
    }
    expect(results[0]).toEqual([
      { changes: 1, lastInsertRowid: expect.any(Number) },
      { changes: 0, lastInsertRowid: expect.any(Number) },
      { key: 't-a', value: '1' },
      null,
      { changes: 1, lastInsertRowid: 1 },
    ]);
    expect(results[1]).toEqual(results[0]);
  });

  it('a bad statement: the same error (message and code) on both paths, and nothing of its write is kept', async () => {
    const errors: { message: string; code: unknown }[] = [];
    for (const { store } of pair()) {
      const e = (await store.write([{ sql: INSERT, params: ['t-b', '1'] }, { sql: `INSERT INTO meta (key, value) VALUES (?, NULL)`, params: ['t-c'] }], 'write the test rows').catch((x: unknown) => x)) as Error & { code?: unknown };
      expect(e).toBeInstanceOf(Error);
      expect(e).not.toBeInstanceOf(StoreUnavailableError);
      errors.push({ message: e.message, code: e.code });
      expect(metaKeys(store)).toEqual([]);
      // the store goes on taking writes
      await store.write([{ sql: INSERT, params: ['t-d', '1'] }], 'write the test rows');
      expect(metaKeys(store)).toEqual(['t-d']);
    }
    expect(errors[0]).toEqual({ message: 'NOT NULL constraint failed: meta.value', code: 'SQLITE_CONSTRAINT_NOTNULL' });
    expect(errors[1]).toEqual(errors[0]);
  });

  it('another process\'s lock: waited for on timers up to writeWaitMs, then StoreUnavailableError with the same message, counted busy; a lock gone in time lets the write commit', async () => {
    for (const { name, store } of pair(300)) {
      const lock = await holdWriteLock(store.path);
      try {
        let ticks = 0;
        const timer = setInterval(() => ticks++, 10);
        const t0 = performance.now();
        const e = await store.write([{ sql: INSERT, params: ['t-e', '1'] }], 'write the test rows').catch((x: unknown) => x);
        const waited = performance.now() - t0;
        clearInterval(timer);
        expect(e, name).toBeInstanceOf(StoreUnavailableError);
        expect((e as Error).message, name).toBe('the store is locked by another writer: could not write the test rows within 300 ms');
        expect(waited, name).toBeGreaterThanOrEqual(200);
        expect(waited, name).toBeLessThan(2000);
        // the event loop ran while the write waited
        expect(ticks, name).toBeGreaterThan(5);
        expect(store.writeStats.busy, name).toBe(1);
        expect(store.writeStats.lastError, name).toBe((e as Error).message);
        const late = store.write([{ sql: INSERT, params: ['t-f', '1'] }], 'write the test rows');
        await new Promise((r) => setTimeout(r, 50));
        await lock.release();
        expect(await late, name).toEqual([{ changes: 1, lastInsertRowid: expect.any(Number) }]);
      } finally {
        await lock.release();
      }
      expect(metaKeys(store), name).toEqual(['t-f']);
      expect(store.writeStats.lastOkAt, name).toBeGreaterThan(store.writeStats.lastFailureAt);
    }
  });

  it('without a writer thread the first try commits before write() returns (CallRecordStore.list() reads right after flush())', () => {
    const store = openStore(':memory:');
    try {
      void store.write([{ sql: INSERT, params: ['t-g', '1'] }], 'write the test rows');
      expect(metaKeys(store)).toEqual(['t-g']);
    } finally {
      store.close();
    }
  });
});
