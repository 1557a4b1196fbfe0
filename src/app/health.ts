/**
 * GET /health, GET /metrics and GET /metrics/latency on the service's HTTP port.
 * /health: 503 when the service cannot take calls (ARI disconnected, stopping); 200 with status
 * `degraded` and the failing dependencies when a backend (store, Quantum, SMS) fails but callers
 * still reach an answer or an agent; 200 `ok` otherwise. /metrics/latency: the event→command
 * latency histogram as JSON, and whether this process runs compiled code.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Metrics } from './metrics.ts';

/** 'compiled' when this process runs dist/ (JavaScript), 'tsx' when it runs the TypeScript sources */
const RUNTIME = fileURLToPath(import.meta.url).endsWith('.js') ? 'compiled' : 'tsx';

export interface HealthServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** More routes on the same port (the web console): returns true when it took the request. */
export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse) => boolean;

/** more entries of /health that do not change its status (e.g. `config`: the configuration version and the last reload's error) */
export type HealthStatus = () => Record<string, unknown>;

export async function startHealthServer(host: string, port: number, metrics: Metrics, started = Date.now(), extra?: ExtraRoutes, status?: HealthStatus): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (extra?.(req, res)) return;
    if (req.method === 'GET' && url === '/health') {
      let h: ReturnType<Metrics['health']>;
      try {
        h = metrics.health();
      } catch (e) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', message: `health check failed: ${(e as Error).message}` }));
        return;
      }
      const deps = Object.fromEntries(Object.entries(h.dependencies).map(([k, d]) => [k, { ok: d.ok, state: d.state, ...(d.detail ? { detail: d.detail } : {}) }]));
      res.writeHead(h.httpStatus, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: h.status,
          ari: metrics.ariConnected ? 'connected' : 'disconnected',
          dependencies: deps,
          failing: Object.entries(h.dependencies).filter(([, d]) => !d.ok).map(([k]) => k),
          activeCalls: metrics.callsActive,
          uptimeS: Math.round((Date.now() - started) / 1000),
          ...status?.(),
        }),
      );
    } else if (req.method === 'GET' && url === '/metrics') {
      metrics.render().then(
        (text) => {
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
          res.end(text);
        },
        (e: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`metrics failed: ${(e as Error).message}\n`);
        },
      );
    } else if (req.method === 'GET' && url === '/metrics/latency') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ runtime: RUNTIME, pid: process.pid, activeCalls: metrics.callsActive, callsTotal: metrics.callsTotal, ariRequests: metrics.ariRequests, ariEvents: metrics.ariEvents, eventToCommand: metrics.eventToCommand.snapshot() }));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"message":"not found: try /health or /metrics"}');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  return {
    server,
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
