/**
 * ARI's REST interface: one HTTP/1.1 request per operation call, built from the operation table
 * (operations.ts), statuses kept as typed errors. A small keep-alive client over node:net, not
 * node:http: per request it builds one string and makes one `socket.write` at call time, and
 * parses the answer from the bytes read (http-parser.ts) without streams, header objects or
 * extra ticks. node:http's request and response machinery was about a quarter of the service's
 * main-thread CPU, and its ClientRequest wrote a request only on a later tick, so in a burst of
 * events the commands of the first events left after the whole burst had been handled.
 *
 * The pool: at most `maxSockets` connections (Asterisk's HTTP server has a session limit,
 * http.conf `sessionlimit`, WebSockets included), opened on demand and at most 4 at a time (its
 * listen backlog is 10, for all its clients: a burst of connects beyond it waits a second for TCP
 * to send the dropped ones again), TCP_NODELAY, one request in
 * flight per connection (Asterisk's HTTP server answers a session's requests one after another:
 * no pipelining), a FIFO queue when all are busy. An idle connection is reused (the most recently
 * used first) and closed after 10 s idle, before Asterisk closes it (http.conf
 * session_keep_alive, 15 s by default), or a second before a server's `Keep-Alive: timeout=N`.
 * The timer that closes them is armed only while a connection is idle, for the earliest idle
 * deadline (and closes with it those due within a tenth of idleMs): a timer every second for the
 * life of the process woke a quiet service for nothing (each wake-up costs 100–240 µs of CPU on
 * the VMs measured, scripts/wake-cost.mjs).
 *
 * Failures: a request written onto a kept-alive connection that the server had closed meanwhile
 * (reset, broken pipe or end of stream before any byte of the answer) is sent once more, on a new
 * connection; a request that may have been processed (an answer had started, or it timed out) is
 * never sent again. A timed-out request's connection is destroyed (its late answer must not be
 * read as the next request's); so is a connection that sends a malformed answer (AriError), or
 * bytes nobody asked for.
 */
import net from 'node:net';
import { AriAuthError, AriError, AriNotFoundError, AriTimeoutError, AriUnreachableError } from './errors.ts';
import { BAD, NEED_MORE, ResponseParser } from './http-parser.ts';
import type { OperationSpec } from './operations.ts';

export interface RestOptions {
  /** base URL without /ari, e.g. http://127.0.0.1:8088 */
  base: string;
  username: string;
  password: string;
  /** connections kept open to Asterisk at most (default 48) */
  maxSockets?: number;
  /** an idle connection is closed after this long (default 10 s, before Asterisk's 15 s session_keep_alive) */
  idleMs?: number;
  /**
   * connections being opened at once at most (default 4): Asterisk's HTTP server listens with a
   * backlog of 10 (main/tcptls.c), shared by every ARI client, and the kernel drops the connects
   * beyond it; each dropped one is sent again by TCP only after a second (three after the second
   * drop), and its command with it. Two clients of 8 each overflowed it (scripts/connect-burst.mjs)
   */
  maxConnecting?: number;
}

/** errors of a kept-alive connection the server closed before it read the request */
const RETRYABLE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * Every connection reads into this one buffer: a read is handled whole (parsed, and copied only
 * when a response is split across reads) before the next read of any connection.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** one call of call(): queued, in flight, or settled (`done`) */
class Pending {
  conn: Conn | null = null;
  done = false;
  mayRetry = true;
  timer: NodeJS.Timeout | undefined = undefined;
  constructor(
    readonly name: string,
    readonly text: string,
    public onSent: (() => void) | undefined,
    readonly resolve: (v: unknown) => void,
    readonly reject: (e: Error) => void,
  ) {}
}

class Conn {
  readonly sock: net.Socket;
  readonly parser = new ResponseParser();
  req: Pending | null = null;
  /** an answer has been read on it before: a failure before the next answer may be the server having closed it */
  reused = false;
  /** a byte of the current request's answer has arrived: the request may have been processed, never send it again */
  started = false;
  /** destroyed, or closed by the server: never used again */
  dead = false;
  /** opening: counted in AriRest's connecting until its first answer (at most OPENING_MS after the connect), or until it fails */
  connecting = true;
  openTimer: NodeJS.Timeout | undefined = undefined;
  idleSince = 0;
  idleLimit: number;
  /** the socket's error code, if it failed */
  errCode = '';

