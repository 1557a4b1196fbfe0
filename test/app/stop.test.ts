/**
 * Stopping the service with calls in progress (what SIGTERM does in `serve`): no new call starts in
 * the IVR, a call that ends within the grace period ends as it would have, the others go to the
 * general queue when the grace period is over, and stop() returns without waiting for anything else.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../integration/harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('service stop with calls in progress', () => {
  it('lets a call finish within the grace period', async () => {
    h = await startHarness({ timeScale: 0.05 });
    const call = h.call('3 4 0499370899# 1403001234# 1');
    await until(() => h!.stack.service.activeCalls() === 1);
    const t0 = Date.now();
    await h.stack.service.stop(20_000);
    const r = await call;
    expect(r.requests).toHaveLength(1); // it reached its announcement, not the general queue
    expect(r.outcome).toEqual({ kind: 'hangup', reason: 'completed' });
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(h.stack.service.activeCalls()).toBe(0);
  });

  it('sends a call still in the IVR at the end of the grace period to the general queue, and takes no new call', async () => {
    h = await startHarness({ timeScale: 1 }); // real-time prompts: the caller is still listening to the welcome
    const call = h.call('w w w');
    await until(() => h!.stack.service.activeCalls() === 1);
    const t0 = Date.now();
    const stopping = h.stack.service.stop(300);
    await until(() => h!.stack.service.metrics.stopping);
    const late = h.call('3', { timeoutMs: 10_000 }); // arrives while stopping
    await stopping;
    const took = Date.now() - t0;
    const r = await call;
    expect(r.outcome).toEqual({ kind: 'transfer', skill: 'general' });
    expect(r.variables.IVR_OUTCOME).toBe('ivr-stopped');
    // the session ended as a transfer, once the caller was sent on (not as "completed" the moment the
    // flow was stopped: stop() would then close ARI with the continue still on its way)
    const outcomes = (await h.stack.service.metrics.render()).split('\n').filter((l) => l.startsWith('ivr_call_outcomes_total{') && !l.endsWith(' 0'));
    expect(outcomes.filter((l) => !l.includes('kind="transfer"'))).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(0);
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(3_000);
    const l = await late;
    expect(l.outcome).toEqual({ kind: 'transfer', skill: 'general' });
    expect(l.prompts).toEqual([]);
  }, 20_000);
});
