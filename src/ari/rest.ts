/**
 * ARI's REST interface over plain node:http with keep-alive: one request per operation call,
 * built from the operation table (operations.ts), statuses kept as typed errors. No Swagger
 * documents are read at connect and nothing is built per request beyond the URL and headers.
 *
 * Sockets are pooled (keep-alive) and bounded: Asterisk's HTTP server has a session limit
 * (http.conf `sessionlimit`, default 100, WebSockets included), so a burst of commands waits for
 * a free socket instead of opening hundreds of connections.
 */
import http from 'node:http';
import { AriAuthError, AriError, AriNotFoundError, AriTimeoutError, AriUnreachableError } from './errors.ts';
import type { OperationSpec } from './operations.ts';

export interface RestOptions {
  /** base URL without /ari, e.g. http://127.0.0.1:8088 */
  base: string;
  username: string;
  password: string;
  /** sockets kept open to Asterisk at most (default 48) */
  maxSockets?: number;
}

const RETRYABLE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export class AriRest {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;
  private readonly prefix: string;
  private readonly auth: string;

  constructor(o: RestOptions) {
    const u = new URL(o.base);
    if (u.protocol !== 'http:') throw new AriError(`ARI URL ${o.base}: only http:// is supported (Asterisk's HTTP server on the local network)`, 'connect');
    this.host = u.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(u.port || 80);
    this.prefix = u.pathname.replace(/\/+$/, '') + '/ari';
    this.auth = 'Basic ' + Buffer.from(`${o.username}:${o.password}`).toString('base64');
    // an idle socket is closed after 10 s, before Asterisk closes it (http.conf session_keep_alive,
    // 15 s by default): a request written onto a socket Asterisk is closing fails with ECONNRESET
    // and is sent again (send()), which must stay the rare case
    this.agent = new http.Agent({ keepAlive: true, maxSockets: o.maxSockets ?? 48, scheduling: 'fifo', timeout: 10_000 });
  }

  /**
   * Calls one operation. `onSent` runs when the request has been handed to the socket (for the
   * event→command latency). Rejects with AriNotFoundError (404), AriAuthError (401),
   * AriTimeoutError, AriUnreachableError (no connection) or AriError (other statuses).
   */
  call(spec: OperationSpec, params: Record<string, unknown>, timeoutMs: number, onSent?: () => void): Promise<unknown> {
    const { path, body } = this.target(spec, params);
    return this.send(spec.name, spec.method, path, body, timeoutMs, onSent, true);
  }

  close(): void {
    this.agent.destroy();
  }

  private target(spec: OperationSpec, params: Record<string, unknown>): { path: string; body?: string } {
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
    return { path: path + query, ...(bodyObj ? { body: JSON.stringify(bodyObj) } : {}) };
  }

  private send(name: string, method: string, path: string, body: string | undefined, timeoutMs: number, onSent: (() => void) | undefined, mayRetry: boolean): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { authorization: this.auth, accept: 'application/json' };
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(body);
      }
      let done = false;
      const req = http.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent });
      const timer = setTimeout(() => {
        if (done) return;
        done = true;
        req.destroy();
        reject(new AriTimeoutError(`${name}: no answer from ARI within ${timeoutMs} ms`, name));
      }, timeoutMs);
      if (onSent) req.once('finish', onSent);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          const text = chunks.length === 0 ? '' : chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          const data = parseBody(text);
          if (status >= 200 && status < 300) resolve(data);
          else reject(statusError(name, status, data));
        });
        res.on('error', (e) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          reject(new AriUnreachableError(`${name}: ARI not reachable (${e.message})`, name));
        });
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        // a kept-alive socket that the server closed meanwhile: the request never reached it, send it again once
        if (mayRetry && req.reusedSocket && RETRYABLE.has(e.code ?? '')) {
          this.send(name, method, path, body, timeoutMs, onSent, false).then(resolve, reject);
          return;
        }
        reject(new AriUnreachableError(`${name}: ARI not reachable (${e.code ?? e.message})`, name));
      });
      req.end(body);
    });
  }
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
