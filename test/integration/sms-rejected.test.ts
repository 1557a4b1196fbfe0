/**
 * Nearest stores when the SMS gateway refuses the message (built-in switch, the service with its
 * Kavenegar sender pointed at the fake gateway): the caller hears that the SMS could not be sent,
 * never that it was, and goes to sales; the agent's screen says IVR_OUTCOME=sms-rejected; no SMS
 * request is registered and the SMS log holds the refusal. A gateway that accepts the message
 * (queued) is still announced as sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { listSms } from '../../src/sms/outbox.ts';
import { startFakeKavenegar, type FakeGateway } from '../sms/fake-kavenegar.ts';
import { startHarness, type Harness } from './harness.ts';

let gw: FakeGateway;
let h: Harness;
beforeAll(async () => {
  gw = await startFakeKavenegar('k-test');
  const config = loadConfig({ env: { SMS_GATEWAY_URL: gw.url, SMS_API_KEY: 'k-test', SMS_SENDER: '10004346' }, cwd: '/' });
  h = await startHarness({ config });
});
afterAll(async () => {
  await h?.close();
  await gw?.close();
});

const smsOf = (mobile: string) => listSms(h.stack.store, { limit: 50 }).filter((m) => m.receptor === mobile);
const smsRequests = () => h.stack.store.db.prepare(`SELECT count(*) AS n FROM requests WHERE type = 'sms'`).get() as { n: number };

describe('nearest stores: the SMS gateway refuses the message', () => {
  it.each([
    ['the number (return status 411)', { returnStatus: 411 }, '09127770001'],
    ['the message (entry status 6, failed)', { entryStatus: 6 }, '09127770002'],
  ])('refusing %s: the caller hears it was not sent and goes to sales, IVR_OUTCOME=sms-rejected', async (_what, behaviour, mobile) => {
    gw.behave(behaviour);
    const before = smsRequests().n;
    const r = await h.call('1 3 051#', { caller: mobile });
    expect(r.prompts).toContain('stores-sms-failed');
    expect(r.prompts).not.toContain('stores-sent-after');
    expect(r.prompts.at(-1)).toBe('transfer-to-agent');
    expect(r.outcome).toEqual({ kind: 'transfer', skill: 'sales' });
    expect(r.variables.IVR_OUTCOME).toBe('sms-rejected');
    expect(r.requests).toEqual([]);
    expect(smsRequests().n).toBe(before);
    expect(smsOf(mobile).map((m) => m.status)).toEqual(['failed']);
  });

  it('a message the gateway queues is announced as sent, as before', async () => {
    gw.behave({ entryStatus: 1 });
    const r = await h.call('1 3 051#', { caller: '09127770003' });
    expect(r.prompts).toContain('stores-sent-after');
    expect(r.prompts).not.toContain('stores-sms-failed');
    expect(r.variables.IVR_OUTCOME).toBe('sms-sent');
    expect(r.outcome).toEqual({ kind: 'hangup', reason: 'completed' });
    expect(smsOf('09127770003').map((m) => m.status)).toEqual(['queued']);
  });
});
