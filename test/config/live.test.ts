/**
 * Live reload (src/config/live.ts) over the real loader and a real file: a valid change is applied
 * for what starts afterwards, a bad file keeps the running version with the start-up validation's
 * reason, a setting that needs a restart is reported and not applied, and a file written in steps
 * is read once, when it is complete.
 */
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { changedPaths, configChanges, LiveConfig } from '../../src/config/live.ts';
import type { AppConfig } from '../../src/config/schema.ts';
import type { WorkingCalendar } from '../../src/policy/calendar.ts';
import { loadWorkingCalendar, PROJECT_DIR } from '../../src/policy/load.ts';
import { runChecks } from '../../src/cli/commands/check.ts';
import { memoryLogger } from '../integration/harness.ts';

const BASE = `
flow:
  timeouts:
    menuMs: 5000
policy:
  creditRefundLimitToman: 500000
`;

let live: LiveConfig<{ limit: number; menuMs: number; mainKeys: string[]; cal: WorkingCalendar }> | undefined;
afterEach(() => {
  live?.close();
  live = undefined;
});

function setup(text = BASE, debounceMs = 80) {
  const dir = mkdtempSync(join(tmpdir(), 'ivr-live-'));
  const file = join(dir, 'ivr.yaml');
  writeFileSync(file, text);
  const { logger, logs } = memoryLogger('debug');
  const load = () => loadConfig({ file, env: {} });
  let builds = 0;
  live = new LiveConfig({
    initial: load(),
    load,
    // what the service builds per version: here the figures a call would see, and the calendar (can fail)
    build: (c: AppConfig) => {
      builds++;
      const cal = loadWorkingCalendar(c.policy);
      return { limit: c.policy.creditRefundLimitToman, menuMs: c.flow.timeouts.menuMs, mainKeys: Object.keys(c.flow.menus['main-menu']!.keys).sort(), cal };
    },
    logger,
    file,
    debounceMs,
  });
  return { dir, file, logs, live, builds: () => builds };
}

const until = async (cond: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
};
const lines = (logs: string[], msg: string) => logs.map((l) => JSON.parse(l) as { msg: string; level: string }).filter((l) => l.msg.startsWith(msg));

describe('what changed', () => {
  it('names the changed settings down to the field, split into live and needs-a-restart', () => {
    const a = loadConfig({ env: {} });
    const b = loadConfig({ env: {}, overrides: { flow: { timeouts: { menuMs: 7000 } }, policy: { cashRefundLimitToman: 4_000_000 }, routing: { skills: { sales: { queue: 'sales-2' } } }, service: { http: { port: 9300 } } } });
    expect(changedPaths(a, a)).toEqual([]);
    expect(configChanges(a, b)).toEqual({
      live: ['flow.timeouts.menuMs', 'policy.cashRefundLimitToman', 'routing.skills.sales'],
      restart: ['service.http.port'],
    });
    const c = loadConfig({ env: {}, overrides: { routing: { agentsContext: 'agents-2' }, data: { store: { dbPath: 'var/other.sqlite' } } } });
    expect(configChanges(a, c)).toEqual({ live: [], restart: ['data.store.dbPath', 'routing.agentsContext'] });
  });
});

