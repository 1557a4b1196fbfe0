/**
 * The IVR service killed with kill -9 on a real Asterisk, callers in the IVR:
 *
 * 1. not restarted: Asterisk's own watchdog (TIMEOUT(absolute), pushed forward by the service
 *    while it lived) takes every caller out of Stasis() to the general queue; the longest
 *    silence a caller had is measured (from the later of the kill and the end of the last prompt
 *    they heard, to the moment they reach the queue);
 * 2. restarted at once: the new process adopts the calls and resumes each from what its channel
 *    carries: the menu again, the topic's skill with the ID keyed, the registered request's
 *    number again. No welcome twice, nothing registered twice.
 *
 * A wait for the callers to reach their nodes fails at once when a call ends short of it, and
 * says where each caller is stuck (node, prompts, values, its failed commands) with what the
 * service logged; it also prints how long the wait took when it came true.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriClient } from '../../src/ari/client.ts';
import { worryingLines, type LocalAsterisk } from '../../src/asterisk/local.ts';
import { parseKeys } from '../../src/caller/keys.ts';
import type { CallReport } from '../../src/caller/report.ts';
import { TestCall } from '../../src/caller/test-caller.ts';
import { createLogger } from '../../src/log/logger.ts';
import { SOUND_FOLDER } from '../../src/speech/compose.ts';
import { DEMO_NOW } from '../integration/harness.ts';
import { asteriskMissing, PROJECT_ROOT, startAsterisk, tierTitle } from './harness.ts';

const WATCHDOG_S = 30;

interface Tracked {
  /** the caller's number and key script, for messages */
  label: string;
  report: Promise<CallReport>;
  nodes: string[];
  vars: Record<string, string>;
  prompts: string[];
  lastPromptEnd: number;
  reachedAgentsAt?: number;
  /** how the call ended (it may end before the test expects: an error, a timeout) */
  ended?: string;
  /** the test caller's failed commands (a DTMF group that did not reach Asterisk is lost to the script) */
  warnings: string[];
}

const IVR_SHOWN = ['IVR_TOPIC', 'IVR_NATIONAL_ID', 'IVR_ORDER_NUMBER', 'IVR_REQUEST_NUMBER', 'IVR_OUTCOME', 'IVR_SKILL'];

/** where a caller is: for the messages of a wait that did not come true */
function describeCall(t: Tracked, t0: number): string {
  const vars = IVR_SHOWN.filter((k) => t.vars[k] !== undefined).map((k) => `${k}=${t.vars[k]}`);
  const last = t.prompts.at(-1);
  return [
    `${t.label}: ${t.ended ? `ended (${t.ended})` : `at ${t.nodes.at(-1) ?? 'no node yet'}`}`,
    `nodes [${t.nodes.join(' ')}]`,
    `${t.prompts.length} prompts heard${last ? `, the last ${last}` : ''}${t.lastPromptEnd ? `, the last prompt end ${((t.lastPromptEnd - t0) / 1000).toFixed(1)} s into the wait` : ''}`,
    vars.length ? vars.join(' ') : 'no IVR_* values',
    ...(t.warnings.length ? [`caller's failed commands: ${t.warnings.join('; ')}`] : []),
  ].join(', ');
}

