/**
 * Live reload through the built-in switch with the whole service (startStack, as `serve` runs it):
 * a call already in the IVR when the configuration changes finishes by the version it started
 * with (menu, timeout, threshold), a new call runs by the new one; a broken file leaves the service
 * answering by the running version and says why on /health; SIGHUP reloads an unwatched file, and
 * an edit of the holiday table alone (the config file untouched).
 * Black-box: what the callers hear and where they end up.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallReport } from '../../src/caller/report.ts';
import { TestCall } from '../../src/caller/test-caller.ts';
import { loadConfig } from '../../src/config/load.ts';
import { PROJECT_DIR } from '../../src/policy/load.ts';
import { SOUND_FOLDER } from '../../src/speech/compose.ts';
import { spellDate } from '../../src/speech/numbers.ts';
import { DEMO_NOW, startHarness, type Harness } from '../integration/harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** demo data: A6 credit refund of 350,000 Toman (below the default 500,000: registered) */
const REFUND: Record<string, string[]> = {
  'main-menu': ['3'],
  'menu-after': ['4'],
  'national-id': ['0499370899#'],
  'order-number': ['1403001234#'],
  'question-refund-wallet': ['1'],
};

const V1 = `
flow:
  timeouts:
    menuMs: 60000
policy:
  creditRefundLimitToman: 500000
`;
/** a new menu key, a short menu timeout and a credit-refund limit below the demo caller's balance */
const V2 = `
flow:
  timeouts:
    menuMs: 1000
  menus:
    main-menu:
      keys:
        "4": { agent: sales }
policy:
  creditRefundLimitToman: 300000
`;

const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
};

interface Caller {
  report: Promise<CallReport>;
  prompts: string[];
  /** resolves when the IVR first listens at `holdAt` (the caller keys nothing there until release()) */
  held: Promise<void>;
  release(): void;
}

/** a caller that answers each node with the next keys listed for it; optionally holding at one node until released */
function caller(hh: Harness, byNode: Record<string, string[]>, o: { holdAt?: string; callerId?: string } = {}): Caller {
  const left = Object.fromEntries(Object.entries(byNode).map(([k, v]) => [k, [...v]]));
  const prompts: string[] = [];
  let heldNode: string | undefined;
  let releaseHold!: () => void;
  let onHeld!: () => void;
  const held = new Promise<void>((r) => (onHeld = r));
  const key = (node: string) => {
    const k = left[node]?.shift();
    if (k) call.sendKeys(k);
  };
  const call: TestCall = new TestCall(
    hh.client,
    { app: hh.app, context: 'ivr-inbound', extension: '1699', callerId: o.callerId ?? '09125550100', agentsContext: 'agents', mediaPrefix: SOUND_FOLDER, timeoutMs: 60_000 },
    {
      prompt: (name) => prompts.push(name),
      listening: (node) => {
        if (o.holdAt === node && heldNode === undefined) {
          heldNode = node;
          releaseHold = () => key(node);
          onHeld();
          return;
        }
        key(node);
      },
    },
  );
  return { report: call.start(), prompts, held, release: () => releaseHold() };
}

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ivr-live-app-')), 'ivr.yaml');
  writeFileSync(file, text);
  return file;
}

async function start(file: string, live: { watch?: boolean; httpPort?: number | false } = {}) {
  const load = { file, env: {} };
  h = await startHarness({ config: loadConfig(load), timeScale: 0.05, httpPort: live.httpPort ?? false, live: { load, debounceMs: 50, watch: live.watch ?? true, signal: 'SIGHUP' } });
  return h;
}

const callVersions = (logs: string[]) =>
  logs
    .map((l) => JSON.parse(l) as { msg: string; config?: number; callerNumber?: string })
    .filter((l) => l.msg === 'call entered the IVR')
    .map((l) => l.config);

