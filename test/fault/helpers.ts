/**
 * Shared pieces of the fault tests: callers that key what the IVR asks for (and key it again when
 * asked again, as people do), another process holding the store's write lock, and the figures a
 * fault run is judged by (lost, doubled, told-but-not-stored, frozen, longest silence, where callers went).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AriClient } from '../../src/ari/client.ts';
import { parseKeys, type KeyGroup } from '../../src/caller/keys.ts';
import type { CallReport } from '../../src/caller/report.ts';
import { TestCall } from '../../src/caller/test-caller.ts';
import { SOUND_FOLDER } from '../../src/speech/compose.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A6 with the demo data: credit refund below 500,000 → refund-registered, request R-… read back */
export const REFUND_NID = '0499370899';
export const REFUND_ORDER = '1403001234';
export const REFUND_BY_NODE: Record<string, string> = {
  'main-menu': '3',
  'menu-after': '4',
  'national-id': `${REFUND_NID}#`,
  'order-number': `${REFUND_ORDER}#`,
  'question-refund-wallet': '1',
};

export interface FaultCall {
  report: CallReport;
  /** longest time between two things the caller heard or was asked (prompt starts, listens, end), ms */
  longestSilenceMs: number;
  callerId: string;
}

export interface CallerSetup {
  client: AriClient;
  app: string;
  context?: string;
  extension?: string;
  agentsContext?: string;
  timeoutMs?: number;
}

/** one caller keying by node; resolves with its report and the longest silence it lived through */
export async function callByNode(s: CallerSetup, callerId: string, byNode: Record<string, string> = REFUND_BY_NODE): Promise<FaultCall> {
  const keys: Record<string, KeyGroup> = {};
  for (const [node, k] of Object.entries(byNode)) keys[node] = parseKeys(k)[0]!;
  let last = Date.now();
  let longest = 0;
  const tick = () => {
    const now = Date.now();
    longest = Math.max(longest, now - last);
    last = now;
  };
  const call = new TestCall(
    s.client,
    {
      app: s.app,
      context: s.context ?? 'ivr-inbound',
      extension: s.extension ?? '1699',
      callerId,
      keysByNode: keys,
      agentsContext: s.agentsContext ?? 'agents',
      mediaPrefix: SOUND_FOLDER,
      timeoutMs: s.timeoutMs ?? 60_000,
    },
    { prompt: tick, listening: tick },
  );
  const report = await call.start();
  tick();
  return { report, longestSilenceMs: longest, callerId };
}

/** a caller number per caller (distinct, so that no lookup limit is shared) */
export const callerNumber = (run: number, i: number) => `0912${String(run).padStart(3, '0')}${String(i).padStart(4, '0')}`;

/**
 * Another process holding the store's write lock (as `requests retry`, `data import` or a backup
 * would): BEGIN IMMEDIATE and a write, until release() (or the time limit) commits and exits.
 */
export async function holdWriteLock(dbPath: string, maxMs = 60_000): Promise<{ release(): Promise<void>; child: ChildProcess }> {
  const code = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.pragma('busy_timeout = 10000');
    db.exec('BEGIN IMMEDIATE');
    db.prepare("INSERT INTO meta (key, value) VALUES ('lock-holder', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(process.pid));
    process.stdout.write('locked\\n');
    const done = () => { db.exec('COMMIT'); db.close(); process.exit(0); };
    process.stdin.on('data', done);
    setTimeout(done, Number(process.argv[2]));
  `;
  const child = spawn(process.execPath, ['-e', code, dbPath, String(maxMs)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => reject(new Error(`lock holder exited early (${c})`)));
    child.stdout!.once('data', () => resolve());
  });
  child.removeAllListeners('exit');
  return {
    child,
    release: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.write('release\n');
      }),
  };
}

/** GET url, timed */
export async function timedGet(url: string): Promise<{ ms: number; status: number; body: unknown }> {
  const t0 = Date.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* text */
  }
  return { ms: Date.now() - t0, status: res.status, body };
}

/** where a caller went: `completed`, `agent:<skill>`, `caller-hangup`, `timeout` … */
export const whereWent = (r: CallReport) => (r.outcome.kind === 'transfer' ? `agent:${r.outcome.skill}` : r.outcome.reason);
