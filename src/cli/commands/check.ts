/**
 * `ivr-1699 check`: validates everything an admin can change before it is deployed — the
 * configuration, the prompts (every prompt the flow, the rules, the say-back and the dialplan
 * use, in every required format), the routing table against dialplan/, and the policy tables.
 * Exit 1 with every problem listed, one a line.
 */
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../../app/stack.ts';
import { ConfigError, loadConfig } from '../../config/load.ts';
import { checkDialplan, dialplanSounds } from '../../dialplan/index.ts';
import { flowPromptNames } from '../../flow/config.ts';
import { POLICY_PROMPT_NAMES } from '../../policy/prompts.ts';
import { checkPolicy } from '../../policy/check.ts';
import { checkPrompts, DEFAULT_PROMPT_BUDGET_SECONDS, promptLengthWarnings } from '../../speech/check.ts';
import { SOUND_FOLDER } from '../../speech/compose.ts';
import { fragmentNames } from '../../speech/numbers.ts';
import { parseOptions } from '../usage-error.ts';

export const summary = 'validate configuration, prompts and the routing table against dialplan/';

const HELP = `usage: ivr-1699 check [--config FILE] [--prompts DIR] [--dialplan DIR]

Checks the configuration (IVR_CONFIG or config/ivr-1699.yaml, and the environment), every prompt
the IVR and the dialplan play (prompts/fa, formats .wav .ulaw .alaw .sln16), the routing table
against dialplan/ (a queue and an agents-context extension per skill), and the policy tables
(thresholds, holidays). Prints every problem, one a line; exit 1 when there is any.`;

export interface CheckResult {
  problems: string[];
  warnings: string[];
}

export function runChecks(o: { config?: string; promptsDir?: string; dialplanDir?: string; env?: NodeJS.ProcessEnv } = {}): CheckResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  let cfg;
  try {
    cfg = loadConfig({ ...(o.config ? { file: o.config } : {}), env: o.env ?? process.env, cwd: PROJECT_ROOT });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems.map((p) => `config: ${p}`));
  }
  const dialplanDir = resolve(PROJECT_ROOT, o.dialplanDir ?? 'dialplan');
  const promptsDir = resolve(PROJECT_ROOT, o.promptsDir ?? (cfg ? `${cfg.service.prompts.dir}/${cfg.service.prompts.language}` : 'prompts/fa'));

  // prompts: everything the flow, the rules, the say-back and the dialplan may play
  const required = new Set<string>([...POLICY_PROMPT_NAMES, ...fragmentNames()]);
  if (cfg) for (const n of flowPromptNames(cfg.flow)) required.add(n);
  try {
    for (const s of dialplanSounds(dialplanDir)) {
      if (s.sound.startsWith(`${SOUND_FOLDER}/`)) required.add(s.sound.slice(SOUND_FOLDER.length + 1));
    }
  } catch (e) {
    problems.push(`dialplan: ${(e as Error).message}`);
  }
  problems.push(...checkPrompts({ dir: promptsDir, required: [...required] }).map((p) => `prompts: ${p}`));
  warnings.push(...promptLengthWarnings(promptsDir, cfg?.service.prompts.maxSeconds ?? DEFAULT_PROMPT_BUDGET_SECONDS).map((w) => `prompts: ${w}`));

  // routing table against dialplan/
  if (cfg) {
    problems.push(
      ...checkDialplan({ dir: dialplanDir, routing: cfg.routing, entryContext: cfg.service.entry.context, app: cfg.service.ari.app, watchdogSeconds: cfg.service.ari.watchdogSeconds, maxSockets: cfg.service.ari.maxSockets }).map((p) => `dialplan: ${p}`),
    );
    const pol = checkPolicy({ policy: cfg.policy, baseDir: PROJECT_ROOT });
    problems.push(...pol.errors.map((p) => `policy: ${p}`));
    warnings.push(...pol.warnings.map((p) => `policy: ${p}`));
  }
  return { problems, warnings };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseOptions({ args: argv, options: { config: { type: 'string' }, prompts: { type: 'string' }, dialplan: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const r = runChecks({
    ...(values.config ? { config: resolve(values.config) } : {}),
    ...(values.prompts ? { promptsDir: resolve(values.prompts) } : {}),
    ...(values.dialplan ? { dialplanDir: resolve(values.dialplan) } : {}),
  });
  for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
  if (r.problems.length) {
    process.stdout.write(r.problems.join('\n') + '\n');
    process.stderr.write(`ivr-1699 check: ${r.problems.length} problem(s)\n`);
    return 1;
  }
  process.stdout.write('ivr-1699 check: configuration, prompts, routing/dialplan and policy tables are consistent\n');
  return 0;
}
