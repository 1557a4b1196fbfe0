/**
 * Loads and validates the whole configuration at start-up: defaults ← config file (YAML or JSON,
 * `IVR_CONFIG` or config/ivr-1699.yaml when present) ← environment variables. Every problem is
 * reported at once, one line each, naming the source, the field, the bad value and what is expected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { defaultMenus } from '../flow/config.ts';
import { defaultRouting } from './routing.ts';
import { AppConfig } from './schema.ts';
import { ENV_KEYS } from './service.ts';
import { readDataSettings, SettingsError } from '../store/config.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface LoadOptions {
  /** config file path; default $IVR_CONFIG or ./config/ivr-1699.yaml if it exists */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** last word, e.g. from command-line options (same shape as the file) */
  overrides?: Record<string, unknown>;
  cwd?: string;
}

export const DEFAULT_CONFIG_FILE = 'config/ivr-1699.yaml';

/** The config file loadConfig reads with these options (as given, relative to `cwd`), or undefined: defaults only. */
export function configFile(opts: LoadOptions = {}): string | undefined {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  return opts.file ?? env.IVR_CONFIG ?? (existsSync(resolve(cwd, DEFAULT_CONFIG_FILE)) ? DEFAULT_CONFIG_FILE : undefined);
}

export function loadConfig(opts: LoadOptions = {}): AppConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const file = configFile(opts);
  let fromFile: Record<string, unknown> = {};
  const source = file ?? 'defaults';
  if (file) {
    const path = resolve(cwd, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new ConfigError([`${file}: cannot read the config file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); set IVR_CONFIG to an existing file or remove it`]);
    }
    try {
      const doc = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
      if (doc !== null && doc !== undefined && (typeof doc !== 'object' || Array.isArray(doc))) {
        throw new Error('the file must hold a mapping of sections (service, routing, flow, policy, data)');
      }
      fromFile = (doc ?? {}) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError([`${file}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`]);
    }
  }
  const merged = structuredClone(fromFile);
  // one variable for the prompts: PROMPTS_DIR (the root, <dir>/<language>/<name>.*). IVR_PROMPTS_DIR
  // (the language folder, the CLI's old name) still works, with a warning; both set and apart: refused
  const old = env.IVR_PROMPTS_DIR;
  if (old) {
    if (env.PROMPTS_DIR && resolve(cwd, env.PROMPTS_DIR, 'fa') !== resolve(cwd, old) && resolve(cwd, env.PROMPTS_DIR) !== resolve(cwd, old)) {
      throw new ConfigError([`environment IVR_PROMPTS_DIR: deprecated, and it points elsewhere than PROMPTS_DIR (${old} vs ${env.PROMPTS_DIR}); unset IVR_PROMPTS_DIR and keep PROMPTS_DIR (the prompts root)`]);
    }
    if (!env.PROMPTS_DIR) {
      deprecated(`IVR_PROMPTS_DIR is deprecated: set PROMPTS_DIR=${dirname(old)} (the prompts root; the language folder ${basename(old)} is inside it)`);
      setPath(merged, ['service', 'prompts', 'dir'], dirname(old));
      setPath(merged, ['service', 'prompts', 'language'], basename(old));
    }
  }
  for (const [name, path] of Object.entries(ENV_KEYS)) {
    const v = env[name];
    if (v !== undefined && v !== '') setPath(merged, path, v);
  }
  if (opts.overrides) deepMerge(merged, opts.overrides);
  return validate(overDefaults(merged), source, env);
}

export function validate(input: unknown, source: string, env: NodeJS.ProcessEnv = {}): AppConfig {
  const r = AppConfig.safeParse(input, { reportInput: true });
  const problems = r.success ? [] : r.error.issues.map((i) => describeIssue(i, source, env));
  let data: AppConfig['data'] | undefined;
  try {
    data = readDataSettings(env, (input as { data?: unknown } | null)?.data ?? {});
  } catch (e) {
    if (e instanceof SettingsError) problems.push(...e.problems.map((p) => `${source} / environment: data: ${p}`));
    else throw e;
  }
  if (problems.length || !r.success || !data) throw new ConfigError(problems);
  return { ...r.data, data };
}

