/**
 * The service: one process per Asterisk. Connects to ARI (retrying for ever with one clear log
 * line per failure), runs a call session for each call that enters the Stasis application,
 * serves /health and /metrics, and stops cleanly.
 */
import type { AnyStateMachine } from 'xstate';
import { AriClient } from '../ari/client.ts';
import { AriAuthError } from '../ari/errors.ts';
import { StasisApp } from '../ari/stasis-app.ts';
import type { CallChannel } from '../ari/channel.ts';
import type { Logger } from '../log/logger.ts';
import { maskPhone } from '../log/mask.ts';
import type { CallServices } from './actors.ts';
import { runCallSession } from './call-session.ts';
import { startHealthServer, type ExtraRoutes, type HealthServer } from './health.ts';
import { Metrics } from './metrics.ts';

export interface ServiceOptions {
  ari: { url: string; username: string; password: string; app: string; connectTimeoutMs: number; requestTimeoutMs: number };
  machine: AnyStateMachine;
  services: CallServices;
  logger: Logger;
  /** health/metrics HTTP server; omit to run without it */
  http?: { host: string; port: number; routes?: ExtraRoutes };
  maxCallMs?: number;
  /** push the dialplan's watchdog forward (see service.ari.watchdogSeconds); absent or 0 seconds: off */
  watchdog?: { seconds: number; everyMs: number };
  /** first reconnect delay and cap for the initial connection loop */
  retry?: { initialMs: number; maxMs: number };
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
  stop(): Promise<void>;
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
  const health = o.http ? await startHealthServer(o.http.host, o.http.port, metrics, Date.now(), o.http.routes) : undefined;
  if (health) log.info({ port: health.port }, 'health and metrics on /health, /metrics');

  const onCall = (channel: CallChannel, recovered: boolean) => {
    const callId = `${Date.now().toString(36)}-${(++callSeq).toString(36)}`;
    const clog = o.logger.child({ callId, channelId: channel.id });
    metrics.callsTotal++;
    metrics.callsActive++;
    if (recovered) metrics.callsRecovered++;
    const now = Date.now();
    const lc: LiveCall = { callId, caller: maskPhone(channel.callerNumber), startedAt: now, node: 'welcome', nodeSince: now };
    live.set(callId, lc);
    channel.on('variable', (name: string, value: string) => {
      if (name === 'IVR_NODE' && value !== lc.node) {
        lc.node = value;
        lc.nodeSince = Date.now();
      } else if (name === '__IVR_TOPIC') lc.topic = value;
    });
    const p = runCallSession({ machine: o.machine, services: o.services, channel, callId, log: clog, maxCallMs: o.maxCallMs ?? 30 * 60_000, answered: recovered, ...(o.watchdog?.seconds ? { watchdog: o.watchdog } : {}) })
      .then((r) => metrics.outcome(r.kind, r.kind === 'transfer' ? r.skill : r.reason))
      .catch((e) => {
        metrics.flowErrors++;
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
      const c = await AriClient.connect({ ...o.ari, logger: o.logger });
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
    stop: async () => {
      stopped = true;
      clearTimeout(retryTimer);
      await client?.close();
      await health?.close();
      log.info('service stopped');
    },
  };
}
