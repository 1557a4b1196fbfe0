#!/usr/bin/env node
// What one wake-up of a Node process costs on this machine, against the work it does.
//
//   node scripts/wake-cost.mjs [N]
//
// A client sends a 100-byte request over a loopback TCP connection to a server in another
// process and reads its 27-byte answer, N times (default 2,000): back to back (the process never
// waits), then with a pause of 1, 5 and 20 ms between round trips (the process goes idle, as the
// IVR service does between a call's events: a caller keys or listens for seconds). It prints the
// client's CPU per round trip from its own thread's schedstat (ns, the time it ran on a CPU; the
// same counter as the bench's main-thread column) and from process.cpuUsage(), and how often the
// thread was put on a CPU. The difference between the rows is the cost of waking up: the same
// JavaScript and the same two system calls, run after a wait instead of in a loop.
import net from 'node:net';
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--server') {
  const srv = net.createServer((s) => {
    s.setNoDelay(true);
    s.on('data', () => s.write('HTTP/1.1 204 No Content\r\n\r\n'));
  });
  srv.listen(0, '127.0.0.1', () => process.send(srv.address().port));
} else {
  const n = Number(process.argv[2] ?? 2000);
  const child = fork(fileURLToPath(import.meta.url), ['--server']);
  const port = await new Promise((r) => child.once('message', r));
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise((r) => sock.once('connect', r));
  const schedstat = () => readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
  const request = 'POST /ari/channels/0123456789/variable?variable=IVR_NODE&value=menu HTTP/1.1\r\nAuthorization: Basic eHh4\r\n\r\n';
  const rows = [];
  for (const gapMs of [0, 1, 5, 20]) {
    const count = gapMs >= 5 ? Math.max(100, Math.round(n / (gapMs * 2))) : n;
    const s0 = schedstat();
    const c0 = process.cpuUsage();
    let i = 0;
    await new Promise((done) => {
      const send = () => sock.write(request);
      const onData = () => {
        if (++i >= count) {
          sock.off('data', onData);
          return done();
        }
        if (gapMs) setTimeout(send, gapMs);
        else send();
      };
      sock.on('data', onData);
      send();
    });
    const c = process.cpuUsage(c0);
    const s1 = schedstat();
    rows.push({
      'pause between round trips': gapMs ? `${gapMs} ms` : 'none',
      'round trips': count,
      'CPU µs per round trip (schedstat)': +((s1[0] - s0[0]) / 1000 / count).toFixed(1),
      'CPU µs per round trip (cpuUsage)': +((c.user + c.system) / count).toFixed(1),
      'times on a CPU per round trip': +((s1[2] - s0[2]) / count).toFixed(2),
    });
  }
  console.table(rows);
  sock.destroy();
  child.kill();
}
