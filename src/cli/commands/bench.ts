/**
 * `ivr-1699 bench`: measures the IVR service alone. The service runs in its own process, as
 * deployed (`ivr-1699 serve`, compiled); this process is the load: the built-in switch (or a real
 * Asterisk with --ari-url) and the test callers. The service's CPU and memory are read from
 * /proc/<pid>/stat, its event→command latency from its GET /metrics/latency; answer latency is
 * what the callers see. One step per concurrency level; a table, --json, and an SVG chart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AriClient } from '../../ari/client.ts';
import { histogramDiff, histogramPercentile, type HistogramSnapshot } from '../../ari/latency.ts';
import { builtinSwitchOptions, PROJECT_ROOT } from '../../app/stack.ts';
import { renderChart } from '../../bench/chart.ts';
import { readProc, readThreadsCpu, type ThreadsCpu } from '../../bench/proc.ts';
import { mulberry32, randomScript } from '../../caller/random-keys.ts';
import { percentile, runCalls, type CallRun } from '../../caller/run-calls.ts';
import { loadConfig } from '../../config/load.ts';
import { createLogger } from '../../log/logger.ts';
import { SOUND_FOLDER } from '../../speech/compose.ts';
import { startSwitch, type BuiltinSwitch } from '../../switch/index.ts';
import { findAsterisk, freeTcpPort, startLocalAsterisk, type LocalAsterisk } from '../../asterisk/local.ts';
import { parseOptions, UsageError } from '../usage-error.ts';

export const summary = 'benchmark of the IVR service in its own process (built-in switch or a real Asterisk)';

const HELP = `usage: ivr-1699 bench [--steps 100,500,1000,2000] [--rate R | --burst] [--calls N]
                      [--mix refund|scenarios|random | --script KEYS]
                      [--ari-url URL --asterisk-pid PID | --asterisk HOME]
                      [--json] [--chart FILE] [--profile DIR]
                      [--warmup N] [--settle S] [--node-flags FLAGS] [--service-script FILE]

The service runs in its own process (\`ivr-1699 serve\`, compiled when dist/ is built); this
process runs the load: the built-in switch in real time, or a real Asterisk (--ari-url) whose
dialplan sends the entry extension to the service's Stasis app. Each step offers calls and
reports the service's CPU per call, RSS per active call, answer latency (call offered → first
prompt) and event→command latency (an ARI event arrives at the service → its next request
leaves), p50/p95/p99/max.

The service's CPU is read over each step, from the first call offered to 0.5 s after the last
ended, and divided by the calls; beside it, the main thread's part (the rest is V8's compiler
and garbage-collector threads), the service's idle CPU (ms per second with no calls, read once it
has gone quiet after starting, before the first step: no step holds its start-up, see --settle)
and the CPU per call above idle.

  --steps LIST      concurrency of each step (default 100)
  --rate R          calls offered per second (default: each step's concurrency / 15, so the calls
                    of a step arrive over 15 s); a step never has more calls in progress than its
                    concurrency
  --burst           offer each step's calls all at once instead
  --calls N         calls per step (default: the step's concurrency)
  --mix             refund (default: "3 4 0499370899# 1403001234# 1", a refund request, ~35 s),
                    scenarios (the demo data's seed items) or random (seeded random keys)
  --script KEYS     every call keys this one script instead (e.g. "0": main menu → general)
  --ari-url URL     a real Asterisk instead of the built-in switch (ARI_USERNAME/ARI_PASSWORD)
  --asterisk-pid P  read Asterisk's own CPU too (with --ari-url), for the service/Asterisk ratio
  --asterisk HOME   start a private Asterisk from that install (e.g. /opt/ast/asterisk-22.10.1)
                    with the project's dialplan/ on free ports, measure against it (its CPU too)
                    and stop it at the end
  --json            one JSON object on stdout
  --chart FILE      write the SVG chart there (e.g. docs/performance.svg)
  --profile DIR     run the service with --cpu-prof, profile written to DIR when it stops
                    (the profiler itself costs the service tens of ms of CPU a second)
  --warmup N        N calls (a burst, the same mix) after the service started and before the
                    first step, reported apart (JSON "warmup"): the steps then measure a service
                    whose code V8 has already compiled and optimised, as one running for days
  --node-flags F    Node/V8 flags for the service process, for experiments (e.g. "--no-opt":
                    no optimising compiler; the JSON's command line keeps them)
  --settle S        seconds after the service answers /health before its idle CPU is read and
                    the first step starts (default 30: past the heap shrink V8 does 15-25 s after
                    a start); it also waits until the service's CPU is quiet, and so long again
                    after the warm-up
  --service-script F  run this Node script as the service process instead of "ivr-1699 serve"
                    (same environment; it must answer /health and /metrics/latency), to measure
                    something beside the service in the same set-up: scripts/null-ivr.mjs is the
                    floor, the refund call's events and requests with no decisions behind them`;

const REFUND = '3 4 0499370899# 1403001234# 1';

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
  REFUND,
  '3 4 0499370899# 1403001234# 2 2',
  '3 5 0014636417# 1405001890#',
  '3 6 0029986818# 1405001410# 2',
  '3 7 0075483920# 1405001560#',
  '3 2 0014636417# 1403001234# 0499370899# 1403001234#',
  'w w w',
];

interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface StepResult {
  concurrency: number;
  calls: number;
  /** calls offered per second; null: burst */
  rate: number | null;
  wallSeconds: number;
  peakActive: number;
  failed: number;
  outcomes: Record<string, number>;
  answerLatencyMs: Percentiles;
  eventToCommandMs: Percentiles & { samples: number };
  callDurationMs: Percentiles;
  /** the service's CPU over the step (from the first call offered to 0.5 s after the last ended), per call */
  serviceCpuMsPerCall: number;
  /**
   * the service's CPU with no calls (ms per second), read before the first step once it had gone
   * quiet after its start; the same for every step
   */
  serviceIdleCpuMsPerSecond: number;
  /** serviceCpuMsPerCall less what the service would have spent idle over the step's time */
  serviceCpuMsPerCallAboveIdle: number;
  /**
   * of serviceCpuMsPerCall, the main thread's (JavaScript, the event loop); the rest is V8's
   * optimizing compiler and garbage-collector helpers (and libuv's pool), which run beside it
   */
  serviceMainThreadCpuMsPerCall: number;
  /**
   * times the service's main thread / its other threads were put on a CPU, per call (schedstat's
   * timeslices: each wake-up from waiting is one). On a virtual machine a wake-up costs far more
   * CPU than the work it does when the process was idle before (scripts/wake-cost.mjs)
   */
  serviceMainWakeupsPerCall: number;
  serviceOtherWakeupsPerCall: number;
  /**
   * CPU of this process (the load: test callers, and the built-in switch when it is the target)
   * per call: when it nears a core, the load generator, not the service, limits the step
   */
  loadCpuMsPerCall: number;
  /** this process's CPU over the step's wall time, in cores (1 = one core busy all the time) */
  loadCores: number;
  /** REST requests the service sent, and events it received, per call */
  ariRequestsPerCall: number;
  ariEventsPerCall: number;
  servicePeakRssMb: number;
  rssPerActiveCallKb: number;
  asteriskCpuMsPerCall?: number;
  /** service CPU / Asterisk CPU over the step */
  serviceToAsteriskCpu?: number;
  loadAverage: { before: number; after: number };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseOptions({
    args: argv,
    options: {
      steps: { type: 'string', default: '100' },
      rate: { type: 'string' },
      burst: { type: 'boolean', default: false },
      calls: { type: 'string' },
      mix: { type: 'string', default: 'refund' },
      script: { type: 'string' },
      seed: { type: 'string', default: '1699' },
      'ari-url': { type: 'string' },
      'asterisk-pid': { type: 'string' },
      asterisk: { type: 'string' },
      json: { type: 'boolean', default: false },
      chart: { type: 'string' },
      profile: { type: 'string' },
      settle: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '0' },
      'node-flags': { type: 'string' },
      'service-script': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const steps = values.steps.split(',').map((s) => int(s.trim(), '--steps', 1, 5000));
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0 && rate <= 10_000)) throw new UsageError('--rate: calls per second, a number above 0');
  if (rate !== undefined && values.burst) throw new UsageError('--rate and --burst: choose one');
  const settleS = int(values.settle, '--settle', 0, 600);
  const warmupCalls = int(values.warmup, '--warmup', 0, 5000);
  const callsOpt = values.calls === undefined ? undefined : int(values.calls, '--calls', 1, 100_000);
  if (!['refund', 'scenarios', 'random'].includes(values.mix)) throw new UsageError('--mix: refund, scenarios or random');
  if (values.asterisk && (values['ari-url'] || values['asterisk-pid'])) throw new UsageError('--asterisk starts its own Asterisk: leave out --ari-url and --asterisk-pid');
  let asteriskPid = values['asterisk-pid'] === undefined ? undefined : int(values['asterisk-pid'], '--asterisk-pid', 1, 2 ** 22);
  if (asteriskPid !== undefined && !values['ari-url']) throw new UsageError('--asterisk-pid goes with --ari-url');
  if (asteriskPid !== undefined && !readProc(asteriskPid)) throw new UsageError(`--asterisk-pid: no process ${asteriskPid} (or no /proc)`);

  const config = loadConfig({ env: { ...process.env, ARI_URL: '' } });
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const say = (line: string) => {
    if (!values.json) process.stderr.write(line + '\n');
  };

  // 1. the switch in this process (real time), or a real Asterisk
  let sw: BuiltinSwitch | undefined;
  let ast: LocalAsterisk | undefined;
  let ariUrl = values['ari-url'];
  const ari = { username: config.service.ari.username, password: config.service.ari.password };
  if (values.asterisk) {
    const found = findAsterisk({ ASTERISK_HOME: values.asterisk }, PROJECT_ROOT);
    if ('missing' in found) throw new UsageError(`--asterisk: ${found.missing}`);
    ast = await startLocalAsterisk({ install: found, projectRoot: PROJECT_ROOT });
    ariUrl = ast.ariUrl;
    asteriskPid = ast.process.pid;
    ari.username = ast.ariUsername;
    ari.password = ast.ariPassword;
    say(`bench: Asterisk ${found.source} started at ${ast.ariUrl} (pid ${asteriskPid})`);
  } else if (!ariUrl) {
    sw = await startSwitch(builtinSwitchOptions(config, { port: 0, timeScale: 1, logger: logger.child({ component: 'switch' }) }));
    ariUrl = sw.url;
  }
  const work = mkdtempSync(join(tmpdir(), 'ivr-1699-bench-'));
  let service: ServiceProcess | undefined;
  let client: AriClient | undefined;
  let failures = 0;
  try {
    // 2. the service in its own process
    service = await startServiceProcess({ ariUrl, ari, work, profileDir: values.profile ? resolve(values.profile) : undefined, settleMs: settleS * 1000, nodeFlags: values['node-flags']?.split(/\s+/).filter(Boolean) ?? [], ...(values['service-script'] ? { script: resolve(values['service-script']) } : {}), logger });
    say(`bench: service pid ${service.pid} (${service.runtime}), started in ${service.startMs} ms, quiet ${service.settleMs} ms later, idle RSS ${mb(service.idleRssBytes)} MB, idle CPU ${service.idleCpuMsPerSecond} ms/s; ${sw ? `built-in switch ${sw.url} (real time)` : `Asterisk ${ariUrl}`}`);

    // 3. the callers: their own Stasis app on the same ARI
    const app = `ivr-1699-bench-${process.pid}`;
    client = await AriClient.connect({ url: ariUrl, username: ari.username, password: ari.password, app, logger, requestTimeoutMs: 30_000, maxSockets: 32 });
    const demo = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'data/demo.json'), 'utf8')) as { orders: { nationalId: string; orderNumber: string }[] };
    const rnd = mulberry32(Number(values.seed));

    const scriptsFor = (calls: number) =>
      Array.from({ length: calls }, (_, i) =>
        values.script !== undefined
          ? values.script
          : values.mix === 'refund' ? REFUND : values.mix === 'scenarios' ? SCENARIOS[i % SCENARIOS.length]! : randomScript(rnd, { pairs: demo.orders }),
      );

    // warm-up calls: the service's code paths compiled and optimised by V8 on first use (the
    // optimising compiler's threads are busy for the first tens of calls), outside every step
    let warmup: WarmupResult | undefined;
    if (warmupCalls > 0) {
      say(`bench: warm-up: ${warmupCalls} calls in a burst, not counted in the steps…`);
      const w = await runStep({ client, service, asteriskPid, concurrency: warmupCalls, calls: warmupCalls, scripts: scriptsFor(warmupCalls), app, config });
      failures += w.failed;
      warmup = { calls: w.calls, failed: w.failed, wallSeconds: w.wallSeconds, serviceCpuMsPerCall: w.serviceCpuMsPerCall, serviceMainThreadCpuMsPerCall: w.serviceMainThreadCpuMsPerCall };
      // and what V8 does once the calls are over (it shrinks the heap again), before the first step
      await untilQuiet(service.pid, settleS * 1000);
      say(`bench:   warm-up ${w.failed} failed; service CPU ${w.serviceCpuMsPerCall} ms/call (main thread ${w.serviceMainThreadCpuMsPerCall})`);
    }

    const results: StepResult[] = [];
    for (const concurrency of steps) {
      const calls = callsOpt ?? concurrency;
      const stepRate = values.burst ? undefined : (rate ?? concurrency / 15);
      const scripts = scriptsFor(calls);
      say(`bench: step ${concurrency} at once: ${calls} calls${stepRate === undefined ? ' in a burst' : ` at ${round(stepRate)} calls/s`}…`);
      const r = await runStep({ client, service, asteriskPid, concurrency, calls, rate: stepRate, scripts, app, config });
      results.push(r);
      failures += r.failed;
      say(`bench:   ${r.failed} failed; bench process ${r.loadCores} cores; answer p99 ${r.answerLatencyMs.p99} ms; event→command p99 ${r.eventToCommandMs.p99} ms; service CPU ${r.serviceCpuMsPerCall} ms/call; ${r.rssPerActiveCallKb} KB per active call`);
    }

    const result = {
      command: `ivr-1699 bench ${argv.join(' ')}`.trim(),
      target: sw ? 'built-in switch (real time, in the load process)' : `Asterisk at ${ariUrl}`,
      mix: values.script !== undefined ? `script "${values.script}"` : values.mix,
      service: { pid: service.pid, runtime: service.runtime, startMs: service.startMs, idleRssMb: mb(service.idleRssBytes), settleMs: service.settleMs, idleCpuMsPerSecond: service.idleCpuMsPerSecond },
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '' },
      node: process.version,
      ...(warmup ? { warmup } : {}),
      steps: results,
    };
    if (values.chart) {
      writeFileSync(resolve(values.chart), chart(result.command, results));
      say(`bench: chart written to ${values.chart}`);
    }
    if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
    else process.stdout.write(table(result.service, results, warmup) + '\n');
    return results.every((r) => r.failed === 0) ? 0 : 1;
  } finally {
    await client?.close();
    await service?.stop();
    await sw?.stop();
    await ast?.stop();
    if (failures === 0) rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`bench: ${failures} calls failed; the service's log is kept in ${join(work, 'service.log')}\n`);
  }
}

