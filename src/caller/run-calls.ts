/**
 * Runs many test calls with bounded concurrency over one caller connection and gathers the
 * figures: outcomes, call durations, answer latency (originate → first prompt). Used by
 * `ivr-1699 bench` and the robustness tests.
 */
import type { AriClient } from '../ari/client.ts';
import { parseKeys } from './keys.ts';
import type { CallReport } from './report.ts';
import { TestCall, type PlaceCallOptions } from './test-caller.ts';

export interface RunCallsOptions {
  client: AriClient;
  call: Omit<PlaceCallOptions, 'keys' | 'callerId'>;
  scripts: string[];
  concurrency: number;
  callerId?: (i: number) => string;
}

export interface CallRun {
  script: string;
  report?: CallReport;
  error?: string;
  /** originate → first PlaybackStarted on the IVR's half */
  answerMs?: number;
}

export async function runCalls(o: RunCallsOptions): Promise<CallRun[]> {
  const runs: CallRun[] = new Array(o.scripts.length);
  let next = 0;
  const worker = async () => {
    while (next < o.scripts.length) {
      const i = next++;
      const script = o.scripts[i]!;
      const t0 = Date.now();
      let answerMs: number | undefined;
      try {
        const call = new TestCall(o.client, { ...o.call, keys: parseKeys(script), callerId: o.callerId?.(i) ?? '09121234567' }, {
          prompt: () => {
            answerMs ??= Date.now() - t0;
          },
        });
        const report = await call.start();
        runs[i] = { script, report, ...(answerMs !== undefined ? { answerMs } : {}) };
      } catch (e) {
        runs[i] = { script, error: (e as Error).message };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, o.scripts.length)) }, worker));
  return runs;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
