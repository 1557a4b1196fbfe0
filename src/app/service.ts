/**
 * The service: one process per Asterisk. Connects to ARI (retrying for ever with one clear log
 * line per failure), runs a call session for each call that enters the Stasis application,
 * serves /health and /metrics, and stops cleanly.
 */
import { setMaxListeners } from 'node:events';
import type { AnyStateMachine } from 'xstate';
import { AriClient } from '../ari/client.ts';
import { AriAuthError, isNotFound } from '../ari/errors.ts';
import { STASIS_APP_EVENTS, StasisApp } from '../ari/stasis-app.ts';
import type { CallChannel } from '../ari/channel.ts';
import type { Logger } from '../log/logger.ts';
import { maskPhone } from '../log/mask.ts';
import type { CallRecord } from '../domain/call-record.ts';
import type { CallServices } from './actors.ts';
import type { CallNote, ReasonPrompts } from './call-recorder.ts';
import { readResumeVars, runCallSession } from './call-session.ts';
import { startHealthServer, type ExtraRoutes, type HealthServer, type HealthStatus } from './health.ts';
import { Metrics } from './metrics.ts';
import { WatchdogTicker } from './watchdog-ticker.ts';
import type { ResumeVars } from '../flow/resume.ts';

/**
 * What a call runs with from its start to its end: the call machine and the services of one
 * version of the configuration (src/config/live.ts). A reload gives new calls a new one; a call in
 * progress keeps the one it started with.
 */
export interface FlowVersion {
  machine: AnyStateMachine;
  services: CallServices;
  /** prompt names that tell why a caller went to an agent (the flow configuration's) */
  reasonPrompts?: ReasonPrompts;
  /** the configuration version (logged with each call) */
  version?: number;
}

export interface ServiceOptions {
  ari: { url: string; username: string; password: string; app: string; connectTimeoutMs: number; requestTimeoutMs: number; maxSockets?: number };
  machine: AnyStateMachine;
  services: CallServices;
  /** the version a call starting now takes (live reload); absent: always machine, services and reasonPrompts */
  current?: () => FlowVersion;
  logger: Logger;
  /** health/metrics HTTP server; omit to run without it */
  http?: { host: string; port: number; routes?: ExtraRoutes; status?: HealthStatus };
  maxCallMs?: number;
  /** push the dialplan's watchdog forward (see service.ari.watchdogSeconds); absent or 0 seconds: off */
  watchdog?: { seconds: number; everyMs: number };
  /** first reconnect delay and cap for the initial connection loop */
  retry?: { initialMs: number; maxMs: number };
  /** how long stop() lets calls in progress reach their end before sending them to the general queue; default 30 s */
  stopGraceMs?: number;
  /** where each call's record goes when it ends (the store's CallRecordStore) */
  records?: { add(record: CallRecord): void };
  /** prompt names that tell why a caller went to an agent (the flow configuration's) */
  reasonPrompts?: ReasonPrompts;
}

export interface RunningService {
  metrics: Metrics;
  /** resolves once ARI is connected the first time */
  ready: Promise<void>;
  health?: HealthServer;
  /** calls in progress (resolve when each ends) */
  activeCalls(): number;
  /** the calls in the IVR now: where each is (its last IVR_NODE) and since when (the web console's live calls) */
  liveCalls(): LiveCall[];
  /**
   * Stops taking calls (a new call goes straight to the general queue), lets the calls in progress
   * reach an answer or an agent within the grace period (`stopGraceMs`, or the argument), sends the
   * rest to the general queue, then disconnects and closes the HTTP server. No timer is left behind.
   */
  stop(graceMs?: number): Promise<void>;
  /** what a killed process does: drops ARI and the HTTP server at once, leaving the calls where they are (tests) */
  crash(): Promise<void>;
}

export interface LiveCall {
  callId: string;
  /** masked calling number */
  caller: string;
  startedAt: number;
  /** the last IVR_NODE set (where the IVR listens), or 'welcome' before the first */
  node: string;
  nodeSince: number;
  topic?: string;
}

let callSeq = 0;

