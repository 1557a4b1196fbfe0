/**
 * The dialplan of extensions.conf as pbx_config builds it: contexts, extensions with priorities
 * (`exten => 1699,1,App(args)`, `same => n(label),App(args)`, `hint`), `include =>` of other
 * contexts; plus the helpers the consistency check needs: splitting application arguments the way
 * Asterisk does, reading Goto/Gosub targets, and matching extension patterns (`_X.`, `_[a-z]!`, …).
 */
import type { ConfigProblem, ParsedConfig, SourceLocation } from './config-parser.ts';

export interface DialplanStep {
  exten: string;
  /** numeric priority; `hint` lines are kept apart */
  priority: number;
  label?: string;
  /** application name as written (Asterisk matches it case-insensitively) */
  app: string;
  /** the raw argument string inside the parentheses */
  args: string;
  context: string;
  at: SourceLocation;
}

export interface DialplanContext {
  name: string;
  /** extension (or pattern, with its leading `_`) → steps ordered by priority */
  extensions: Map<string, DialplanStep[]>;
  hints: Map<string, string>;
  includes: { name: string; at: SourceLocation }[];
  at: SourceLocation;
}

export interface Dialplan {
  contexts: Map<string, DialplanContext>;
  errors: ConfigProblem[];
}

/** Sections of extensions.conf that are settings, not contexts. */
const NON_CONTEXTS = new Set(['general', 'globals']);

/**
 * Splits an argument string on top-level `sep`, leaving `(…)`, `[…]`, `{…}` and `"…"` intact
 * (`$["${A}" = "x"]`, `${VAR:-4}`, `CALLERID(name)` stay whole).
 */
export function splitArgs(s: string, sep = ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '(' || c === '[' || c === '{')) depth++;
    else if (!quoted && (c === ')' || c === ']' || c === '}')) depth = Math.max(0, depth - 1);
    if (c === sep && depth === 0 && !quoted) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out.map((a) => a.trim());
}

/** `App(args)` → `{ app, args }`; `App` alone → empty args. */
export function splitApp(s: string): { app: string; args: string } | null {
  const t = s.trim();
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?$/s.exec(t);
  if (!m) return null;
  return { app: m[1] as string, args: m[2] ?? '' };
}

/** Builds the contexts of extensions.conf from its parsed form (includes already spliced in). */
export function buildDialplan(cfg: ParsedConfig): Dialplan {
  const contexts = new Map<string, DialplanContext>();
  const errors: ConfigProblem[] = [];
  for (const section of cfg.sections) {
    if (NON_CONTEXTS.has(section.name) || section.template) continue;
    let ctx = contexts.get(section.name);
    if (!ctx) {
      ctx = { name: section.name, extensions: new Map(), hints: new Map(), includes: [], at: section.at };
      contexts.set(section.name, ctx);
    }
    let lastExten: string | null = null;
    let lastPriority = 0;
    for (const e of section.entries) {
      if (e.key === 'include') {
        // `include => context[,timing]` (older: `context|timing`)
        ctx.includes.push({ name: e.value.split(/[,|]/)[0]?.trim() ?? e.value, at: e.at });
        continue;
      }
      if (e.key === 'switch' || e.key === 'ignorepat') continue;
      if (e.key !== 'exten' && e.key !== 'same') {
        errors.push({ at: e.at, message: `unknown line '${e.key}' in context [${section.name}]; expected exten, same, include, switch or ignorepat` });
        continue;
      }
      const parts = splitArgs(e.value);
      let exten: string;
      let prioText: string;
      let appText: string;
      if (e.key === 'same') {
        if (lastExten === null) {
          errors.push({ at: e.at, message: `'same =>' has no 'exten =>' before it in context [${section.name}]` });
          continue;
        }
        exten = lastExten;
        prioText = parts[0] ?? '';
        appText = parts.slice(1).join(',');
      } else {
        exten = (parts[0] ?? '').split('/')[0]?.trim() ?? ''; // drop a caller-ID match `ext/cid`
        prioText = parts[1] ?? '';
        appText = parts.slice(2).join(',');
        if (!exten) {
          errors.push({ at: e.at, message: `'exten =>' without an extension in context [${section.name}]` });
          continue;
        }
        if (exten !== lastExten) lastPriority = 0;
      }
      if (prioText === 'hint') {
        ctx.hints.set(exten, appText);
        lastExten = exten;
        continue;
      }
      const pm = /^(n|\d+)(?:\(([A-Za-z0-9_-]+)\))?$/.exec(prioText);
      if (!pm) {
        errors.push({ at: e.at, message: `bad priority '${prioText}' for extension ${exten} in [${section.name}]; expected a number, n, n(label) or hint` });
        continue;
      }
      let priority: number;
      if (pm[1] === 'n') {
        if (exten !== lastExten || lastPriority === 0) {
          errors.push({ at: e.at, message: `priority 'n' cannot start extension ${exten} in [${section.name}]; its first priority must be 1` });
          continue;
        }
        priority = lastPriority + 1;
      } else {
        priority = Number(pm[1]);
      }
      const app = splitApp(appText);
      if (!app) {
        errors.push({ at: e.at, message: `cannot read the application in '${appText}' (extension ${exten}, priority ${priority}, [${section.name}])` });
        continue;
      }
      const steps = ctx.extensions.get(exten) ?? [];
      if (steps.some((s) => s.priority === priority)) {
        errors.push({ at: e.at, message: `extension ${exten} priority ${priority} is defined twice in [${section.name}]` });
        continue;
      }
      const label = pm[2];
      if (label && steps.some((s) => s.label === label)) {
        errors.push({ at: e.at, message: `label '${label}' is used twice in extension ${exten} of [${section.name}]` });
      }
      steps.push({ exten, priority, ...(label ? { label } : {}), app: app.app, args: app.args, context: section.name, at: e.at });
      steps.sort((a, b) => a.priority - b.priority);
      ctx.extensions.set(exten, steps);
      lastExten = exten;
      lastPriority = priority;
    }
  }
  for (const ctx of contexts.values()) {
    for (const [exten, steps] of ctx.extensions) {
      const first = steps[0];
      if (first && first.priority !== 1) {
        errors.push({ at: first.at, message: `extension ${exten} in [${ctx.name}] has no priority 1, so a call to it finds nothing` });
      }
    }
  }
  return { contexts, errors };
}