/** the warm-up calls' own figures (--warmup) */
interface WarmupResult {
  calls: number;
  failed: number;
  wallSeconds: number;
  serviceCpuMsPerCall: number;
  serviceMainThreadCpuMsPerCall: number;
}

interface StepInput {
  client: AriClient;
  service: ServiceProcess;
  asteriskPid?: number;
  concurrency: number;
  calls: number;
  rate?: number;
  scripts: string[];
  app: string;
  config: ReturnType<typeof loadConfig>;
}

async function runStep(s: StepInput): Promise<StepResult> {
  const load0 = loadavg()[0]!;
  const lat0 = await s.service.latency();
  const svc0 = readProc(s.service.pid)!;
  const thr0 = readThreadsCpu(s.service.pid);
  const self0 = readProc(process.pid);
  const ast0 = s.asteriskPid ? readProc(s.asteriskPid) : undefined;
  let peakRss = svc0.rssBytes;
  let peakActive = 0;
  let active = 0;
  const sampler = setInterval(() => {
    const p = readProc(s.service.pid);
    if (p && p.rssBytes > peakRss) peakRss = p.rssBytes;
  }, 250);
  const t0 = performance.now();
  let runs: CallRun[];
  try {
    runs = await runCalls({
      client: s.client,
      call: { app: s.app, context: s.config.service.entry.context, extension: s.config.service.entry.extension, agentsContext: s.config.routing.agentsContext, mediaPrefix: SOUND_FOLDER, timeoutMs: 180_000 },
      scripts: s.scripts,
      concurrency: s.concurrency,
      ...(s.rate !== undefined ? { rate: s.rate } : {}),
      callerId: (i) => `0912${String(i % 10_000_000).padStart(7, '0')}`,
      onActive: (n) => {
        active = n;
        if (active > peakActive) peakActive = active;
      },
    });
  } finally {
    clearInterval(sampler);
  }
  const wallMs = performance.now() - t0;
  // the service's side of the last calls (hang-up, records) ends just after the callers'
  await new Promise((r) => setTimeout(r, 500));
  const svc1 = readProc(s.service.pid)!;
  const thr1 = readThreadsCpu(s.service.pid);
  const self1 = readProc(process.pid);
  const loadCpuMs = self0 && self1 ? self1.cpuMs - self0.cpuMs : NaN;
  const ast1 = s.asteriskPid ? readProc(s.asteriskPid) : undefined;
  const stats1 = await s.service.latency();
  const lat = histogramDiff(stats1.eventToCommand, lat0.eventToCommand);

  const answers = runs.filter((r) => r.answerMs !== undefined).map((r) => r.answerMs!).sort((a, b) => a - b);
  const durations = runs.filter((r) => r.report).map((r) => r.report!.durationMs).sort((a, b) => a - b);
  const outcomes: Record<string, number> = {};
  for (const r of runs) {
    const o = r.report?.outcome;
    const k = !o ? 'error' : o.kind === 'transfer' ? `transfer:${o.skill}` : `hangup:${o.reason}`;
    outcomes[k] = (outcomes[k] ?? 0) + 1;
  }
  const failed = runs.filter((r) => !r.report || (r.report.outcome.kind === 'hangup' && !['completed', 'caller-hangup'].includes(r.report.outcome.reason))).length;
  const serviceCpuMs = svc1.cpuMs - svc0.cpuMs;
  const idleMs = (s.service.idleCpuMsPerSecond * (wallMs + 500)) / 1000;
  // the split comes from the per-thread counters (finer than the ticks of the whole process): its share, applied to the whole
  const mainShare = thr0 && thr1 ? share(thr0, thr1) : NaN;
  const asteriskCpuMs = ast0 && ast1 ? ast1.cpuMs - ast0.cpuMs : undefined;
  return {
    concurrency: s.concurrency,
    calls: s.calls,
    rate: s.rate === undefined ? null : round(s.rate),
    wallSeconds: round(wallMs / 1000),
    peakActive,
    failed,
    outcomes,
    answerLatencyMs: pcts(answers),
    eventToCommandMs: { ...histPcts(lat), samples: lat.count },
    callDurationMs: pcts(durations),
    serviceCpuMsPerCall: round(serviceCpuMs / s.calls),
    serviceIdleCpuMsPerSecond: s.service.idleCpuMsPerSecond,
    serviceCpuMsPerCallAboveIdle: round((serviceCpuMs - idleMs) / s.calls),
    serviceMainThreadCpuMsPerCall: round((serviceCpuMs * mainShare) / s.calls),
    serviceMainWakeupsPerCall: thr0 && thr1 ? round((thr1.mainRuns - thr0.mainRuns) / s.calls, 1) : NaN,
    serviceOtherWakeupsPerCall: thr0 && thr1 ? round((thr1.otherRuns - thr0.otherRuns) / s.calls, 1) : NaN,
    loadCpuMsPerCall: round(loadCpuMs / s.calls),
    loadCores: round(loadCpuMs / (wallMs + 500)),
    ariRequestsPerCall: round((stats1.ariRequests - lat0.ariRequests) / s.calls, 1),
    ariEventsPerCall: round((stats1.ariEvents - lat0.ariEvents) / s.calls, 1),
    servicePeakRssMb: mb(peakRss),
    rssPerActiveCallKb: peakActive ? round((peakRss - s.service.idleRssBytes) / 1024 / peakActive) : NaN,
    ...(asteriskCpuMs !== undefined ? { asteriskCpuMsPerCall: round(asteriskCpuMs / s.calls), serviceToAsteriskCpu: round(serviceCpuMs / asteriskCpuMs, 3) } : {}),
    loadAverage: { before: round(load0), after: round(loadavg()[0]!) },
  };
}

