/**
 * The composition root: from a validated configuration, builds and starts everything one process
 * runs — the built-in switch when no ARI_URL is set, the store (or Quantum over HTTP), the SMS
 * sender, the policy engine, the call flow and the service — and stops it all again.
 * `serve`, `call` (in-process), `bench` and the integration tests all start through here.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AppConfig } from '../config/schema.ts';
import { configFile, DEFAULT_CONFIG_FILE, loadConfig, type LoadOptions } from '../config/load.ts';
import { LiveConfig } from '../config/live.ts';
import type { Store } from '../domain/data-file.ts';
import { createCallMachine } from '../flow/call-machine.ts';
import type { FlowConfig } from '../flow/config.ts';
import type { Logger } from '../log/logger.ts';
import { decide, questionsFor } from '../policy/index.ts';
import { loadWorkingCalendar } from '../policy/load.ts';
import { createQuantumClient } from '../quantum/http.ts';
import { formatStoresSms } from '../sms/format.ts';
import { createSmsSender } from '../sms/index.ts';
import { describeReconcile, reconcilePendingSms } from '../sms/reconcile.ts';
import { compose, toMedia, SOUND_FOLDER } from '../speech/compose.ts';
import { ChequesWatcher } from '../store/cheques-xlsx.ts';
import { PromptLibrary, promptSecondsReader } from '../speech/library.ts';
import { DEMO_DATA_PATH, openStore, probeStoreWritable, PROJECT_ROOT, type IvrStore } from '../store/db.ts';
import { importDataFile } from '../store/import.ts';
import { CallRecordStore } from '../store/call-records.ts';
import cron from 'node-cron';
import { Counter, Gauge, type Registry } from 'prom-client';
import { FailedLookups } from '../store/lookups.ts';
import { EmbeddedOrderData } from '../store/order-data.ts';
import { RequestOutbox, SqliteOutboxQueue, type OutboxQueue } from '../store/outbox.ts';
import { PostgresOutboxQueue } from '../store/postgres-outbox.ts';
import { SqliteRequestRegistry } from '../store/requests.ts';
import { PostgresRequestRegistry, redactDbUrl } from '../store/postgres-registry.ts';
import type { RequestRegistry, SmsSender } from '../domain/ports.ts';
import { startSwitch, type BuiltinSwitch, type SwitchOptions } from '../switch/index.ts';
import type { CallServices } from './actors.ts';
import { clockAt } from './clock.ts';
import type { DependencyReport, Metrics, RegistrationResult } from './metrics.ts';
import { startService, type FlowVersion, type LiveCall, type RunningService } from './service.ts';
import { createConsole, CONSOLE_ASSETS_DIR, type WebConsole } from '../console/server.ts';

export { PROJECT_ROOT };

export interface StackOptions {
  config: AppConfig;
  logger: Logger;
  /** load this data file into a fresh in-memory store (call --data); default: the configured store */
  dataFile?: string;
  /** use an in-memory store seeded with the demo data (tests, bench) */
  memoryStore?: boolean;
  /** the clock starts at this ISO instant (call --now) */
  now?: string;
  /** speeds up prompts, DTMF and the IVR's own timeouts (built-in switch only); default config */
  timeScale?: number;
  /** switch port (0 = any free port); default config */
  switchPort?: number;
  /** health/metrics port; false = none; default config */
  httpPort?: number | false;
  /** run the outbox and the bounced-cheques watcher (serve) */
  background?: boolean;
  /** the built browser code of the web console; default build/console */
  consoleAssetsDir?: string;
  /**
   * Live reload (serve): `config` was loaded with these options; the file they name (or
   * config/ivr-1699.yaml) and the holiday table it names are watched, and SIGHUP re-reads them
   * (src/config/live.ts). Absent: the configuration stays as started (call, bench, most tests).
   */
  live?: { load: LoadOptions; watch?: boolean; signal?: NodeJS.Signals | false; debounceMs?: number };
}

export interface Stack {
  ariUrl: string;
  switch?: BuiltinSwitch;
  service: RunningService;
  /** what a call starting now shares with the others (ports, policy, clock): a second service on the same stack can reuse it */
  readonly services: CallServices;
  /** the configuration's versions: current(), reload(), status() (live reload when `live` was given) */
  config: LiveConfig<FlowVersion>;
  store: IvrStore;
  registry: SqliteRequestRegistry;
  /** the web console (when the HTTP port is on and console.enabled) */
  console?: WebConsole;
  /** every call's record (written in batches) */
  records: CallRecordStore;
  stop(): Promise<void>;
}

