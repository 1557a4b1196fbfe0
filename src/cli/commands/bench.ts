/**
 * `ivr-1699 bench`: a load test through the built-in switch — the whole service and a black-box
 * caller over real HTTP/WebSocket on loopback — with the figures printed (or as JSON).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AriClient } from '../../ari/client.ts';
import { startStack, PROJECT_ROOT } from '../../app/stack.ts';
import { mulberry32, randomScript } from '../../caller/random-keys.ts';
import { percentile, runCalls } from '../../caller/run-calls.ts';
import { loadConfig } from '../../config/load.ts';
import { createLogger } from '../../log/logger.ts';
import { SOUND_FOLDER } from '../../speech/compose.ts';
import { parseOptions, UsageError } from '../usage-error.ts';

export const summary = 'load test through the built-in switch; prints the figures';

const HELP = `usage: ivr-1699 bench [--calls N] [--concurrency C] [--speed S] [--mix scenarios|random] [--seed N] [--json]

  --calls N        calls to place (default 500)
  --concurrency C  calls at once (default 50)
  --speed S        prompts and IVR timeouts run S times faster than real time (default 10;
                   above ~15 the IVR's shortened timeouts fall below the event loop's lag at start)
  --mix            scenarios: the demo data's seed items (default); random: seeded random key scripts
  --json           one JSON object on stdout`;

/** Seed-item scripts against data/demo.json (see docs/data.md). */
export const SCENARIOS = [
  '0',
  '1 1',
  '1 2',
  '1 3 021#',
  '2 1 0499370899# 1405002101#',
  '2 3 0937253537# 1405001950#',
  '3 1 1365749487# 1405001960#',
  '3 2 2277567566# 1405001702#',
  '3 3 0014636417# 1405001655# 2',
  '3 4 0499370899# 1403001234# 1',
  '3 4 0499370899# 1403001234# 2 2',
  '3 5 0014636417# 1405001890#',
  '3 6 0029986818# 1405001410# 2',
  '3 7 0075483920# 1405001560#',
  '3 2 0014636417# 1403001234# 0499370899# 1403001234#',
  'w w w',
];