interface ServiceStats {
  ariRequests: number;
  ariEvents: number;
  eventToCommand: HistogramSnapshot;
}

interface ServiceProcess {
  pid: number;
  runtime: string;
  startMs: number;
  /** how long after it answered /health the service's CPU went quiet (its start-up's tail) */
  settleMs: number;
  idleRssBytes: number;
  /** its CPU with no calls, once quiet (ms per second, all threads) */
  idleCpuMsPerSecond: number;
  latency(): Promise<ServiceStats>;
  stop(): Promise<void>;
}

/** Starts `ivr-1699 serve` as its own process against the ARI URL and waits until it is connected. */
async function startServiceProcess(o: { ariUrl: string; ari: { username: string; password: string }; work: string; profileDir?: string; settleMs: number; nodeFlags: string[]; script?: string; logger: ReturnType<typeof createLogger> }): Promise<ServiceProcess> {
  const httpPort = await freeTcpPort();
  const logFile = join(o.work, 'service.log');
  const out = openSync(logFile, 'w');
  const t0 = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...o.nodeFlags, ...(o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : []), ...(o.script ? [o.script] : [resolve(PROJECT_ROOT, 'bin/ivr-1699.mjs'), 'serve'])], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ARI_URL: o.ariUrl, ARI_USERNAME: o.ari.username, ARI_PASSWORD: o.ari.password, HTTP_PORT: String(httpPort), HTTP_HOST: '127.0.0.1', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', IVR_DB: join(o.work, 'bench.sqlite'), IVR_SEED_DEMO: 'true' },
    stdio: ['ignore', 'ignore', out],
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  const base = `http://127.0.0.1:${httpPort}`;
  const tail = () => readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
  let runtime = '';
  for (;;) {
    if (exited) throw new Error(`the service exited before it was ready:\n${tail()}`);
    if (performance.now() - t0 > 60_000) {
      child.kill('SIGKILL');
      throw new Error(`the service was not connected to ARI within 60 s:\n${tail()}`);
    }
    const h = await fetch(`${base}/health`).catch(() => undefined);
    if (h?.ok) {
      runtime = ((await (await fetch(`${base}/metrics/latency`)).json()) as { runtime: string }).runtime;
      break;
    }
    await h?.arrayBuffer();
    await new Promise((r) => setTimeout(r, 50));
  }
  const startMs = Math.round(performance.now() - t0);
  // no step's CPU window may hold the service's start-up: wait until its CPU has gone quiet, then
  // read what it spends idle (timers, file watching, metrics) over a few seconds
  const settleMs = await untilQuiet(child.pid!, o.settleMs);
  const idleCpuMsPerSecond = await idleCpuRate(child.pid!, IDLE_WINDOW_MS);
  const idle = readProc(child.pid!);
  return {
    pid: child.pid!,
    runtime,
    startMs,
    settleMs,
    idleRssBytes: idle?.rssBytes ?? 0,
    idleCpuMsPerSecond,
    latency: async () => (await (await fetch(`${base}/metrics/latency`)).json()) as ServiceStats,
    stop: async () => {
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(t);
    },
  };
}