  constructor(rest: AriRest, host: string, port: number, idleMs: number) {
    this.idleLimit = idleMs;
    this.sock = net.connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number) => {
          rest.onRead(this, n);
          return true;
        },
      },
    });
    this.sock.on('connect', () => rest.onConnect(this));
    this.sock.on('error', (e: NodeJS.ErrnoException) => {
      this.errCode ||= e.code ?? e.message;
    });
    this.sock.on('end', () => rest.onClose(this));
    this.sock.on('close', () => rest.onClose(this));
  }
}

export class AriRest {
  private readonly host: string;
  private readonly port: number;
  private readonly prefix: string;
  /** the request line's tail and the fixed headers */
  private readonly fixed: string;
  private readonly maxSockets: number;
  private readonly idleMs: number;
  /** idle connections, the most recently used last */
  private idle: Conn[] = [];
  private readonly conns = new Set<Conn>();
  private readonly queue: Pending[] = [];
  private queueHead = 0;
  private open = 0;
  /** connections opening now (see RestOptions.maxConnecting) */
  private connecting = 0;
  private readonly maxConnecting: number;
  private closed = false;
  /** closes idle connections: armed only while one is idle, for the earliest idle deadline (sweepAt) */
  private sweeper: NodeJS.Timeout | undefined;
  private sweepAt = Infinity;
  /** a sweep also closes the idle connections due within this much of it (one wake-up for several) */
  private readonly sweepSlack: number;

  constructor(o: RestOptions) {
    const u = new URL(o.base);
    if (u.protocol !== 'http:') throw new AriError(`ARI URL ${o.base}: only http:// is supported (Asterisk's HTTP server on the local network)`, 'connect');
    this.host = u.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(u.port || 80);
    this.prefix = u.pathname.replace(/\/+$/, '') + '/ari';
    const auth = 'Basic ' + Buffer.from(`${o.username}:${o.password}`).toString('base64');
    this.fixed = ` HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: ${auth}\r\nAccept: application/json\r\n`;
    this.maxSockets = Math.max(1, o.maxSockets ?? 48);
    this.idleMs = o.idleMs ?? 10_000;
    this.sweepSlack = this.idleMs / 10;
    this.maxConnecting = Math.max(1, o.maxConnecting ?? 4);
  }

  /**
   * Calls one operation. `onSent` runs when the request has been handed to the socket (for the
   * event→command latency). Rejects with AriNotFoundError (404), AriAuthError (401),
   * AriTimeoutError, AriUnreachableError (no connection) or AriError (other statuses, a
   * malformed answer). Throws AriError at once for a missing or unknown parameter.
   */
  call(spec: OperationSpec, params: Record<string, unknown>, timeoutMs: number, onSent?: () => void): Promise<unknown> {
    const text = this.requestText(spec, params);
    return new Promise((resolve, reject) => {
      const r = new Pending(spec.name, text, onSent, resolve, reject);
      if (this.closed) {
        r.done = true;
        reject(new AriUnreachableError(`${spec.name}: the ARI connection is closed`, spec.name));
        return;
      }
      r.timer = setTimeout(onTimeout, timeoutMs, this, r, timeoutMs);
      this.dispatch(r);
    });
  }

  /** Closes every connection for good; requests queued or in flight fail with AriUnreachableError. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.sweeper);
    this.sweeper = undefined;
    this.sweepAt = Infinity;
    const failed: Pending[] = [];
    for (const c of this.conns) {
      if (c.req) failed.push(c.req);
      c.req = null;
      this.drop(c);
    }
    this.idle = [];
    for (let r = this.dequeue(); r; r = this.dequeue()) failed.push(r);
    for (const r of failed) this.fail(r, new AriUnreachableError(`${r.name}: the ARI connection was closed`, r.name));
  }

  /** Connections open (or opening) now, for tests and diagnostics. */
  get openConnections(): number {
    return this.open;
  }

  private requestText(spec: OperationSpec, params: Record<string, unknown>): string {
    let path = this.prefix;
    for (let i = 0; i < spec.segments.length; i++) {
      const seg = spec.segments[i]!;
      if (i % 2 === 0) {
        path += seg;
        continue;
      }
      const v = params[seg];
      if (v === undefined || v === null || v === '') throw new AriError(`${spec.name}: missing parameter ${seg}`, spec.name);
      path += encodeURIComponent(String(v));
    }
    let query = '';
    let bodyObj: Record<string, unknown> | undefined;
    for (const k in params) {
      const v = params[k];
      if (v === undefined) continue;
      if (spec.query.has(k)) {
        const s = Array.isArray(v) ? v.join(',') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
        query += (query ? '&' : '?') + k + '=' + encodeURIComponent(s);
      } else if (k === spec.wholeBody) {
        bodyObj = v as Record<string, unknown>;
      } else if (spec.body.has(k)) {
        (bodyObj ??= {})[k] = v;
      } else if (!spec.pathParams.includes(k)) {
        throw new AriError(`${spec.name}: unknown parameter ${k}`, spec.name);
      }
    }
    const head = spec.method + ' ' + path + query + this.fixed;
    if (bodyObj !== undefined) {
      const body = JSON.stringify(bodyObj);
      return head + 'Content-Type: application/json\r\nContent-Length: ' + Buffer.byteLength(body) + '\r\n\r\n' + body;
    }
    return spec.method === 'POST' || spec.method === 'PUT' ? head + 'Content-Length: 0\r\n\r\n' : head + '\r\n';
  }

