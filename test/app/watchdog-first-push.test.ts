/**
 * A new call needs no watchdog push at once: the dialplan armed TIMEOUT(absolute) with its global
 * IVR_WATCHDOG just before Stasis(), and the service reads that global at connect
 * (src/app/service.ts dialplanWatchdog, CallChannel.assumeWatchdog). Its first request is the answer.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AriClient } from '../../src/ari/client.ts';
import { startHarness, type Harness } from '../integration/harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.close();
  h = undefined;
});

describe('the first watchdog push of a call', () => {
  it('a new call: none at once (the dialplan armed it), the answer goes first', async () => {
    const sent: { client: unknown; op: string; params: Record<string, unknown> }[] = [];
    const request = AriClient.prototype.request;
    vi.spyOn(AriClient.prototype, 'request').mockImplementation(function (this: AriClient, ...args: Parameters<AriClient['request']>) {
      sent.push({ client: this, op: String(args[1]), params: args[2] ?? {} });
      return request.apply(this, args);
    } as AriClient['request']);
    h = await startHarness();
    // the service has read IVR_WATCHDOG (a request at connect, answered at once by the switch)
    await new Promise((r) => setTimeout(r, 200));
    expect(sent.some((s) => s.op === 'getGlobalVar' && s.params.variable === 'IVR_WATCHDOG')).toBe(true);
    const r = await h.call('0');
    expect(r.outcome).toEqual({ kind: 'transfer', skill: 'general' });
    const ivr = sent.filter((s) => s.client !== h!.client && s.params.channelId !== undefined);
    expect(ivr.length).toBeGreaterThan(2);
    expect(ivr[0]!.op).toBe('answer');
    expect(ivr.slice(0, 3).map((s) => s.params.variable)).not.toContain('TIMEOUT(absolute)');
  });
});
