/**
 * The first call end to end (foundation issue): StasisStart → answer → welcome → main-menu;
 * 0 → general with the IVR_* variables; no key or wrong keys → explained, asked again, then general;
 * the caller hanging up ends the call and the service keeps running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('first call through the built-in switch', () => {
  it('0 at the main menu goes to the general skill', async () => {
    const r = await h.call('0');
    expect(r.prompts.slice(0, 2)).toEqual(['welcome', 'main-menu']);
    expect(r.outcome).toEqual({ kind: 'transfer', skill: 'general' });
    expect(r.variables.IVR_SKILL).toBe('general');
    expect(r.nodes).toEqual(['main-menu']);
    const t = h.stack.switch!.transfers.at(-1)!;
    expect(t.skill).toBe('general');
    expect(t.variables.IVR_SKILL).toBe('general');
  });

  it('no key three times: explained, asked again, then general', async () => {
    const r = await h.call('w w w');
    expect(r.outcome).toEqual({ kind: 'transfer', skill: 'general' });
    expect(r.nodes).toEqual(['main-menu', 'main-menu', 'main-menu']);
    expect(r.prompts.filter((p) => p === 'no-input').length).toBe(2);
  });

  it('wrong keys are explained and asked again, then general', async () => {
    const r = await h.call('9 8 7');
    expect(r.outcome).toEqual({ kind: 'transfer', skill: 'general' });
    expect(r.prompts.filter((p) => p === 'invalid-key').length).toBeGreaterThanOrEqual(2);
  });

  it('* repeats the main menu', async () => {
    const r = await h.call('* 0');
    expect(r.prompts.filter((p) => p === 'main-menu').length).toBe(2);
    expect(r.outcome).toEqual({ kind: 'transfer', skill: 'general' });
  });

  it('the caller hangs up: caller-hangup, and the service takes the next call', async () => {
    const r = await h.call('h');
    expect(r.outcome).toEqual({ kind: 'hangup', reason: 'caller-hangup' });
    await new Promise((res) => setTimeout(res, 100));
    expect(h.stack.service.activeCalls()).toBe(0);
    const next = await h.call('0');
    expect(next.outcome).toEqual({ kind: 'transfer', skill: 'general' });
  });

  it('a call with no IVR connected fails over to the general queue, never silence', async () => {
    await h.stack.service.stop();
    const r = await h.call('', { timeoutMs: 10_000 });
    expect(r.outcome).toEqual({ kind: 'transfer', skill: 'general' });
    expect(r.prompts).toEqual([]);
  });
});