export async function run(argv: string[]): Promise<number> {
  const { values } = parseOptions({
    args: argv,
    options: {
      calls: { type: 'string', default: '500' },
      concurrency: { type: 'string', default: '50' },
      speed: { type: 'string', default: '10' },
      mix: { type: 'string', default: 'scenarios' },
      seed: { type: 'string', default: '1699' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const calls = int(values.calls, '--calls', 1, 100_000);
  const concurrency = int(values.concurrency, '--concurrency', 1, 2000);
  const speed = Number(values.speed);
  if (!Number.isFinite(speed) || speed < 1 || speed > 200) throw new UsageError('--speed: a number from 1 (real time) to 200');
  if (values.mix !== 'scenarios' && values.mix !== 'random') throw new UsageError('--mix: scenarios or random');

  const config = loadConfig({ env: { ...process.env, ARI_URL: '' } });
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const stack = await startStack({ config, logger, memoryStore: true, now: '2026-11-25T10:00:00+03:30', timeScale: 1 / speed, switchPort: 0, httpPort: false });
  await stack.service.ready;
  const app = `ivr-1699-bench-${process.pid}`;
  const client = await AriClient.connect({ url: stack.ariUrl, username: config.service.ari.username, password: config.service.ari.password, app, logger, requestTimeoutMs: 30_000 });
  let scripts: string[];
  if (values.mix === 'random') {
    const demo = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'data/demo.json'), 'utf8')) as { orders: { nationalId: string; orderNumber: string }[] };
    const rnd = mulberry32(Number(values.seed));
    scripts = Array.from({ length: calls }, () => randomScript(rnd, { pairs: demo.orders }));
  } else {
    scripts = Array.from({ length: calls }, (_, i) => SCENARIOS[i % SCENARIOS.length]!);
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const runs = await runCalls({
    client,
    call: { app, context: config.service.entry.context, extension: config.service.entry.extension, agentsContext: config.routing.agentsContext, mediaPrefix: SOUND_FOLDER, timeoutMs: 120_000 },
    scripts,
    concurrency,
    callerId: (i) => `0912${String(i % 1_000_000).padStart(7, '0')}`,
  });
  const wallMs = performance.now() - t0;
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpu0);
  await client.close();
  await stack.stop();

  const durations = runs.filter((r) => r.report).map((r) => r.report!.durationMs).sort((a, b) => a - b);
  const answers = runs.filter((r) => r.answerMs !== undefined).map((r) => r.answerMs!).sort((a, b) => a - b);
  const outcomes: Record<string, number> = {};
  for (const r of runs) {
    const o = r.report?.outcome;
    const k = !o ? 'error' : o.kind === 'transfer' ? `transfer:${o.skill}` : `hangup:${o.reason}`;
    outcomes[k] = (outcomes[k] ?? 0) + 1;
  }
  // per script: how its calls ended (a scenario that ends differently under load shows up here)
  const byScript: Record<string, Record<string, number>> = {};
  if (values.mix === 'scenarios') {
    for (const r of runs) {
      const o = r.report?.outcome;
      const k = !o ? 'error' : o.kind === 'transfer' ? `transfer:${o.skill}` : `hangup:${o.reason}`;
      const m = (byScript[r.script] ??= {});
      m[k] = (m[k] ?? 0) + 1;
    }
  }
  const failed = runs.filter((r) => !r.report || (r.report.outcome.kind === 'hangup' && !['completed', 'caller-hangup'].includes(r.report.outcome.reason))).length;
  const result = {
    calls,
    concurrency,
    speed,
    mix: values.mix,
    wallSeconds: round(wallMs / 1000),
    callsPerSecond: round(calls / (wallMs / 1000)),
    /** calls per second expressed at real-time speed: how many simultaneous real callers this rate means */
    callDurationMs: { p50: percentile(durations, 50), p95: percentile(durations, 95), p99: percentile(durations, 99), max: durations.at(-1) ?? NaN },
    answerLatencyMs: { p50: percentile(answers, 50), p95: percentile(answers, 95), p99: percentile(answers, 99), max: answers.at(-1) ?? NaN },
    cpuSeconds: round((cpu.user + cpu.system) / 1e6),
    cpuMsPerCall: round((cpu.user + cpu.system) / 1e3 / calls),
    peakRssMb: round(peakRss / 1024 / 1024),
    outcomes,
    ...(values.mix === 'scenarios' ? { byScript } : {}),
    failed,
    node: process.version,
  };
  if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
  else {
    process.stdout.write(
      [
        `ivr-1699 bench: ${calls} calls, ${concurrency} at once, ${speed}x speed, mix ${values.mix} (switch, service and caller in one process over loopback)`,
        `  wall           ${result.wallSeconds} s  (${result.callsPerSecond} calls/s)`,
        `  call duration  p50 ${result.callDurationMs.p50} ms  p95 ${result.callDurationMs.p95} ms  p99 ${result.callDurationMs.p99} ms  max ${result.callDurationMs.max} ms`,
        `  answer latency p50 ${result.answerLatencyMs.p50} ms  p95 ${result.answerLatencyMs.p95} ms  p99 ${result.answerLatencyMs.p99} ms  (originate → first prompt)`,
        `  CPU            ${result.cpuSeconds} s  (${result.cpuMsPerCall} ms per call, all three parts)`,
        `  peak RSS       ${result.peakRssMb} MB`,
        `  outcomes       ${Object.entries(outcomes).sort().map(([k, v]) => `${k} ${v}`).join(', ')}`,
        `  failed         ${failed}`,
      ].join('\n') + '\n',
    );
  }
  return failed === 0 ? 0 : 1;
}

function int(v: string, name: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name}: a whole number from ${min} to ${max}`);
  return n;
}
const round = (x: number) => Math.round(x * 100) / 100;