describe('reload', () => {
  it('a valid change is applied for what starts afterwards; what took the version before keeps it', () => {
    const { file, logs, live } = setup();
    const before = live.current();
    writeFileSync(file, `flow:\n  timeouts:\n    menuMs: 8000\n  menus:\n    main-menu:\n      keys:\n        "4": { agent: sales }\npolicy:\n  creditRefundLimitToman: 700000\n`);
    const r = live.reload('manual');
    expect(r).toMatchObject({ result: 'applied', version: 2, changed: ['flow.menus.main-menu', 'flow.timeouts.menuMs', 'policy.creditRefundLimitToman'], needsRestart: [], problems: [] });
    expect(live.current().runtime).toMatchObject({ limit: 700_000, menuMs: 8000, mainKeys: ['0', '1', '2', '3', '4'] });
    expect(before.runtime).toMatchObject({ limit: 500_000, menuMs: 5000, mainKeys: ['0', '1', '2', '3'] });
    expect(live.current().hash).not.toBe(before.hash);
    const info = lines(logs, 'configuration reloaded');
    expect(info).toHaveLength(1);
    expect(info[0]!.msg).toContain('version 2');
    expect(info[0]!.msg).toContain('changed flow.menus.main-menu, flow.timeouts.menuMs, policy.creditRefundLimitToman');
    expect(live.status()).toMatchObject({ ok: true, version: 2, needsRestart: [], lastReload: { result: 'applied', trigger: 'manual' } });
  });

  it('the same file again changes nothing: no new version, nothing rebuilt', () => {
    const { live, builds } = setup();
    const n = builds();
    expect(live.reload('SIGHUP')).toMatchObject({ result: 'unchanged', version: 1 });
    expect(builds()).toBe(n);
  });

  it('an invalid value keeps the running version, with the start-up validation’s own reason (as `check` says it)', () => {
    const { file, logs, live } = setup();
    writeFileSync(file, BASE.replace('menuMs: 5000', 'menuMs: 100').replace('500000', '-3'));
    let startup: string[] = [];
    try {
      loadConfig({ file, env: {} });
    } catch (e) {
      startup = (e as ConfigError).problems;
    }
    expect(startup.length).toBe(2);
    const r = live.reload('file');
    expect(r.result).toBe('rejected');
    expect(r.problems).toEqual(startup);
    expect(r.problems.join('\n')).toContain('timeouts.menuMs: at least 500 ms');
    expect(runChecks({ config: file, env: {} }).problems).toEqual(expect.arrayContaining(startup.map((p) => `config: ${p}`)));
    expect(live.current().n).toBe(1);
    expect(live.current().runtime).toMatchObject({ limit: 500_000, menuMs: 5000 });
    const err = lines(logs, 'configuration not reloaded');
    expect(err).toHaveLength(1);
    expect(err[0]!.level).toBe('error');
    expect(err[0]!.msg).toContain('still running version 1');
    for (const p of startup) expect(err[0]!.msg).toContain(p);
    expect(live.status()).toMatchObject({ ok: false, version: 1, lastReload: { result: 'rejected', problems: startup } });
    // fixed: applied, and the status is clean again
    writeFileSync(file, BASE.replace('500000', '600000'));
    expect(live.reload('file')).toMatchObject({ result: 'applied', version: 2 });
    expect(live.status().ok).toBe(true);
  });

  it('broken YAML, a missing file, and a holiday table that cannot be read are refused the same way', () => {
    const { file, live } = setup();
    writeFileSync(file, 'flow:\n  timeouts: [1, 2\n');
    expect(live.reload().problems[0]).toMatch(/ivr\.yaml: not valid YAML/);
    writeFileSync(file, BASE + '  holidaysFile: config/no-such-holidays.json\n');
    const r = live.reload();
    expect(r.result).toBe('rejected');
    expect(r.problems.join()).toContain('cannot read the holiday table');
    renameSync(file, `${file}.gone`);
    expect(live.reload().problems[0]).toContain('cannot read the config file');
    expect(live.current()).toMatchObject({ n: 1, runtime: { limit: 500_000 } });
  });

  it('a setting that needs a restart is reported and not applied; the live part of the same edit is', () => {
    const { file, logs, live } = setup();
    const startPort = live.current().config.service.http.port;
    writeFileSync(file, BASE.replace('500000', '650000') + 'service:\n  http:\n    port: 9311\nrouting:\n  agentsContext: other-agents\n');
    const r = live.reload('SIGHUP');
    expect(r).toMatchObject({ result: 'applied', version: 2, changed: ['policy.creditRefundLimitToman'], needsRestart: ['routing.agentsContext', 'service.http.port'] });
    expect(live.current().config.service.http.port).toBe(startPort);
    expect(live.current().config.routing.agentsContext).toBe('agents');
    expect(live.current().config.policy.creditRefundLimitToman).toBe(650_000);
    expect(live.status().needsRestart).toEqual(['routing.agentsContext', 'service.http.port']);
    expect(lines(logs, 'configuration: routing.agentsContext, service.http.port changed but take effect only after a restart')).toHaveLength(1);
    // only restart-only changes: nothing new for calls
    writeFileSync(file, BASE.replace('500000', '650000') + 'service:\n  http:\n    port: 9312\n');
    expect(live.reload('SIGHUP')).toMatchObject({ result: 'unchanged', version: 2, needsRestart: ['service.http.port'] });
  });
});