const IDLE_WINDOW_MS = 7000;
const totalMs = (t: ThreadsCpu) => t.mainMs + t.otherMs;
const share = (a: ThreadsCpu, b: ThreadsCpu) => {
  const all = totalMs(b) - totalMs(a);
  return all > 0 ? (b.mainMs - a.mainMs) / all : NaN;
};

/**
 * Waits at least `minMs` (and 1 s), then until the process spent under 1% of a core over two
 * half-seconds in a row (at most 30 s more); returns how long that took (ms). The minimum covers
 * what V8 does on its own after a start: it shrinks the heap the start grew 15–25 s later (three
 * full collections, 100–200 ms of CPU, seen with --trace-gc; its timer ticks every 8 s).
 */
async function untilQuiet(pid: number, minMs: number): Promise<number> {
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, Math.max(1000, minMs)));
  let quiet = 0;
  let prev = readThreadsCpu(pid);
  while (prev && quiet < 2 && performance.now() - t0 < Math.max(1000, minMs) + 30_000) {
    await new Promise((r) => setTimeout(r, 500));
    const now = readThreadsCpu(pid);
    if (!now) break;
    quiet = totalMs(now) - totalMs(prev) <= 5 ? quiet + 1 : 0;
    prev = now;
  }
  return Math.round(performance.now() - t0);
}

