/**
 * `ivr-1699 <command> …`: dispatches to src/cli/commands/<command>.ts, each exporting
 * `run(argv: string[]): Promise<number>` (the exit code) and a one-line `summary`.
 * Errors the user can fix print one clear line, never a stack trace.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './usage-error.ts';

export { UsageError };

const here = dirname(fileURLToPath(import.meta.url));
/** .ts when run from the sources (tsx, tests), .js when run compiled from dist/ */
const EXT = fileURLToPath(import.meta.url).endsWith('.js') ? '.js' : '.ts';

interface CommandModule {
  run(argv: string[]): Promise<number>;
  summary?: string;
}

function commandNames(): string[] {
  return readdirSync(join(here, 'commands'))
    .filter((f) => f.endsWith(EXT) && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -EXT.length))
    .sort();
}

async function load(name: string): Promise<CommandModule> {
  return (await import(join(here, 'commands', `${name}${EXT}`))) as CommandModule;
}

async function help(): Promise<void> {
  const lines = ['usage: ivr-1699 <command> [options]', '', 'commands:'];
  for (const n of commandNames()) {
    const m = await load(n);
    lines.push(`  ${n.padEnd(10)} ${m.summary ?? ''}`);
  }
  lines.push('', 'Run `ivr-1699 <command> --help` for the options of one command.');
  process.stdout.write(lines.join('\n') + '\n');
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    await help();
    return cmd ? 0 : 2;
  }
  if (!/^[a-z][a-z-]*$/.test(cmd) || !commandNames().includes(cmd)) {
    process.stderr.write(`ivr-1699: unknown command '${cmd}'. Commands: ${commandNames().join(', ')}\n`);
    return 2;
  }
  try {
    const mod = await load(cmd);
    return await mod.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`ivr-1699 ${cmd}: ${e.message}\n`);
      return 2;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`ivr-1699 ${cmd}: ${msg}\n`);
    if (process.env.IVR_DEBUG) console.error(e);
    return 1;
  }
}
