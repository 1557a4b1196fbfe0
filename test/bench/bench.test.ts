/**
 * `ivr-1699 bench` measures the service from outside: the service in its own process against the
 * built-in switch, CPU and memory read from /proc, event→command latency from the service's
 * /metrics/latency. A short run (two calls) checks that every figure is there and plausible; the
 * big runs are in README's performance section.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bucketUpperMs, histogramDiff, histogramPercentile, LatencyHistogram } from '../../src/ari/latency.ts';
import { renderChart } from '../../src/bench/chart.ts';
import { readProc, readThreadsCpu } from '../../src/bench/proc.ts';

const root = new URL('../../', import.meta.url).pathname;

describe('latency histogram', () => {
  it('percentiles within 5% above the true value, per interval by subtracting snapshots', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 100; i++) h.record(i); // 1..100 ms
    const first = h.snapshot();
    const p50 = histogramPercentile(first, 50);
    expect(p50).toBeGreaterThanOrEqual(50);
    expect(p50).toBeLessThanOrEqual(50 * 1.05);
    expect(histogramPercentile(first, 100)).toBe(100);
    for (let i = 0; i < 10; i++) h.record(1000);
    const d = histogramDiff(h.snapshot(), first);
    expect(d.count).toBe(10);
    expect(histogramPercentile(d, 50)).toBeGreaterThanOrEqual(1000);
    expect(histogramPercentile(d, 50)).toBeLessThanOrEqual(1050);
    expect(d.maxMs).toBe(1000);
    expect(bucketUpperMs(1) / bucketUpperMs(0)).toBeCloseTo(1.05, 6);
    expect(histogramPercentile(new LatencyHistogram().snapshot(), 99)).toBeNaN();
  });
});

describe('bench helpers', () => {
  it('reads CPU and RSS of a process from /proc', () => {
    const p = readProc(process.pid);
    if (!existsSync('/proc/self/stat')) return expect(p).toBeUndefined();
    expect(p!.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(p!.rssBytes).toBeLessThan(process.memoryUsage().rss * 2);
    expect(p!.cpuMs).toBeGreaterThan(0);
    expect(readProc(2 ** 22 + 1)).toBeUndefined();
  });

  it('splits a process’s CPU into its main thread and the others', () => {
    if (!existsSync('/proc/self/task')) return expect(readThreadsCpu(process.pid)).toBeUndefined();
    const a = readThreadsCpu(process.pid)!;
    const u0 = process.cpuUsage();
    // 60 ms of CPU, nearly all of it on the main thread (counted as CPU, not wall time: the machine may be busy)
    while (process.cpuUsage(u0).user + process.cpuUsage(u0).system < 60_000);
    const b = readThreadsCpu(process.pid)!;
    expect(b.mainMs - a.mainMs).toBeGreaterThanOrEqual(30);
    expect(b.otherMs).toBeGreaterThanOrEqual(a.otherMs);
    // a thread that waits and is woken is put on a CPU again: 5 timer waits make at least 5 runs
    const c = readThreadsCpu(process.pid)!;
    const started = performance.now();
    while (performance.now() - started < 5) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    const d = readThreadsCpu(process.pid)!;
    if (Number.isNaN(c.mainRuns)) expect(d.mainRuns).toBeNaN();
    else expect(d.mainRuns - c.mainRuns).toBeGreaterThanOrEqual(3);
    expect(readThreadsCpu(2 ** 22 + 1)).toBeUndefined();
  });

  it('draws one polyline per series with more than one point', () => {
    const svg = renderChart('t <&>', [100, 500, 1000], [
      { title: 'latency', unit: 'ms', series: [{ name: 'a', color: '#f00', values: [1, 2, 3] }, { name: 'b', color: '#00f', values: [NaN, 5, 6] }] },
      { title: 'cost', unit: 'ms', series: [{ name: 'c', color: '#0f0', values: [7, 8, 9] }] },
    ]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(3);
    expect(svg.match(/<circle/g)).toHaveLength(8);
    expect(svg).toContain('t &lt;&amp;&gt;');
  });
});

describe('ivr-1699 bench (service in its own process, built-in switch)', () => {
  it('reports the service’s own figures for a short burst', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivr-bench-'));
    const chartFile = join(dir, 'chart.svg');
    const r = spawnSync(process.execPath, ['bin/ivr-1699.mjs', 'bench', '--steps', '2', '--burst', '--script', '0', '--settle', '1', '--warmup', '1', '--json', '--chart', chartFile], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      service: { pid: number; runtime: string; startMs: number; idleRssMb: number; idleCpuMsPerSecond: number };
      warmup: { calls: number; failed: number; serviceCpuMsPerCall: number; serviceMainThreadCpuMsPerCall: number };
      steps: { concurrency: number; calls: number; failed: number; peakActive: number; outcomes: Record<string, number>; answerLatencyMs: { p99: number }; eventToCommandMs: { samples: number; p50: number; max: number }; serviceCpuMsPerCall: number; serviceIdleCpuMsPerSecond: number; serviceCpuMsPerCallAboveIdle: number; serviceMainThreadCpuMsPerCall: number; serviceMainWakeupsPerCall: number; rssPerActiveCallKb: number }[];
    };
    expect(out.service.pid).not.toBe(process.pid);
    expect(['compiled', 'tsx']).toContain(out.service.runtime);
    expect(out.service.idleRssMb).toBeGreaterThan(20);
    // the warm-up call is reported apart, not in the step
    expect(out.warmup).toMatchObject({ calls: 1, failed: 0 });
    expect(out.warmup.serviceCpuMsPerCall).toBeGreaterThan(0);
    expect(out.steps).toHaveLength(1);
    const s = out.steps[0]!;
    expect(s).toMatchObject({ concurrency: 2, calls: 2, failed: 0, peakActive: 2, outcomes: { 'transfer:general': 2 } });
    expect(s.answerLatencyMs.p99).toBeGreaterThan(0);
    // each call: StasisStart → answer, PlaybackFinished → next command, DTMF → stop, …
    expect(s.eventToCommandMs.samples).toBeGreaterThanOrEqual(6);
    expect(s.eventToCommandMs.p50).toBeGreaterThan(0);
    expect(s.eventToCommandMs.max).toBeGreaterThanOrEqual(s.eventToCommandMs.p50);
    expect(s.serviceCpuMsPerCall).toBeGreaterThan(0);
    // idle: the service with no calls, once quiet after its start; well under a tenth of a core
    expect(out.service.idleCpuMsPerSecond).toBeGreaterThanOrEqual(0);
    expect(out.service.idleCpuMsPerSecond).toBeLessThan(100);
    expect(s.serviceIdleCpuMsPerSecond).toBe(out.service.idleCpuMsPerSecond);
    expect(s.serviceCpuMsPerCallAboveIdle).toBeLessThanOrEqual(s.serviceCpuMsPerCall);
    expect(s.serviceMainThreadCpuMsPerCall).toBeGreaterThan(0);
    expect(s.serviceMainThreadCpuMsPerCall).toBeLessThanOrEqual(s.serviceCpuMsPerCall);
    // every event and every answer of a call wakes the service unless it is already running
    if (existsSync('/proc/self/task/' + process.pid + '/schedstat')) expect(s.serviceMainWakeupsPerCall).toBeGreaterThan(1);
    expect(Number.isFinite(s.rssPerActiveCallKb)).toBe(true);
    expect(readFileSync(chartFile, 'utf8')).toMatch(/^<svg[^>]*>/);
    rmSync(dir, { recursive: true, force: true });
  }, 150_000);
});
