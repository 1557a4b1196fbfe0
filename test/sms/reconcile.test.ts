/**
 * Reconciliation of SMS left `pending` (src/sms/reconcile.ts): the gateway is asked by localid what
 * became of each row older than the grace period, and its answer is written; nothing is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayLocalId, KavenegarSmsSender } from '../../src/sms/kavenegar.ts';
import { listSms, LocalSmsOutbox, markSms, smsIntent } from '../../src/sms/outbox.ts';
import { describeReconcile, NEVER_TAKEN, reconcilePendingSms } from '../../src/sms/reconcile.ts';
import { openStore, type IvrStore } from '../../src/store/db.ts';
import { memoryLogger } from '../integration/harness.ts';
import { startFakeKavenegar, type FakeGateway } from './fake-kavenegar.ts';

let gw: FakeGateway;
beforeAll(async () => {
  gw = await startFakeKavenegar();
});
afterAll(async () => {
  await gw?.close();
});

const NOW = new Date('2026-11-30T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const TEXT = 'فروشگاه‌های انتخاب:\n۱- فروشگاه مرکزی انتخاب';

function sender(store: IvrStore, url = gw.url) {
  return new KavenegarSmsSender({ baseUrl: url, apiKey: 'test-key', sender: '10004346', store, timeoutMs: 1000 });
}

/**
 * A row as a sender left it when it died after the gateway took the message (the intent stored
 * `at`, the send posted under its localid, the mark never written) — or, with `taken: false`, when
 * the gateway never got the request.
 */
async function leftPending(store: IvrStore, key: string, receptor: string, at: Date, taken = true): Promise<{ seq: number; localid: string }> {
  const intent = smsIntent(store, { key, receptor, text: TEXT, channel: 'gateway', status: 'pending' }, at);
  const localid = gatewayLocalId(store.installationId, key);
  if (taken) {
    const res = await fetch(`${gw.url}/v1/test-key/sms/send.json`, { method: 'POST', body: new URLSearchParams({ receptor, message: TEXT, sender: '10004346', localid }) });
    expect(res.status).toBe(200);
  }
  return { seq: intent.seq, localid };
}