describe.skipIf(asteriskMissing)(tierTitle('real Asterisk: the service killed with callers in the IVR'), () => {
  let ast: LocalAsterisk;
  let client: AriClient;
  let dir: string;
  const services: ChildProcess[] = [];
  /** the last warnings of each service process, shown when a call did not resume */
  const stderrOf = new Map<ChildProcess, string>();
  const app = `killer-${process.pid}`;
  let seq = 0;
  /** the callers' events WebSocket dropped and came back: events of the gap (the IVR listening) are lost to the callers */
  const callerGaps: string[] = [];

  beforeAll(async () => {
    ast = await startAsterisk();
    dir = mkdtempSync(join(tmpdir(), 'ivr-kill-'));
    // callers wait at their node for a minute instead of timing out (they are killed meanwhile)
    writeFileSync(join(dir, 'ivr.yaml'), 'flow:\n  timeouts:\n    menuMs: 60000\n    firstDigitMs: 60000\n');
    client = await AriClient.connect({ url: ast.ariUrl, username: ast.ariUsername, password: ast.ariPassword, app, logger: createLogger({ level: 'silent' }) });
    client.on('disconnected', () => callerGaps.push(`${new Date().toISOString()} disconnected`));
    client.on('reconnected', () => callerGaps.push(`${new Date().toISOString()} reconnected`));
  }, 60_000);
  afterAll(async () => {
    for (const s of services) s.kill('SIGKILL');
    await client?.close();
    await ast?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const startService = (db: string) =>
    new Promise<ChildProcess>((resolve, reject) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'test/asterisk/fixtures/service-process.ts')], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, ARI_URL: ast.ariUrl, ARI_USERNAME: ast.ariUsername, ARI_PASSWORD: ast.ariPassword, IVR_CONFIG: join(dir, 'ivr.yaml'), IVR_DB: db, TEST_NOW: DEMO_NOW, IVR_WATCHDOG_SECONDS: String(WATCHDOG_S), LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      services.push(p);
      let err = '';
      p.stderr!.on('data', (d: Buffer) => {
        err += String(d);
        stderrOf.set(p, err.slice(-4000));
      });
      p.stdout!.on('data', (d: Buffer) => String(d).includes('READY') && resolve(p));
      p.once('exit', (code) => reject(new Error(`service exited with ${code}: ${err.slice(-2000)}`)));
    });

  const call = (keys: string, caller: string): Tracked => {
    const t: Tracked = { label: `${caller} "${keys}"`, report: Promise.resolve() as never, nodes: [], vars: {}, prompts: [], lastPromptEnd: 0, warnings: [] };
    const c = new TestCall(
      client,
      { app, context: 'ivr-inbound', extension: '1699', callerId: caller, keys: parseKeys(keys), agentsContext: 'agents', mediaPrefix: SOUND_FOLDER, timeoutMs: 240_000 },
      {
        listening: (n) => t.nodes.push(n),
        variable: (k, v) => (t.vars[k] = v),
        prompt: (n) => t.prompts.push(n),
        promptEnded: () => (t.lastPromptEnd = Date.now()),
      },
    );
    c.on('warning', (e: Error) => t.warnings.push(e.message));
    t.report = c.start().then(
      (r) => {
        if (r.outcome.kind === 'transfer') t.reachedAgentsAt = Date.now();
        t.ended = JSON.stringify(r.outcome);
        return r;
      },
      (e: Error) => {
        t.ended = `the call could not be placed: ${e.message}`;
        throw e;
      },
    );
    t.report.catch(() => undefined); // awaited by the test later; seen by the waits meanwhile
    return t;
  };

  /**
   * Waits until every caller is where `ready` says. Fails at once when a caller's call has ended
   * short of it (it cannot get there any more), and after `ms` with where each caller not there
   * is stuck (node, prompts, values, the caller's failed commands) and what the service logged.
   */
  const until = async (what: string, calls: Tracked[], ready: (t: Tracked) => boolean, ms: number, service?: ChildProcess) => {
    const t0 = Date.now();
    const end = t0 + ms;
    const failure = (why: string, who: Tracked[]) =>
      new Error(
        [
          `${why} waiting for ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s):`,
          ...who.map((t) => `  ${describeCall(t, t0)}`),
          ...(callerGaps.length ? [`the callers' ARI events WebSocket: ${callerGaps.join(', ')}`] : []),
          ...(service ? [`the service said: ${stderrOf.get(service) ?? '(nothing)'}`] : []),
          `Asterisk's last warnings and errors:`,
          ...worryingLines(ast.consoleLog()).slice(-20),
        ].join('\n'),
      );
    for (;;) {
      const waiting = calls.filter((t) => !ready(t));
      if (waiting.length === 0) {
        console.log(`${what}: after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        return;
      }
      const ended = waiting.filter((t) => t.ended);
      if (ended.length) throw failure(`${ended.length} call(s) ended before they got there (ended first, then the others still on their way)`, [...ended, ...waiting.filter((t) => !t.ended)]);
      if (Date.now() > end) throw failure(`timed out`, waiting);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('not restarted: every caller reaches the general queue, silence bounded by the watchdog', async () => {
    const svc = await startService(join(dir, 'a.db'));
    const calls = Array.from({ length: 20 }, () => call('w w w', `0912100${String(++seq).padStart(4, '0')}`));
    await until('20 callers at the main menu', calls, (c) => c.nodes.length > 0, 60_000, svc);
    const killedAt = Date.now();
    svc.kill('SIGKILL');
    const reports = await Promise.all(calls.map((c) => c.report));
    const silences = calls.map((c) => ((c.reachedAgentsAt ?? Infinity) - Math.max(killedAt, c.lastPromptEnd)) / 1000);
    const reached = reports.filter((r) => r.outcome.kind === 'transfer' && r.outcome.skill === 'general' && r.variables.IVR_OUTCOME === 'ivr-unavailable').length;
    const longest = Math.max(...silences);
    console.log(`kill -9 without restart: ${reached}/${calls.length} callers reached the general queue; longest silence ${longest.toFixed(1)} s (watchdog ${WATCHDOG_S} s)`);
    expect(reports.map((r) => r.outcome)).toEqual(calls.map(() => ({ kind: 'transfer', skill: 'general' })));
    expect(reached).toBe(20);
    expect(longest).toBeLessThanOrEqual(WATCHDOG_S + 3);
  }, 180_000);

  it('restarted: adopted calls resume where they were, nothing replayed or registered twice', async () => {
    const db = join(dir, 'b.db');
    const first = await startService(db);
    // registered requests first (the refund scripts take longest), then the others meet them at their nodes
    const refunds = [call('3 4 0499370899# 1403001234# 1', '09122000001'), call('3 4 0499370899# 1403001234# 2 2', '09122000002')];
    const atMenu = [1, 2, 3].map((i) => call('w 0', `0912300000${i}`));
    const keyedId = [1, 2, 3].map((i) => call('3 4 0499370899#', `0912400000${i}`));
    const ready = (c: Tracked) => (refunds.includes(c) ? !!c.vars.IVR_REQUEST_NUMBER : atMenu.includes(c) ? c.nodes.length > 0 : !!c.vars.IVR_NATIONAL_ID);
    await until('requests registered and callers at their nodes', [...refunds, ...atMenu, ...keyedId], ready, 120_000, first);
    const numbers = refunds.map((c) => c.vars.IVR_REQUEST_NUMBER);
    first.kill('SIGKILL');
    const second = await startService(db);
    const [r, m, k] = await Promise.all([Promise.all(refunds.map((c) => c.report)), Promise.all(atMenu.map((c) => c.report)), Promise.all(keyedId.map((c) => c.report))]);
    const resumed = [...r, ...m, ...k].filter((x) => x.prompts.filter((p) => p === 'welcome').length === 1 && x.variables.IVR_OUTCOME !== 'ivr-unavailable').length;
    console.log(`kill -9 and restart: ${resumed}/${r.length + m.length + k.length} adopted calls resumed (no second welcome, no watchdog)`);
    const notResumed = [...r, ...m, ...k].filter((x) => x.prompts.filter((p) => p === 'welcome').length !== 1 || x.variables.IVR_OUTCOME === 'ivr-unavailable');
    if (notResumed.length) console.log('not resumed:', JSON.stringify(notResumed.map((x) => ({ nodes: x.nodes, prompts: x.prompts, outcome: x.outcome }))), '\nrestarted service said:', stderrOf.get(second) ?? '');
    for (const x of [...r, ...m, ...k]) expect(x.prompts.filter((p) => p === 'welcome')).toHaveLength(1);
    // a registered request: its number again, then goodbye; the call completes
    r.forEach((x, i) => {
      expect(x.outcome).toEqual({ kind: 'hangup', reason: 'completed' });
      expect(x.prompts.filter((p) => p === 'request-registered').length).toBeGreaterThanOrEqual(1);
      expect(x.prompts.at(-1)).toBe('goodbye');
      expect(x.variables.IVR_REQUEST_NUMBER).toBe(numbers[i]);
    });
    // at the menu: the menu again, their next key is taken
    for (const x of m) {
      expect(x.outcome).toEqual({ kind: 'transfer', skill: 'general' });
      expect(x.nodes).toEqual(['main-menu', 'main-menu']);
    }
    // an ID keyed: to the topic's skill with it
    for (const x of k) {
      expect(x.outcome).toEqual({ kind: 'transfer', skill: 'follow-up' });
      expect(x.variables).toMatchObject({ IVR_TOPIC: 'refund', IVR_NATIONAL_ID: '0499370899', IVR_SKILL: 'follow-up' });
    }
    // the store holds each request once
    const store = new Database(db, { readonly: true });
    const rows = store.prepare('SELECT type, unit FROM requests ORDER BY seq').all() as { type: string; unit: string }[];
    store.close();
    expect(rows).toHaveLength(numbers.length);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(resumed).toBe(8);
  }, 240_000);
});