/**
 * The call machine with the IVR's own timeouts scaled with the switch's time (a tenfold-fast
 * switch needs tenfold-fast timeouts); the configuration itself keeps its real values.
 */
export function scaledCallMachine(flow: FlowConfig, scale: number) {
  const machine = createCallMachine(flow);
  if (scale === 1) return machine;
  const t = flow.timeouts;
  const s = (ms: number) => Math.max(20, Math.round(ms * scale));
  return machine.provide({ delays: { firstDigit: s(t.firstDigitMs), interDigit: s(t.interDigitMs), menuTimeout: s(t.menuMs) } });
}

/** The built-in switch as the configuration describes it (the project's dialplan, prompts, users). */
export function builtinSwitchOptions(cfg: AppConfig, o: { port: number; timeScale: number; logger: Logger }): SwitchOptions {
  const svcCfg = cfg.service;
  return {
    port: o.port,
    host: svcCfg.switch.host,
    username: svcCfg.ari.username,
    password: svcCfg.ari.password,
    timeScale: o.timeScale,
    sounds: { [SOUND_FOLDER]: resolve(PROJECT_ROOT, svcCfg.prompts.dir) },
    entryContext: svcCfg.entry.context,
    entryExtension: svcCfg.entry.extension,
    ivrApp: svcCfg.ari.app,
    language: svcCfg.prompts.language,
    agentsContext: cfg.routing.agentsContext,
    failoverExtension: cfg.routing.skills.general!.extension,
    watchdogSeconds: svcCfg.ari.watchdogSeconds || 30,
    logger: o.logger,
  };
}

/** The folder of the prompts of the configured language: PROMPTS_DIR / service.prompts (e.g. prompts/fa). */
export function promptsFolder(cfg: AppConfig): string {
  return resolve(PROJECT_ROOT, cfg.service.prompts.dir, cfg.service.prompts.language);
}

