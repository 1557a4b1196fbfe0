/**
 * The real-Asterisk tier of issue 14: 20 ARI clients connecting at once all connect (no API
 * description is fetched at connect any more), and a short `ivr-1699 bench --ari-url` runs the
 * service in its own process against this Asterisk and reads Asterisk's CPU beside the service's.
 * The big runs are in README's performance section.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriClient } from '../../src/ari/client.ts';
import type { LocalAsterisk } from '../../src/asterisk/local.ts';
import { memoryLogger } from '../integration/harness.ts';
import { asteriskMissing, PROJECT_ROOT, startAsterisk, tierTitle } from './harness.ts';

describe.skipIf(asteriskMissing)(tierTitle('real Asterisk: connects and a short benchmark'), () => {
  let ast: LocalAsterisk;
  beforeAll(async () => {
    ast = await startAsterisk();
  }, 60_000);
  afterAll(async () => {
    await ast?.stop();
  });

  it('20 clients starting at once all connect', async () => {
    const { logger } = memoryLogger();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => AriClient.connect({ url: ast.ariUrl, username: ast.ariUsername, password: ast.ariPassword, app: `burst-${process.pid}-${i}`, logger })),
    );
    const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
    expect(failed).toEqual([]);
  }, 60_000);

  /** `ivr-1699 bench --ari-url` against this Asterisk, two calls in a burst: its JSON (exit 0 checked) */
  async function bench(...extra: string[]): Promise<unknown> {
    const args = ['bin/ivr-1699.mjs', 'bench', '--ari-url', ast.ariUrl, '--asterisk-pid', String(ast.process.pid), '--steps', '2', '--burst', '--settle', '1', '--json', ...extra];
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ARI_USERNAME: ast.ariUsername, ARI_PASSWORD: ast.ariPassword } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code, err).toBe(0);
    return JSON.parse(out);
  }

  it('bench --ari-url: the service’s CPU per call beside Asterisk’s, two calls', async () => {
    const res = (await bench('--script', '0')) as { target: string; steps: { failed: number; outcomes: Record<string, number>; serviceCpuMsPerCall: number; asteriskCpuMsPerCall: number; serviceToAsteriskCpu: number; eventToCommandMs: { samples: number } }[] };
    expect(res.target).toContain(ast.ariUrl);
    const s = res.steps[0]!;
    expect(s).toMatchObject({ failed: 0, outcomes: { 'transfer:general': 2 } });
    expect(s.asteriskCpuMsPerCall).toBeGreaterThan(0);
    expect(s.serviceToAsteriskCpu).toBeCloseTo(s.serviceCpuMsPerCall / s.asteriskCpuMsPerCall, 1);
    expect(s.eventToCommandMs.samples).toBeGreaterThanOrEqual(6);
  }, 120_000);

  it('the floor (scripts/null-ivr.mjs) takes the refund call as the service does: same events, the caller completes', async () => {
    // the README's floor figure is only worth something while this script still gets the same
    // events and requests and the test caller still goes through the whole refund call with it
    const res = (await bench('--service-script', 'scripts/null-ivr.mjs')) as { service: { runtime: string }; steps: { failed: number; outcomes: Record<string, number>; ariEventsPerCall: number; ariRequestsPerCall: number }[] };
    expect(res.service.runtime).toBe('null-ivr');
    const s = res.steps[0]!;
    expect(s).toMatchObject({ failed: 0, outcomes: { 'hangup:completed': 2 } });
    // 25 keys, 9 prompts ended, StasisStart, ChannelHangupRequest, StasisEnd
    expect(s.ariEventsPerCall).toBe(37);
    expect(s.ariRequestsPerCall).toBeGreaterThanOrEqual(25);
  }, 150_000);
});