function describeIssue(i: z.core.$ZodIssue, source: string, env: NodeJS.ProcessEnv): string {
  const path = i.path.map(String).join('.');
  const envName = Object.keys(ENV_KEYS).find((k) => ENV_KEYS[k]!.join('.') === path && env[k] !== undefined && env[k] !== '');
  const where = envName ? `environment ${envName}` : source;
  const raw = envName ? env[envName] : 'input' in i ? i.input : undefined;
  const got = raw !== undefined ? ` (got ${JSON.stringify(raw)?.slice(0, 80)})` : '';
  return `${where}: ${path || '(top level)'}: ${i.message}${got}`;
}

/**
 * Partial menu and routing tables merge over the defaults instead of replacing them:
 * - `flow.menus`: a menu named in the file replaces the default's `prompt` if given and merges its
 *   `keys` key by key (a key's item is replaced whole; `null` removes a default key); a new menu is
 *   added; `menu-x: null` removes a default menu.
 * - `routing.skills`: each skill's `extension` / `queue` over the default entry.
 * Everything else merges field by field through the schema's defaults; arrays (holiday lists,
 * console accounts) are replaced whole, never concatenated.
 */
const warned = new Set<string>();
/** a deprecation, said once per process on stderr (commands and the service alike) */
function deprecated(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.stderr.write(`ivr-1699: ${message}\n`);
}

export function overDefaults(input: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(input);
  const flow = out.flow as Record<string, unknown> | undefined;
  if (flow && flow.menus && typeof flow.menus === 'object' && !Array.isArray(flow.menus)) {
    const menus: Record<string, unknown> = structuredClone(defaultMenus) as Record<string, unknown>;
    for (const [name, m] of Object.entries(flow.menus as Record<string, unknown>)) {
      if (m === null) {
        delete menus[name];
        continue;
      }
      const base = menus[name] as { prompt?: string; keys?: Record<string, unknown> } | undefined;
      if (!base || typeof m !== 'object' || Array.isArray(m)) {
        menus[name] = m;
        continue;
      }
      const mm = m as { prompt?: unknown; keys?: unknown };
      const keys: Record<string, unknown> = { ...(base.keys ?? {}) };
      if (mm.keys && typeof mm.keys === 'object' && !Array.isArray(mm.keys)) {
        for (const [k, item] of Object.entries(mm.keys as Record<string, unknown>)) {
          if (item === null) delete keys[k];
          else keys[k] = item;
        }
      } else if (mm.keys !== undefined) {
        menus[name] = m; // not a mapping: let the schema name the problem
        continue;
      }
      menus[name] = { ...base, ...mm, keys };
    }
    flow.menus = menus;
  }
  const routing = out.routing as Record<string, unknown> | undefined;
  if (routing && routing.skills && typeof routing.skills === 'object' && !Array.isArray(routing.skills)) {
    const skills: Record<string, unknown> = structuredClone(defaultRouting) as Record<string, unknown>;
    for (const [skill, r] of Object.entries(routing.skills as Record<string, unknown>)) {
      const base = skills[skill];
      skills[skill] = base && r && typeof r === 'object' && !Array.isArray(r) ? { ...(base as object), ...(r as object) } : r;
    }
    routing.skills = skills;
  }
  return out;
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let o = obj;
  for (const k of path.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[path[path.length - 1]!] = value;
}

function deepMerge(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) {
    if (v === undefined) continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && into[k] && typeof into[k] === 'object' && !Array.isArray(into[k])) {
      deepMerge(into[k] as Record<string, unknown>, v as Record<string, unknown>);
    } else into[k] = v;
  }
}
