/**
 * `ivr-1699 config show [--json] [--config FILE]`: the effective configuration — the defaults
 * merged with the config file and the environment, exactly as the service, `check`, `decide` and
 * every command read it (src/config/load.ts) — including the whole menu tree. Secrets are hidden.
 */
import { stringify } from 'yaml';
import { loadConfig } from '../../config/load.ts';
import { parseOptions, UsageError } from '../usage-error.ts';

export const summary = 'print the effective configuration (defaults ← file ← environment), menus included';

const HELP = `usage: ivr-1699 config show [--json] [--config FILE]

  Prints the configuration every part of the IVR runs with: defaults, merged with the config file
  (IVR_CONFIG or config/ivr-1699.yaml when present) and the environment variables. Partial
  flow.menus and routing.skills merge over the defaults (see README "Configuration").
  Passwords, tokens and keys are shown as (hidden).
  --json     as JSON instead of YAML
  --config   read this config file instead of IVR_CONFIG / config/ivr-1699.yaml`;

const SECRET_KEYS = new Set(['password', 'token', 'apiKey', 'passwordHash']);

/** a copy with secret values replaced and passwords in URLs hidden */
export function hideSecrets(v: unknown, key = ''): unknown {
  if (typeof v === 'string') {
    if (SECRET_KEYS.has(key)) return '(hidden)';
    return v.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]+):[^@/]*@/i, '$1:(hidden)@');
  }
  if (Array.isArray(v)) return v.map((x) => hideSecrets(x));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hideSecrets(x, k)]));
  return v;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions({
    args: argv,
    options: { json: { type: 'boolean', default: false }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP + '\n');
    return values.help ? 0 : 2;
  }
  if (positionals[0] !== 'show' || positionals.length > 1) throw new UsageError(`unknown subcommand '${positionals.join(' ')}': use config show`);
  const cfg = hideSecrets(loadConfig(values.config ? { file: values.config } : {}));
  process.stdout.write(values.json ? JSON.stringify(cfg, null, 2) + '\n' : stringify(cfg, { lineWidth: 0 }));
  return 0;
}
