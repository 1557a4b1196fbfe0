// Diagnostic preload for `ivr-1699 bench` (not used in production): V8's sampling heap profiler in
// the service process (`serve`), to find what it allocates and what of that survives the young
// generation's collections (is promoted to the old generation), by allocation site. Every
// HEAP_SITES_EVERY seconds (default 10) it appends one JSON line to $HEAP_SITES_FILE with the bytes
// sampled since the start, by site, largest first:
//   HEAP_SITES_MODE=promoted (default)  objects not discarded by a scavenge: promoted (or still
//                                        alive in the young generation when read)
//   HEAP_SITES_MODE=all                  every allocation (what drives the scavenges)
//   HEAP_SITES_MODE=live                 objects alive when read (a major GC is asked for first)
// Sites: `self` is the function that allocated; `own` is the nearest frame in the project's own
// code (dist/ or src/), which names who caused an allocation inside a library (node:http, xstate,
// pino); `stack` is the allocating function and its HEAP_SITES_DEPTH - 1 callers (default 5 frames).
// Use (one step of 1,000 calls; the sampling interval is HEAP_SITES_INTERVAL bytes, default 32768):
//   HEAP_SITES_FILE=/tmp/h NODE_OPTIONS="--import $PWD/scripts/heap-sites.mjs" npx ivr-1699 bench --steps 1000 --json
import inspector from 'node:inspector';
import { appendFileSync } from 'node:fs';

if (process.argv.includes('serve') && process.env.HEAP_SITES_FILE) {
  const file = process.env.HEAP_SITES_FILE;
  const mode = process.env.HEAP_SITES_MODE ?? 'promoted';
  const every = Number(process.env.HEAP_SITES_EVERY ?? 10) * 1000;
  const top = Number(process.env.HEAP_SITES_TOP ?? 40);
  const depth = Number(process.env.HEAP_SITES_DEPTH ?? 5);
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) => new Promise((res, rej) => session.post(method, params, (e, r) => (e ? rej(e) : res(r))));
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', {
    samplingInterval: Number(process.env.HEAP_SITES_INTERVAL ?? 32768),
    includeObjectsCollectedByMajorGC: mode !== 'live',
    includeObjectsCollectedByMinorGC: mode === 'all',
  });
  const short = (url) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '~/').replace(/^\/.*\/(dist|src)\//, '$1/');
  const own = (url) => /\/(dist|src)\//.test(url) && !url.includes('/node_modules/');
  const name = (f) => `${f.functionName || '(anonymous)'} ${short(f.url) || '(native)'}:${f.lineNumber + 1}`;
  const t0 = Date.now();
  const read = async () => {
    if (mode === 'live') await post('HeapProfiler.collectGarbage');
    const { profile } = await post('HeapProfiler.getSamplingProfile');
    const self = new Map();
    const byOwn = new Map();
    const byStack = new Map();
    let total = 0;
    const walk = (node, ownFrame, path) => {
      const f = node.callFrame;
      const o = f.url && own(f.url) ? name(f) : ownFrame;
      const here = [name(f), ...path].slice(0, depth);
      if (node.selfSize) {
        total += node.selfSize;
        const k = name(f);
        self.set(k, (self.get(k) ?? 0) + node.selfSize);
        const ko = o ?? '(no project frame)';
        byOwn.set(ko, (byOwn.get(ko) ?? 0) + node.selfSize);
        const ks = here.join(' < ') + (o && !here.includes(o) ? ' << ' + o : '');
        byStack.set(ks, (byStack.get(ks) ?? 0) + node.selfSize);
      }
      for (const c of node.children) walk(c, o, here);
    };
    walk(profile.head, undefined, []);
    const kb = (m) =>
      [...m.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([k, v]) => [Math.round(v / 1024), k]);
    const m = process.memoryUsage();
    appendFileSync(file, JSON.stringify({ mode, s: Math.round((Date.now() - t0) / 1000), totalKb: Math.round(total / 1024), heapMb: Math.round(m.heapUsed / 1048576), rssMb: Math.round(m.rss / 1048576), self: kb(self), own: kb(byOwn), stack: kb(byStack) }) + '\n');
  };
  setInterval(() => void read().catch((e) => appendFileSync(file, JSON.stringify({ error: String(e) }) + '\n')), every).unref();
}
