/**
 * An SMS sent just before the service is killed does not go out again after the restart: the
 * sending process is killed with kill -9 after the gateway took the message and before its answer
 * was written (the sent-mark); a second process sending with the same key (what the restarted
 * service does for the same call) sends nothing new. Without a key — how SMS went before — the
 * same kill gives the caller two messages: the control case shows the count can fail.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.ts';
import { listSms, LocalSmsOutbox } from '../../src/sms/outbox.ts';
import { gatewayLocalId, KavenegarSmsSender } from '../../src/sms/kavenegar.ts';
import { reconcilePendingSms } from '../../src/sms/reconcile.ts';
import { ROOT } from '../fault/helpers.ts';
import { startFakeKavenegar, type FakeGateway } from './fake-kavenegar.ts';

const dir = mkdtempSync(join(tmpdir(), 'ivr-sms-kill-'));
let gw: FakeGateway;
beforeAll(async () => {
  gw = await startFakeKavenegar();
});
afterAll(async () => {
  await gw?.close();
  rmSync(dir, { recursive: true, force: true });
});

const TEXT = 'فروشگاه‌های انتخاب:\n۱- فروشگاه مرکزی انتخاب';
const TO = '09121234567';

/** one sending process; resolves with what it printed (null when it was killed) and how it ended */
function sendIn(db: string, key?: string) {
  const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/sms/fixtures/send-sms.ts'), gw.url, TO, TEXT, ...(key ? [key] : [])], {
    cwd: ROOT,
    env: { ...process.env, IVR_DB: db },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  p.stdout!.on('data', (d: Buffer) => (out += String(d)));
  p.stderr!.on('data', (d: Buffer) => (err += String(d)));
  const done = new Promise<{ result: { id: string; status: string } | null; signal: NodeJS.Signals | null }>((resolve, reject) =>
    p.once('exit', (code, signal) => {
      if (code !== 0 && signal === null) return reject(new Error(`sender exited with ${code}: ${err.slice(-2000)}`));
      resolve({ result: out.trim() ? (JSON.parse(out.trim()) as { id: string; status: string }) : null, signal });
    }),
  );
  return { proc: p, done };
}

/** the first sender is killed (kill -9) once the gateway has sent the message, before it answers */
async function killedAfterSend(db: string, key?: string) {
  const first = sendIn(db, key);
  gw.onSent = async () => {
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));
  };
  const r = await first.done;
  gw.onSent = undefined;
  return r;
}

describe('SMS once per key, across a kill -9 of the sending process', () => {
  it('killed between the gateway\'s send and the sent-mark: the restarted sender sends nothing new', async () => {
    const db = join(dir, 'a.sqlite');
    openStore(db).close();
    const key = 'ch-1700000000.42:nearest-stores:021:09121234567';
    const sentBefore = gw.sent.length;
    const postsBefore = gw.posts;
    const first = await killedAfterSend(db, key);
    expect(first.signal).toBe('SIGKILL');
    expect(first.result).toBeNull();
    // the intent was committed before the gateway was asked; the answer never got written
    let store = openStore(db);
    expect(listSms(store).map((s) => s.status)).toEqual(['pending']);
    store.close();
    // the restarted service sends the same SMS for the same call
    const second = await sendIn(db, key).done;
    expect(second.result?.status).toBe('queued');
    expect(gw.posts - postsBefore).toBe(2); // it asked again (the answer was unknown) …
    expect(gw.sent.length - sentBefore).toBe(1); // … and the caller got one message
    store = openStore(db);
    const log = listSms(store);
    store.close();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ status: 'queued', channel: 'gateway', receptor: TO });
    expect(second.result?.id).toBe(log[0]!.gatewayId);
    // a third send (the mark is written now) does not even ask the gateway
    const third = await sendIn(db, key).done;
    expect(third.result).toEqual(second.result);
    expect(gw.posts - postsBefore).toBe(2);
    expect(gw.sent.length - sentBefore).toBe(1);
  }, 60_000);

  it('killed between the send and the sent-mark: the reconciliation marks the row from the gateway, sending nothing', async () => {
    const db = join(dir, 'r.sqlite');
    openStore(db).close();
    const key = 'ch-1700000000.43:nearest-stores:021:09121234567';
    const sentBefore = gw.sent.length;
    const postsBefore = gw.posts;
    const first = await killedAfterSend(db, key);
    expect(first.signal).toBe('SIGKILL');
    const store = openStore(db);
    try {
      expect(listSms(store).map((s) => s.status)).toEqual(['pending']);
      // meanwhile the gateway handed the message to the operator (status 4)
      const localid = gatewayLocalId(store.installationId, key);
      gw.setStatus(localid, 4);
      const sender = new KavenegarSmsSender({ baseUrl: gw.url, apiKey: 'test-key', sender: '10004346', store });
      const r = await reconcilePendingSms(store, sender, { olderThanMs: 0 });
      expect(r).toMatchObject({ checked: 1, sent: 1, pending: 0 });
      const [row] = listSms(store);
      const underLocalid = gw.sent.filter((m) => m.localid === localid);
      expect(underLocalid).toHaveLength(1);
      expect(row).toMatchObject({ status: 'sent', channel: 'gateway', receptor: TO, error: null });
      expect(row!.gatewayId).toMatch(/^\d+$/);
      // the handset got exactly one message; the reconciliation sent none
      expect(gw.sent.length - sentBefore).toBe(1);
      expect(gw.posts - postsBefore).toBe(1);
      // the restarted service sending for the same call now finds the answer: nothing is asked again
      const again = await sender.send(TO, TEXT, { key });
      expect(again).toEqual({ id: row!.gatewayId, status: 'sent' });
      expect(gw.posts - postsBefore).toBe(1);
      expect(gw.sent.length - sentBefore).toBe(1);
    } finally {
      store.close();
    }
  }, 60_000);

  it('control: without a key the same kill gives the caller two messages', async () => {
    const db = join(dir, 'b.sqlite');
    openStore(db).close();
    const sentBefore = gw.sent.length;
    await killedAfterSend(db);
    await sendIn(db).done;
    expect(gw.sent.length - sentBefore).toBe(2);
  }, 60_000);

  it('the local outbox queues one SMS per key', async () => {
    const store = openStore(':memory:');
    const outbox = new LocalSmsOutbox(store);
    const a = await outbox.send(TO, TEXT, { key: 'k1' });
    const b = await outbox.send(TO, TEXT, { key: 'k1' });
    const c = await outbox.send(TO, TEXT, { key: 'k2' });
    expect(b).toEqual(a);
    expect(c.id).not.toBe(a.id);
    expect(listSms(store)).toHaveLength(2);
    store.close();
  });
});
