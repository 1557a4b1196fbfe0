/**
 * Issue 12 items 5, 6 and 8 from the bad input up: `decide` reads the service's configuration and
 * store and refuses answers the case does not ask; `config show` prints the effective, merged
 * configuration; `requests retry` says why it cannot.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run as config } from '../../src/cli/commands/config.ts';
import { run as decide } from '../../src/cli/commands/decide.ts';
import { run as requests } from '../../src/cli/commands/requests.ts';
import { openStore } from '../../src/store/db.ts';
import { SqliteRequestRegistry } from '../../src/store/requests.ts';

const dir = mkdtempSync(join(tmpdir(), 'ivr-admin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let out = '';
let err = '';
const saved = { ...process.env };
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  process.env.IVR_DB = join(dir, 'store.sqlite');
  delete process.env.QUANTUM_URL;
});
afterEach(() => {
  vi.restoreAllMocks();
  process.env = { ...saved };
});

const NOW = '2026-11-25T10:00:00+03:30';

describe('decide reads what the service reads', () => {
  it('the thresholds of IVR_CONFIG: a credit balance of 500,000 is refunded under a 700,000 limit', async () => {
    const cfg = join(dir, 'c.yaml');
    writeFileSync(cfg, 'policy:\n  creditRefundLimitToman: 700000\n');
    const args = ['--topic', 'refund', '--national-id', '1365749487', '--order', '1404004411', '--now', NOW, '--json'];
    expect(await decide(args)).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ rule: 'A6', outcome: 'refund-goods-only' });
    out = '';
    process.env.IVR_CONFIG = cfg;
    expect(await decide(args)).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ rule: 'A6', outcome: 'refund-registered' });
    expect(JSON.parse(out).reason).toContain('700000');
  });

  it('the store, not a file: a customer only in the store is found', async () => {
    // the store was seeded from the demo data when it was new; a request registered there is an earlier request
    expect(await decide(['--topic', 'delivery', '--national-id', '2277567566', '--order', '1405001702', '--now', NOW, '--json'])).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ rule: 'A3', outcome: 'overdue' });
  });

  it('refuses an answer the case does not ask and a value that is not an option', async () => {
    const base = ['--topic', 'refund', '--national-id', '0499370899', '--order', '1403001234', '--now', NOW];
    await expect(decide([...base, '--answer', 'refund-wallet=1'])).rejects.toThrow(/not an answer to refund-wallet; one of credit, cash \(key 1 is credit/);
    await expect(decide([...base, '--answer', 'bogus=yes'])).rejects.toThrow(/does not ask 'bogus'/);
    expect(await decide([...base, '--answer', 'refund-wallet=credit', '--json'])).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ rule: 'A6', outcome: 'refund-registered' });
  });
});

describe('config show', () => {
  it('prints the effective configuration with the whole menu tree, the file merged over the defaults, secrets hidden', async () => {
    const cfg = join(dir, 'menus.yaml');
    writeFileSync(cfg, 'flow:\n  menus:\n    main-menu:\n      keys:\n        "4": { agent: sales }\n');
    process.env.ARI_PASSWORD = 's3cret-pw';
    expect(await config(['show', '--config', cfg])).toBe(0);
    const c = parse(out);
    expect(c.flow.menus['main-menu'].keys['4']).toEqual({ agent: 'sales' });
    expect(c.flow.menus['main-menu'].keys['3']).toEqual({ menu: 'menu-after' });
    expect(Object.keys(c.flow.menus['menu-after'].keys)).toHaveLength(8);
    expect(c.service.ari.password).toBe('(hidden)');
    expect(out).not.toContain('s3cret-pw');
    await expect(config(['shw'])).rejects.toThrow(/use config show/);
  });
});

describe('requests retry explains itself', () => {
  it('not found, not failed, pending without Quantum, failed → put back', async () => {
    const db = join(dir, 'req.sqlite');
    const store = openStore(db);
    const reg = new SqliteRequestRegistry(store);
    const a = await reg.register({ callId: 'c1', topic: 'refund', type: 'refund-request', unit: 'follow-up' });
    const b = await reg.register({ callId: 'c2', topic: 'delivery', type: 'referral', unit: 'follow-up' });
    store.db.prepare(`UPDATE requests SET status = 'failed', last_error = 'HTTP 422' WHERE call_id = 'c2'`).run();
    store.close();
    expect(await requests(['retry', 'R-999999', '--db', db])).toBe(1);
    expect(err).toContain('R-999999: no such request');
    err = '';
    expect(await requests(['retry', a.number, '--db', db])).toBe(1);
    expect(err).toContain(`${a.number} is pending`);
    expect(err).toContain('QUANTUM_URL is not set');
    await expect(requests(['retry', 'banana', '--db', db])).rejects.toThrow(/not a request number/);
    expect(await requests(['retry', b.number, '--db', db])).toBe(0);
    expect(out).toContain(`${b.number} put back in the outbox`);
    out = '';
    expect(await requests(['retry', '--failed', '--db', db])).toBe(0);
    expect(out).toContain('no failed request to put back');
    out = '';
    expect(await requests(['list', '--db', db])).toBe(0);
    expect(out).toContain('QUANTUM_URL is not set');
  });
});
