/**
 * The fault suite, one definition for two grounds: the real service (`ivr-1699 serve`, a child
 * process) against a telephony that outlives it — the built-in switch in the test process
 * (test/fault/fault-suite.test.ts) or a real Asterisk 22 (test/asterisk/faults.test.ts) — with
 * callers that key what they are asked and key it again when asked again, and one fault per
 * scenario while they register refunds:
 *
 * - kill -9 of the service right after a request was committed, then a fresh service process (new
 *   call ids, same channels: it adopts the callers);
 * - another process holding the store's write lock for the whole burst;
 * - a full disk: the service runs under `ulimit -f` (RLIMIT_FSIZE) so its WAL cannot grow past a
 *   few pages. Node ignores SIGXFSZ, so a write past the limit fails with EFBIG or a short write,
 *   which SQLite reports as SQLITE_FULL / SQLITE_IOERR_WRITE — the service sees exactly what ENOSPC
 *   gives it (a small tmpfs would need root to mount);
 * - Quantum (order data) stopped mid-burst;
 * - SIGTERM with calls in flight and more calls arriving during the grace period (3 s): the
 *   process must exit within grace + 4 s, and no caller may wait in silence for the watchdog.
 *
 * For each: requests lost 0 (a caller left with neither an answer nor an agent), doubled 0 (two
 * stored requests for one caller), told "registered" but not stored 0, frozen 0 (a caller whose
 * call never ended, or who waited in silence longer than the watchdog). The measured table goes
 * to stdout, and into docs/operations.md between the ground's markers when FAULT_TABLE is set
 * (`npm run fault-table`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AriClient } from '../../src/ari/client.ts';
import { DEMO_DATA_PATH, openStore } from '../../src/store/db.ts';
import { startFakeQuantum, type FakeQuantum } from '../quantum/fake-quantum.ts';
import { callByNode, callerNumber, holdWriteLock, ROOT, timedGet, whereWent, type FaultCall } from './helpers.ts';

/** Where the calls live: a telephony the service connects to over ARI, and a caller app on it. */
export interface GroundInstance {
  ariUrl: string;
  username: string;
  password: string;
  /** the callers' ARI connection (its own Stasis app) */
  client: AriClient;
  app: string;
  close(): Promise<void>;
}

export interface FaultGround {
  /** e.g. `built-in switch (10× speed)`; the table's heading names it */
  name: string;
  /** the markers in docs/operations.md: <!-- {marker}:start --> … <!-- {marker}:end --> */
  tableMarker: string;
  /** a telephony for one scenario (the switch: the shared one; Asterisk: one each, so scenarios run side by side) */
  open(): Promise<GroundInstance>;
  /** scenarios run at the same time (each on its own telephony) */
  concurrent: boolean;
  /** callers per scenario (the SIGTERM scenario: this many in flight, plus a few arriving during the grace period) */
  calls: number;
  /** callers of a burst dial in this far apart (ms), as people do: not all at the same node at once */
  staggerMs: number;
  /** a caller gives up (frozen) after this long */
  callTimeoutMs: number;
  /** the watchdog the dialplan arms (s): a caller silent longer than this counts as frozen */
  watchdogS: number;
  /** a scenario's time limit (ms) */
  scenarioMs: number;
}

interface Row {
  fault: string;
  calls: number;
  lost: number;
  doubled: number;
  toldNotStored: number;
  frozen: number;
  longestSilenceS: number;
  went: string;
  note: string;
}

const SCENARIOS = 5;
const GRACE_MS = 3000;

interface ServiceProcess {
  proc: ChildProcess;
  port: Promise<number>;
  ready: Promise<void>;
  registered: number;
  onRegistered?: () => void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  stderr: string[];
}