export async function startService(o: ServiceOptions): Promise<RunningService> {
  const log = o.logger.child({ component: 'service' });
  const metrics = new Metrics();
  const sessions = new Set<Promise<unknown>>();
  const live = new Map<string, LiveCall>();
  let client: AriClient | undefined;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  const health = o.http ? await startHealthServer(o.http.host, o.http.port, metrics, Date.now(), o.http.routes, o.http.status) : undefined;
  if (health) log.info({ port: health.port }, 'health and metrics on /health, /metrics');

  let draining = false;
  const abortCalls = new AbortController();
  const dropCalls = new AbortController();
  // every call in progress listens to these two signals
  setMaxListeners(0, abortCalls.signal, dropCalls.signal);

  // one timer looks at the watchdog of every call (./watchdog-ticker.ts), not one per call
  const watchdog = o.watchdog?.seconds ? { ...o.watchdog, ticker: new WatchdogTicker(o.watchdog.seconds, o.watchdog.everyMs) } : undefined;
  /** what the dialplan arms before Stasis() (its global IVR_WATCHDOG, s), read at each connect; unknown: every call is pushed at once */
  let armedWatchdogS: number | undefined;

  const fixed: FlowVersion = { machine: o.machine, services: o.services, ...(o.reasonPrompts ? { reasonPrompts: o.reasonPrompts } : {}) };
  const current = o.current ?? (() => fixed);

  /** calls that arrived while stopping, on their way to the general queue: stop() waits for them */
  const redirects = new Set<Promise<unknown>>();
  const onCall = (channel: CallChannel, recovered: boolean) => {
    const callId = `${Date.now().toString(36)}-${(++callSeq).toString(36)}`;
    // the call keeps this version to its end, whatever reloads happen meanwhile
    const v = current();
    const clog = o.logger.child({ callId, channelId: channel.id, ...(v.version !== undefined ? { config: v.version } : {}) });
    if (draining) {
      // stopping: no new call starts in the IVR; an agent takes it
      metrics.outcome('transfer', 'general');
      clog.info('service stopping: new call sent to the general queue');
      const general = v.services.routing.skills.general!;
      const toGeneral = () => channel.continueTo(v.services.routing.agentsContext, general.extension, 1);
      const r = channel
        .setVariables({ __IVR_OUTCOME: 'ivr-stopping', __IVR_SKILL: 'general' })
        .catch(() => undefined)
        .then(toGeneral)
        .catch((e) => (isNotFound(e) ? undefined : toGeneral()))
        .catch((e) => {
          if (!isNotFound(e)) clog.warn({ err: e }, 'could not send a new call to the general queue while stopping');
        })
        .finally(() => redirects.delete(r));
      redirects.add(r);
      return;
    }
    // its StasisStart came just after the dialplan armed the watchdog: no push needed at once
    if (!recovered && watchdog && armedWatchdogS !== undefined && channel.enteredAt !== undefined) channel.assumeWatchdog(Math.min(armedWatchdogS, watchdog.seconds), channel.enteredAt);
    metrics.callsTotal++;
    metrics.callsActive++;
    if (recovered) metrics.callsRecovered++;
    const observer = metrics.call();
    // answer latency: StasisStart (now) → the first prompt Asterisk started; an adopted call had its welcome elsewhere
    if (!recovered) channel.once('playing', () => observer.answered());
    const now = Date.now();
    const lc: LiveCall = { callId, caller: maskPhone(channel.callerNumber), startedAt: now, node: 'welcome', nodeSince: now };
    live.set(callId, lc);
    const run = async () => {
      // a call this process did not start: resume it from what its channel carries (src/flow/resume.ts)
      const resume = recovered ? await withStoredRequest(await readResumeVars(channel, clog), channel, v.services, clog) : undefined;
      if (resume) clog.info({ node: resume.node ?? null, topic: resume.topic ?? null, request: resume.requestNumber ?? null }, 'adopted call resumes');
      return runCallSession({
      machine: v.machine,
      services: v.services,
      channel,
      callId,
      log: clog,
      maxCallMs: o.maxCallMs ?? 30 * 60_000,
      answered: recovered,
      abort: abortCalls.signal,
      drop: dropCalls.signal,
      ...(watchdog ? { watchdog } : {}),
      ...(o.records ? { onRecord: (r: CallRecord) => o.records!.add(r) } : {}),
      onNote: (n: CallNote) => {
        observer.note(n);
        // where the call is (the console's live calls): the node the flow listens at, its topic
        if (n.type === 'node') {
          if (n.node !== lc.node) {
            lc.node = n.node;
            lc.nodeSince = Date.now();
          }
          if (n.topic) lc.topic = n.topic;
        }
      },
      ...(v.reasonPrompts ? { reasonPrompts: v.reasonPrompts } : {}),
      ...(resume ? { resume } : {}),
      });
    };
    const p = run()
      .then((r) => {
        observer.end(r);
        metrics.outcome(r.kind, r.kind === 'transfer' ? r.skill : r.reason);
      })
      .catch((e) => {
        metrics.flowErrors++;
        observer.end({ kind: 'hangup', reason: 'flow-error' });
        clog.error({ err: e }, 'call session failed');
      })
      .finally(() => {
        metrics.callsActive--;
        sessions.delete(p);
        live.delete(callId);
      });
    sessions.add(p);
  };

  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  let attempt = 0;
  let lastError = '';

  const connect = async (): Promise<void> => {
    if (stopped) return;
    try {
      const c = await AriClient.connect({ ...o.ari, eventTypes: STASIS_APP_EVENTS, logger: o.logger, stats: metrics });
      if (stopped) {
        await c.close();
        return;
      }
      client = c;
      attempt = 0;
      metrics.ariConnected = true;
      log.info({ url: c.baseUrl, app: o.ari.app }, 'connected to ARI');
      const app = new StasisApp(c, o.ari.app, o.logger);
      app.on('call', (ch) => onCall(ch, false));
      app.on('recovered', (ch) => onCall(ch, true));
      if (watchdog) {
        armedWatchdogS = undefined;
        void dialplanWatchdog(c, watchdog.seconds, log).then((s) => {
          if (client === c) armedWatchdogS = s;
        });
      }
      // calls already in the application (this service restarted while they waited) get no new StasisStart
      void app.recover('start').catch((e) => log.error({ err: e }, 'could not look for calls already in the application'));
      c.on('disconnected', () => {
        metrics.ariConnected = false;
      });
      c.on('reconnected', () => {
        metrics.ariConnected = true;
        metrics.ariReconnects++;
      });
      resolveReady();
    } catch (e) {
      attempt++;
      const msg = (e as Error).message;
      const initial = o.retry?.initialMs ?? 500;
      const max = o.retry?.maxMs ?? (e instanceof AriAuthError ? 60_000 : 15_000);
      const delay = Math.min(max, initial * 2 ** Math.min(attempt - 1, 10));
      if (msg !== lastError || attempt % 20 === 0) log.error({ attempt, retryInMs: delay }, `cannot connect to ARI: ${msg}`);
      lastError = msg;
      retryTimer = setTimeout(() => void connect(), delay);
    }
  };
  void connect();

  return {
    metrics,
    ready,
    health,
    activeCalls: () => sessions.size,
    liveCalls: () => [...live.values()].map((c) => ({ ...c })),
    stop: async (graceMs = o.stopGraceMs ?? 30_000) => {
      if (stopped) return;
      draining = true;
      metrics.stopping = true;
      if (sessions.size > 0) {
        log.info({ calls: sessions.size, graceMs }, 'stopping: no new calls; calls in progress may finish within the grace period');
        if (!(await settleWithin(sessions, graceMs))) {
          log.warn({ calls: sessions.size }, 'grace period over: sending the remaining calls to the general queue');
          abortCalls.abort();
          await settleWithin(sessions, 5_000);
        }
      }
      abortCalls.abort();
      // calls that arrived while stopping: their way to the general queue must be sent before ARI closes
      await settleWithin(redirects, 5_000);
      stopped = true;
      clearTimeout(retryTimer);
      if (client) {
        // no more StasisStart: then anyone still in the application (a call whose StasisStart crossed
        // the closing socket) goes to the general queue too, instead of waiting for the watchdog
        await client.closeEvents();
        await sweepToGeneral(client, o.ari.app, current().services, log);
        await client.close();
      }
      await health?.close();
      log.info('service stopped');
    },
    crash: async () => {
      draining = true;
      stopped = true;
      dropCalls.abort();
      clearTimeout(retryTimer);
      await client?.close();
      await health?.close();
    },
  };
}