  private dispatch(r: Pending): void {
    if (this.idle.length > 0) {
      const now = performance.now();
      let c: Conn | undefined;
      while ((c = this.idle.pop()) !== undefined) {
        if (c.dead) continue;
        if (now - c.idleSince >= c.idleLimit) {
          this.drop(c);
          continue;
        }
        this.send(c, r);
        return;
      }
    }
    if (this.open < this.maxSockets && this.connecting < this.maxConnecting) this.connect(r);
    else this.queue.push(r);
  }

  private connect(r: Pending): void {
    this.open++;
    this.connecting++;
    const c = new Conn(this, this.host, this.port, this.idleMs);
    this.conns.add(c);
    this.send(c, r);
  }

  /** Writes the request: one write, now (a connecting socket sends it once connected). */
  private send(c: Conn, r: Pending): void {
    c.req = r;
    c.started = false;
    r.conn = c;
    c.sock.write(r.text);
    if (c.sock.connecting) return;
    const f = r.onSent;
    if (f !== undefined) {
      r.onSent = undefined;
      f();
    }
  }

  /** @internal */
  onConnect(c: Conn): void {
    // a first request that Asterisk holds (one queued behind a playing prompt) must not hold the slot
    if (c.connecting) c.openTimer = setTimeout(openingOver, OPENING_MS, this, c);
    const r = c.req;
    if (r === null || r.done) return;
    const f = r.onSent;
    if (f !== undefined) {
      r.onSent = undefined;
      f();
    }
  }

  /**
   * c is no longer opening: its first answer came (the server accepted it: the kernel completes a
   * connect before the server takes it from the listen queue, so 'connect' alone would not bound
   * that queue), or it failed or was dropped
   */
  private connected(c: Conn): void {
    if (!c.connecting) return;
    c.connecting = false;
    this.connecting--;
    clearTimeout(c.openTimer);
  }

  /** @internal c connected OPENING_MS ago without an answer yet: Asterisk has taken it from its listen queue by now */
  openingOver(c: Conn): void {
    if (!c.connecting) return;
    this.connected(c);
    this.refill();
  }

  /** @internal bytes [0, n) of READ_BUFFER were read on c */
  onRead(c: Conn, n: number): void {
    if (c.dead) return;
    const r = c.req;
    if (r === null) {
      // bytes nobody asked for (no request in flight): the connection cannot be trusted
      this.drop(c);
      this.refill();
      return;
    }
    c.started = true;
    const p = c.parser;
    const res = p.feed(READ_BUFFER, 0, n);
    if (res === NEED_MORE) return;
    if (res === BAD) {
      c.req = null;
      this.drop(c);
      this.refill();
      this.fail(r, new AriError(`${r.name}: malformed answer from ARI (${p.error})`, r.name));
      return;
    }
    this.answered(c, r);
  }

  /** c has read r's whole answer */
  private answered(c: Conn, r: Pending): void {
    const wasOpening = c.connecting;
    this.connected(c);
    const p = c.parser;
    const status = p.status;
    const text = p.body;
    p.body = '';
    c.req = null;
    r.conn = null;
    c.reused = true;
    if (p.keepAliveMs > 0) c.idleLimit = Math.min(this.idleMs, p.keepAliveMs - 1000);
    if (p.keepAlive && p.extra === 0 && !c.dead && !this.closed) {
      // the next waiting request goes out before this answer is handed over
      const next = this.dequeue();
      if (next !== undefined) this.send(c, next);
      else {
        c.idleSince = performance.now();
        this.idle.push(c);
        this.armSweep(c.idleSince + c.idleLimit);
      }
    } else {
      this.drop(c);
      this.refill();
    }
    // an opening slot is free: requests waiting for one get a new connection
    if (wasOpening) this.refill();
    if (r.done) return;
    r.done = true;
    clearTimeout(r.timer);
    const data = parseBody(text);
    if (status >= 200 && status < 300) r.resolve(data);
    else r.reject(statusError(r.name, status, data));
  }

