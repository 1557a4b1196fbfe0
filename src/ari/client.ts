/**
 * The ARI connection: the only module that talks to Asterisk's ARI.
 *
 * - connect: a preflight request first (GET /ari/asterisk/info: a wrong password or an
 *   unreachable host is one clear typed error, not a hang), then the events WebSocket. No API
 *   description is fetched: the REST operations are a table of their own (operations.ts), so many
 *   services starting at once against a busy Asterisk do not each download its Swagger documents
 *   (ari-client did, and connects timed out);
 * - REST (rest.ts): a small keep-alive HTTP/1.1 client over node:net (one write per request at
 *   call time), every operation with a timeout, errors typed with their HTTP status;
 * - events: our own WebSocket to /ari/events: every message checked (events.ts; a bad one is
 *   logged and dropped), reconnection forever with capped backoff, ping/pong to notice a dead
 *   connection;
 * - event→command latency: an event's arrival time travels with it, and the first REST request
 *   a channel sends while that event is being handled (same turn of the event loop) records the
 *   time from arrival to the request leaving (see CallChannel).
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { Logger } from '../log/logger.ts';
import { AriAuthError, AriError, AriTimeoutError, AriUnreachableError } from './errors.ts';
import { parseEvent, type AriEvent } from './events.ts';
import type { LatencyHistogram } from './latency.ts';
import { operationSpec, type AriOperationName, type AriResource } from './operations.ts';
import { AriRest } from './rest.ts';

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
  /** REST sockets kept open at most (default 48; the service passes config service.ari.maxSockets; Asterisk's http.conf sessionlimit is 100 unless set) */
  maxSockets?: number;
  /**
   * the only event types the application wants (ARI's eventFilter, set again at each connect):
   * Asterisk then does not send the rest (PlaybackStarted/Continuing, ChannelVarset, … are half a
   * call's events). Absent: every event.
   */
  eventTypes?: readonly string[];
  /** where this connection counts its traffic and records event→command latencies (the service's metrics) */
  stats?: AriStats;
  logger: Logger;
}

export interface AriStats {
  /** REST requests sent */
  ariRequests: number;
  /** events received (valid ones) */
  ariEvents: number;
  eventToCommand: LatencyHistogram;
}

export interface AriClientEvents {
  /** every valid event; `known` is false for event types the adapter does not model; `at` is its arrival (performance.now()) */
  event: [ev: AriEvent, known: boolean, at: number];
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
  private readonly rest: AriRest;
  /** advances once per turn of the event loop in which events arrived (see CallChannel's latency) */
  private _turn = 0;
  private turnPending = false;
  private readonly nextTurn = () => {
    this.turnPending = false;
    this._turn++;
  };

  private constructor(private readonly opts: AriClientOptions) {
    super();
    this.setMaxListeners(0);
    this.baseUrl = normaliseBase(opts.url);
    this.log = opts.logger.child({ component: 'ari', app: opts.app });
    this.rest = new AriRest({ base: this.baseUrl, username: opts.username, password: opts.password, ...(opts.maxSockets ? { maxSockets: opts.maxSockets } : {}) });
  }

  /**
   * Checks ARI (preflight) and opens the event WebSocket. Resolves when the WebSocket is open
   * (the application is then registered in Asterisk). Rejects with AriAuthError,
   * AriUnreachableError or AriTimeoutError; never hangs longer than connectTimeoutMs (each step).
   */
  static async connect(opts: AriClientOptions): Promise<AriClient> {
    const base = normaliseBase(opts.url);
    const timeout = opts.connectTimeoutMs ?? 5000;
    await preflight(base, opts.username, opts.password, timeout);
    const client = new AriClient(opts);
    try {
      await client.openSocket(timeout);
    } catch (e) {
      client.rest.close();
      throw e;
    }
    return client;
  }

  /** The current turn (see CallChannel): events stamped with it are still being handled. */
  get turn(): number {
    return this._turn;
  }

  /** Records an event→command latency (ms) in the service's histogram, if any. */
  recordEventToCommand(ms: number): void {
    this.opts.stats?.eventToCommand.record(ms);
  }

  /**
   * Calls a REST operation by its resource and nickname as Asterisk's Swagger names them,
   * e.g. ('channels', 'answer', { channelId }). `onSent` runs when the request has left.
   */
  request<T = unknown>(resource: AriResource, operation: AriOperationName, params: Record<string, unknown> = {}, timeoutMs?: number, onSent?: () => void): Promise<T> {
    const spec = operationSpec(resource, operation);
    if (!spec) return Promise.reject(new AriError(`ARI has no operation ${resource}.${operation}`, `${resource}.${operation}`));
    const limit = timeoutMs ?? this.opts.requestTimeoutMs ?? 5000;
    if (this.opts.stats) this.opts.stats.ariRequests++;
    try {
      return this.rest.call(spec, params, limit, onSent) as Promise<T>;
    } catch (e) {
      return Promise.reject(e instanceof AriError ? e : new AriError(`${spec.name}: ${describe(e)}`, spec.name));
    }
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Closes the WebSocket and the REST connections for good. */
  async close(): Promise<void> {
    await this.closeEvents();
    this.rest.close();
  }

  /**
   * Closes the event WebSocket for good (no reconnect) and keeps REST working: the application
   * gets no more events (Asterisk sends no new calls into it), its channels can still be moved.
   */
  async closeEvents(): Promise<void> {
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
      // not awaited: events keep flowing to the listeners meanwhile (until it lands, all of them come)
      void this.setEventFilter();
      this.emit('open');
      this.emit(again ? 'reconnected' : 'connected');
    });
    ws.on('message', (data: WebSocket.RawData) => {
      const at = performance.now();
      if (!this.turnPending) {
        this.turnPending = true;
        setImmediate(this.nextTurn);
      }
      const r = parseEvent(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
      if (!r.ok) {
        this.log.warn({ reason: r.error }, 'dropped a malformed ARI event');
        return;
      }
      if (this.opts.stats) this.opts.stats.ariEvents++;
      try {
        this.emit('event', r.event, r.known, at);
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

  /** Asks Asterisk to send this application only `eventTypes` (a failure only costs events: logged). */
  private setEventFilter(): Promise<void> {
    const types = this.opts.eventTypes;
    if (!types) return Promise.resolve();
    const filter = { allowed: types.map((type) => ({ type })), disallowed: [] };
    return this.request('applications', 'filter', { applicationName: this.opts.app, filter }).then(
      () => undefined,
      (e: unknown) => this.log.warn({ err: e }, 'ARI did not take the event filter: every event of the application comes (more CPU, same behaviour)'),
    );
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
