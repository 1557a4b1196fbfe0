/**
 * The HTTP server (node:http) and the events WebSocket (ws) on one port: routing of
 * /ari/… to the handlers, api-docs, authentication, and errors shaped as Asterisk's.
 * Malformed requests get a 4xx answer; nothing a client sends can crash the server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { API, parseParams, type HttpMethod } from './api-table.ts';
import { authorized, UNAUTHORIZED, type Credentials } from './auth.ts';
import type { SwitchCore } from './core.ts';
import { ASTERISK_VERSION } from './core.ts';
import { AriError } from './errors.ts';
import { HANDLERS, type Handler } from './routes.ts';
import { resourceDoc, resourceListing } from './swagger-docs.ts';

interface Route {
  method: HttpMethod;
  regex: RegExp;
  names: string[];
  key: string;
  handler: Handler;
}

const MAX_BODY = 1024 * 1024;

function buildRoutes(): Route[] {
  const routes: Route[] = [];
  for (const r of API) {
    for (const api of r.apis) {
      const names = parseParams(api.path).map((p) => p.name);
      const regex = new RegExp(`^${api.path.replace(/\{\w+\}/g, '([^/]+)')}$`);
      for (const op of api.operations) {
        const key = `${r.name}.${op.nickname}`;
        const handler = HANDLERS[key];
        if (!handler) throw new Error(`switch: operation ${key} is documented but has no handler`);
        routes.push({ method: op.method, regex, names, key, handler });
      }
    }
  }
  return routes;
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  const common = { Server: `Asterisk/${ASTERISK_VERSION}`, 'Cache-Control': 'no-cache, no-store', ...headers };
  if (status === 204 || body === undefined) {
    res.writeHead(status, common);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { ...common, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new AriError(413, 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export class SwitchServer {
  readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly routes = buildRoutes();
  private readonly sockets = new Set<WebSocket>();

  constructor(
    private readonly core: SwitchCore,
    private readonly creds: Credentials,
  ) {
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.core.log?.error({ err }, 'switch: request failed');
        send(res, 500, { message: 'Internal Server Error' });
      });
    });
    this.http.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    this.wss = new WebSocketServer({ noServer: true });
    this.http.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.http.once('error', onError);
      this.http.listen(port, host, () => {
        this.http.off('error', onError);
        const addr = this.http.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
    return new Promise((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  private parseUrl(req: IncomingMessage): URL | null {
    try {
      return new URL(req.url ?? '/', 'http://switch.invalid');
    } catch {
      return null;
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = this.parseUrl(req);
    if (!url) {
      send(res, 400, { message: 'Malformed request URL' });
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      send(res, 400, { message: 'Malformed request URL' });
      return;
    }
    if (!path.startsWith('/ari/') && path !== '/ari') {
      send(res, 404, { message: 'Not found: the ARI lives under /ari/' });
      return;
    }
    if (!authorized(req, url.searchParams, this.creds)) {
      send(res, 401, UNAUTHORIZED.body, UNAUTHORIZED.headers);
      return;
    }
    const rest = path.slice(4);
    const host = req.headers.host ?? `${this.creds.username}@localhost`;
    const basePath = `http://${host}/ari`;

    if (rest.startsWith('/api-docs/')) {
      if (req.method !== 'GET') {
        send(res, 405, { message: 'Invalid method' });
        return;
      }
      const file = rest.slice('/api-docs/'.length);
      if (file === 'resources.json') {
        send(res, 200, resourceListing(basePath));
        return;
      }
      const m = /^(\w+)\.json$/.exec(file);
      const doc = m ? resourceDoc(m[1] ?? '', basePath) : undefined;
      if (!doc) send(res, 404, { message: 'Resource not found' });
      else send(res, 200, doc);
      return;
    }

    const candidates = this.routes
      .map((r) => ({ r, m: r.regex.exec(rest) }))
      .filter((x): x is { r: Route; m: RegExpExecArray } => x.m !== null);
    if (candidates.length === 0) {
      send(res, 404, { message: 'Resource not found' });
      return;
    }
    const hit = candidates.find((x) => x.r.method === req.method);
    if (!hit) {
      send(res, 405, { message: 'Invalid method' });
      return;
    }

    let body: Record<string, unknown> | null = null;
    try {
      const text = await readBody(req);
      if (text.trim() !== '') {
        const parsed: unknown = JSON.parse(text);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
        else throw new AriError(400, 'The request body must be a JSON object');
      }
    } catch (e) {
      send(res, e instanceof AriError ? e.status : 400, { message: e instanceof AriError ? e.message : 'Error parsing request body as JSON' });
      return;
    }

    const params: Record<string, string> = {};
    hit.r.names.forEach((n, i) => (params[n] = hit.m[i + 1] ?? ''));
    try {
      const reply = await hit.r.handler({ core: this.core, path: params, query: url.searchParams, body });
      send(res, reply.status, reply.body);
    } catch (e) {
      if (e instanceof AriError) {
        send(res, e.status, { message: e.message });
      } else {
        this.core.log?.error({ err: e, route: hit.r.key }, 'switch: handler failed');
        send(res, 500, { message: 'Internal Server Error' });
      }
    }
  }

  private reject(socket: Duplex, status: number, reason: string, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n${extra}Connection: close\r\n\r\n${text}`,
    );
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = this.parseUrl(req);
    if (!url || url.pathname !== '/ari/events') {
      this.reject(socket, 404, 'Not Found', { message: 'Resource not found' });
      return;
    }
    if (!authorized(req, url.searchParams, this.creds)) {
      this.reject(socket, 401, 'Unauthorized', UNAUTHORIZED.body, UNAUTHORIZED.headers);
      return;
    }
    const apps = url.searchParams
      .getAll('app')
      .flatMap((a) => a.split(','))
      .map((a) => a.trim())
      .filter(Boolean);
    if (apps.length === 0) {
      this.reject(socket, 400, 'Bad Request', { message: "Missing param 'app'" });
      return;
    }
    const subscribeAll = ['true', '1', 'yes'].includes((url.searchParams.get('subscribeAll') ?? '').toLowerCase());
    if (!this.core.running) {
      this.reject(socket, 503, 'Service Unavailable', { message: 'Switch stopped' });
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws);
      this.core.hub.attach(ws, apps, subscribeAll);
      this.core.log?.info({ apps }, 'switch: events WebSocket connected');
      ws.on('error', () => ws.terminate());
      ws.on('message', () => undefined);
      ws.on('close', () => {
        this.sockets.delete(ws);
        this.core.hub.detach(ws);
        this.core.log?.info({ apps }, 'switch: events WebSocket closed');
      });
    });
  }
}