/**
 * The channels still in the application after the last session ended and the event socket closed:
 * each is sent to the general queue (IVR_OUTCOME=ivr-stopping). Asterisk keeps a channel in
 * Stasis() after the application's socket closes; without this, such a caller waits for the
 * dialplan's watchdog. Bounded: a few seconds at most, errors only logged.
 */
async function sweepToGeneral(client: AriClient, app: string, services: CallServices, log: Logger): Promise<void> {
  const general = services.routing.skills.general!;
  let ids: string[] = [];
  try {
    ids = (await client.request<{ channel_ids?: string[] }>('applications', 'get', { applicationName: app }, 2000))?.channel_ids ?? [];
  } catch (e) {
    if (!isNotFound(e)) log.warn({ err: e }, 'stopping: could not look for calls left in the application');
    return;
  }
  if (ids.length === 0) return;
  log.warn({ calls: ids.length }, 'stopping: calls left in the application after the last session: sent to the general queue');
  await Promise.all(
    ids.map(async (channelId) => {
      try {
        for (const [variable, value] of [['__IVR_OUTCOME', 'ivr-stopping'], ['__IVR_SKILL', 'general']] as const) {
          await client.request('channels', 'setChannelVar', { channelId, variable, value }, 2000).catch(() => undefined);
        }
        await client.request('channels', 'continueInDialplan', { channelId, context: services.routing.agentsContext, extension: general.extension, priority: 1 }, 2000);
      } catch (e) {
        if (!isNotFound(e)) log.warn({ err: e, channelId }, 'stopping: could not send a call left in the application to the general queue');
      }
    }),
  );
}