describe('reconcilePendingSms', () => {
  it('marks old pending rows from the gateway\'s answer, leaves a young one, sends nothing', async () => {
    const store = openStore(':memory:');
    const queued = await leftPending(store, 'ch-1:nearest-stores:021:09121111111', '09121111111', ago(10 * 60_000));
    const delivered = await leftPending(store, 'ch-2:nearest-stores:021:09122222222', '09122222222', ago(5 * 60_000));
    gw.setStatus(delivered.localid, 10);
    const failed = await leftPending(store, 'ch-3:nearest-stores:021:09123333333', '09123333333', ago(3 * 60_000));
    gw.setStatus(failed.localid, 11);
    await leftPending(store, 'ch-4:nearest-stores:021:09124444444', '09124444444', ago(4 * 60_000), false);
    await leftPending(store, 'ch-5:nearest-stores:021:09125555555', '09125555555', ago(30_000)); // being sent right now
    await new LocalSmsOutbox(store).send('09126666666', TEXT, { key: 'outbox-key' });
    const sentBefore = gw.sent.length;
    const postsBefore = gw.posts;
    const lookupsBefore = gw.lookups;
    const { logs: lines, logger } = memoryLogger('trace');

    const r = await reconcilePendingSms(store, sender(store), { now: NOW, logger });

    expect(r).toEqual({ checked: 4, queued: 1, sent: 0, delivered: 1, failed: 2, neverTaken: 1, pending: 0, tooRecent: 1, noKey: 0 });
    expect(gw.sent.length - sentBefore).toBe(0);
    expect(gw.posts - postsBefore).toBe(0);
    expect(gw.lookups - lookupsBefore).toBe(1);
    // what the gateway says (a GET of the same endpoint, as Kavenegar allows)
    const byTo = new Map(listSms(store).map((s) => [s.receptor, s]));
    const messageIdOf = async (localid: string) => {
      const res = await fetch(`${gw.url}/v1/test-key/sms/statuslocalmessageid.json?localid=${localid}`);
      return String(((await res.json()) as { entries: { messageid: number }[] }).entries[0]!.messageid);
    };
    expect(byTo.get('09121111111')).toMatchObject({ status: 'queued', gatewayId: await messageIdOf(queued.localid), error: null });
    expect(byTo.get('09122222222')).toMatchObject({ status: 'delivered', gatewayId: await messageIdOf(delivered.localid), error: null });
    expect(byTo.get('09123333333')).toMatchObject({ status: 'failed', gatewayId: await messageIdOf(failed.localid) });
    expect(byTo.get('09123333333')!.error).toMatch(/^status 11 /);
    expect(byTo.get('09124444444')).toMatchObject({ status: 'failed', gatewayId: null, error: NEVER_TAKEN });
    expect(byTo.get('09125555555')).toMatchObject({ status: 'pending', gatewayId: null });
    expect(byTo.get('09126666666')).toMatchObject({ status: 'queued', channel: 'outbox' });
    expect(describeReconcile(r)).toBe('4 pending SMS checked; 1 queued, 0 sent, 1 delivered, 2 failed (1 never taken by the gateway); 0 still pending; 1 too recent to check');
    // the log names each row, never a whole phone number
    const logText = lines.join('\n');
    expect(lines.filter((l) => l.includes('SMS reconciled from the gateway'))).toHaveLength(4);
    expect(logText).toContain('S-000001');
    expect(logText).not.toMatch(/0912\d{7}/);

    // a second run finds nothing left to ask about (the young row is still too recent)
    const lookupsAfter = gw.lookups;
    const again = await reconcilePendingSms(store, sender(store), { now: NOW });
    expect(again).toMatchObject({ checked: 0, pending: 0, tooRecent: 1 });
    expect(gw.lookups).toBe(lookupsAfter);
    // … and once it is old enough, it is marked too
    const later = await reconcilePendingSms(store, sender(store), { now: new Date(NOW.getTime() + 2 * 60_000) });
    expect(later).toMatchObject({ checked: 1, queued: 1, pending: 0, tooRecent: 0 });
    expect(gw.sent.length - sentBefore).toBe(0);
    store.close();
  });

  it('asks in batches of batchSize localids', async () => {
    const store = openStore(':memory:');
    for (let i = 0; i < 5; i++) await leftPending(store, `batch-${i}`, `0935000000${i}`, ago(10 * 60_000), i % 2 === 0);
    const lookupsBefore = gw.lookups;
    const r = await reconcilePendingSms(store, sender(store), { now: NOW, batchSize: 2 });
    expect(gw.lookups - lookupsBefore).toBe(3);
    expect(r).toMatchObject({ checked: 5, queued: 3, failed: 2, neverTaken: 2, pending: 0 });
    store.close();
  });

  it('gateway down or refusing: every row stays pending, the result says so, the next run marks them', async () => {
    const store = openStore(':memory:');
    await leftPending(store, 'down-1', '09121230001', ago(10 * 60_000));
    await leftPending(store, 'down-2', '09121230002', ago(10 * 60_000), false);
    await leftPending(store, 'down-3', '09121230003', ago(10 * 60_000));
    const sentBefore = gw.sent.length;

    // nothing listens there
    const closed = await startFakeKavenegar();
    const deadUrl = closed.url;
    await closed.close();
    const down = await reconcilePendingSms(store, sender(store, deadUrl), { now: NOW, batchSize: 2 });
    expect(down).toMatchObject({ checked: 3, queued: 0, sent: 0, delivered: 0, failed: 0, pending: 3 });
    expect(down.unavailable).toMatch(/SMS gateway unavailable/);
    expect(describeReconcile(down)).toContain('3 still pending');
    expect(listSms(store).map((s) => s.status)).toEqual(['pending', 'pending', 'pending']);

    gw.behave({ returnStatus: 502 });
    const refused = await reconcilePendingSms(store, sender(store), { now: NOW });
    gw.behave({});
    expect(refused).toMatchObject({ checked: 3, pending: 3 });
    expect(refused.unavailable).toMatch(/refused the status lookup: status 502/);
    expect(listSms(store).map((s) => s.status)).toEqual(['pending', 'pending', 'pending']);

    const back = await reconcilePendingSms(store, sender(store), { now: NOW });
    expect(back).toMatchObject({ checked: 3, queued: 2, failed: 1, neverTaken: 1, pending: 0 });
    expect(back.unavailable).toBeUndefined();
    expect(gw.sent.length - sentBefore).toBe(0);
    store.close();
  });

  it('never overwrites a sender\'s mark; rows without a key are counted, not asked about', async () => {
    const store = openStore(':memory:');
    const { seq } = await leftPending(store, 'raced', '09121239999', ago(10 * 60_000));
    // the sender's own mark lands first: the reconciliation's conditional mark does nothing
    markSms(store, seq, { status: 'sent', gatewayId: '42' });
    expect(markSms(store, seq, { status: 'failed', error: 'x' }, { onlyIfPending: true })).toBe(false);
    expect(listSms(store)[0]).toMatchObject({ status: 'sent', gatewayId: '42', error: null });
    // an SMS sent without a key while the gateway was unreachable: pending, no localid
    const closed = await startFakeKavenegar();
    await closed.close();
    await expect(sender(store, closed.url).send('09121238888', TEXT)).rejects.toThrow(/unavailable/);
    const r = await reconcilePendingSms(store, sender(store), { now: new Date(Date.now() + 10 * 60_000) });
    expect(r).toMatchObject({ checked: 0, noKey: 1, pending: 0 });
    expect(describeReconcile(r)).toContain('1 without a key (cannot be looked up)');
    store.close();
  });
});
