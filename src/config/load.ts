/**
 * Loads and validates the whole configuration at start-up: defaults ← config file (YAML or JSON,
 * `IVR_CONFIG` or config/ivr-1699.yaml when present) ← environment variables. Every problem is
 * reported at once, one line each, naming the source, the field, the bad value and what is expected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
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

export function loadConfig(opts: LoadOptions = {}): AppConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const file = opts.file ?? env.IVR_CONFIG ?? (existsSync(resolve(cwd, DEFAULT_CONFIG_FILE)) ? DEFAULT_CONFIG_FILE : undefined);
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
  for (const [name, path] of Object.entries(ENV_KEYS)) {
    const v = env[name];
    if (v !== undefined && v !== '') setPath(merged, path, v);
  }
  if (opts.overrides) deepMerge(merged, opts.overrides);
  return validate(merged, source, env);
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
