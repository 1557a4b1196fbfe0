#!/usr/bin/env node
// Why the REST client opens at most 4 connections at a time (src/ari/rest.ts, maxConnecting).
//
//   npm run build && ASTERISK_HOME=/opt/ast/asterisk-22.10.1 node scripts/connect-burst.mjs [N ...]
//
// Starts a private Asterisk (src/asterisk/local.ts), then two processes, each with a fresh
// AriRest (no open connection, as after a quiet spell) that sends 20 requests at once
// (GET /asterisk/info), as the service and another ARI client do when a burst of calls arrives.
// For each maxConnecting N (default: 4 16 4 16) it prints each process's slowest request and how
// many connects the kernel dropped meanwhile (TcpExt ListenOverflows, machine-wide): Asterisk's
// HTTP server listens with a backlog of 10, and a dropped connect is sent again after a second.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/', import.meta.url);
const overflows = () => {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
  const names = lines[0].split(' ');
  return Number(lines[1].split(' ')[names.indexOf('ListenOverflows')]);
};

if (process.argv[2] === '--client') {
  const { AriRest } = await import(new URL('ari/rest.js', dist).href);
  const { operationSpec } = await import(new URL('ari/operations.js', dist).href);
  const [url, username, password, n] = process.argv.slice(3);
  const rest = new AriRest({ base: url, username, password, maxSockets: 256, maxConnecting: Number(n) });
  const info = operationSpec('asterisk', 'getInfo');
  process.on('message', async () => {
    const times = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const t0 = performance.now();
        await rest.call(info, {}, 10_000);
        return performance.now() - t0;
      }),
    );
    process.send(Math.max(...times));
    rest.close();
    process.exit(0);
  });
  process.send('ready');
} else {
  const { findAsterisk, startLocalAsterisk } = await import(new URL('asterisk/local.js', dist).href);
  const root = fileURLToPath(new URL('..', import.meta.url));
  const install = findAsterisk(process.env, root);
  if ('missing' in install) {
    console.error(`no Asterisk: ${install.missing}`);
    process.exit(2);
  }
  const ast = await startLocalAsterisk({ install, projectRoot: root });
  try {
    const ns = process.argv.slice(2).map(Number);
    for (const n of ns.length ? ns : [4, 16, 4, 16]) {
      const kids = [0, 1].map(() => fork(fileURLToPath(import.meta.url), ['--client', ast.ariUrl, ast.ariUsername, ast.ariPassword, String(n)]));
      await Promise.all(kids.map((k) => new Promise((r) => k.once('message', r))));
      const before = overflows();
      const slowest = await Promise.all(kids.map((k) => new Promise((r) => (k.once('message', r), k.send('go')))));
      console.log(`maxConnecting ${n}, 2 clients × 20 requests: slowest ${slowest.map((t) => t.toFixed(0)).join(' / ')} ms; connects dropped: ${overflows() - before}`);
    }
  } finally {
    await ast.stop();
  }
}