/**
 * The process's CPU with nothing to do, in ms per second (all threads): the median of one-second
 * readings over `ms`, so that a one-off burst (V8 shrinking the heap, when it does so later than
 * the settle time) is not taken for what the service spends every second.
 */
async function idleCpuRate(pid: number, ms: number): Promise<number> {
  const rates: number[] = [];
  let a = readThreadsCpu(pid);
  let t = performance.now();
  for (let i = 0; i < Math.max(1, Math.round(ms / 1000)) && a; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const b = readThreadsCpu(pid);
    const now = performance.now();
    if (!b) break;
    rates.push((totalMs(b) - totalMs(a)) / ((now - t) / 1000));
    a = b;
    t = now;
  }
  rates.sort((x, y) => x - y);
  return rates.length ? round(rates[Math.floor(rates.length / 2)]!, 3) : NaN;
}

function pcts(sorted: number[]): Percentiles {
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}
function histPcts(h: HistogramSnapshot): Percentiles {
  return { p50: round(histogramPercentile(h, 50)), p95: round(histogramPercentile(h, 95)), p99: round(histogramPercentile(h, 99)), max: round(h.count ? h.maxMs : NaN) };
}

function table(svc: { runtime: string; startMs: number; idleRssMb: number; idleCpuMsPerSecond: number }, steps: StepResult[], warmup?: WarmupResult): string {
  const head = ['at once', 'calls', 'calls/s', 'failed', 'answer p50/p95/p99/max ms', 'event→command p50/p95/p99/max ms', 'service CPU ms/call', 'main thread ms/call', 'wake-ups/call main/other', 'idle CPU ms/s', 'CPU ms/call above idle', 'RSS KB/active call', 'peak RSS MB', 'Asterisk CPU ms/call', 'bench CPU ms/call (cores)', 'load'];
  const rows = steps.map((r) => [
    String(r.concurrency),
    String(r.calls),
    r.rate === null ? 'burst' : String(r.rate),
    String(r.failed),
    q(r.answerLatencyMs),
    q(r.eventToCommandMs),
    String(r.serviceCpuMsPerCall),
    String(r.serviceMainThreadCpuMsPerCall),
    `${r.serviceMainWakeupsPerCall} / ${r.serviceOtherWakeupsPerCall}`,
    String(r.serviceIdleCpuMsPerSecond),
    String(r.serviceCpuMsPerCallAboveIdle),
    String(r.rssPerActiveCallKb),
    String(r.servicePeakRssMb),
    r.asteriskCpuMsPerCall === undefined ? '-' : `${r.asteriskCpuMsPerCall} (×${r.serviceToAsteriskCpu})`,
    `${r.loadCpuMsPerCall} (${r.loadCores})`,
    `${r.loadAverage.before}→${r.loadAverage.after}`,
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i]!)).join('  ');
  const warm = warmup ? [`warm-up before the steps (not in them): ${warmup.calls} calls, ${warmup.failed} failed, service CPU ${warmup.serviceCpuMsPerCall} ms/call (main thread ${warmup.serviceMainThreadCpuMsPerCall})`] : [];
  return [`service: ${svc.runtime}, started in ${svc.startMs} ms, idle RSS ${svc.idleRssMb} MB, idle CPU ${svc.idleCpuMsPerSecond} ms/s`, ...warm, line(head), ...rows.map(line)].join('\n');
}
const q = (p: Percentiles) => `${p.p50} / ${p.p95} / ${p.p99} / ${p.max}`;

