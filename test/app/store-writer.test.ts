/**
 * The service with a store file: its writes go through the store's writer thread
 * (src/store/writer.ts). Callers hear numbers that another connection finds committed, and
 * stopping the service right after the calls writes their call records (still queued when stop
 * begins) before the store closes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { startHarness, type Harness } from '../integration/harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'ivr-writer-stack-'));
let h: Harness | undefined;
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the service writes through the store writer thread', () => {
  it('registrations committed before they are announced; stop drains the records into the store', async () => {
    const db = join(dir, 'ivr.sqlite');
    const config = loadConfig({ env: { IVR_DB: db, IVR_WATCHDOG_SECONDS: '600' }, cwd: '/' });
    h = await startHarness({ config, memoryStore: false, timeScale: 0.1 });
    expect(h.stack.store.writer).toBeDefined();
    const reports = await Promise.all(Array.from({ length: 6 }, (_, i) => h!.call('3 4 0499370899# 1403001234# 1', { caller: `0912000000${i}` })));
    const numbers = reports.map((r) => r.requests[0]?.number);
    for (const n of numbers) expect(n).toMatch(/^R-\d{6}$/);
    expect(new Set(numbers).size).toBe(6);
    // another connection (another process would see the same) finds every announced number
    const other = new Database(db, { readonly: true });
    const stored = (other.prepare('SELECT prefix, seq FROM requests').all() as { prefix: string; seq: number }[]).map((r) => `${r.prefix}-${String(r.seq).padStart(6, '0')}`);
    expect(new Set(stored)).toEqual(new Set(numbers));
    // the calls' records wait in the batch (250 ms): stopping now must still write them all
    const waiting = h.stack.records.pending;
    await h.close();
    h = undefined;
    const records = (other.prepare('SELECT count(*) AS n FROM call_records').get() as { n: number }).n;
    other.close();
    expect(records).toBe(6);
    console.log(`stack with writer: 6 refund calls, ${waiting} records still queued at stop, ${records} in the store after it`);
  }, 90_000);
});