/** Does the Asterisk extension pattern (with its leading `_`) match `exten`? Plain names match exactly. */
export function extensionMatches(pattern: string, exten: string): boolean {
  if (!pattern.startsWith('_')) return pattern === exten;
  let re = '^';
  const p = pattern.slice(1);
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    const u = c.toUpperCase();
    if (u === 'X') re += '[0-9]';
    else if (u === 'Z') re += '[1-9]';
    else if (u === 'N') re += '[2-9]';
    else if (c === '.') re += '.+';
    else if (c === '!') re += '.*';
    else if (c === '[') {
      const end = p.indexOf(']', i);
      if (end < 0) return false;
      re += '[' + p.slice(i + 1, end).replace(/\\/g, '\\\\') + ']';
      i = end;
    } else if (c === '-') continue; // dashes in patterns are ignored by Asterisk
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$').test(exten);
}

/**
 * Finds the steps of `exten` in `context`, looking at its own extensions (exact name first, then
 * patterns) and then its `include =>`d contexts, as the PBX does.
 */
export function findExtension(dp: Dialplan, context: string, exten: string, seen = new Set<string>()): DialplanStep[] | null {
  const ctx = dp.contexts.get(context);
  if (!ctx || seen.has(context)) return null;
  seen.add(context);
  const exact = ctx.extensions.get(exten);
  if (exact) return exact;
  for (const [pattern, steps] of ctx.extensions) {
    if (pattern.startsWith('_') && extensionMatches(pattern, exten)) return steps;
  }
  for (const inc of ctx.includes) {
    const r = findExtension(dp, inc.name, exten, seen);
    if (r) return r;
  }
  return null;
}

/** A place in the dialplan a step jumps to. `context`/`exten` are filled in from the step's own. */
export interface JumpTarget {
  context: string;
  exten: string;
  /** a number or a label */
  priority: string;
  /** where the jump is written, for messages */
  via: DialplanStep;
}

/** `[[context,]exten,]priority` (Goto's form) relative to `step`. */
function gotoTarget(spec: string, step: DialplanStep, sep = ','): JumpTarget | null {
  const t = spec.trim();
  if (!t) return null;
  const withoutArgs = t.replace(/\((.*)\)$/s, ''); // Gosub(ctx,ext,pri(args))
  const parts = splitArgs(withoutArgs, sep);
  if (parts.length === 1) return { context: step.context, exten: step.exten, priority: parts[0] as string, via: step };
  if (parts.length === 2) return { context: step.context, exten: parts[0] as string, priority: parts[1] as string, via: step };
  return { context: parts[0] as string, exten: parts[1] as string, priority: parts[2] as string, via: step };
}

/** The branches of `cond?iftrue:iffalse`. */
function conditionalTargets(args: string): string[] {
  const q = splitArgs(args, '?');
  if (q.length < 2) return [];
  return splitArgs(q.slice(1).join('?'), ':').filter(Boolean);
}

/**
 * Every jump a step makes: Goto, GotoIf, Gosub, GosubIf, the Gosub locations of Queue's
 * `b()`/`B()` options and its gosub argument (a context: `<context>,s,1` runs), and Dial's
 * `b()`/`B()`/`U()` options.
 */
export function jumpTargets(step: DialplanStep): JumpTarget[] {
  const app = step.app.toLowerCase();
  const out: JumpTarget[] = [];
  const push = (t: JumpTarget | null): void => {
    if (t) out.push(t);
  };
  if (app === 'goto' || app === 'gosub') push(gotoTarget(step.args, step));
  else if (app === 'gotoif' || app === 'gosubif') for (const b of conditionalTargets(step.args)) push(gotoTarget(b, step));
  else if (app === 'queue' || app === 'dial') {
    const args = splitArgs(step.args);
    const opts = args[1] ?? '';
    const re = /([bBU])\(([^()]*(?:\([^()]*\))?[^()]*)\)/g;
    for (let m = re.exec(opts); m; m = re.exec(opts)) push(gotoTarget(m[2] as string, step, '^'));
    // Queue's gosub argument names a context only: app_queue runs <context>,s,1 on the agent's channel.
    if (app === 'queue' && args[6]) push({ context: args[6].replace(/\(.*\)$/s, '').trim(), exten: 's', priority: '1', via: step });
  }
  return out;
}

/** `PJSIP/name` endpoints a Dial() or queue member names (`PJSIP/name/sip:…` gives `name`). */
export function pjsipEndpoints(dialString: string): string[] {
  const out: string[] = [];
  for (const part of dialString.split('&')) {
    const m = /^\s*PJSIP\/([^/,\s]+)/i.exec(part);
    if (m) out.push(m[1] as string);
  }
  return out;
}
