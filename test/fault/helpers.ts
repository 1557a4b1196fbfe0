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
  /**
   * the longest the caller heard nothing and had nothing to key, ms: from the call's start, the end
   * of a prompt or a listen (the caller keys there) to the next prompt or the end of the call
   * (hung up, or handed to an agent). A restart's gap is in it; prompts playing are not.
   */
  longestSilenceMs: number;
  callerId: string;
  startedAt: number;
  endedAt: number;
  /** when the caller's last prompt ended (0: none) */
  lastPromptEndAt: number;
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
  const startedAt = Date.now();
  let quietSince: number | undefined = startedAt;
  let longest = 0;
  let lastPromptEndAt = 0;
  const heard = () => {
    if (quietSince !== undefined) longest = Math.max(longest, Date.now() - quietSince);
    quietSince = undefined;
  };
  const quiet = () => {
    if (quietSince === undefined) quietSince = Date.now();
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
    {
      prompt: heard,
      promptEnded: () => {
        lastPromptEndAt = Date.now();
        quiet();
      },
      // the caller keys what is asked at once; what follows (the IVR's answer) is silence until the next prompt
      listening: () => {
        heard();
        quiet();
      },
    },
  );
  const report = await call.start();
  heard();
  return { report, longestSilenceMs: longest, callerId, startedAt, endedAt: Date.now(), lastPromptEndAt };
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
