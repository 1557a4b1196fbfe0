/**
 * `ivr-1699 requests sms --reconcile`: an admin asks the gateway by hand what became of the SMS
 * left pending and sees the counts; nothing is sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { run as requests } from '../../src/cli/commands/requests.ts';
import { UsageError } from '../../src/cli/usage-error.ts';
import { gatewayLocalId } from '../../src/sms/kavenegar.ts';
import { listSms, smsIntent } from '../../src/sms/outbox.ts';
import { NEVER_TAKEN } from '../../src/sms/reconcile.ts';
import { openStore } from '../../src/store/db.ts';
import { startFakeKavenegar, type FakeGateway } from '../sms/fake-kavenegar.ts';

const dir = mkdtempSync(join(tmpdir(), 'ivr-cli-sms-'));
let gw: FakeGateway;
let out = '';
let err = '';
beforeAll(async () => {
  gw = await startFakeKavenegar();
});
afterAll(async () => {
  await gw?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function gatewayEnv(url = gw.url) {
  vi.stubEnv('SMS_GATEWAY_URL', url);
  vi.stubEnv('SMS_API_KEY', 'test-key');
  vi.stubEnv('SMS_SENDER', '10004346');
}

/** three SMS left pending: taken by the gateway 10 minutes ago, never taken 10 minutes ago, taken 30 s ago */
async function pendingStore(db: string) {
  const store = openStore(db);
  const old = new Date(Date.now() - 10 * 60_000);
  const rows: [string, string, Date, boolean][] = [
    ['k-taken', '09121230001', old, true],
    ['k-lost', '09121230002', old, false],
    ['k-young', '09121230003', new Date(Date.now() - 30_000), true],
  ];
  for (const [key, receptor, at, taken] of rows) {
    smsIntent(store, { key, receptor, text: 'متن', channel: 'gateway', status: 'pending' }, at);
    if (taken) await fetch(`${gw.url}/v1/test-key/sms/send.json`, { method: 'POST', body: new URLSearchParams({ receptor, message: 'متن', sender: '10004346', localid: gatewayLocalId(store.installationId, key) }) });
  }
  store.close();
}

describe('ivr-1699 requests sms --reconcile', () => {
  it('marks the old pending SMS from the gateway and prints the counts; sends nothing', async () => {
    const db = join(dir, 'a.sqlite');
    await pendingStore(db);
    gatewayEnv();
    const sentBefore = gw.sent.length;
    const postsBefore = gw.posts;
    expect(await requests(['sms', '--reconcile', '--db', db])).toBe(0);
    expect(out).toBe('2 pending SMS checked; 1 queued, 0 sent, 0 delivered, 1 failed (1 never taken by the gateway); 0 still pending; 1 too recent to check\n');
    const store = openStore(db);
    const byTo = new Map(listSms(store).map((s) => [s.receptor, s]));
    store.close();
    expect(byTo.get('09121230001')!.status).toBe('queued');
    expect(byTo.get('09121230002')).toMatchObject({ status: 'failed', error: NEVER_TAKEN });
    expect(byTo.get('09121230003')!.status).toBe('pending');
    // --older-than-minutes 0 takes the young one too; --json prints the counts
    out = '';
    expect(await requests(['sms', '--reconcile', '--older-than-minutes', '0', '--json', '--db', db])).toBe(0);
    expect(JSON.parse(out)).toEqual({ checked: 1, queued: 1, sent: 0, delivered: 0, failed: 0, neverTaken: 0, pending: 0, tooRecent: 0, noKey: 0 });
    expect(gw.sent.length - sentBefore).toBe(0);
    expect(gw.posts - postsBefore).toBe(0);
    // the SMS log shows the result
    out = '';
    expect(await requests(['sms', '--status', 'pending', '--db', db])).toBe(0);
    expect(out).toContain('0 SMS shown');
  });

  it('gateway down: exit 1, the rows stay pending and the output says so', async () => {
    const db = join(dir, 'b.sqlite');
    await pendingStore(db);
    const closed = await startFakeKavenegar();
    await closed.close();
    gatewayEnv(closed.url);
    expect(await requests(['sms', '--reconcile', '--db', db])).toBe(1);
    expect(out).toMatch(/^2 pending SMS checked; 0 queued, 0 sent, 0 delivered, 0 failed; 2 still pending; 1 too recent to check\ngateway not asked: SMS gateway unavailable: /);
    const store = openStore(db);
    expect(listSms(store, { status: 'pending' })).toHaveLength(3);
    store.close();
  });

  it('without a gateway, or with bad options: a clear message', async () => {
    const db = join(dir, 'c.sqlite');
    vi.stubEnv('SMS_GATEWAY_URL', '');
    expect(await requests(['sms', '--reconcile', '--db', db])).toBe(1);
    expect(err).toContain('SMS_GATEWAY_URL (with SMS_API_KEY and SMS_SENDER) is not set: there is no gateway to ask');
    await expect(requests(['sms', '--reconcile', '--status', 'pending', '--db', db])).rejects.toThrow(UsageError);
    await expect(requests(['sms', '--reconcile', '--older-than-minutes', 'soon', '--db', db])).rejects.toThrow(/--older-than-minutes must be a whole number/);
    await expect(requests(['sms', '--older-than-minutes', '5', '--db', db])).rejects.toThrow(/goes with requests sms --reconcile/);
    await expect(requests(['list', '--reconcile', '--db', db])).rejects.toThrow(/--reconcile goes with requests sms/);
  });
});
