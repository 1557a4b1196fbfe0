/**
 * A local fake of Quantum's REST API (the shape in src/quantum/http.ts and docs/data.md), for tests
 * of the adapter, the outbox and the service. Serves a data file's content; can be told to be slow,
 * to fail with a status, or to drop connections. Loopback only.
 *
 *   const q = await startFakeQuantum({ data, token: 'secret' });
 *   new QuantumHttpClient({ baseUrl: q.url, token: 'secret' });
 *   q.behave({ delayMs: 3000 });            // every answer late
 *   q.behave({ failWith: 503, failNext: 2 }); // the next 2 requests answer 503
 *   q.behave({ failWith: 'reset' });         // every request: connection destroyed
 *   q.behave({ failWith: 'page-404' });      // every request: a web server's 404 page (Quantum not behind it)
 *   q.delivered                                // requests received, one per idempotency key
 *
 * Standalone: `npx tsx test/quantum/fake-quantum.ts [--port 8089] [--data data/demo.json]`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { DataFile } from '../../src/domain/data-file.ts';

export interface Behaviour {
  /** delay before every answer */
  delayMs?: number;
  /** answer with this status (or destroy the connection) instead of serving */
  failWith?: number | 'reset' | 'page-404' | null;
  /** only the next N requests fail (default: all while failWith is set) */
  failNext?: number;
}

export interface FakeQuantum {
  /** base URL of the API, e.g. http://127.0.0.1:40123/api/v1 */
  readonly url: string;
  behave(b: Behaviour): void;
  /** every request seen: method, path, idempotency key */
  readonly calls: { method: string; path: string; idempotencyKey?: string }[];
  /** delivered IVR requests by idempotency key (a repeated key is stored once) */
  readonly delivered: Map<string, Record<string, unknown>>;
  /** POST /ivr-requests received, repeats included */
  readonly deliveryPosts: () => number;
  readonly registeredCustomers: Set<string>;
  close(): Promise<void>;
}

export async function startFakeQuantum(opts: { data?: unknown; token?: string; port?: number } = {}): Promise<FakeQuantum> {
  const data = DataFile.parse(opts.data ?? {});
  const customers = new Map(data.customers.map((c) => [c.nationalId, c]));
  const orders = new Map(data.orders.map((o) => [o.orderNumber, o]));
  const stock = new Map(data.stock.map((s) => [s.productCode, s.orderable]));
  let behaviour: Behaviour = {};
  let failLeft = Infinity;
  const calls: FakeQuantum['calls'] = [];
  const delivered = new Map<string, Record<string, unknown>>();
  const registeredCustomers = new Set<string>();
  let posts = 0;

  const send = (res: ServerResponse, status: number, body?: unknown) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      let s = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (s += c));
      req.on('end', () => resolve(s));
      req.on('error', reject);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const key = req.headers['idempotency-key'];
    calls.push({ method: req.method ?? '', path: u.pathname + u.search, ...(typeof key === 'string' ? { idempotencyKey: key } : {}) });
    const body = req.method === 'POST' ? await readBody(req) : '';
    if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
    if (behaviour.failWith != null && failLeft > 0) {
      failLeft--;
      if (behaviour.failWith === 'reset') {
        req.socket.destroy();
        return;
      }
      if (behaviour.failWith === 'page-404') {
        // a proxy in front of a stopped Quantum, or a wrong base URL: a web page, not Quantum's JSON
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<html><body>404 Not Found</body></html>');
        return;
      }
      return send(res, behaviour.failWith, { error: 'fake failure' });
    }
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) return send(res, 401, { error: 'bad token' });
    const p = u.pathname.replace(/^\/api\/v1/, '');
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && (m = /^\/customers\/(\d+)$/.exec(p))) {
      const c = customers.get(m[1]!);
      return c ? send(res, 200, c) : send(res, 404, { error: 'no such customer' });
    }
    if (req.method === 'GET' && (m = /^\/customers\/(\d+)\/orders\/([^/]+)$/.exec(p))) {
      const o = orders.get(decodeURIComponent(m[2]!));
      return o && o.nationalId === m[1] ? send(res, 200, o) : send(res, 404, { error: 'no such order for this customer' });
    }
    if (req.method === 'GET' && (m = /^\/customers\/(\d+)\/bounced-cheques$/.exec(p))) {
      return send(res, 200, { bouncedCheques: data.bouncedCheques.filter((b) => b.nationalId === m![1]) });
    }
    if (req.method === 'GET' && (m = /^\/products\/([^/]+)\/stock$/.exec(p))) {
      const code = decodeURIComponent(m[1]!);
      return stock.has(code) ? send(res, 200, { productCode: code, orderable: stock.get(code) }) : send(res, 404, { error: 'unknown product' });
    }
    if (req.method === 'GET' && p === '/stores') {
      return send(res, 200, { stores: data.stores.filter((s) => s.areaCode === u.searchParams.get('areaCode')) });
    }
    if (req.method === 'POST' && p === '/customers') {
      const c = JSON.parse(body || '{}') as { nationalId?: string };
      if (!c.nationalId || !/^\d{10}$/.test(c.nationalId)) return send(res, 422, { error: 'nationalId must be 10 digits' });
      if (customers.has(c.nationalId) || registeredCustomers.has(c.nationalId)) return send(res, 200, { status: 'already-registered' });
      registeredCustomers.add(c.nationalId);
      return send(res, 201, { status: 'registered' });
    }
    if (req.method === 'POST' && p === '/ivr-requests') {
      posts++;
      if (typeof key !== 'string' || !key) return send(res, 400, { error: 'Idempotency-Key required' });
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return send(res, 400, { error: 'body is not JSON' });
      }
      if (typeof r.number !== 'string' || typeof r.type !== 'string') return send(res, 422, { error: 'number and type required' });
      const seen = delivered.has(key);
      if (!seen) delivered.set(key, r);
      return send(res, seen ? 200 : 201, { accepted: true, number: r.number });
    }
    // what a web server answers for a path it does not serve (not Quantum's JSON not-found)
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html><body>404 Not Found</body></html>');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => send(res, 500, { error: String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    behave(b: Behaviour) {
      behaviour = { ...b };
      failLeft = b.failNext ?? Infinity;
    },
    calls,
    delivered,
    deliveryPosts: () => posts,
    registeredCustomers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// standalone use
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const at = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const file = at('--data') ?? 'data/demo.json';
  const q = await startFakeQuantum({ data: JSON.parse(readFileSync(file, 'utf8')), port: Number(at('--port') ?? 8089) });
  process.stdout.write(`fake Quantum serving ${file} at ${q.url}\n`);
}
