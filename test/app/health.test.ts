/**
 * /health tells the truth about each dependency and /metrics counts what failed: Quantum answering
 * with a proxy's 404 page opens the breaker, callers hear the system is unavailable (not that their
 * details do not match, and nothing counts towards locking out their number), /health says
 * `degraded` with quantum `open`, /metrics shows the breaker's state.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AriClient } from '../../src/ari/client.ts';
import { Metrics } from '../../src/app/metrics.ts';
import { startStack, type Stack } from '../../src/app/stack.ts';
import { loadConfig } from '../../src/config/load.ts';
import { startFakeQuantum, type FakeQuantum } from '../quantum/fake-quantum.ts';
import { callByNode, timedGet, whereWent } from '../fault/helpers.ts';
import { DEMO_NOW, memoryLogger } from '../integration/harness.ts';
import { readFileSync } from 'node:fs';
import { DEMO_DATA_PATH } from '../../src/store/db.ts';

let stack: Stack | undefined;
let client: AriClient | undefined;
let quantum: FakeQuantum | undefined;
afterAll(async () => {
  await client?.close();
  await stack?.stop();
  await quantum?.close();
});

describe('/health and /metrics', () => {
  it('answer 503 only when the service cannot take calls', () => {
    const m = new Metrics();
    expect(m.health()).toMatchObject({ status: 'ari-disconnected', httpStatus: 503 });
    m.ariConnected = true;
    m.dependencies = () => ({ store: { ok: true, state: 'ok' }, quantum: { ok: true, state: 'closed' }, sms: { ok: true, state: 'local-outbox' } });
    expect(m.health()).toMatchObject({ status: 'ok', httpStatus: 200 });
    m.dependencies = () => ({ store: { ok: false, state: 'failing', detail: 'database or disk is full' } });
    expect(m.health()).toMatchObject({ status: 'degraded', httpStatus: 200 });
    m.stopping = true;
    expect(m.health()).toMatchObject({ status: 'stopping', httpStatus: 503 });
  });

  it('Quantum behind a 404 page: breaker open, /health degraded, callers to the skill, no lock-out counted', async () => {
    quantum = await startFakeQuantum({ data: JSON.parse(readFileSync(DEMO_DATA_PATH, 'utf8')) });
    const config = loadConfig({ env: { QUANTUM_URL: quantum.url, QUANTUM_RETRIES: '0', QUANTUM_BREAKER_FAILURES: '2', QUANTUM_TIMEOUT_MS: '1000' }, cwd: '/' });
    const { logger } = memoryLogger('warn');
    stack = await startStack({ config, logger, memoryStore: true, now: DEMO_NOW, timeScale: 0.2, switchPort: 0, httpPort: 0 });
    await stack.service.ready;
    const base = `http://127.0.0.1:${stack.service.health!.port}`;
    const app = `health-callers-${process.pid}`;
    client = await AriClient.connect({ url: stack.ariUrl, username: config.service.ari.username, password: config.service.ari.password, app, logger });

    const before = await timedGet(`${base}/health`);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ status: 'ok', dependencies: { ari: { ok: true }, store: { ok: true, state: 'ok' }, quantum: { ok: true, state: 'closed' }, sms: { ok: true } } });

    quantum.behave({ failWith: 'page-404' });
    const calls = await Promise.all(['09120000001', '09120000002', '09120000003'].map((n) => callByNode({ client: client!, app }, n)));
    for (const c of calls) {
      expect(whereWent(c.report)).toBe('agent:follow-up');
      expect(c.report.prompts).toContain('system-unavailable');
      expect(c.report.prompts).not.toContain('order-mismatch');
    }
    const row = stack.store.db.prepare(`SELECT count(*) AS n FROM lookup_failures`).get() as { n: number };
    expect(row.n).toBe(0);
    const h = await timedGet(`${base}/health`);
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ status: 'degraded', failing: ['quantum'], dependencies: { quantum: { ok: false, state: 'open' } } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('ivr_quantum_breaker_state{state="open"} 1');
    expect(metrics).toContain('ivr_dependency_up{dependency="quantum",state="open"} 0');
    // one lookup per caller: each a proxy's page (a bad answer) or, once the breaker opened, refused at once
    const quantumErrors = (kind: string) => Number(new RegExp(`^ivr_quantum_errors_total\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
    expect(quantumErrors('bad-answer')).toBeGreaterThanOrEqual(2);
    expect(quantumErrors('bad-answer') + quantumErrors('breaker-open')).toBe(3);
    expect(metrics).toMatch(/^ivr_call_failures_total\{kind="order-lookup-unavailable"\} 3$/m);
    quantum.behave({});
  }, 60_000);
});