  /** @internal the server ended the connection, or it failed (called for both 'end' and 'close') */
  onClose(c: Conn): void {
    if (c.dead) return;
    this.drop(c);
    const r = c.req;
    c.req = null;
    if (r !== null && !r.done) {
      const p = c.parser;
      if (c.started && p.end() !== BAD) {
        // a body that runs until the connection closes
        this.answered(c, r);
        return;
      }
      r.conn = null;
      if (!c.started && c.reused && r.mayRetry && !this.closed && (c.errCode === '' || RETRYABLE.has(c.errCode))) {
        // a kept-alive connection the server had closed: the request never reached it, send it once more
        r.mayRetry = false;
        this.connect(r);
      } else {
        const why = c.errCode || (c.started ? 'connection closed during the answer' : 'connection closed');
        this.fail(r, new AriUnreachableError(`${r.name}: ARI not reachable (${why})`, r.name));
      }
    }
    this.refill();
  }

  /** @internal */
  onTimeout(r: Pending, ms: number): void {
    if (r.done) return;
    r.done = true;
    const c = r.conn;
    if (c !== null) {
      // its late answer must not be read as the next request's
      c.req = null;
      r.conn = null;
      this.drop(c);
      this.refill();
    }
    r.reject(new AriTimeoutError(`${r.name}: no answer from ARI within ${ms} ms`, r.name));
  }

  /** the sweep runs at `deadline` (performance.now() ms) at the latest */
  private armSweep(deadline: number): void {
    if (this.closed || deadline >= this.sweepAt) return;
    clearTimeout(this.sweeper);
    this.sweepAt = deadline;
    this.sweeper = setTimeout(sweep, Math.max(1, Math.ceil(deadline - performance.now())), this).unref();
  }

  /** @internal closes the connections idle too long (or nearly), and arms the next sweep for the earliest of the rest */
  sweep(): void {
    this.sweeper = undefined;
    this.sweepAt = Infinity;
    const horizon = performance.now() + this.sweepSlack;
    let keep = 0;
    let next = Infinity;
    const idle = this.idle;
    for (let i = 0; i < idle.length; i++) {
      const c = idle[i]!;
      if (c.dead) continue;
      const due = c.idleSince + c.idleLimit;
      if (due <= horizon) this.drop(c);
      else {
        idle[keep++] = c;
        if (due < next) next = due;
      }
    }
    idle.length = keep;
    if (next !== Infinity) this.armSweep(next);
  }

  private drop(c: Conn): void {
    if (c.dead) return;
    c.dead = true;
    this.open--;
    this.connected(c);
    this.conns.delete(c);
    c.sock.destroy();
  }

  /** free connection slots go to waiting requests */
  private refill(): void {
    while (this.open < this.maxSockets && this.connecting < this.maxConnecting && !this.closed) {
      const r = this.dequeue();
      if (r === undefined) return;
      this.connect(r);
    }
  }

  /** the oldest waiting request not yet settled (a timed-out one stays in the queue, settled) */
  private dequeue(): Pending | undefined {
    const q = this.queue;
    while (this.queueHead < q.length) {
      const r = q[this.queueHead]!;
      q[this.queueHead++] = undefined as unknown as Pending;
      if (this.queueHead === q.length) {
        q.length = 0;
        this.queueHead = 0;
      } else if (this.queueHead >= 1024 && this.queueHead * 2 >= q.length) {
        q.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      if (!r.done) return r;
    }
    return undefined;
  }

  private fail(r: Pending, e: AriError): void {
    if (r.done) return;
    r.done = true;
    r.conn = null;
    clearTimeout(r.timer);
    r.reject(e);
  }
}

/** how long after its connect a connection still counts as opening without an answer (ms) */
const OPENING_MS = 100;

function openingOver(rest: AriRest, c: Conn): void {
  rest.openingOver(c);
}

function onTimeout(rest: AriRest, r: Pending, ms: number): void {
  rest.onTimeout(r, ms);
}

function sweep(rest: AriRest): void {
  rest.sweep();
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function statusError(name: string, status: number, body: unknown): AriError {
  const message = body && typeof body === 'object' && 'message' in body ? String((body as { message: unknown }).message) : typeof body === 'string' ? body : `HTTP ${status}`;
  if (status === 404) return new AriNotFoundError(`${name}: ${message}`, name, 404);
  if (status === 401) return new AriAuthError(`${name}: ARI refused the credentials`, name, 401);
  return new AriError(`${name}: ${status} ${message}`, name, status);
}
