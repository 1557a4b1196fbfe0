/**
 * Runs many test calls over one caller connection and gathers the figures: outcomes, call
 * durations, answer latency (originate → first prompt). Two ways to offer the calls:
 * - burst: `concurrency` calls at once, each next one as soon as one ends;
 * - arrival rate (`rate` calls per second): calls are offered on a steady clock, as on a real
 *   line, and `concurrency` caps how many are in progress (an arrival waits while at the cap).
 * Used by `ivr-1699 bench` and the robustness tests.
 */
import type { AriClient } from '../ari/client.ts';
import { parseKeys } from './keys.ts';
import type { CallReport } from './report.ts';
import { CallEventRouter, TestCall, type PlaceCallOptions } from './test-caller.ts';

export interface RunCallsOptions {
  client: AriClient;
  call: Omit<PlaceCallOptions, 'keys' | 'callerId' | 'router'>;
  scripts: string[];
  concurrency: number;
  /** calls offered per second; omitted: burst */
  rate?: number;
  callerId?: (i: number) => string;
  /** called whenever the number of calls in progress changes */
  onActive?: (active: number) => void;
}

export interface CallRun {
  script: string;
  report?: CallReport;
  error?: string;
  /** originate → first PlaybackStarted on the IVR's half */
  answerMs?: number;
}

const routers = new WeakMap<AriClient, CallEventRouter>();

export async function runCalls(o: RunCallsOptions): Promise<CallRun[]> {
  const runs: CallRun[] = new Array(o.scripts.length);
  let router = routers.get(o.client);
  if (!router) routers.set(o.client, (router = new CallEventRouter(o.client)));
  let active = 0;
  const one = async (i: number) => {
    const script = o.scripts[i]!;
    active++;
    o.onActive?.(active);
    const t0 = performance.now();
    let answerMs: number | undefined;
    try {
      const call = new TestCall(o.client, { ...o.call, router, keys: parseKeys(script), callerId: o.callerId?.(i) ?? '09121234567' }, {
        prompt: () => {
          answerMs ??= Math.round((performance.now() - t0) * 100) / 100;
        },
      });
      const report = await call.start();
      runs[i] = { script, report, ...(answerMs !== undefined ? { answerMs } : {}) };
    } catch (e) {
      runs[i] = { script, error: (e as Error).message };
    } finally {
      active--;
      o.onActive?.(active);
    }
  };

  if (o.rate === undefined) {
    let next = 0;
    const worker = async () => {
      while (next < o.scripts.length) await one(next++);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, o.scripts.length)) }, worker));
    return runs;
  }

  // arrival rate: call i is offered at start + i/rate (later only while at the concurrency cap)
  const interval = 1000 / o.rate;
  const start = performance.now();
  const all: Promise<void>[] = [];
  let waiting: (() => void) | undefined;
  for (let i = 0; i < o.scripts.length; i++) {
    const due = start + i * interval - performance.now();
    if (due > 1) await new Promise((r) => setTimeout(r, due));
    while (active >= o.concurrency) await new Promise<void>((r) => (waiting = r));
    all.push(
      one(i).finally(() => {
        const w = waiting;
        waiting = undefined;
        w?.();
      }),
    );
  }
  await Promise.all(all);
  return runs;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
