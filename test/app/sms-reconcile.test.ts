/**
 * The SMS reconciliation's wiring (src/app/stack.ts): a service running in the background with a
 * gateway configured asks the gateway at start what became of the SMS left `pending` in its store
 * and writes the answer (ivr_sms_reconciled_total counts it); without a gateway nothing runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../src/app/stack.ts';
import { loadConfig } from '../../src/config/load.ts';
import { gatewayLocalId } from '../../src/sms/kavenegar.ts';
import { listSms, smsIntent } from '../../src/sms/outbox.ts';
import { NEVER_TAKEN } from '../../src/sms/reconcile.ts';
import { openStore } from '../../src/store/db.ts';
import { memoryLogger } from '../integration/harness.ts';
import { startFakeKavenegar, type FakeGateway } from '../sms/fake-kavenegar.ts';

const dir = mkdtempSync(join(tmpdir(), 'ivr-sms-reconcile-'));
let gw: FakeGateway;
beforeAll(async () => {
  gw = await startFakeKavenegar();
});
afterAll(async () => {
  await gw?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** a store holding two SMS left pending 10 minutes ago: one the gateway took, one it never got */
async function storeWithPending(db: string): Promise<void> {
  const store = openStore(db);
  const at = new Date(Date.now() - 10 * 60_000);
  smsIntent(store, { key: 'ch-9:nearest-stores:021:09121234567', receptor: '09121234567', text: 'متن', channel: 'gateway', status: 'pending' }, at);
  smsIntent(store, { key: 'ch-10:nearest-stores:021:09121234568', receptor: '09121234568', text: 'متن', channel: 'gateway', status: 'pending' }, at);
  const localid = gatewayLocalId(store.installationId, 'ch-9:nearest-stores:021:09121234567');
  const res = await fetch(`${gw.url}/v1/test-key/sms/send.json`, { method: 'POST', body: new URLSearchParams({ receptor: '09121234567', message: 'متن', sender: '10004346', localid }) });
  expect(res.status).toBe(200);
  store.close();
}

describe('SMS reconciliation in the running service', () => {
  it('runs at start with a gateway: pending rows are marked from the gateway, nothing is sent', async () => {
    const db = join(dir, 'a.sqlite');
    await storeWithPending(db);
    const sentBefore = gw.sent.length;
    const postsBefore = gw.posts;
    const logs = memoryLogger('info');
    const config = loadConfig({ env: { IVR_DB: db, SMS_GATEWAY_URL: gw.url, SMS_API_KEY: 'test-key', SMS_SENDER: '10004346', SMS_RECONCILE_CRON: '0 3 * * *' }, cwd: '/' });
    expect(config.data.sms.reconcileCron).toBe('0 3 * * *');
    const stack = await startStack({ config, logger: logs.logger, switchPort: 0, httpPort: false, background: true });
    try {
      await until('the pending rows to be reconciled', () => listSms(stack.store, { status: 'pending' }).length === 0);
      const rows = new Map(listSms(stack.store).map((s) => [s.receptor, s]));
      expect(rows.get('09121234567')).toMatchObject({ status: 'queued', error: null });
      expect(rows.get('09121234567')!.gatewayId).toMatch(/^\d+$/);
      expect(rows.get('09121234568')).toMatchObject({ status: 'failed', error: NEVER_TAKEN });
      expect(gw.sent.length - sentBefore).toBe(0);
      expect(gw.posts - postsBefore).toBe(0);
      await until('the run to be logged', () => logs.logs.some((l) => l.includes('SMS reconciliation: 2 pending SMS checked')));
      const metrics = await stack.service.metrics.render();
      expect(metrics).toMatch(/ivr_sms_reconciled_total\{status="queued"\} 1/);
      expect(metrics).toMatch(/ivr_sms_reconciled_total\{status="failed"\} 1/);
      expect(logs.logs.join('\n')).not.toContain('09121234567');
    } finally {
      await stack.stop();
    }
  }, 30_000);

  it('without a gateway (local outbox) nothing asks anything', async () => {
    const db = join(dir, 'b.sqlite');
    await storeWithPending(db);
    const lookupsBefore = gw.lookups;
    const config = loadConfig({ env: { IVR_DB: db }, cwd: '/' });
    const stack = await startStack({ config, logger: memoryLogger('warn').logger, switchPort: 0, httpPort: false, background: true });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(listSms(stack.store, { status: 'pending' })).toHaveLength(2);
      expect(gw.lookups).toBe(lookupsBefore);
    } finally {
      await stack.stop();
    }
  }, 30_000);
});