describe('live reload with calls in progress', () => {
  it('saving the file: a call in progress keeps its menu, timeout and threshold; new calls get the new ones', async () => {
    const file = configFile(V1);
    const hh = await start(file);
    // in the IVR under version 1, listening at the main menu (60 s menu timeout, 3 s at the test's time scale)
    const old = caller(hh, { ...REFUND, 'main-menu': ['4', '3'] }, { holdAt: 'main-menu', callerId: '09125550101' });
    await old.held;

    writeFileSync(file, V2);
    await until(() => hh.stack.config.current().n === 2);
    expect(hh.stack.config.status()).toMatchObject({ ok: true, version: 2, lastReload: { trigger: 'file', changed: ['flow.menus.main-menu', 'flow.timeouts.menuMs', 'policy.creditRefundLimitToman'] } });

    // new calls, version 2: key 4 of the main menu exists; the refund is above the new limit; no key times out in 1 s (0.05 s here)
    const noKey = caller(hh, {}, { callerId: '09125550102' });
    const menu4 = caller(hh, { 'main-menu': ['4'] }, { callerId: '09125550103' }).report;
    const refund = caller(hh, REFUND, { callerId: '09125550104' }).report;
    await until(() => noKey.prompts.includes('no-input'));
    // the caller still in version 1 has not timed out (its menu timeout is the old 60 s) …
    expect(old.prompts).not.toContain('no-input');
    old.release();

    expect((await menu4).outcome).toEqual({ kind: 'transfer', skill: 'sales' });
    expect((await refund).decisions).toEqual([{ rule: 'A6', outcome: 'refund-goods-only' }]);
    expect((await refund).requests).toEqual([]);
    const r = await old.report;
    // … key 4 is not in its main menu, and its refund is below its limit: registered
    expect(r.prompts).toContain('invalid-key');
    expect(r.prompts).not.toContain('no-input');
    expect(r.decisions).toEqual([{ rule: 'A6', outcome: 'refund-registered' }]);
    expect(r.requests).toHaveLength(1);
    expect(r.outcome).toEqual({ kind: 'hangup', reason: 'completed' });

    const n = await noKey.report;
    expect(n.prompts.filter((p) => p === 'no-input').length).toBeGreaterThanOrEqual(2);
    expect(n.outcome).toEqual({ kind: 'transfer', skill: 'general' });
    // every call's log lines say the version it ran with
    expect(callVersions(hh.logs)).toEqual([1, 2, 2, 2]);
  }, 60_000);

  it('a broken file leaves the service answering by the running version, says why on /health, and needs-a-restart settings are not applied', async () => {
    const file = configFile(V1);
    const hh = await start(file, { httpPort: 0 });
    const port = hh.stack.service.health!.port;
    const health = async () => (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string; config: { ok: boolean; version: number; needsRestart: string[]; lastReload?: { problems?: string[] } } };

    writeFileSync(file, V2.replace('menuMs: 1000', 'menuMs: 100'));
    await until(() => hh.stack.config.status().lastReload?.result === 'rejected');
    const h1 = await health();
    expect(h1.status).toBe('ok'); // not fatal: calls are answered
    expect(h1.config).toMatchObject({ ok: false, version: 1 });
    expect(h1.config.lastReload!.problems).toEqual([`${file}: flow.timeouts.menuMs: timeouts.menuMs: at least 500 ms (callers need time to press a key) (got 100)`]);
    expect(hh.logs.some((l) => l.includes('"level":"error"') && l.includes('configuration not reloaded: still running version 1') && l.includes('at least 500 ms'))).toBe(true);
    // still version 1: the refund is registered, key 4 is not in the main menu
    const [refund, menu4] = await Promise.all([caller(hh, REFUND, { callerId: '09125550201' }).report, caller(hh, { 'main-menu': ['4', '0'] }, { callerId: '09125550202' }).report]);
    expect(refund.decisions).toEqual([{ rule: 'A6', outcome: 'refund-registered' }]);
    expect(menu4.prompts).toContain('invalid-key');
    expect(menu4.outcome).toEqual({ kind: 'transfer', skill: 'general' });

    // fixed, with a port change in the same edit: the rest is applied, the port waits for a restart
    writeFileSync(file, V2 + `service:\n  http:\n    port: ${port + 1}\n`);
    await until(() => hh.stack.config.current().n === 2);
    const h2 = await health(); // still answering on the port it started with
    expect(h2.config).toMatchObject({ ok: true, version: 2, needsRestart: ['service.http.port'] });
    const after = await caller(hh, { 'main-menu': ['4'] }, { callerId: '09125550203' }).report;
    expect(after.outcome).toEqual({ kind: 'transfer', skill: 'sales' });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain(`ivr_config_version{hash="${hh.stack.config.current().hash}"} 2`);
    expect(metrics).toMatch(/ivr_config_reloads_total\{result="rejected"\} 1\n/);
    expect(metrics).toMatch(/ivr_config_reloads_total\{result="applied"\} 1\n/);
  }, 60_000);

  it('SIGHUP reloads a file that is not watched; the call in progress keeps its threshold', async () => {
    const file = configFile(V1);
    const hh = await start(file, { watch: false });
    const old = caller(hh, REFUND, { holdAt: 'question-refund-wallet', callerId: '09125550301' });
    await old.held;
    writeFileSync(file, V1.replace('500000', '300000'));
    await new Promise((r) => setTimeout(r, 200));
    expect(hh.stack.config.current().n).toBe(1); // saved but not watched: nothing yet
    process.kill(process.pid, 'SIGHUP');
    await until(() => hh.stack.config.current().n === 2);
    expect(hh.stack.config.status().lastReload).toMatchObject({ trigger: 'SIGHUP', changed: ['policy.creditRefundLimitToman'] });
    const fresh = caller(hh, REFUND, { callerId: '09125550302' }).report;
    old.release();
    expect((await fresh).decisions).toEqual([{ rule: 'A6', outcome: 'refund-goods-only' }]);
    const r = await old.report;
    expect(r.decisions).toEqual([{ rule: 'A6', outcome: 'refund-registered' }]);
    expect(r.requests).toHaveLength(1);
  }, 60_000);
});

