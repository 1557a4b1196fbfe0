/**
 * Settings of the process itself: how to reach Asterisk, where the embedded switch listens,
 * the health/metrics port, the prompts folder. From environment variables (see ENV_KEYS) over
 * the `service:` section of the config file over these defaults.
 */
import { z } from 'zod';

export const DEFAULT_ARI_USER = 'asterisk';
export const DEFAULT_ARI_PASSWORD = 'asterisk';
/** service.heap.growingPercent unless set (docs/performance.md, "Memory: the heap-growth setting") */
export const HEAP_GROWING_PERCENT_DEFAULT = 50;

/** 127.0.0.0/8, ::1, localhost */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const port = z.coerce.number({ error: 'expected a port number 0–65535' }).int().min(0, 'a port is 0–65535').max(65535, 'a port is 0–65535');

export const ServiceConfig = z.object({
  ari: z
    .object({
      /** unset: start the built-in switch on loopback and connect to it */
      url: z.url({ message: 'ARI_URL must be an http(s) URL such as http://127.0.0.1:8088' }).optional(),
      username: z.string().min(1).default(DEFAULT_ARI_USER),
      password: z.string().min(1).default(DEFAULT_ARI_PASSWORD),
      app: z.string().regex(/^[A-Za-z0-9_-]+$/, 'ARI_APP: letters, digits, - and _ only').default('ivr-1699'),
      connectTimeoutMs: z.coerce.number().int().positive().default(5000),
      requestTimeoutMs: z.coerce.number().int().positive().default(5000),
      /**
       * REST connections to Asterisk kept open at most. A command waits for a free one: with too
       * few, every command of every call queues whenever Asterisk (or this process) is slow to
       * answer for a moment, or holds requests behind playing prompts. Asterisk refuses sessions
       * beyond http.conf `sessionlimit` (100 unless set; the project's dialplan/http.conf sets 1000):
       * keep this below it, with room for the events WebSocket and other clients.
       */
      maxSockets: z.coerce.number().int().min(1, 'ARI_MAX_SOCKETS: at least 1').max(4000, 'ARI_MAX_SOCKETS: at most 4000').default(256),
      /**
       * The watchdog (s): dialplan/extensions.conf arms TIMEOUT(absolute) with its global
       * IVR_WATCHDOG before Stasis(), and while a call is in the IVR the service looks every sixth of
       * it and pushes it forward to this many seconds once less than half is left (and before a
       * prompt that would outlast it: src/ari/channel.ts). If the service dies, Asterisk takes the
       * caller to the general queue when it runs out. Keep it equal to IVR_WATCHDOG; 0 = no pushes
       * (only with a dialplan that arms no watchdog).
       */
      watchdogSeconds: z.coerce.number().int().min(0).max(3600).default(30),
    })
    .superRefine((ari, ctx) => {
      if (ari.url === undefined) return;
      let host: string;
      try {
        host = new URL(ari.url).hostname;
      } catch {
        return; // the url check above reports it
      }
      if (!isLoopbackHost(host) && ari.password === DEFAULT_ARI_PASSWORD) {
        ctx.addIssue({
          code: 'custom',
          path: ['password'],
          message: `ARI_URL points at ${host}, not this machine, and ARI_PASSWORD is still the default "${DEFAULT_ARI_PASSWORD}" (of ${DEFAULT_ARI_USER}/${DEFAULT_ARI_PASSWORD}): set ARI_USERNAME and ARI_PASSWORD to the user of ari.conf; the default is only accepted on loopback`,
        });
      }
    })
    .prefault({}),
  entry: z
    .object({
      context: z.string().min(1).default('ivr-inbound'),
      extension: z.string().min(1).default('1699'),
    })
    .prefault({}),
  switch: z
    .object({
      port: port.default(8088),
      host: z.string().default('127.0.0.1'),
      /** 1 = real time; 0.1 = prompts and IVR timeouts ten times faster (tests, benchmarks) */
      timeScale: z.coerce.number().positive('SWITCH_TIME_SCALE must be above 0').max(10).default(1),
    })
    .prefault({}),
  http: z
    .object({
      port: port.default(9100),
      host: z.string().default('127.0.0.1'),
    })
    .prefault({}),
  prompts: z
    .object({
      dir: z.string().default('prompts'),
      /** Asterisk plays `sound:ivr-1699/<name>` from sounds/<language>/ivr-1699/ */
      language: z.string().default('fa'),
      /** `ivr-1699 check` warns about every prompt longer than this (seconds) */
      maxSeconds: z.coerce
        .number({ error: 'IVR_PROMPT_MAX_SECONDS: a number of seconds, e.g. 8' })
        .positive('IVR_PROMPT_MAX_SECONDS: more than 0 seconds, e.g. 8')
        .max(120, 'IVR_PROMPT_MAX_SECONDS: at most 120 seconds')
        .default(8),
    })
    .prefault({}),
  /** cluster: registered requests in a shared PostgreSQL (postgres://…) instead of the local SQLite store */
  sharedDbUrl: z.string().regex(/^postgres(ql)?:\/\//, 'IVR_DB_URL must be a postgres:// URL').optional(),
  /** SIGTERM/SIGINT: calls in progress may reach their end for this long, then go to the general queue */
  stopGraceMs: z.coerce.number().int().min(0, 'IVR_STOP_GRACE_MS is 0 or more milliseconds').max(600_000, 'IVR_STOP_GRACE_MS is at most 600000 (10 minutes)').default(30_000),
  log: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
  heap: z
    .object({
      /**
       * How far V8 lets the old generation grow past what the last full collection left alive
       * before it marks again (V8's --heap-growing-percent, applied by `ivr-1699 serve`; src/app/heap.ts).
       * The service's garbage lives from one event of a call to the next (seconds), so it is promoted,
       * and V8's own policy let it pile up to several times the live heap (RSS ~200-500 KB per
       * active call at 1,000 calls). Not a limit: the heap still grows with the calls. Lower = less
       * memory, more marking (on V8's background threads); 0 = V8's own policy. docs/performance.md.
       */
      growingPercent: z.coerce
        .number({ error: 'IVR_HEAP_GROWING_PERCENT: a whole number of percent, e.g. 50 (0 = V8\'s own policy)' })
        .int('IVR_HEAP_GROWING_PERCENT: a whole number of percent, e.g. 50 (0 = V8\'s own policy)')
        .min(0, 'IVR_HEAP_GROWING_PERCENT: 0 (V8\'s own policy) or more')
        .max(400, 'IVR_HEAP_GROWING_PERCENT: at most 400 (V8 itself grows by at most 300%)')
        .default(HEAP_GROWING_PERCENT_DEFAULT),
    })
    .prefault({}),
});
export type ServiceConfig = z.infer<typeof ServiceConfig>;

/** Environment variable → path in the configuration. */
export const ENV_KEYS: Record<string, string[]> = {
  ARI_URL: ['service', 'ari', 'url'],
  ARI_USERNAME: ['service', 'ari', 'username'],
  ARI_PASSWORD: ['service', 'ari', 'password'],
  ARI_APP: ['service', 'ari', 'app'],
  IVR_WATCHDOG_SECONDS: ['service', 'ari', 'watchdogSeconds'],
  ARI_CONNECT_TIMEOUT_MS: ['service', 'ari', 'connectTimeoutMs'],
  ARI_REQUEST_TIMEOUT_MS: ['service', 'ari', 'requestTimeoutMs'],
  ARI_MAX_SOCKETS: ['service', 'ari', 'maxSockets'],
  ENTRY_CONTEXT: ['service', 'entry', 'context'],
  SWITCH_PORT: ['service', 'switch', 'port'],
  SWITCH_TIME_SCALE: ['service', 'switch', 'timeScale'],
  HTTP_PORT: ['service', 'http', 'port'],
  HTTP_HOST: ['service', 'http', 'host'],
  PROMPTS_DIR: ['service', 'prompts', 'dir'],
  IVR_PROMPT_MAX_SECONDS: ['service', 'prompts', 'maxSeconds'],
  LOG_LEVEL: ['service', 'log', 'level'],
  IVR_DB_URL: ['service', 'sharedDbUrl'],
  IVR_STOP_GRACE_MS: ['service', 'stopGraceMs'],
  IVR_HEAP_GROWING_PERCENT: ['service', 'heap', 'growingPercent'],
};
