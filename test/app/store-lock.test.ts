/**
 * Another process holds the store's write lock (a backup, `requests retry`, `data import`) while 30
 * callers key their way to a registration. Before: better-sqlite3 waited in SQLite's 5 s busy
 * timeout on the event loop, so every other caller's keys and timers and /health stalled with it.
 * Now: no caller's entry times out because of the lock, /health answers at once and says the store
 * is locked, each registration that meets the lock is a failed step for that caller only (told the
 * system is unavailable, sent to the skill, IVR_OUTCOME=registration-failed), nothing is claimed
 * that is not stored, and once the lock is gone registrations work again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AriClient } from '../../src/ari/client.ts';
import { startStack, type Stack } from '../../src/app/stack.ts';
import { loadConfig } from '../../src/config/load.ts';
import { callByNode, callerNumber, holdWriteLock, timedGet, whereWent } from '../fault/helpers.ts';
import { DEMO_NOW, memoryLogger } from '../integration/harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'ivr-lock-'));
let stack: Stack | undefined;
let client: AriClient | undefined;
afterAll(async () => {
  await client?.close();
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('store locked by another process during a burst of registrations', () => {
  it('freezes nothing: no digit timeouts, /health fast, each locked registration a failed step for its caller only', async () => {
    const db = join(dir, 'ivr.sqlite');
    const config = loadConfig({ env: { IVR_DB: db, IVR_DB_WRITE_WAIT_MS: '1000' }, cwd: '/' });
    const { logger } = memoryLogger('warn');
    stack = await startStack({ config, logger, now: DEMO_NOW, timeScale: 0.2, switchPort: 0, httpPort: 0 });
    await stack.service.ready;
    const health = `http://127.0.0.1:${stack.service.health!.port}/health`;
    const app = `lock-callers-${process.pid}`;
    client = await AriClient.connect({ url: stack.ariUrl, username: config.service.ari.username, password: config.service.ari.password, app, logger });

    const lock = await holdWriteLock(db);
    const healthTimes: number[] = [];
    let polling = true;
    let sawLocked = false;
    const poller = (async () => {
      while (polling) {
        const h = await timedGet(health);
        healthTimes.push(h.ms);
        const b = h.body as { status: string; dependencies: { store: { state: string } } };
        if (b.dependencies?.store?.state === 'locked') {
          sawLocked = true;
          expect(h.status).toBe(200);
          expect(b.status).toBe('degraded');
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const locked = await Promise.all(Array.from({ length: 30 }, (_, i) => callByNode({ client: client!, app }, callerNumber(1, i))));
    await lock.release();
    const after = await Promise.all(Array.from({ length: 5 }, (_, i) => callByNode({ client: client!, app }, callerNumber(2, i))));
    polling = false;
    await poller;

    // every caller of the locked phase got to the registration (no entry repeated: no digit timed out) and was told the truth
    for (const c of locked) {
      const r = c.report;
      expect(r.nodes.filter((n) => n === 'national-id'), c.callerId).toHaveLength(1);
      expect(r.nodes.filter((n) => n === 'order-number'), c.callerId).toHaveLength(1);
      expect(whereWent(r), c.callerId).toBe('agent:follow-up');
      expect(r.prompts).toContain('system-unavailable');
      expect(r.prompts).not.toContain('request-registered');
      expect(r.variables.IVR_OUTCOME).toBe('registration-failed');
    }
    for (const c of after) {
      expect(whereWent(c.report)).toBe('completed');
      expect(c.report.requests).toHaveLength(1);
    }
    const rows = stack.registry.list();
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => r.number))).toEqual(new Set(after.map((c) => c.report.requests[0]!.number)));
    expect(sawLocked).toBe(true);
    const slowest = Math.max(...healthTimes);
    // before: 4.3 s while the lock was held; now the loop never waits on the database
    expect(slowest).toBeLessThan(1000);
    const metrics = await (await fetch(health.replace('/health', '/metrics'))).text();
    expect(metrics).toMatch(/ivr_registrations_total\{result="failed"\} 30\b/);
    // the 30 registrations, and the call records' batches that met the lock too
    expect(Number(/ivr_store_errors_total\{kind="busy"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(30);
    console.log(`store lock: 30 callers, slowest /health ${slowest} ms over ${healthTimes.length} polls`);
  }, 90_000);
});
