#!/usr/bin/env node
// CPU per ARI REST request of the REST client (src/ari/rest.ts, built to dist/ by `npm run build`),
// against a local HTTP server in another process that answers as Asterisk 22 does (recorded
// headers, Content-Length bodies, 204 with Content-Length: 0). The workload is a refund call's
// mix: answer, set a variable, play (a JSON answer), stop a playback, get a channel.
//
//   node scripts/bench-rest.mjs [--requests 40000] [--concurrency 32] [--rounds 3] [CLIENT.js ...]
//
// CLIENT.js: a built rest.js (default dist/ari/rest.js); give two (e.g. another checkout's
// dist/ari/rest.js) to compare them: each round runs every client once, each in a fresh
// process, after a warm-up of as many requests as are measured. The clients run with a fixed young
// generation (16 MiB semi-spaces: V8 otherwise sizes it by survival, and the count of minor GCs
// says little). Reported per request: CPU of the whole client process (µs, all threads), CPU of its
// main thread (µs), and the garbage made, estimated as minor GCs × 16 MiB (KB).
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const self = fileURLToPath(import.meta.url);
const SEMI_MB = 16;
const root = resolve(dirname(self), '..');

const PLAY = JSON.stringify({ id: 'pb-1', media_uri: 'sound:ivr-1699/main-menu', target_uri: 'channel:1764555356.123', language: 'fa', state: 'queued' });
const CHANNEL = JSON.stringify({ id: '1764555356.123', name: 'PJSIP/trunk-00000001', state: 'Up', protocol_id: 'x', caller: { name: '', number: '09123456789' }, connected: { name: '', number: '' }, accountcode: '', dialplan: { context: 'ivr-inbound', exten: '1699', priority: 3, app_name: 'Stasis', app_data: 'ivr-1699' }, creationtime: '2026-12-01T02:15:56.863+0000', language: 'fa' });
const head = (status, reason, len, type = true) =>
  `HTTP/1.1 ${status} ${reason}\r\nServer: Asterisk/22.10.1\r\nDate: Tue, 01 Dec 2026 02:15:56 GMT\r\nCache-Control: no-cache, no-store\r\n${type ? 'Content-type: application/json\r\n' : ''}Content-Length: ${len}\r\n\r\n`;
const ANSWERS = {
  play: head(200, 'OK', Buffer.byteLength(PLAY)) + PLAY,
  get: head(200, 'OK', Buffer.byteLength(CHANNEL)) + CHANNEL,
  none: head(204, 'No Content', 0, false),
};

if (args[0] === '--serve') {
  // the server: a minimal HTTP/1.1 responder (head, Content-Length body), Asterisk's answers
  const srv = net.createServer((sock) => {
    sock.setNoDelay(true);
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const m = /content-length: (\d+)/i.exec(buf.slice(0, end));
        const total = end + 4 + (m ? Number(m[1]) : 0);
        if (buf.length < total) return;
        const line = buf.slice(0, buf.indexOf('\r\n'));
        buf = buf.slice(total);
        sock.write(line.includes('/play') ? ANSWERS.play : line.startsWith('GET') ? ANSWERS.get : ANSWERS.none);
      }
    });
    sock.on('error', () => {});
  });
  srv.listen(0, '127.0.0.1', () => process.send({ port: srv.address().port }));
} else if (args[0] === '--client') {
  const [, impl, port, requests, concurrency] = args;
  const { AriRest } = await import(pathToFileURL(impl).href);
  const { operationSpec } = await import(pathToFileURL(resolve(dirname(impl), 'operations.js')).href);
  const rest = new AriRest({ base: `http://127.0.0.1:${port}`, username: 'asterisk', password: 'secret', maxSockets: 256 });
  const mix = [
    [operationSpec('channels', 'answer'), { channelId: '1764555356.123' }],
    [operationSpec('channels', 'setChannelVar'), { channelId: '1764555356.123', variable: 'IVR_STATE', value: 'node=main-menu;lang=fa;tries=0' }],
    [operationSpec('channels', 'playWithId'), { channelId: '1764555356.123', playbackId: 'pb-1', media: 'sound:ivr-1699/main-menu', lang: 'fa' }],
    [operationSpec('playbacks', 'stop'), { playbackId: 'pb-1' }],
    [operationSpec('channels', 'get'), { channelId: '1764555356.123' }],
  ];
  let gcs = 0;
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) if (e.detail?.kind === 1) gcs++; // NODE_PERFORMANCE_GC_MINOR
  }).observe({ entryTypes: ['gc'] });
  const mainNs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  const run = (n, c) =>
    new Promise((res, rej) => {
      let started = 0;
      let finished = 0;
      const next = () => {
        if (started >= n) return;
        const [spec, params] = mix[started++ % mix.length];
        rest.call(spec, params, 5000).then(() => {
          if (++finished === n) res();
          else next();
        }, rej);
      };
      for (let i = 0; i < c; i++) next();
    });
  const n = Number(requests);
  await run(n, Number(concurrency)); // warm-up
  await new Promise((r) => setTimeout(r, 200));
  gcs = 0;
  const cpu0 = process.cpuUsage();
  const main0 = mainNs();
  const t0 = performance.now();
  await run(n, Number(concurrency));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const main = mainNs() - main0;
  await new Promise((r) => setTimeout(r, 50)); // the last GC entries
  rest.close();
  process.send({ cpuUs: (cpu.user + cpu.system) / n, mainUs: main / 1000 / n, allocKB: (gcs * SEMI_MB * 1024) / n, reqPerS: (n / wall) * 1000 });
} else {
  const requests = opt('--requests', 40000);
  const concurrency = opt('--concurrency', 32);
  const rounds = opt('--rounds', 3);
  const impls = args.filter((a, i) => a.endsWith('.js') && !['--requests', '--concurrency', '--rounds'].includes(args[i - 1]));
  if (impls.length === 0) impls.push(resolve(root, 'dist/ari/rest.js'));
  const server = fork(self, ['--serve']);
  const { port } = await new Promise((r) => server.once('message', r));
  const results = new Map(impls.map((i) => [i, []]));
  process.on('exit', () => server.kill());
  for (let round = 0; round < rounds; round++) {
    for (const impl of impls) {
      const child = fork(self, ['--client', resolve(impl), String(port), String(requests), String(concurrency)], { execArgv: [`--min-semi-space-size=${SEMI_MB}`, `--max-semi-space-size=${SEMI_MB}`] });
      const r = await new Promise((res, rej) => {
        child.once('message', res);
        child.once('exit', (code) => code && rej(new Error(`client ${impl} exited with ${code}`)));
      });
      results.get(impl).push(r);
      console.error(`round ${round + 1} ${impl}: ${r.cpuUs.toFixed(1)} µs CPU, ${r.mainUs.toFixed(1)} µs main thread, ≈${r.allocKB.toFixed(1)} KB garbage, ${Math.round(r.reqPerS)} req/s`);
    }
  }
  server.kill();
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const out = impls.map((impl) => {
    const rs = results.get(impl);
    return { client: impl, requests, concurrency, rounds, cpuUsPerRequest: +median(rs.map((r) => r.cpuUs)).toFixed(1), mainThreadUsPerRequest: +median(rs.map((r) => r.mainUs)).toFixed(1), garbageKBPerRequest: +median(rs.map((r) => r.allocKB)).toFixed(1), requestsPerS: Math.round(median(rs.map((r) => r.reqPerS))) };
  });
  console.log(JSON.stringify(out, null, 2));
}
