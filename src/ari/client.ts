/**
 * The ARI connection: the only module that imports `ari-client`.
 *
 * ari-client 2.2.0 builds its REST API from Asterisk's Swagger documents at connect, which we
 * keep; but it has failure modes a service cannot live with, so this module wraps it:
 * - connect: a preflight request first (so a wrong password or an unreachable host is one clear
 *   typed error, not a hang or an exception outside any promise), then ari-client's connect
 *   with a timeout;
 * - REST: every operation with a timeout, and errors typed with their HTTP status (ari-client
 *   turns them into a bare Error with the body as message);
 * - events: our own WebSocket to /ari/events (ari-client's throws on an unknown event type or a
 *   malformed message and stops reconnecting after a few tries): every message validated with
 *   zod (a bad one is logged and dropped), reconnection forever with capped backoff, ping/pong
 *   to notice a dead connection.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import WebSocket from 'ws';
import type { Logger } from '../log/logger.ts';
import { AriAuthError, AriError, AriNotFoundError, AriTimeoutError, AriUnreachableError } from './errors.ts';
import { parseEvent, type AriEvent } from './events.ts';

const require = createRequire(import.meta.url);
const ari = require('ari-client') as { connect(url: string, user: string, pass: string): PromiseLike<AriClientInternals> };
const ariUtils = require('ari-client/lib/utils.js') as { parseBodyParams(params: unknown, options: Record<string, unknown>): Record<string, unknown> };

type SwaggerOp = ((params: Record<string, unknown>, ok: (r: SwaggerResponse) => void, fail: (r: unknown) => void) => void) & {
  parameters?: unknown;
};
interface SwaggerResponse { status?: number; data?: unknown }
interface AriClientInternals {
  _swagger: { apis: Record<string, { operations: Record<string, { parameters?: unknown }> } & Record<string, SwaggerOp>> };
}

export interface AriClientOptions {
  /** base URL of Asterisk's HTTP server, e.g. http://127.0.0.1:8088 (a trailing /ari is accepted) */
  url: string;
  username: string;
  password: string;
  /** Stasis application(s) whose events this connection receives */
  app: string;
  subscribeAll?: boolean;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** WebSocket ping interval; a missing pong by the next ping drops and reconnects */
  pingIntervalMs?: number;
  logger: Logger;
}

/** ari-client keeps Basic-auth credentials in a process-wide table: one credential set per process. */
let processCredentials: string | undefined;

export interface AriClientEvents {
  /** every valid event; `known` is false for event types the adapter does not model */
  event: [ev: AriEvent, known: boolean];
  open: [];
  connected: [];
  reconnected: [];
  disconnected: [];
}

export class AriClient extends EventEmitter<AriClientEvents> {
  private ws?: WebSocket;
  private closed = false;
  private attempt = 0;
  private everConnected = false;
  private pingTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private alive = true;
  readonly baseUrl: string;
  private readonly log: Logger;

  private constructor(
    private readonly opts: AriClientOptions,
    private readonly api: AriClientInternals,
  ) {
    super();
    this.setMaxListeners(0);
    this.baseUrl = normaliseBase(opts.url);
    this.log = opts.logger.child({ component: 'ari', app: opts.app });
  }

  /**
   * Connects REST (Swagger) and opens the event WebSocket. Resolves when the WebSocket is open
   * (the application is then registered in Asterisk). Rejects with AriAuthError,
   * AriUnreachableError or AriTimeoutError; never hangs longer than connectTimeoutMs.
   */
  static async connect(opts: AriClientOptions): Promise<AriClient> {
    const base = normaliseBase(opts.url);
    const timeout = opts.connectTimeoutMs ?? 5000;
    await preflight(base, opts.username, opts.password, timeout);
    const creds = `${opts.username}:${opts.password}`;
    if (processCredentials !== undefined && processCredentials !== creds) {
      throw new AriError('ari-client holds one ARI username/password per process; a second connection must use the same credentials', 'connect');
    }
    processCredentials = creds;
    const api = await withTimeout(
      quietConsole(opts.logger, () => Promise.resolve(ari.connect(base, opts.username, opts.password))),
      timeout,
      () => new AriTimeoutError(`ARI at ${base} did not serve its API description within ${timeout} ms`, 'connect'),
    ).catch((e: unknown) => {
      if (e instanceof AriError) throw e;
      throw new AriUnreachableError(`ARI at ${base}: could not load the API description (${describe(e)})`, 'connect');
    });
    const client = new AriClient(opts, api);
    await client.openSocket(timeout);
    return client;
  }

