// Diagnostic preload for `ivr-1699 bench` (not used in production): every second, each process of
// a bench run (the service: `serve`; the load: `bench`) appends one JSON line to $DIAG_FILE.svc or
// $DIAG_FILE.bench with what stalls it or makes its commands wait:
//   cores                CPU used over the second (1 = a whole core)
//   eldMax/eldP99/eldMean event-loop delay (perf_hooks.monitorEventLoopDelay, ms)
//   gcN/gcMs/gcMax/gcKinds garbage-collection pauses (PerformanceObserver 'gc'; kinds: 1 scavenge,
//                        4 mark-compact, 8 incremental marking)
//   sockN/sockAvg/sockMax/sockOver50  HTTP client requests given a socket, and how long they
//                        waited for one (ms: queueing in the http.Agent when all sockets are busy)
//   queueMax/inflightMax requests waiting for a socket / sockets busy, at most
//   rtt                  per request path: socket → response (ms)
//   srv                  per request path served by this process (the built-in switch): arrival →
//                        answer written (ms), i.e. how long the switch itself held it
//   sq                   SQLite writes (better-sqlite3 run() and transactions): count, ms, max ms
//   rssMb/heapMb/heapTotMb memory
// Only the main thread of each process is measured (not the service's store-writer thread).
// Use (one step of 1,000 calls):
//   DIAG_FILE=/tmp/d NODE_OPTIONS="--import $PWD/scripts/bench-diag.mjs" npx ivr-1699 bench --steps 1000 --json
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import http from 'node:http';
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const role = process.argv.includes('serve') ? 'svc' : process.argv.includes('bench') ? 'bench' : null;
// the main thread only: a worker thread (the service's store writer, src/store/writer.ts) loads
// this preload too, and its SQLite time is what no longer holds up the event loop
if (role && process.env.DIAG_FILE && isMainThread) {
  const file = `${process.env.DIAG_FILE}.${role}`;
  const pathKey = (method, path) => (method + ' ' + path).replace(/\?.*$/, '').replace(/[0-9a-f-]{20,}|\d{6,}[.\d]*/g, ':id');
  const bump = (map, key, d) => {
    const e = (map[key] ??= { n: 0, sum: 0, max: 0, over100: 0 });
    e.n++;
    e.sum += d;
    if (d > e.max) e.max = d;
    if (d > 100) e.over100++;
  };
  const fresh = () => ({
    gc: { n: 0, ms: 0, max: 0, kinds: {} },
    sw: { n: 0, sum: 0, max: 0, over50: 0, qmax: 0, inflightMax: 0 },
    rtt: {},
    srv: {},
    sq: { n: 0, ms: 0, max: 0 },
  });
  let s = fresh();

  const eld = monitorEventLoopDelay({ resolution: 5 });
  eld.enable();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      s.gc.n++;
      s.gc.ms += e.duration;
      if (e.duration > s.gc.max) s.gc.max = e.duration;
      const k = e.detail?.kind ?? 0;
      s.gc.kinds[k] = (s.gc.kinds[k] ?? 0) + e.duration;
    }
  }).observe({ entryTypes: ['gc'] });

  // HTTP client: time waiting for a socket, then socket → response
  const agents = new Set();
  const addRequest = http.Agent.prototype.addRequest;
  http.Agent.prototype.addRequest = function (req, ...rest) {
    agents.add(this);
    const t = performance.now();
    let onSocket = t;
    req.once('socket', () => {
      onSocket = performance.now();
      const d = onSocket - t;
      s.sw.n++;
      s.sw.sum += d;
      if (d > s.sw.max) s.sw.max = d;
      if (d > 50) s.sw.over50++;
    });
    req.once('response', () => bump(s.rtt, pathKey(req.method, req.path), performance.now() - onSocket));
    const r = addRequest.call(this, req, ...rest);
    let queued = 0;
    let busy = 0;
    for (const a of agents) {
      for (const k in a.requests) queued += a.requests[k].length;
      for (const k in a.sockets) busy += a.sockets[k].length;
    }
    if (queued > s.sw.qmax) s.sw.qmax = queued;
    if (busy > s.sw.inflightMax) s.sw.inflightMax = busy;
    return r;
  };

  // HTTP server (the built-in switch): how long each request was held before its answer
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (ev, req, res) {
    if (ev === 'request') {
      const t = performance.now();
      const v = /[?&]variable=([^&]*)/.exec(req.url ?? '')?.[1];
      res.once('finish', () => bump(s.srv, pathKey(req.method, req.url ?? '') + (v ? ` ${decodeURIComponent(v)}` : ''), performance.now() - t));
    }
    return emit.apply(this, arguments);
  };

  // SQLite writes (the commit's fsync included)
  try {
    const Database = createRequire(`${process.cwd()}/package.json`)('better-sqlite3');
    const rec = (d) => {
      s.sq.n++;
      s.sq.ms += d;
      if (d > s.sq.max) s.sq.max = d;
    };
    const timed = (fn) =>
      function (...a) {
        const t = performance.now();
        try {
          return fn.apply(this, a);
        } finally {
          rec(performance.now() - t);
        }
      };
    const prepare = Database.prototype.prepare;
    Database.prototype.prepare = function (...a) {
      const st = prepare.apply(this, a);
      if (!st.reader) st.run = timed(st.run);
      return st;
    };
    const transaction = Database.prototype.transaction;
    Database.prototype.transaction = function (fn) {
      const tx = transaction.call(this, fn);
      const w = timed(tx);
      for (const k of ['deferred', 'immediate', 'exclusive']) w[k] = tx[k];
      return w;
    };
  } catch {
    // no better-sqlite3 here: no store timings
  }

  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  setInterval(() => {
    const c = process.cpuUsage();
    const now = performance.now();
    const m = process.memoryUsage();
    const r1 = (x) => Math.round(x * 10) / 10;
    const line = {
      t: Math.round(Date.now() / 1000),
      cores: Math.round((c.user - cpu0.user + c.system - cpu0.system) / 10 / (now - t0)) / 100,
      eldMax: r1(eld.max / 1e6),
      eldP99: r1(eld.percentile(99) / 1e6),
      eldMean: r1(eld.mean / 1e6),
      gcN: s.gc.n,
      gcMs: r1(s.gc.ms),
      gcMax: r1(s.gc.max),
      gcKinds: Object.fromEntries(Object.entries(s.gc.kinds).map(([k, v]) => [k, r1(v)])),
      sockN: s.sw.n,
      sockAvg: s.sw.n ? r1(s.sw.sum / s.sw.n) : 0,
      sockMax: r1(s.sw.max),
      sockOver50: s.sw.over50,
      queueMax: s.sw.qmax,
      inflightMax: s.sw.inflightMax,
      rtt: s.rtt,
      srv: s.srv,
      sq: { n: s.sq.n, ms: r1(s.sq.ms), max: r1(s.sq.max) },
      rssMb: Math.round(m.rss / 1048576),
      heapMb: Math.round(m.heapUsed / 1048576),
      heapTotMb: Math.round(m.heapTotal / 1048576),
    };
    appendFileSync(file, JSON.stringify(line) + '\n');
    eld.reset();
    s = fresh();
    cpu0 = c;
    t0 = now;
  }, 1000).unref();
}