describe('the holiday table edited in place', () => {
  /** demo data: P4, order 1405002140, cheque submitted Tuesday 2026-11-24, not approved yet (standard: 3 working days) */
  const CHEQUE: Record<string, string[]> = {
    'main-menu': ['2'],
    'menu-during': ['3'],
    'national-id': ['0937253537#'],
    'order-number': ['1405002140#'],
  };
  /** what the caller hears after "within the standard time": the day the approval is due */
  const dueSaid = (r: CallReport) => {
    const i = r.prompts.indexOf('cheque-within-standard');
    expect(i).toBeGreaterThanOrEqual(0);
    return r.prompts.slice(i + 1, i + 1 + spellDate('2026-11-29').length);
  };

  it('SIGHUP: a call on a day newly declared a holiday is decided by the new calendar; the call in progress keeps the old one', async () => {
    expect(DEMO_NOW.startsWith('2026-11-25')).toBe(true); // the calls are on Wednesday 1405/09/04
    const table = join(mkdtempSync(join(tmpdir(), 'ivr-live-holidays-')), 'holidays.json');
    const shipped = readFileSync(join(PROJECT_DIR, 'config', 'holidays.json'), 'utf8');
    writeFileSync(table, shipped);
    const file = configFile(`${V1}  holidaysFile: ${table}\n`);
    const hh = await start(file, { watch: false });
    const old = caller(hh, CHEQUE, { holdAt: 'order-number', callerId: '09125550401' });
    await old.held;

    // the company closes today: the admin adds the row to the table, not to the config file
    const doc = JSON.parse(shipped) as { holidays: object[] };
    doc.holidays.push({ jalali: '1405/09/04', gregorian: '2026-11-25', nameFa: 'تعطیلی شرکت', nameEn: 'Company closing day', kind: 'company', status: 'official' });
    writeFileSync(table, JSON.stringify(doc, null, 2));
    process.kill(process.pid, 'SIGHUP');
    await until(() => hh.stack.config.current().n === 2);
    expect(hh.stack.config.status().lastReload).toMatchObject({ trigger: 'SIGHUP', result: 'applied', changed: ['policy.holidays'] });
    expect(hh.logs.some((l) => l.includes('configuration reloaded: version 2') && l.includes('changed policy.holidays;'))).toBe(true);

    // new call: today is not a working day any more, so the 3 working days run Sat 28, Sun 29, Mon 30
    const fresh = await caller(hh, CHEQUE, { callerId: '09125550402' }).report;
    expect(fresh.decisions).toEqual([{ rule: 'P4', outcome: 'within-standard-time' }]);
    expect(dueSaid(fresh)).toEqual(spellDate('2026-11-30'));
    // the call in progress still counts Wed 25, Sat 28, Sun 29
    old.release();
    const r = await old.report;
    expect(r.decisions).toEqual([{ rule: 'P4', outcome: 'within-standard-time' }]);
    expect(dueSaid(r)).toEqual(spellDate('2026-11-29'));
    expect(spellDate('2026-11-29')).not.toEqual(spellDate('2026-11-30'));
    expect(callVersions(hh.logs)).toEqual([1, 2]);
  }, 60_000);
});