  /** Calls a REST operation by its Swagger resource and nickname, e.g. ('channels', 'answer', { channelId }). */
  async request<T = unknown>(resource: string, operation: string, params: Record<string, unknown> = {}, timeoutMs?: number): Promise<T> {
    const name = `${resource}.${operation}`;
    const res = this.api._swagger.apis[resource];
    const op = res?.[operation];
    if (!res || typeof op !== 'function') throw new AriError(`ARI has no operation ${name}`, name);
    const opParams = res.operations?.[operation]?.parameters;
    const options = ariUtils.parseBodyParams(opParams, { ...params });
    const limit = timeoutMs ?? this.opts.requestTimeoutMs ?? 5000;
    const call = new Promise<T>((resolve, reject) => {
      try {
        op(
          options,
          (r) => resolve(parseBody(r.data) as T),
          (r) => reject(toAriError(name, r)),
        );
      } catch (e) {
        reject(new AriError(`${name}: ${describe(e)}`, name));
      }
    });
    return withTimeout(call, limit, () => new AriTimeoutError(`${name}: no answer from ARI within ${limit} ms`, name));
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Closes the WebSocket for good. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pingTimer);
    clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close();
        setTimeout(() => {
          ws.terminate();
          resolve();
        }, 1000).unref();
      });
    }
    this.removeAllListeners('event');
  }

  private wsUrl(): string {
    const u = new URL(this.baseUrl.replace(/^http/, 'ws') + '/ari/events');
    u.searchParams.set('app', this.opts.app);
    u.searchParams.set('api_key', `${this.opts.username}:${this.opts.password}`);
    if (this.opts.subscribeAll) u.searchParams.set('subscribeAll', 'true');
    return u.toString();
  }

  private openSocket(firstTimeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        this.closed = true;
        this.ws?.terminate();
        reject(new AriTimeoutError(`ARI events WebSocket did not open within ${firstTimeoutMs} ms`, 'events'));
      }, firstTimeoutMs);
      this.once('open', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve();
      });
      this.dial();
    });
  }

  private dial(): void {
    if (this.closed) return;
    const ws = new WebSocket(this.wsUrl(), { handshakeTimeout: this.opts.connectTimeoutMs ?? 5000 });
    this.ws = ws;
    ws.on('open', () => {
      this.attempt = 0;
      this.alive = true;
      const again = this.everConnected;
      this.everConnected = true;
      this.log.info({ reconnected: again }, again ? 'ARI events WebSocket reconnected' : 'ARI events WebSocket connected');
      this.startPing(ws);
      this.emit('open');
      this.emit(again ? 'reconnected' : 'connected');
    });
    ws.on('message', (data: WebSocket.RawData) => {
      const r = parseEvent(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
      if (!r.ok) {
        this.log.warn({ reason: r.error }, 'dropped a malformed ARI event');
        return;
      }
      try {
        this.emit('event', r.event, r.known);
      } catch (e) {
        // a listener's bug must not take the connection down
        this.log.error({ err: e, type: r.event.type }, 'error while handling an ARI event');
      }
    });
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('unexpected-response', (_req, res) => {
      this.log.error({ status: res.statusCode }, res.statusCode === 401 ? 'ARI refused the WebSocket: wrong username or password' : 'ARI refused the WebSocket');
      ws.terminate();
    });
    ws.on('error', (e) => {
      // while reconnecting, each refused attempt is expected: scheduleReconnect logs progress
      if (this.attempt === 0) this.log.warn({ err: { message: e.message } }, 'ARI events WebSocket error');
      else this.log.debug({ err: { message: e.message }, attempt: this.attempt }, 'ARI events WebSocket error');
    });
    ws.on('close', (code) => {
      clearInterval(this.pingTimer);
      if (this.ws !== ws || this.closed) return;
      if (this.everConnected && this.attempt === 0) {
        this.log.warn({ code }, 'ARI events WebSocket closed');
        this.emit('disconnected');
      }
      this.scheduleReconnect();
    });
  }

  private startPing(ws: WebSocket): void {
    clearInterval(this.pingTimer);
    const every = this.opts.pingIntervalMs ?? 15000;
    this.pingTimer = setInterval(() => {
      if (!this.alive) {
        this.log.warn('ARI events WebSocket: no pong, reconnecting');
        ws.terminate();
        return;
      }
      this.alive = false;
      try {
        ws.ping();
      } catch {
        ws.terminate();
      }
    }, every);
    this.pingTimer.unref();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const init = this.opts.reconnect?.initialDelayMs ?? 200;
    const max = this.opts.reconnect?.maxDelayMs ?? 5000;
    const delay = Math.min(max, init * 2 ** Math.min(this.attempt, 16)) * (0.8 + Math.random() * 0.4);
    this.attempt++;
    if (this.attempt === 1 || this.attempt % 10 === 0) {
      this.log.info({ attempt: this.attempt, delayMs: Math.round(delay) }, 'reconnecting to ARI events');
    }
    this.reconnectTimer = setTimeout(() => this.dial(), delay);
  }
}

