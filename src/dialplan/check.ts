/**
 * Consistency of dialplan/ with itself and with the routing table (src/config/routing.ts).
 * `ivr-1699 check` and the tests call `checkDialplan`; it returns every problem, one a line,
 * `file:line: message` where a line is known. An empty list means the directory is consistent.
 *
 * What it checks:
 * - every file parses (extensions.conf, queues.conf and pjsip.conf must exist; voicemail.conf and
 *   musiconhold.conf are read when present), templates and `(+)` additions resolve;
 * - the entry context has extension 1699 that sets the language to fa, runs Stasis(<app>,…), and
 *   goes on after Stasis (the failsafe for an app that is not connected);
 * - every skill of the routing table has an extension in the agents context that runs
 *   Queue(<its queue>), and that queue is a section of queues.conf;
 * - every Goto/GotoIf/Gosub/GosubIf target, Queue/Dial `b()`/`B()`/`U()` and Queue gosub location,
 *   and every `include =>` names a context, extension and priority/label that exist (targets built
 *   from variables at run time are skipped);
 * - every endpoint named by Dial(PJSIP/x) or a queue `member => PJSIP/x` is a pjsip.conf endpoint,
 *   and every endpoint's context, aors, auth and transport exist;
 * - every queue's musicclass is a musiconhold.conf class; every VoiceMail(box@context) mailbox
 *   exists in voicemail.conf;
 * - with `autoload = no` in modules.conf, the module of every application and function the
 *   dialplan uses (of those it knows) is loaded;
 * - no application argument holds the whole national ID (`${IVR_NATIONAL_ID}`): Asterisk logs
 *   arguments at verbose 3.
 */
import { existsSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { RoutingConfig } from '../config/routing.ts';
import { moduleProblems } from './module-deps.ts';
import {
  type ConfigProblem,
  type ParsedConfig,
  type ResolvedSection,
  type SourceLocation,
  loadConfig,
  resolveTemplates,
  sectionValue,
  sectionValues,
} from './config-parser.ts';
import { type Dialplan, type DialplanStep, buildDialplan, findExtension, jumpTargets, pjsipEndpoints, splitArgs } from './dialplan.ts';

export interface CheckDialplanOptions {
  /** the dialplan directory (the repository's dialplan/) */
  dir: string;
  routing: RoutingConfig;
  /** context the caller enters; default `ivr-inbound` */
  entryContext?: string;
  /** ARI application name; default `ivr-1699` */
  app?: string;
  /**
   * the service's watchdog (service.ari.watchdogSeconds): the entry must arm TIMEOUT(absolute)
   * with the same number of seconds before Stasis() and have a `T` extension; 0 / absent: not checked
   */
  watchdogSeconds?: number;
  /**
   * the REST connections the service may open (service.ari.maxSockets): http.conf's
   * `sessionlimit` (Asterisk's default 100) must leave room for them and the events WebSocket;
   * absent: not checked
   */
  maxSockets?: number;
}

/** Asterisk's http.conf `sessionlimit` when the file does not set it */
const ASTERISK_SESSION_LIMIT = 100;

/** The parsed configuration directory. Sections are template-resolved. */
export interface LoadedDialplanDir {
  dir: string;
  dialplan: Dialplan;
  queues: ResolvedSection[];
  pjsip: ResolvedSection[];
  voicemail: ResolvedSection[] | null;
  musiconhold: ResolvedSection[] | null;
  problems: ConfigProblem[];
  /** problems without a line (a whole file missing) */
  fileProblems: string[];
}

const REQUIRED = ['extensions.conf', 'queues.conf', 'pjsip.conf'] as const;

function load(dir: string, name: string, required: boolean, fileProblems: string[], problems: ConfigProblem[]): { parsed: ParsedConfig; sections: ResolvedSection[] } | null {
  const path = join(dir, name);
  if (!existsSync(path)) {
    if (required) fileProblems.push(`${join(basename(resolve(dir)), name)}: file not found; the dialplan needs it`);
    return null;
  }
  const parsed = loadConfig(path);
  const r = resolveTemplates(parsed);
  problems.push(...parsed.errors, ...r.errors);
  return { parsed, sections: r.sections };
}

/** Reads a dialplan directory: every file parsed, includes followed, templates applied. */
export function loadDialplanDir(dir: string): LoadedDialplanDir {
  const problems: ConfigProblem[] = [];
  const fileProblems: string[] = [];
  const ext = load(dir, REQUIRED[0], true, fileProblems, problems);
  const queues = load(dir, REQUIRED[1], true, fileProblems, problems);
  const pjsip = load(dir, REQUIRED[2], true, fileProblems, problems);
  const vm = load(dir, 'voicemail.conf', false, fileProblems, problems);
  const moh = load(dir, 'musiconhold.conf', false, fileProblems, problems);
  const dialplan = ext ? buildDialplan(ext.parsed) : { contexts: new Map(), errors: [] };
  problems.push(...dialplan.errors);
  return {
    dir,
    dialplan,
    queues: queues?.sections ?? [],
    pjsip: pjsip?.sections ?? [],
    voicemail: vm?.sections ?? null,
    musiconhold: moh?.sections ?? null,
    problems,
    fileProblems,
  };
}

function allSteps(dp: Dialplan): DialplanStep[] {
  const out: DialplanStep[] = [];
  for (const ctx of dp.contexts.values()) for (const steps of ctx.extensions.values()) out.push(...steps);
  return out;
}

const isDynamic = (s: string): boolean => s.includes('${') || s.includes('$[');

export function checkDialplan(opts: CheckDialplanOptions): string[] {
  const entryContext = opts.entryContext ?? 'ivr-inbound';
  const appName = opts.app ?? 'ivr-1699';
  const dir = resolve(opts.dir);
  const shown = basename(dir);
  const where = (at: SourceLocation): string => `${join(shown, relative(dir, at.file))}:${at.line}`;
  const out: string[] = [];
  const report = (at: SourceLocation | null, message: string): void => {
    out.push(at ? `${where(at)}: ${message}` : `${shown}: ${message}`);
  };

  if (!existsSync(dir)) return [`${opts.dir}: dialplan directory not found`];
  const d = loadDialplanDir(dir);
  out.push(...d.fileProblems);
  for (const p of d.problems) report(p.at, p.message);
  const dp = d.dialplan;
  const extFile = join(dir, 'extensions.conf');
  const extAt: SourceLocation = { file: extFile, line: 0 };

  // The entry: 1699 → language fa → Stasis(app) → failsafe.
  if (existsSync(extFile)) {
    if (!dp.contexts.has(entryContext)) {
      report(extAt, `entry context [${entryContext}] not found; the test caller dials Local/1699@${entryContext}`);
    } else {
      const steps = findExtension(dp, entryContext, '1699');
      if (!steps) {
        report(dp.contexts.get(entryContext)?.at ?? extAt, `extension 1699 not found in [${entryContext}]`);
      } else {
        const stasisIdx = steps.findIndex((s) => s.app.toLowerCase() === 'stasis' && splitArgs(s.args)[0] === appName);
        const setLang = steps.findIndex((s) => s.app.toLowerCase() === 'set' && /^CHANNEL\(language\)\s*=\s*fa$/i.test(s.args.trim()));
        const first = steps[0] as DialplanStep;
        if (stasisIdx < 0) {
          report(first.at, `extension 1699 in [${entryContext}] does not run Stasis(${appName},…)`);
        } else {
          if (setLang < 0 || setLang > stasisIdx) report(first.at, `extension 1699 in [${entryContext}] must Set(CHANNEL(language)=fa) before Stasis(); the prompts are in language fa`);
          if (opts.watchdogSeconds) checkWatchdog(steps, stasisIdx, opts.watchdogSeconds, extFile, report, entryContext, dp);
          if (stasisIdx === steps.length - 1) {
            report((steps[stasisIdx] as DialplanStep).at, `nothing follows Stasis(${appName}) in [${entryContext}]: when the app is not connected (STASISSTATUS=FAILED) the caller is hung up; add a failsafe to a queue`);
          } else if ((steps[stasisIdx + 1] as DialplanStep).app.toLowerCase() === 'hangup') {
            report((steps[stasisIdx + 1] as DialplanStep).at, `Hangup() right after Stasis(${appName}) drops the caller when the app is not connected; send the caller to a queue instead`);
          }
        }
      }
    }
  }

  // http.conf: room for the service's REST connections, its WebSocket and a console or CLI client
  if (opts.maxSockets) {
    const http = load(dir, 'http.conf', false, [], []);
    const entry = http?.sections.find((x) => x.name === 'general')?.entries.findLast((e) => e.key === 'sessionlimit');
    const limit = entry ? Number(entry.value) : ASTERISK_SESSION_LIMIT;
    if (!(limit >= opts.maxSockets + 2)) {
      const at = entry?.at ?? http?.sections.find((x) => x.name === 'general')?.at ?? null;
      report(at, `http.conf sessionlimit is ${entry ? entry.value : `not set (Asterisk's default ${ASTERISK_SESSION_LIMIT})`} but the service may open ${opts.maxSockets} REST connections (service.ari.maxSockets / ARI_MAX_SOCKETS) and one WebSocket: Asterisk would refuse them under load; set sessionlimit to at least ${opts.maxSockets + 2}, or lower ARI_MAX_SOCKETS`);
    }
  }

  // The routing table against the agents context and queues.conf.
  const agents = opts.routing.agentsContext;
  // [general] of queues.conf holds app_queue's global settings: it is never a queue.
  const queueNames = new Set(d.queues.filter((q) => !q.template && q.name !== 'general').map((q) => q.name));
  if (existsSync(extFile) && !dp.contexts.has(agents)) report(extAt, `agents context [${agents}] not found; the IVR continues callers to ${agents},<extension>,1`);
  for (const [skill, route] of Object.entries(opts.routing.skills)) {
    if (route.queue === 'general') {
      out.push(`${join(shown, 'queues.conf')}: skill '${skill}': a queue cannot be named 'general' ([general] of queues.conf holds app_queue's global settings); name it e.g. 'general-queue' (routing.skills.${skill}.queue)`);
    } else if (!queueNames.has(route.queue)) {
      out.push(`${join(shown, 'queues.conf')}: skill '${skill}' has no queue [${route.queue}]; add a [${route.queue}] section (routing.skills.${skill}.queue)`);
    }
    if (!dp.contexts.has(agents)) continue;
    const steps = findExtension(dp, agents, route.extension);
    if (!steps) {
      report(dp.contexts.get(agents)?.at ?? extAt, `skill '${skill}': extension ${route.extension} not found in [${agents}]`);
      continue;
    }
    const runsQueue = steps.some((s) => s.app.toLowerCase() === 'queue' && splitArgs(s.args)[0] === route.queue);
    if (!runsQueue) report((steps[0] as DialplanStep).at, `skill '${skill}': extension ${route.extension} in [${agents}] does not run Queue(${route.queue})`);
  }

  // Jumps and includes.
  for (const ctx of dp.contexts.values()) {
    for (const inc of ctx.includes) {
      if (!dp.contexts.has(inc.name)) report(inc.at, `include => ${inc.name}: context [${inc.name}] not found`);
    }
  }
  const steps = allSteps(dp);
  for (const step of steps) {
    for (const t of jumpTargets(step)) {
      if (isDynamic(t.context) || isDynamic(t.exten) || isDynamic(t.priority)) continue;
      const what = `${step.app}(${step.args})`;
      if (!dp.contexts.has(t.context)) {
        report(step.at, `${what}: context [${t.context}] not found`);
        continue;
      }
      const target = findExtension(dp, t.context, t.exten);
      if (!target) {
        report(step.at, `${what}: extension ${t.exten} not found in [${t.context}]`);
        continue;
      }
      const ok = /^\d+$/.test(t.priority) ? target.some((s) => s.priority === Number(t.priority)) : target.some((s) => s.label === t.priority);
      if (!ok) report(step.at, `${what}: ${/^\d+$/.test(t.priority) ? 'priority' : 'label'} '${t.priority}' not found in extension ${t.exten} of [${t.context}]`);
    }
  }

  // Endpoints: Dial(PJSIP/x) and queue members must be pjsip.conf endpoints.
  const pjsipByType = (type: string): Map<string, ResolvedSection> =>
    new Map(d.pjsip.filter((s) => !s.template && sectionValue(s, 'type') === type).map((s) => [s.name, s]));
  const endpoints = pjsipByType('endpoint');
  const pjsipLoaded = existsSync(join(dir, 'pjsip.conf'));
  const checkEndpoint = (name: string, at: SourceLocation, what: string): void => {
    if (pjsipLoaded && !isDynamic(name) && !endpoints.has(name)) report(at, `${what}: endpoint '${name}' is not defined in pjsip.conf (type=endpoint)`);
  };
  for (const step of steps) {
    if (step.app.toLowerCase() !== 'dial') continue;
    for (const ep of pjsipEndpoints(splitArgs(step.args)[0] ?? '')) checkEndpoint(ep, step.at, `Dial(${splitArgs(step.args)[0]})`);
  }
  for (const q of d.queues) {
    if (q.template) continue;
    for (const m of sectionValues(q, 'member')) {
      const iface = splitArgs(m.value)[0] ?? '';
      for (const ep of pjsipEndpoints(iface)) checkEndpoint(ep, m.at, `queue [${q.name}] member ${iface}`);
    }
    const moh = sectionValue(q, 'musicclass');
    if (moh && d.musiconhold && !d.musiconhold.some((c) => c.name === moh && !c.template)) {
      report(q.at, `queue [${q.name}]: musicclass '${moh}' is not a class of musiconhold.conf`);
    }
  }

  // pjsip.conf internal references.
  const aors = pjsipByType('aor');
  const auths = pjsipByType('auth');
  const transports = pjsipByType('transport');
  for (const ep of endpoints.values()) {
    const ctx = sectionValue(ep, 'context');
    if (ctx && existsSync(extFile) && !dp.contexts.has(ctx)) report(ep.at, `endpoint '${ep.name}': context '${ctx}' is not a context of extensions.conf`);
    for (const [key, table, type] of [
      ['aors', aors, 'aor'],
      ['auth', auths, 'auth'],
      ['outbound_auth', auths, 'auth'],
      ['transport', transports, 'transport'],
    ] as const) {
      const v = sectionValue(ep, key);
      if (!v) continue;
      for (const name of v.split(',').map((s) => s.trim()).filter(Boolean)) {
        if (!table.has(name)) report(ep.at, `endpoint '${ep.name}': ${key}=${name} names no section of type=${type}`);
      }
    }
  }

  checkModules(dir, steps, report);

  // Personal data: Asterisk prints every application's arguments, variables substituted, in its
  // verbose-3 "Executing" lines, so the whole national ID must not be one.
  for (const step of steps) {
    if (/\$\{IVR_NATIONAL_ID\}/.test(step.args)) {
      report(step.at, `${step.app}() puts the whole national ID into an argument, which Asterisk logs at verbose 3; use \${IVR_NATIONAL_ID:-4}`);
    }
  }

  // VoiceMail(box@context) mailboxes.
  for (const step of steps) {
    if (step.app.toLowerCase() !== 'voicemail') continue;
    const boxes = (splitArgs(step.args)[0] ?? '').split('&');
    for (const b of boxes) {
      if (isDynamic(b) || !b.trim()) continue;
      const [box, vctx = 'default'] = b.trim().split('@');
      if (!d.voicemail) {
        report(step.at, `VoiceMail(${b}) but voicemail.conf is missing`);
        continue;
      }
      const sec = d.voicemail.find((s) => s.name === vctx && !s.template);
      if (!sec || !sec.entries.some((e) => e.key === box)) report(step.at, `VoiceMail(${b}): mailbox ${box} not found in [${vctx}] of voicemail.conf`);
    }
  }
  return out;
}

/**
 * Applications and functions the dialplan may use, and the module that provides each. Those not
 * listed are either built into the PBX core (NoOp, Set, Goto, GotoIf, Answer, Hangup, Wait, …) or
 * unknown to this table (not checked).
 */
const APP_MODULES: Record<string, string> = {
  queue: 'app_queue.so',
  addqueuemember: 'app_queue.so',
  removequeuemember: 'app_queue.so',
  pausequeuemember: 'app_queue.so',
  dial: 'app_dial.so',
  playback: 'app_playback.so',
  voicemail: 'app_voicemail.so',
  voicemailmain: 'app_voicemail.so',
  echo: 'app_echo.so',
  gosub: 'app_stack.so',
  gosubif: 'app_stack.so',
  return: 'app_stack.so',
  execif: 'app_exec.so',
  exec: 'app_exec.so',
  verbose: 'app_verbose.so',
  log: 'app_verbose.so',
  stasis: 'app_stasis.so',
  read: 'app_read.so',
  mixmonitor: 'app_mixmonitor.so',
  senddtmf: 'app_senddtmf.so',
  record: 'app_record.so',
};
const FUNCTION_MODULES: Record<string, string> = {
  CALLERID: 'func_callerid.so',
  CONNECTEDLINE: 'func_callerid.so',
  REDIRECTING: 'func_callerid.so',
  CHANNEL: 'func_channel.so',
  TIMEOUT: 'func_timeout.so',
  IF: 'func_logic.so',
  ISNULL: 'func_logic.so',
  EXISTS: 'func_logic.so',
  PJSIP_HEADER: 'res_pjsip_header_funcs.so',
  PJSIP_ENDPOINT: 'res_pjsip.so',
  LEN: 'func_strings.so',
  FILTER: 'func_strings.so',
  CUT: 'func_cut.so',
  DB: 'func_db.so',
  QUEUE_MEMBER: 'app_queue.so',
};

/**
 * With `autoload = no` in modules.conf, every application and function the dialplan uses must be
 * in a `load`/`require` line, or Asterisk answers "application not found" in the middle of a call.
 */
function checkModules(dir: string, steps: DialplanStep[], report: (at: SourceLocation | null, message: string) => void): void {
  const path = join(dir, 'modules.conf');
  if (!existsSync(path)) return;
  const parsed = loadConfig(path);
  const mods = resolveTemplates(parsed).sections.find((s) => s.name === 'modules');
  if (!mods || !/^(no|false|0)$/i.test(sectionValue(mods, 'autoload') ?? 'yes')) return;
  const loaded = new Set(mods.entries.filter((e) => /^(load|require|preload|preload-require)$/.test(e.key)).map((e) => e.value.trim()));
  const missing = new Map<string, { at: SourceLocation; what: string }>();
  for (const step of steps) {
    const appModule = APP_MODULES[step.app.toLowerCase()];
    if (appModule && !loaded.has(appModule) && !missing.has(appModule)) missing.set(appModule, { at: step.at, what: `application ${step.app}()` });
    for (const m of `${step.app}(${step.args})`.matchAll(/([A-Z][A-Z0-9_]*)\(/g)) {
      const fnModule = FUNCTION_MODULES[m[1] as string];
      if (fnModule && !loaded.has(fnModule) && !missing.has(fnModule)) missing.set(fnModule, { at: step.at, what: `function ${m[1]}()` });
    }
  }
  for (const [module, use] of missing) report(use.at, `${use.what} needs ${module}, which modules.conf (autoload = no) does not load`);
  const lineOf = new Map(mods.entries.map((e) => [e.value.trim(), e.at]));
  for (const problem of moduleProblems(loaded)) report(lineOf.get(problem.slice(0, problem.search(/[: ]/))) ?? null, problem);
}

/**
 * The watchdog that takes callers out of Stasis() when the service dies: TIMEOUT(absolute) set
 * before Stasis() to the service's watchdogSeconds (directly or through a [globals] variable), and
 * a `T` extension in the entry context where the caller goes when it fires.
 */
function checkWatchdog(steps: DialplanStep[], stasisIdx: number, seconds: number, extFile: string, report: (at: SourceLocation | null, message: string) => void, entryContext: string, dp: Dialplan): void {
  const arm = steps.slice(0, stasisIdx).find((s) => s.app.toLowerCase() === 'set' && /^TIMEOUT\(absolute\)\s*=/i.test(s.args.trim()));
  if (!arm) {
    report((steps[stasisIdx] as DialplanStep).at, `extension 1699 in [${entryContext}] must Set(TIMEOUT(absolute)=${seconds}) before Stasis(): without it a caller stays in silence for ever when the IVR service dies`);
    return;
  }
  let value = arm.args.trim().replace(/^TIMEOUT\(absolute\)\s*=\s*/i, '');
  const global = /^\$\{(\w+)\}$/.exec(value);
  if (global) {
    const globals = resolveTemplates(loadConfig(extFile)).sections.find((s) => s.name === 'globals');
    value = (globals && sectionValue(globals, global[1] as string)) ?? '';
  }
  if (Number(value) !== seconds) {
    report(arm.at, `the watchdog armed before Stasis() is ${value || '(empty)'} s but the service pushes it to ${seconds} s (service.ari.watchdogSeconds / IVR_WATCHDOG_SECONDS): make them equal`);
  }
  if (!findExtension(dp, entryContext, 'T')) report(arm.at, `[${entryContext}] has no T extension: when the watchdog fires Asterisk would hang the caller up instead of sending them to a queue`);
}

/** Sounds the dialplan plays itself (Playback/Background args, queue announcements), with where. */
export function dialplanSounds(dir: string): { sound: string; at: SourceLocation }[] {
  const d = loadDialplanDir(resolve(dir));
  const out: { sound: string; at: SourceLocation }[] = [];
  for (const step of allSteps(d.dialplan)) {
    const app = step.app.toLowerCase();
    if (app !== 'playback' && app !== 'background') continue;
    for (const s of (splitArgs(step.args)[0] ?? '').split('&')) if (s.trim() && !isDynamic(s)) out.push({ sound: s.trim(), at: step.at });
  }
  const soundKeys = ['periodic-announce', 'announce', 'queue-thankyou', 'queue-youarenext', 'queue-thereare', 'queue-callswaiting'];
  for (const q of d.queues) {
    if (q.template) continue;
    for (const e of q.entries) {
      if (!soundKeys.includes(e.key) || !e.value) continue;
      for (const s of e.value.split(',')) if (s.trim()) out.push({ sound: s.trim(), at: e.at });
    }
  }
  // A template's announcement is inherited by every queue: list each place once.
  const seen = new Set<string>();
  return out.filter((s) => {
    const k = `${s.sound}@${s.at.file}:${s.at.line}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