function chart(command: string, steps: StepResult[]): string {
  const xs = steps.map((s) => s.concurrency);
  return renderChart(`${command} (service in its own process; ${cpus().length}-core machine)`, xs, [
    {
      title: 'latency',
      unit: 'ms',
      series: [
        { name: 'answer p99 (offered → first prompt)', color: '#c0392b', values: steps.map((s) => s.answerLatencyMs.p99) },
        { name: 'answer p50', color: '#c0392b', dashed: true, values: steps.map((s) => s.answerLatencyMs.p50) },
        { name: 'event→command p99', color: '#2471a3', values: steps.map((s) => s.eventToCommandMs.p99) },
        { name: 'event→command p50', color: '#2471a3', dashed: true, values: steps.map((s) => s.eventToCommandMs.p50) },
      ],
    },
    {
      title: 'service cost',
      unit: 'ms CPU per call / KB RSS per active call',
      series: [
        { name: 'CPU ms per call', color: '#1e8449', values: steps.map((s) => s.serviceCpuMsPerCall) },
        { name: 'RSS KB per active call', color: '#7d3c98', values: steps.map((s) => s.rssPerActiveCallKb) },
      ],
    },
  ]);
}

function int(v: string, name: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name}: a whole number from ${min} to ${max}`);
  return n;
}
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const mb = (bytes: number) => round(bytes / 1024 / 1024);