/**
 * swagger-client prints warnings with console.log (e.g. on Asterisk's Swagger 1.1 documents),
 * which would corrupt stdout of commands such as `call --json`: send them to the log instead.
 */
async function quietConsole<T>(log: Logger, fn: () => Promise<T>): Promise<T> {
  const orig = console.log;
  console.log = (...args: unknown[]) => log.debug({ args: args.map(String) }, 'ari-client console output');
  try {
    return await fn();
  } finally {
    console.log = orig;
  }
}

function normaliseBase(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/ari$/, '');
}

async function preflight(base: string, user: string, pass: string, timeoutMs: number): Promise<void> {
  const url = `${base}/ari/asterisk/info`;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64') },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const c = (e as { cause?: { code?: string; message?: string } }).cause;
    const cause = c?.code ?? c?.message ?? (e as Error).message;
    if (cause === 'TimeoutError' || cause === 'AbortError') throw new AriTimeoutError(`no answer from ARI at ${base} within ${timeoutMs} ms`, 'connect');
    throw new AriUnreachableError(`cannot reach ARI at ${base} (${cause}): is Asterisk running with http.conf enabled, and is ARI_URL right?`, 'connect');
  }
  await res.arrayBuffer().catch(() => undefined);
  if (res.status === 401 || res.status === 403) {
    throw new AriAuthError(`ARI at ${base} refused user '${user}': wrong ARI_USERNAME or ARI_PASSWORD (see ari.conf)`, 'connect', res.status);
  }
  if (res.status === 404) throw new AriUnreachableError(`${base} answers but has no ARI (404 on /ari/asterisk/info): is res_ari loaded and ARI enabled in ari.conf?`, 'connect', 404);
  if (res.status >= 400) throw new AriError(`ARI at ${base} answered ${res.status} to a status request`, 'connect', res.status);
}

function parseBody(data: unknown): unknown {
  if (data === undefined || data === null) return undefined;
  const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toAriError(name: string, r: unknown): AriError {
  const resp = (r ?? {}) as SwaggerResponse;
  const status = typeof resp.status === 'number' ? resp.status : undefined;
  const body = parseBody(resp.data);
  const message = body && typeof body === 'object' && 'message' in body ? String((body as { message: unknown }).message) : typeof body === 'string' ? body : describe(r);
  if (status === 404) return new AriNotFoundError(`${name}: ${message}`, name, 404);
  if (status === 401) return new AriAuthError(`${name}: ARI refused the credentials`, name, 401);
  if (status === 0 || status === undefined) return new AriUnreachableError(`${name}: ARI not reachable (${message})`, name, status);
  return new AriError(`${name}: ${status} ${message}`, name, status);
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e)?.slice(0, 200) ?? String(e);
  } catch {
    return String(e);
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let t: NodeJS.Timeout;
  const timer = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([p, timer]).finally(() => clearTimeout(t));
}
