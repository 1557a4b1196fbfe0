import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyHeapPolicy } from '../../src/app/heap.ts';

const HEAP_TS = fileURLToPath(new URL('../../src/app/heap.ts', import.meta.url));

/**
 * A process that keeps ~30 MB alive and replaces it slowly, as the service's calls do (every
 * replaced object has been promoted): the largest heap it reaches, in MB, with the given policy.
 */
function peakHeapMb(growingPercent: number): number {
  const script = `
    import v8 from 'node:v8';
    const { applyHeapPolicy } = await import(${JSON.stringify(HEAP_TS)});
    applyHeapPolicy(${growingPercent});
    const N = 250000; const ring = new Array(N);
    for (let i = 0; i < N; i++) ring[i] = { i, s: 'x' + i, o: { a: i } };
    let peak = 0; const t0 = Date.now(); let i = 0;
    while (Date.now() - t0 < 2500) {
      for (let k = 0; k < 1000; k++) { ring[i % N] = { i, s: 'x' + i, o: { a: i } }; i++; }
      if (i % 20000 === 0) peak = Math.max(peak, v8.getHeapStatistics().total_heap_size);
    }
    process.stdout.write(String(Math.round(peak / 1048576)));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return Number(r.stdout);
}

describe('heap policy (service.heap.growingPercent)', () => {
  it('is left to the command line when --heap-growing-percent is given there, and to V8 at 0', () => {
    expect(applyHeapPolicy(50, ['--heap-growing-percent=20'], '')).toEqual({ applied: 'none', why: 'command-line' });
    expect(applyHeapPolicy(50, ['--heap_growing_percent=20'], '')).toEqual({ applied: 'none', why: 'command-line' });
    expect(applyHeapPolicy(0, [], '')).toEqual({ applied: 'none', why: 'v8-default' });
  });

  it('set at run time, it keeps a heap of promoted garbage far smaller than V8 alone does', () => {
    const v8Own = peakHeapMb(0);
    const governed = peakHeapMb(20);
    // measured: ~200 MB with V8's own policy, ~110 MB with 20%
    expect(governed).toBeGreaterThan(0);
    expect(governed).toBeLessThan(v8Own * 0.75);
  }, 60_000);
});
