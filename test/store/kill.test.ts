/**
 * Durability under `kill -9`: a child process registers 1,000 requests as fast as it can, printing
 * each number only after register() resolved (the "confirmation played"), while its outbox delivers
 * to a fake Quantum. It is killed mid-way. After the restart every confirmed request exists exactly
 * once with the number that was read back, a repeated registration gets the same number, and the
 * outbox delivers everything still pending, each request once per idempotency key.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { QuantumHttpClient } from '../../src/quantum/http.ts';
import { openStore } from '../../src/store/db.ts';
import { RequestOutbox } from '../../src/store/outbox.ts';
import { SqliteRequestRegistry } from '../../src/store/requests.ts';
import { startFakeQuantum } from '../quantum/fake-quantum.ts';

const child = fileURLToPath(new URL('./fixtures/register-burst.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ivr-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('registration burst killed with SIGKILL', () => {
  it('keeps every confirmed request exactly once and delivers the rest after restart', async () => {
    const quantum = await startFakeQuantum();
    const db = join(dir, 'burst.sqlite');
    const confirmed = new Map<string, string>(); // callId → number
    let done = false;
    const proc = spawn(process.execPath, ['--import', 'tsx', child, db, '1000', quantum.url], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
    let buf = '';
    proc.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === 'DONE') done = true;
        const [callId, number] = line.split(' ');
        if (callId && number) confirmed.set(callId, number);
        if (confirmed.size === 300 && !proc.killed) proc.kill('SIGKILL');
      }
    });
    const { signal } = await exited;
    expect(stderr).toBe('');
    expect(signal).toBe('SIGKILL');
    expect(done).toBe(false);
    expect(confirmed.size).toBeGreaterThanOrEqual(300);
    expect(confirmed.size).toBeLessThan(1000);

    // restart
    const store = openStore(db);
    try {
      const reg = new SqliteRequestRegistry(store);
      const rows = store.db.prepare(`SELECT call_id AS callId, count(*) AS n FROM requests GROUP BY call_id`).all() as { callId: string; n: number }[];
      const perCall = new Map(rows.map((r) => [r.callId, r.n]));
      for (const [callId, number] of confirmed) {
        expect(perCall.get(callId), callId).toBe(1);
        expect(reg.get(number)?.callId).toBe(callId);
      }
      // a caller's retry after the crash gets the number already read back, and nothing new
      const before = reg.list().length;
      const [someCall, someNumber] = [...confirmed][123]!;
      const again = await reg.register({ callId: someCall, topic: 'refund', type: 'refund-request', unit: 'follow-up', orderNumber: '1403001234' });
      expect(again.number).toBe(someNumber);
      expect(again.alreadyRegistered).toBe(true);
      expect(reg.list().length).toBe(before);

      // the outbox delivers what is still pending
      const sink = new QuantumHttpClient({ baseUrl: quantum.url, retries: 0, installationId: store.installationId });
      const outbox = new RequestOutbox(store, { sink, batchSize: 200 });
      await outbox.drain(20_000);
      expect(reg.counts()).toEqual({ pending: 0, delivered: before, failed: 0 });
      const deliveredNumbers = new Set([...quantum.delivered.values()].map((r) => r.number as string));
      expect(deliveredNumbers.size).toBe(before);
      expect(quantum.delivered.size).toBe(before); // one per idempotency key
      for (const number of confirmed.values()) expect(deliveredNumbers.has(number)).toBe(true);
    } finally {
      store.close();
      await quantum.close();
    }
  }, 30_000);
});