describe('watching the file', () => {
  it('a file written in steps (half a file, then the rest) is read once, when complete', async () => {
    const { file, logs, live } = setup(BASE, 150);
    live.start({ watch: true, signal: false });
    const full = BASE.replace('500000', '900000');
    writeFileSync(file, full.slice(0, full.indexOf('policy') + 4)); // "poli": not valid YAML… and not a full file
    await new Promise((r) => setTimeout(r, 30));
    writeFileSync(file, full.slice(0, full.length - 3));
    await new Promise((r) => setTimeout(r, 30));
    writeFileSync(file, full);
    await until(() => live.current().n === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(live.current().runtime.limit).toBe(900_000);
    expect(lines(logs, 'configuration reloaded')).toHaveLength(1);
    expect(lines(logs, 'configuration not reloaded')).toHaveLength(0);
  });

  it('an editor that writes a new file and renames it over the old one is seen', async () => {
    const { dir, file, live } = setup(BASE, 50);
    live.start({ watch: true, signal: false });
    writeFileSync(join(dir, '.ivr.yaml.swp'), BASE.replace('500000', '450000'));
    renameSync(join(dir, '.ivr.yaml.swp'), file);
    await until(() => live.current().n === 2);
    expect(live.current().runtime.limit).toBe(450_000);
  });

  it('SIGHUP re-reads the file; close() stops watching and listening', async () => {
    const { file, live } = setup(BASE, 50);
    const listeners = process.listenerCount('SIGHUP');
    live.start({ watch: false });
    expect(process.listenerCount('SIGHUP')).toBe(listeners + 1);
    writeFileSync(file, BASE.replace('500000', '550000'));
    await new Promise((r) => setTimeout(r, 150));
    expect(live.current().n).toBe(1); // not watched: nothing until the signal
    process.kill(process.pid, 'SIGHUP');
    await until(() => live.current().n === 2);
    expect(live.current().runtime.limit).toBe(550_000);
    expect(live.status().lastReload).toMatchObject({ trigger: 'SIGHUP', result: 'applied' });
    live.close();
    expect(process.listenerCount('SIGHUP')).toBe(listeners);
  });
});

describe('the holiday table (policy.holidaysFile), a file of its own', () => {
  const TABLE = readFileSync(join(PROJECT_DIR, 'config', 'holidays.json'), 'utf8');
  /** Saturday 1405/09/07 (2026-11-28), a working day in the shipped table */
  const SAT = '2026-11-28';
  const closing = { jalali: '1405/09/07', gregorian: SAT, nameFa: 'تعطیلی شرکت', nameEn: 'Company closing day', kind: 'company', status: 'official' };
  const withRow = (row: object) => {
    const doc = JSON.parse(TABLE) as { holidays: object[] };
    return JSON.stringify({ ...doc, holidays: [...doc.holidays, row] }, null, 2);
  };

  /** a config file naming a copy of the shipped table in a folder of its own (not the config file's) */
  function withTable(debounceMs?: number) {
    const table = join(mkdtempSync(join(tmpdir(), 'ivr-live-holidays-')), 'holidays.json');
    writeFileSync(table, TABLE);
    return { ...setup(`${BASE}  holidaysFile: ${table}\n`, debounceMs), table };
  }

  it('an edit of the table in place (config file untouched) is a new version naming policy.holidays; the same contents again are not', () => {
    const { table, logs, live, builds } = withTable();
    const before = live.current();
    expect(before.runtime.cal.isWorkingDay(SAT)).toBe(true);

    writeFileSync(table, withRow(closing));
    const r = live.reload('SIGHUP');
    expect(r).toMatchObject({ result: 'applied', version: 2, changed: ['policy.holidays'], needsRestart: [], problems: [] });
    expect(live.current().runtime.cal.isWorkingDay(SAT)).toBe(false);
    expect(live.current().runtime.cal.holidaysOn(SAT).map((h) => h.nameEn)).toEqual(['Company closing day']);
    expect(before.runtime.cal.isWorkingDay(SAT)).toBe(true); // what took version 1 keeps its calendar
    expect(live.current().hash).not.toBe(before.hash);
    expect(lines(logs, 'configuration reloaded')[0]!.msg).toContain('changed policy.holidays;');

    // written again with the same contents (new mtime, same bytes): nothing new, nothing rebuilt
    const n = builds();
    writeFileSync(table, withRow(closing));
    expect(live.reload('SIGHUP')).toMatchObject({ result: 'unchanged', version: 2, changed: [] });
    expect(builds()).toBe(n);
    expect(live.current().hash).toBe(r.hash);
  });

  it('a broken table keeps the running calendar, with the table’s own reason; the fixed table is applied', () => {
    const { table, logs, live } = withTable();
    writeFileSync(table, withRow({ ...closing, gregorian: '2026-11-29' }));
    const r = live.reload('SIGHUP');
    expect(r.result).toBe('rejected');
    expect(r.problems.join('\n')).toContain('holidays[');
    expect(r.problems.join('\n')).toContain('1405/09/07 Company closing day');
    expect(live.current().n).toBe(1);
    expect(live.current().runtime.cal.isWorkingDay(SAT)).toBe(true);
    expect(lines(logs, 'configuration not reloaded')[0]!.msg).toContain('still running version 1');
    expect(live.status()).toMatchObject({ ok: false, version: 1 });

    writeFileSync(table, '{"holidays": [');
    expect(live.reload('SIGHUP')).toMatchObject({ result: 'rejected', version: 1 });

    writeFileSync(table, withRow(closing));
    expect(live.reload('SIGHUP')).toMatchObject({ result: 'applied', version: 2, changed: ['policy.holidays'] });
    expect(live.current().runtime.cal.isWorkingDay(SAT)).toBe(false);
    expect(live.status().ok).toBe(true);
  });

  it('the table’s file is watched too (same quiet time); another file in its folder is not read', async () => {
    const { table, logs, live } = withTable(300); // the service's quiet time: the two writes below are ~10 ms apart even on a loaded machine
    live.start({ watch: true, signal: false });
    expect(lines(logs, 'the file of policy.holidays watched too')).toHaveLength(1);
    writeFileSync(join(table, '..', 'notes.txt'), 'not the table');
    await new Promise((r) => setTimeout(r, 600)); // twice the quiet time: a reload would have run
    expect(live.status().lastReload).toBeUndefined();

    writeFileSync(table, withRow(closing).slice(0, 100)); // an editor saving in steps: half a table…
    await new Promise((r) => setTimeout(r, 10));
    writeFileSync(table, withRow(closing)); // … then the whole
    await until(() => live.current().n === 2);
    expect(live.status().lastReload).toMatchObject({ trigger: 'file', result: 'applied', changed: ['policy.holidays'] });
    expect(live.current().runtime.cal.isWorkingDay(SAT)).toBe(false);
    expect(lines(logs, 'configuration not reloaded')).toHaveLength(0);
  });
});