export async function startStack(o: StackOptions): Promise<Stack> {
  const cfg = o.config;
  const log = o.logger;
  const svcCfg = cfg.service;
  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch((e) => log.warn({ err: e }, 'error while stopping'));
  };
  try {
    // 1. Asterisk, or the built-in switch
    let ariUrl = svcCfg.ari.url;
    let sw: BuiltinSwitch | undefined;
    const timeScale = ariUrl ? 1 : (o.timeScale ?? svcCfg.switch.timeScale);
    if (!ariUrl) {
      sw = await startSwitch(builtinSwitchOptions(cfg, { port: o.switchPort ?? svcCfg.switch.port, timeScale, logger: log.child({ component: 'switch' }) }));
      cleanups.push(() => sw!.stop());
      ariUrl = sw.url;
      log.info({ url: sw.url, timeScale }, 'built-in switch listening (no ARI_URL set)');
    }

    // 2. data: the store (always: it keeps the IVR's own records) and where order data comes from
    let store: IvrStore;
    if (o.dataFile) {
      store = openStore(':memory:');
      // a tester's data file may hold made-up IDs: the caller's keys are validated by the flow anyway
      importDataFile(store, o.dataFile, { strictIds: false, strictOrderNumbers: false });
    } else if (o.memoryStore) {
      store = openStore(':memory:', { seedIfEmpty: DEMO_DATA_PATH });
    } else {
      const d = cfg.data.store;
      // busy timeout 0: a write that meets another process's lock is retried on timers (src/store/busy.ts), never blocking the event loop
      store = openStore(resolve(PROJECT_ROOT, d.dbPath), {
        synchronous: d.synchronous,
        ...(d.seedDemo ? { seedIfEmpty: DEMO_DATA_PATH } : {}),
        logger: log,
        busyTimeoutMs: 0,
        writeWaitMs: d.writeWaitMs,
        // the calls' writes (requests, call records, counters, SMS) commit on a writer thread: no fsync on the event loop
        writer: true,
      });
    }
    cleanups.push(() => store.close());
    // stopping: the records are written, then the writer answers every write it was given, then the store closes
    if (store.writer) cleanups.push(() => store.writer!.close());
    const records = new CallRecordStore(store, { logger: log.child({ component: 'records' }) });
    cleanups.push(() => records.close());
    if (o.background) {
      // retention: records older than data.records.retentionDays are deleted on a cron
      const prune = async () => {
        const n = await records.prune(new Date(Date.now() - cfg.data.records.retentionDays * 86_400_000));
        if (n) log.info({ deleted: n, retentionDays: cfg.data.records.retentionDays }, 'old call records deleted');
      };
      const job = cron.schedule(cfg.data.records.pruneCron, () => prune().catch((e) => log.error({ err: e }, 'could not delete old call records')));
      cleanups.push(() => job.destroy());
    }
    const embedded = new EmbeddedOrderData(store);
    // bounced cheques come from the finance unit's spreadsheet (imported into the store) even when Quantum serves the rest
    const metricsRef: { current?: Metrics } = {};
    const quantum = createQuantumClient(cfg.data.quantum, {
      installationId: store.installationId,
      bouncedCheques: (nid) => embedded.bouncedCheques(nid),
      logger: log.child({ component: 'quantum' }),
      onError: (kind) => metricsRef.current?.quantumError(kind),
    });
    const orderData = quantum ?? embedded;
    let outbox: RequestOutbox | undefined;
    const registry = new SqliteRequestRegistry(store, { prefix: cfg.data.store.requestPrefix, onRegistered: () => outbox?.wake() });
    const sms = createSmsSender(cfg.data.sms, store, log.child({ component: 'sms' }), (kind) => metricsRef.current?.smsError(kind));
    // what /health says about SMS: whether the last message went out
    const smsState = { lastOkAt: 0, lastFailureAt: 0, lastError: '' };
    const smsTracked: SmsSender = {
      send: async (to, text, opts) => {
        try {
          const r = await sms.send(to, text, opts);
          smsState.lastOkAt = Date.now();
          return r;
        } catch (e) {
          Object.assign(smsState, { lastFailureAt: Date.now(), lastError: (e as Error).message });
          throw e;
        }
      },
    };
    // cluster: requests in the shared PostgreSQL, so that either IVR sees the other's (A9 earlier referrals)
    let requests: RequestRegistry = registry;
    // …and then delivered to Quantum from there: every service of the cluster runs an outbox over the shared table
    let queue: OutboxQueue = new SqliteOutboxQueue(store);
    // the outbox's depth for /metrics: where the requests wait
    let outboxDepth: () => { pending: number; failed: number } | Promise<{ pending: number; failed: number }> = () => registry.outboxDepth();
    if (svcCfg.sharedDbUrl) {
      const pgRegistry = await PostgresRequestRegistry.connect(svcCfg.sharedDbUrl, { prefix: cfg.data.store.requestPrefix, onRegistered: () => outbox?.wake() });
      cleanups.push(() => pgRegistry.close());
      requests = pgRegistry;
      queue = new PostgresOutboxQueue(pgRegistry);
      outboxDepth = () => pgRegistry.outboxDepth();
      log.info({ db: redactDbUrl(svcCfg.sharedDbUrl) }, 'registered requests go to the shared PostgreSQL and are delivered to Quantum from there');
    }
    if (o.background && quantum) {
      outbox = new RequestOutbox(queue, { sink: quantum, pollMs: cfg.data.outbox.pollMs, maxAttempts: cfg.data.outbox.maxAttempts, backoffBaseMs: cfg.data.outbox.backoffBaseMs, backoffMaxMs: cfg.data.outbox.backoffMaxMs, logger: log.child({ component: 'outbox' }) });
      outbox.start();
      cleanups.push(() => outbox!.stop());
    }
    // the first SMS reconciliation runs once the service (and its metrics) is up
    let reconcileAtStart: (() => void) | undefined;
    if (o.background && sms.kind === 'gateway') {
      // SMS left pending (the process died before the gateway's answer was written, or the gateway
      // did not answer): the gateway is asked by localid what became of them, at start and on a cron
      const gateway = sms;
      const rlog = log.child({ component: 'sms-reconcile' });
      const stopping = new AbortController();
      let running: Promise<void> | undefined;
      const reconcile = () =>
        (running ??= reconcilePendingSms(store, gateway, { logger: rlog, signal: stopping.signal })
          .then((r) => {
            metricsRef.current?.smsReconciled(r);
            if (r.unavailable) rlog.warn({ ...r }, `SMS reconciliation: ${describeReconcile(r)}`);
            else if (r.checked) rlog.info({ ...r }, `SMS reconciliation: ${describeReconcile(r)}`);
          })
          .catch((e) => rlog.error({ err: e }, 'SMS reconciliation failed'))
          .finally(() => (running = undefined)));
      reconcileAtStart = () => void reconcile();
      const job = cron.schedule(cfg.data.sms.reconcileCron, () => void reconcile());
      cleanups.push(async () => {
        job.destroy();
        stopping.abort();
        await running;
      });
    }
    if (o.background && cfg.data.cheques.xlsxPath) {
      const watcher = new ChequesWatcher(store, { path: resolve(PROJECT_ROOT, cfg.data.cheques.xlsxPath), cron: cfg.data.cheques.cron, logger: log.child({ component: 'cheques' }) });
      await watcher.start();
      cleanups.push(() => watcher.stop());
    }
    if (o.background) {
      // texts and recordings change under a running service: watched, checked and logged (audio is read at each playback)
      const prompts = new PromptLibrary({ dir: promptsFolder(cfg), logger: log.child({ component: 'prompts' }) });
      prompts.watch();
      cleanups.push(() => prompts.close());
    }
    const failed = new FailedLookups(store, { maxFailures: cfg.data.lookupLimit.maxFailures, windowMs: cfg.data.lookupLimit.windowMinutes * 60_000 });

    // 3. rules and flow: one version per configuration (the start's, then each live reload's)
    const clock = clockAt(o.now);
    const promptSeconds = promptSecondsReader(promptsFolder(cfg));
    const shared = {
      language: svcCfg.prompts.language,
      media: (items) => toMedia(compose(items)),
      mediaSeconds: (media) => media.reduce((t, uri) => t + promptSeconds(uri.replace(/^sound:/, '').replace(`${SOUND_FOLDER}/`, '')), 0),
      orderData,
      registry: countRegistrations(requests, (result) => metricsRef.current?.registration(result)),
      sms: smsTracked,
      storesSms: (stores: Store[]) => formatStoresSms(stores, cfg.data.sms.maxParts),
      guard: {
        allowed: (n: string) => !failed.isLimited(n),
        failed: (n: string) => failed.recordAsync(n).then(
          () => undefined,
          (e) => log.warn({ err: e }, 'could not count a failed lookup'),
        ),
      },
      clock,
    } satisfies Omit<CallServices, 'routing' | 'questionsFor' | 'decide'>;
    // what a configuration version changes: the machine (menus, timeouts, tries, prompts), the
    // thresholds and calendar of the rules, the routing table — built once per version, not per call
    const buildVersion = (c: AppConfig): FlowVersion => {
      const calendar = loadWorkingCalendar(c.policy);
      const services: CallServices = {
        ...shared,
        routing: c.routing,
        questionsFor: (topic, facts) => questionsFor(topic, facts, c.policy),
        decide: (topic, facts, now) => decide(topic, facts, now, c.policy, calendar),
      };
      return { machine: scaledCallMachine(c.flow, timeScale), services, reasonPrompts: c.flow.prompts };
    };
    // the file the service started with (or config/ivr-1699.yaml, should it appear later)
    const startFile = o.live ? configFile(o.live.load) : undefined;
    const watched = o.live ? resolve(o.live.load.cwd ?? process.cwd(), startFile ?? DEFAULT_CONFIG_FILE) : undefined;
    const liveConfig = new LiveConfig<FlowVersion>({
      initial: cfg,
      // a reload reads that same file; a file gone since is an error, not "back to the defaults"
      load: () => loadConfig(watched && (startFile || existsSync(watched)) ? { ...o.live?.load, file: watched } : { ...o.live?.load }),
      build: buildVersion,
      logger: log,
      ...(watched ? { file: watched } : {}),
      ...(o.live?.debounceMs !== undefined ? { debounceMs: o.live.debounceMs } : {}),
    });
    const current = (): FlowVersion => {
      const v = liveConfig.current();
      return { ...v.runtime, version: v.n };
    };
    if (o.live) {
      liveConfig.start({ ...(o.live.watch !== undefined ? { watch: o.live.watch } : {}), ...(o.live.signal !== undefined ? { signal: o.live.signal } : {}) });
      cleanups.push(() => liveConfig.close());
    }

    // 4. the web console on the service's HTTP port, then the service
    const httpPort = o.httpPort === undefined ? svcCfg.http.port : o.httpPort;
    // the console asks the service for its live calls; the service starts after the console exists
    let liveCalls = (): LiveCall[] => [];
    const webConsole =
      httpPort !== false && cfg.console.enabled
        ? createConsole({
            config: cfg.console,
            appConfig: cfg,
            currentConfig: () => {
              const v = liveConfig.current();
              return { config: v.config, version: v.n, hash: v.hash };
            },
            logger: log,
            promptsDir: promptsFolder(cfg),
            assetsDir: o.consoleAssetsDir ?? resolve(PROJECT_ROOT, CONSOLE_ASSETS_DIR),
            projectRoot: PROJECT_ROOT,
            liveCalls: () => liveCalls(),
            registry,
            records,
            ari: { url: () => ariUrl!, username: svcCfg.ari.username, password: svcCfg.ari.password },
          })
        : undefined;
    if (webConsole) cleanups.push(() => webConsole.close());
    const service = await startService({
      ari: { url: ariUrl, username: svcCfg.ari.username, password: svcCfg.ari.password, app: svcCfg.ari.app, connectTimeoutMs: svcCfg.ari.connectTimeoutMs, requestTimeoutMs: svcCfg.ari.requestTimeoutMs, maxSockets: svcCfg.ari.maxSockets },
      machine: liveConfig.current().runtime.machine,
      services: liveConfig.current().runtime.services,
      current,
      logger: log,
      // wall-clock time on Asterisk and on the switch alike, whatever its time scale
      watchdog: { seconds: svcCfg.ari.watchdogSeconds, everyMs: Math.max(200, Math.round((svcCfg.ari.watchdogSeconds * 1000) / 6)) },
      stopGraceMs: svcCfg.stopGraceMs,
      records,
      ...(httpPort === false ? {} : { http: { host: svcCfg.http.host, port: httpPort, status: () => ({ config: liveConfig.status() }), ...(webConsole ? { routes: webConsole.routes } : {}) } }),
    });
    cleanups.push(() => service.stop());
    metricsRef.current = service.metrics;
    reconcileAtStart?.();
    service.metrics.dependencies = (): DependencyReport => {
      const w = store.writeStats;
      const probe = probeStoreWritable(store);
      const breaker = quantum?.breakerState;
      return {
        store: { ok: probe.state === 'ok', state: probe.state, ...(probe.detail ? { detail: probe.detail } : {}), counters: { busy: w.busy, failed: w.failed } },
        quantum: quantum ? { ok: breaker === 'closed', state: breaker ?? 'closed' } : { ok: true, state: 'embedded' },
        sms:
          smsState.lastFailureAt > smsState.lastOkAt
            ? { ok: false, state: 'failing', detail: smsState.lastError }
            : { ok: true, state: sms.kind === 'gateway' ? 'gateway' : 'local-outbox' },
      };
    };
    configMetrics(service.metrics.registry, liveConfig);
    service.metrics.outboxDepth = outboxDepth;
    liveCalls = () => service.liveCalls();
    return {
      ariUrl,
      switch: sw,
      service,
      get services() {
        return liveConfig.current().runtime.services;
      },
      config: liveConfig,
      store,
      registry,
      records,
      ...(webConsole ? { console: webConsole } : {}),
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** ivr_config_version{hash} and ivr_config_reloads_total{result} (live reload, src/config/live.ts) */
function configMetrics(registry: Registry, live: LiveConfig<FlowVersion>): void {
  new Gauge({
    name: 'ivr_config_version',
    help: 'The configuration version new calls get (1 at start, +1 per applied reload), labelled with its hash.',
    labelNames: ['hash'],
    registers: [registry],
    collect() {
      this.reset();
      const v = live.current();
      this.set({ hash: v.hash }, v.n);
    },
  });
  new Counter({
    name: 'ivr_config_reloads_total',
    help: 'Reloads of the configuration (file saved, SIGHUP): applied (a new version for new calls), unchanged (nothing that reloads live changed), rejected (invalid: the running version stays; the reason is in the log and /health).',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [result, n] of Object.entries(live.reloads)) this.inc({ result }, n);
    },
  });
}

/** the registry, counting what each registration came to (for /metrics) */
function countRegistrations(r: RequestRegistry, count: (result: RegistrationResult) => void): RequestRegistry {
  return {
    register: async (req) => {
      try {
        const done = await r.register(req);
        count(done.alreadyRegistered ? 'already-registered' : 'registered');
        return done;
      } catch (e) {
        count('failed');
        throw e;
      }
    },
    earlierRequests: (nationalId, orderNumber, units) => r.earlierRequests(nationalId, orderNumber, units),
    ...(r.forCall ? { forCall: (callId: string) => r.forCall!(callId) } : {}),
  };
}