/**
 * The watchdog the dialplan arms before Stasis(): its global IVR_WATCHDOG (dialplan/extensions.conf;
 * `ivr-1699 check` holds it equal to service.ari.watchdogSeconds). A new call's first push is then
 * left to the push rule (CallChannel.assumeWatchdog): a request fewer per call, and the answer
 * goes out a round trip sooner. Not readable, absent or not a number: undefined (every call is
 * pushed at once, as a dialplan that arms a literal value needs).
 */
async function dialplanWatchdog(client: AriClient, seconds: number, log: Logger): Promise<number | undefined> {
  try {
    const r = await client.request<{ value?: string }>('asterisk', 'getGlobalVar', { variable: 'IVR_WATCHDOG' }, 5000);
    const v = r?.value?.trim();
    const n = v ? Number(v) : NaN;
    if (!Number.isFinite(n) || n <= 0) return undefined;
    if (n !== seconds) log.warn({ dialplan: n, service: seconds }, 'the dialplan arms a watchdog (IVR_WATCHDOG) different from the one the service pushes (service.ari.watchdogSeconds): make them equal');
    return n;
  } catch (e) {
    log.debug({ err: e }, 'could not read the dialplan watchdog IVR_WATCHDOG: every call is pushed at once');
    return undefined;
  }
}

/** true when every promise settled within ms (the timer is cleared either way) */
async function settleWithin(pending: Set<Promise<unknown>>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([Promise.allSettled([...pending]).then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An adopted caller whose request is already stored — the old process died after the commit and
 * before the channel carried IVR_REQUEST_NUMBER — hears that request announced (the resume plan's
 * `finish`, or the hand-off with it attached) instead of starting over or being registered twice.
 * Looked up by the channel id, the key registrations are stored under (src/app/actors.ts).
 */
async function withStoredRequest(resume: ResumeVars, channel: CallChannel, services: CallServices, log: Logger): Promise<ResumeVars> {
  if (resume.requestNumber || !services.registry.forCall) return resume;
  try {
    const r = await services.registry.forCall(channel.id);
    if (!r) return resume;
    log.info({ number: r.number, type: r.type }, 'adopted call already has a stored request: it is announced, not registered again');
    return {
      ...resume,
      topic: resume.topic ?? r.topic,
      requestNumber: r.number,
      requestType: r.type,
      requestUnit: r.unit,
      ...(r.rule ? { rule: r.rule } : {}),
      ...(r.outcome ? { outcome: r.outcome } : {}),
    };
  } catch (e) {
    log.warn({ err: e }, 'could not look for a stored request of an adopted call');
    return resume;
  }
}