export function defineFaultSuite(g: FaultGround, title: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'ivr-fault-'));
  const rows: Row[] = [];
  /** scenarios that passed: the table is written to the docs only from a run where all did */
  let passed = 0;
  const children = new Set<ChildProcess>();
  const run = g.concurrent ? it.concurrent : it;

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    const order = ['kill', 'lock', 'full', 'quantum', 'term'];
    rows.sort((a, b) => order.indexOf(a.fault.split(':')[0]!) - order.indexOf(b.fault.split(':')[0]!));
    const table = renderTable(rows);
    process.stdout.write(`\nfault suite on the ${g.name}:\n${table}\n`);
    const target = process.env.FAULT_TABLE;
    if (target && passed === SCENARIOS) {
      const doc = readFileSync(target, 'utf8');
      const re = new RegExp(`<!-- ${g.tableMarker}:start -->[\\s\\S]*<!-- ${g.tableMarker}:end -->`);
      if (!re.test(doc)) throw new Error(`${target} has no <!-- ${g.tableMarker}:start/end --> markers`);
      writeFileSync(target, doc.replace(re, `<!-- ${g.tableMarker}:start -->\n${table}\n<!-- ${g.tableMarker}:end -->`));
    }
  });

  /** a fresh database with the demo data, its schema up to date, checkpointed */
  function freshDb(name: string): string {
    const db = join(dir, `${name}.sqlite`);
    openStore(db, { seedIfEmpty: DEMO_DATA_PATH }).close();
    return db;
  }

  function spawnService(t: GroundInstance, db: string, env: Record<string, string> = {}, fileSizeLimitBlocks?: number): ServiceProcess {
    const args = [join(ROOT, 'bin', 'ivr-1699.mjs'), 'serve'];
    const fullEnv = {
      ...process.env,
      ARI_URL: t.ariUrl,
      ARI_USERNAME: t.username,
      ARI_PASSWORD: t.password,
      IVR_DB: db,
      IVR_SEED_DEMO: 'false',
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
      IVR_DB_WRITE_WAIT_MS: '800',
      IVR_WATCHDOG_SECONDS: String(g.watchdogS),
      ...env,
    };
    const proc =
      fileSizeLimitBlocks === undefined
        ? spawn(process.execPath, args, { cwd: ROOT, env: fullEnv, stdio: ['ignore', 'ignore', 'pipe'] })
        : spawn('sh', ['-c', `ulimit -f ${fileSizeLimitBlocks} && exec "$0" "$@"`, process.execPath, ...args], { cwd: ROOT, env: fullEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(proc);
    const s = { proc, registered: 0, stderr: [] as string[] } as unknown as ServiceProcess;
    let resolvePort!: (p: number) => void;
    let resolveReady!: () => void;
    s.port = new Promise((r) => (resolvePort = r));
    s.ready = new Promise((r) => (resolveReady = r));
    s.exited = new Promise((r) =>
      proc.on('exit', (code, signal) => {
        children.delete(proc);
        r({ code, signal, at: Date.now() });
      }),
    );
    let buf = '';
    proc.stderr!.on('data', (c: Buffer) => {
      buf += c.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        s.stderr.push(line);
        if (s.stderr.length > 2000) s.stderr.shift();
        let j: { msg?: string; port?: number };
        try {
          j = JSON.parse(line) as { msg?: string; port?: number };
        } catch {
          continue;
        }
        if (j.msg === 'health and metrics on /health, /metrics' && j.port) resolvePort(j.port);
        if (j.msg === 'connected to ARI') resolveReady();
        if (j.msg === 'request registered') {
          s.registered++;
          s.onRegistered?.();
        }
      }
    });
    return s;
  }

  async function started(s: ServiceProcess): Promise<void> {
    await Promise.race([
      s.ready,
      s.exited.then(() => {
        throw new Error(`service exited before connecting:\n${s.stderr.slice(-20).join('\n')}`);
      }),
    ]);
  }

  /** the store after a run: requests per caller number, and every number stored */
  function stored(db: string): { perCaller: Map<string, number>; numbers: Set<string>; numberOf: Map<string, string> } {
    const store = openStore(db);
    try {
      const rs = store.db.prepare(`SELECT caller_number AS c, prefix || '-' || printf('%06d', seq) AS n FROM requests`).all() as { c: string; n: string }[];
      const perCaller = new Map<string, number>();
      for (const r of rs) perCaller.set(r.c, (perCaller.get(r.c) ?? 0) + 1);
      return { perCaller, numbers: new Set(rs.map((r) => r.n)), numberOf: new Map(rs.map((r) => [r.c, r.n])) };
    } finally {
      store.close();
    }
  }

  function judge(fault: string, calls: FaultCall[], db: string, note: string): Row {
    const { perCaller, numbers } = stored(db);
    const told = calls.filter((c) => c.report.requests.length > 0);
    const went = new Map<string, number>();
    for (const c of calls) went.set(whereWent(c.report), (went.get(whereWent(c.report)) ?? 0) + 1);
    const row: Row = {
      fault,
      calls: calls.length,
      // a caller who neither heard an answer nor reached an agent
      lost: calls.filter((c) => c.report.outcome.kind === 'hangup' && c.report.outcome.reason !== 'completed').length,
      doubled: [...perCaller.values()].filter((n) => n > 1).length,
      toldNotStored: told.filter((c) => !numbers.has(c.report.requests.at(-1)!.number)).length,
      // a call that never ended, or a caller left in silence until the watchdog took them out
      frozen: calls.filter((c) => (c.report.outcome.kind === 'hangup' && c.report.outcome.reason === 'timeout') || c.longestSilenceMs >= g.watchdogS * 1000).length,
      longestSilenceS: Math.round(Math.max(...calls.map((c) => c.longestSilenceMs)) / 100) / 10,
      went: [...went].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', '),
      note,
    };
    rows.push(row);
    return row;
  }

  function expectClean(r: Row, calls: FaultCall[], services: (ServiceProcess | undefined)[] = []): void {
    const got = { lost: r.lost, doubled: r.doubled, toldNotStored: r.toldNotStored, frozen: r.frozen };
    const clean = { lost: 0, doubled: 0, toldNotStored: 0, frozen: 0 };
    if (JSON.stringify(got) !== JSON.stringify(clean)) {
      const bad = calls.filter((c) => c.report.outcome.kind === 'hangup' || c.longestSilenceMs >= g.watchdogS * 1000);
      console.log(`${r.fault}: the calls that were not clean:`, JSON.stringify(bad.map((c) => ({ caller: c.callerId, nodes: c.report.nodes, prompts: c.report.prompts, outcome: c.report.outcome, silenceMs: c.longestSilenceMs }))));
      for (const svc of services) if (svc) console.log('the service said (warnings and the stop):\n' + svc.stderr.filter((l) => /"level":(40|50|60)|stop|grace/.test(l)).slice(-40).join('\n'));
    }
    expect(got, r.fault).toEqual(clean);
  }

  const burst = (t: GroundInstance, run: number, n: number, from = 0, staggerMs = g.staggerMs) =>
    Array.from({ length: n }, (_, i) =>
      new Promise((r) => setTimeout(r, i * staggerMs)).then(() => callByNode({ client: t.client, app: t.app, timeoutMs: g.callTimeoutMs }, callerNumber(run, from + i))),
    );

  /** a telephony for the scenario, closed when it ends */
  async function withGround<T>(fn: (t: GroundInstance) => Promise<T>): Promise<T> {
    const t = await g.open();
    try {
      const r = await fn(t);
      passed++;
      return r;
    } finally {
      await t.close();
    }
  }

  describe(title, () => {
    run('kill -9 right after a commit, then a fresh process: no request lost or doubled', () =>
      withGround(async (t) => {
        const db = freshDb('kill');
        const first = spawnService(t, db);
        await started(first);
        let killedAt = 0;
        let second: ServiceProcess | undefined;
        first.onRegistered = () => {
          if (first.registered === 4 && !killedAt) {
            // within a millisecond of the 4th commit, before its caller heard the number
            first.proc.kill('SIGKILL');
            killedAt = Date.now();
            second = spawnService(t, db);
          }
        };
        const calls = await Promise.all(burst(t, 1, g.calls));
        expect(killedAt).toBeGreaterThan(0);
        const kill = await first.exited;
        expect(kill.signal).toBe('SIGKILL');
        // why callers went to the general queue, by IVR_OUTCOME (ivr-unavailable: dialled in while no service was connected)
        const why = new Map<string, number>();
        for (const c of calls) {
          if (c.report.outcome.kind !== 'transfer' || c.report.outcome.skill !== 'general') continue;
          const o = c.report.variables.IVR_OUTCOME ?? 'no outcome';
          why.set(o, (why.get(o) ?? 0) + 1);
        }
        const r = judge(
          'kill: service killed (kill -9) 1 ms after a commit, fresh process adopts the calls',
          calls,
          db,
          `killed after ${first.registered} commits${why.size ? `; to general: ${[...why].map(([o, n]) => `${o} ${n}`).join(', ')}` : ''}`,
        );
        second?.proc.kill('SIGTERM');
        await second?.exited;
        expectClean(r, calls, [first, second]);
        // every stored request was announced to its caller — also the one committed just before the kill,
        // whose caller the new process adopted: it heard that number, it was not registered again
        const { numberOf } = stored(db);
        expect(numberOf.size).toBeGreaterThanOrEqual(4);
        for (const [caller, number] of numberOf) {
          const c = calls.find((x) => x.callerId === caller);
          expect(c?.report.requests.at(-1)?.number, caller).toBe(number);
        }
      }),
    g.scenarioMs);

    run('the store locked by another process for the whole burst: each registration a failed step, nothing frozen', () =>
      withGround(async (t) => {
        const db = freshDb('lock');
        const svc = spawnService(t, db);
        await started(svc);
        const port = await svc.port;
        const lock = await holdWriteLock(db, g.scenarioMs);
        let polling = true;
        let slowest = 0;
        const poller = (async () => {
          while (polling) {
            slowest = Math.max(slowest, (await timedGet(`http://127.0.0.1:${port}/health`)).ms);
            await new Promise((res) => setTimeout(res, 100));
          }
        })();
        const calls = await Promise.all(burst(t, 2, g.calls));
        polling = false;
        await poller;
        await lock.release();
        svc.proc.kill('SIGTERM');
        await svc.exited;
        const r = judge("lock: another process holds the store's write lock during the burst", calls, db, `slowest /health ${slowest} ms`);
        expectClean(r, calls, [svc]);
        for (const c of calls) expect(c.report.variables.IVR_OUTCOME, c.callerId).toBe('registration-failed');
        expect(slowest).toBeLessThan(1500);
      }),
    g.scenarioMs);

    run('a full disk (RLIMIT_FSIZE): registrations fail as steps, the callers go to the skill, nothing claimed', () =>
      withGround(async (t) => {
        const db = freshDb('full');
        // 128 blocks of 512 bytes: the WAL holds a few pages of writes, then every write fails (EFBIG)
        const svc = spawnService(t, db, {}, 128);
        await started(svc);
        const calls = await Promise.all(burst(t, 3, g.calls));
        svc.proc.kill('SIGTERM');
        await svc.exited;
        const failed = calls.filter((c) => c.report.variables.IVR_OUTCOME === 'registration-failed').length;
        const r = judge('full: disk full (file size limit on the service)', calls, db, `${failed} registration-failed`);
        expectClean(r, calls, [svc]);
        expect(failed).toBeGreaterThan(0);
      }),
    g.scenarioMs);

    run('Quantum stopped mid-burst: callers hear the system is unavailable and go to the skill', () =>
      withGround(async (t) => {
        const db = freshDb('quantum');
        const q: FakeQuantum = await startFakeQuantum({ data: JSON.parse(readFileSync(DEMO_DATA_PATH, 'utf8')) });
        const svc = spawnService(t, db, { QUANTUM_URL: q.url, QUANTUM_TIMEOUT_MS: '500', QUANTUM_RETRIES: '1' });
        await started(svc);
        let stoppedQuantum = false;
        svc.onRegistered = () => {
          if (svc.registered === 3 && !stoppedQuantum) {
            stoppedQuantum = true;
            void q.close();
          }
        };
        const calls = await Promise.all(burst(t, 4, g.calls));
        if (!stoppedQuantum) await q.close();
        svc.proc.kill('SIGTERM');
        await svc.exited;
        const r = judge('quantum: Quantum (order data) stopped after 3 registrations', calls, db, `${calls.filter((c) => c.report.prompts.includes('system-unavailable')).length} told "system unavailable"`);
        expectClean(r, calls, [svc]);
        expect(stoppedQuantum).toBe(true);
        // the fault reached callers: some looked up their order after Quantum had stopped
        expect(calls.some((c) => c.report.prompts.includes('system-unavailable'))).toBe(true);
      }),
    g.scenarioMs);

    run('SIGTERM with calls in flight and calls arriving during the grace period: all reach an answer or an agent promptly, the process exits', () =>
      withGround(async (t) => {
        const db = freshDb('term');
        const svc = spawnService(t, db, { IVR_STOP_GRACE_MS: String(GRACE_MS) });
        await started(svc);
        let termAt = 0;
        let late: Promise<FaultCall>[] = [];
        svc.onRegistered = () => {
          if (!termAt) {
            termAt = Date.now();
            svc.proc.kill('SIGTERM');
            // callers who dial in while the service stops: at once, and near the end of the grace period
            const nearEnd = new Promise<FaultCall>((res) => setTimeout(() => void burst(t, 5, 1, 102)[0]!.then(res), GRACE_MS - 500));
            late = [...burst(t, 5, 2, 100, 0), nearEnd];
          }
        };
        const inFlight = await Promise.all(burst(t, 5, g.calls));
        const exit = await svc.exited;
        // and one who dials in after the service has gone: the dialplan sends them on (Stasis() fails)
        const arrived = [...(await Promise.all(late)), await burst(t, 5, 1, 103)[0]!];
        expect(termAt).toBeGreaterThan(0);
        const calls = [...inFlight, ...arrived];
        const tookMs = exit.at - termAt;
        // silence in the shutdown: from SIGTERM (or the caller's last prompt after it, or its arrival) to the end of its time in the IVR
        const shutdownSilence = calls.map((c) => c.endedAt - Math.max(termAt, c.startedAt, c.lastPromptEndAt));
        const longestShutdown = Math.max(...shutdownSilence);
        const r = judge(
          `term: SIGTERM during the burst (grace ${GRACE_MS / 1000} s), ${arrived.length} more callers arriving while it stops and after`,
          calls,
          db,
          `exited ${(tookMs / 1000).toFixed(1)} s after SIGTERM, code ${exit.code}; longest silence after SIGTERM ${(longestShutdown / 1000).toFixed(1)} s`,
        );
        expectClean(r, calls, [svc]);
        for (const c of calls) expect(c.report.outcome.kind === 'transfer' || c.report.outcome.reason === 'completed', c.callerId).toBe(true);
        expect(exit.code).toBe(0);
        expect(tookMs).toBeLessThan(GRACE_MS + 4000);
        // nobody waits for the watchdog: every caller is answered or handed over within a few seconds of the stop
        expect(longestShutdown).toBeLessThan(GRACE_MS + 3000);
      }),
    g.scenarioMs);
  });
}

function renderTable(rs: Row[]): string {
  const lines = [
    '| fault | calls | lost | doubled | told "registered", not stored | frozen | longest silence | where callers went | measured |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rs.map((r) => `| ${r.fault.replace(/^\w+: /, '')} | ${r.calls} | ${r.lost} | ${r.doubled} | ${r.toldNotStored} | ${r.frozen} | ${r.longestSilenceS} s | ${r.went} | ${r.note} |`),
  ];
  return lines.join('\n');
}
