/**
 * The service survives the switch going away: stopped in the middle of calls and started again
 * (a restarted Asterisk), and the events WebSocket dropped mid-call (calls stay in the app and
 * get no new StasisStart: they are recovered from GET /applications/{app}).
 */
import { decodeIvrState } from '../../src/flow/resume.ts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
const rejections: unknown[] = [];
const onRejection = (r: unknown) => rejections.push(r);

beforeAll(() => {
  process.on('unhandledRejection', onRejection);
});
afterAll(() => {
  process.off('unhandledRejection', onRejection);
});
beforeEach(async () => {
  rejections.length = 0;
  h = await startHarness();
});
afterEach(async () => {
  await h?.close();
});

const until = async (cond: () => boolean, ms = 10_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('switch restart in the middle of calls', () => {
  it('ends the calls, reconnects, logs each step, keeps running and takes new calls', async () => {
    const sw = h.stack.switch!;
    // three calls waiting in the main menu (no keys: the IVR listens)
    const calls = [h.call('w w w'), h.call('w w w'), h.call('w w w')];
    await until(() => h.stack.service.activeCalls() === 3);
    await sw.stop();
    await until(() => !h.stack.service.metrics.ariConnected);
    await new Promise((r) => setTimeout(r, 500)); // down for a while: reconnect attempts are refused
    await sw.start();
    await until(() => h.stack.service.metrics.ariConnected, 15_000);
    // the calls died with the switch: the service ends their sessions, the callers see them gone
    const ended = await Promise.all(calls);
    for (const r of ended) expect(r.outcome).toEqual({ kind: 'hangup', reason: 'lost' });
    await until(() => h.stack.service.activeCalls() === 0);
    expect(h.stack.service.metrics.ariReconnects).toBeGreaterThanOrEqual(1);
    // the test caller's own connection reconnects too
    await until(() => h.client.connected, 15_000);
    const r = await h.call('0');
    expect(r.outcome).toEqual({ kind: 'transfer', skill: 'general' });
    const msgs = h.logs.map((l) => JSON.parse(l).msg as string);
    expect(msgs).toContain('ARI events WebSocket closed');
    expect(msgs).toContain('ARI events WebSocket reconnected');
    expect(msgs).toContain('recovered calls after reconnect');
    expect(rejections).toEqual([]);
  });
});

describe('events WebSocket dropped mid-call', () => {
  it('keeps the call: recovered from GET /applications, the caller still reaches the end', async () => {
    const sw = h.stack.switch!;
    // key 0 only at the second listen: the first IVR_NODE passes while we drop the socket
    const call = h.call('w 0');
    await until(() => h.stack.service.activeCalls() === 1);
    const dropped = sw.dropConnections('ivr-1699');
    expect(dropped).toBeGreaterThanOrEqual(1);
    const r = await call;
    // whatever was lost while the socket was down, the caller ends at a human
    expect(r.outcome.kind).toBe('transfer');
    await until(() => h.logs.some((l) => l.includes('recovered calls after reconnect')));
    const rec = h.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'recovered calls after reconnect');
    // the call was still in the app and its session was kept, not ended or adopted anew
    expect(rec).toMatchObject({ live: 1, ended: 0, adopted: 0 });
    expect(h.stack.service.metrics.callsTotal).toBe(1);
    expect(rejections).toEqual([]);
  });
});

describe('service restarted while callers wait', () => {
  it('the new process adopts the calls from GET /applications and resumes each from its channel', async () => {
    const { startService } = await import('../../src/app/service.ts');
    // the first service goes away while one caller is in the main menu and another has keyed
    // the topic and a national ID (its WebSocket closes; the calls stay in the app)
    const atMenu = h.call('w w w w w w', { timeoutMs: 30_000 });
    const keyed = h.call('3 4 0499370899#', { timeoutMs: 30_000 });
    const nodes: string[] = [];
    await until(() => h.stack.service.activeCalls() === 2);
    // the values travel in IVR_STATE until a hand-off (src/flow/resume.ts)
    await until(() => h.stack.switch!.calls.some((c) => decodeIvrState(c.variables.IVR_STATE ?? '')?.vars.nationalId === '0499370899'), 10_000).catch(() => nodes.push('no national ID on the channel'));
    expect(nodes).toEqual([]);
    const machine = (await import('../../src/app/stack.ts')).scaledCallMachine((await import('../../src/flow/config.ts')).defaultFlowConfig(), 0.05);
    await h.stack.service.crash();
    const sw = h.stack.switch!;
    expect(sw.calls.filter((c) => c.app === 'ivr-1699')).toHaveLength(2);
    // a new service (same switch, same app) starts
    const second = await startService({ ari: { url: sw.url, username: sw.username, password: sw.password, app: 'ivr-1699', connectTimeoutMs: 5000, requestTimeoutMs: 5000 }, machine, services: h.stack.services, logger: h.logger, watchdog: { seconds: 30, everyMs: 250 } });
    try {
      await second.ready;
      const [a, b] = await Promise.all([atMenu, keyed]);
      expect(second.metrics.callsRecovered).toBe(2);
      // the caller at the menu goes on there: one welcome only, the menu's tries run out to general
      expect(a.prompts.filter((p) => p === 'welcome')).toHaveLength(1);
      expect(a.outcome).toEqual({ kind: 'transfer', skill: 'general' });
      expect(a.variables.IVR_OUTCOME).not.toBe('ivr-unavailable');
      // the caller who had keyed an ID goes to the topic's skill with it, without keying again
      expect(b.outcome).toEqual({ kind: 'transfer', skill: 'follow-up' });
      expect(b.variables).toMatchObject({ IVR_TOPIC: 'refund', IVR_NATIONAL_ID: '0499370899', IVR_SKILL: 'follow-up' });
      expect(b.prompts.filter((p) => p === 'welcome')).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});
