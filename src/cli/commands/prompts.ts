/**
 * `ivr-1699 prompts build [--force] [--only NAME]… [--dir DIR]`
 * `ivr-1699 prompts list [--dir DIR] [--json]`
 * `ivr-1699 prompts import NAME FILE [--keep-level] [--dir DIR]`
 * `ivr-1699 prompts check [--dir DIR]`
 */
import { parseOptions, UsageError } from '../usage-error.ts';
import { buildPrompts, importRecording, promptStatuses } from '../../speech/build.ts';
import { checkPrompts } from '../../speech/check.ts';
import { promptsFolder } from '../../app/stack.ts';
import { loadConfig } from '../../config/load.ts';

export const summary = 'build draft audio of the prompt texts, list prompts, import studio recordings';

const HELP = `usage:
  ivr-1699 prompts build [--force] [--only NAME]... [--dir DIR]
      build missing or outdated draft audio (espeak-ng + sox); recordings are never overwritten
  ivr-1699 prompts list [--json] [--dir DIR]
      every prompt: name, draft/recorded/missing, Persian text
  ivr-1699 prompts import NAME FILE [--keep-level] [--dir DIR]
      convert a studio recording (any rate/channels) into the prompt's .wav .ulaw .alaw .sln16
  ivr-1699 prompts check [--dir DIR]
      list every problem of the prompt audio, one a line (exit 1 when there is any)
  --dir defaults to $PROMPTS_DIR/fa (the service's prompts folder; default the project's prompts/fa)`;

function parse(argv: string[]) {
  return parseOptions({
    args: argv,
    allowPositionals: true,
    options: {
      force: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      dir: { type: 'string' },
      json: { type: 'boolean', default: false },
      'keep-level': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }, `\n${HELP}`);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  const [sub, ...args] = positionals;
  if (values.help || !sub) {
    process.stdout.write(HELP + '\n');
    return values.help ? 0 : 2;
  }
  const dir = values.dir ?? promptsFolder(loadConfig());
  switch (sub) {
    case 'build': {
      const t0 = Date.now();
      const r = await buildPrompts({
        dir,
        force: values.force,
        ...(values.only ? { only: values.only.flatMap((s) => s.split(',')).filter(Boolean) } : {}),
        log: (l) => process.stdout.write(l + '\n'),
      });
      process.stdout.write(
        `built ${r.built.length} draft(s), derived formats for ${r.derived.length} recording(s), ` +
          `${r.upToDate.length} draft(s) up to date, ${r.recorded.length} recording(s) kept, ${r.failed.length} failed ` +
          `(${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
      );
      return r.failed.length ? 1 : 0;
    }
    case 'list': {
      const st = promptStatuses(dir);
      if (values.json) {
        process.stdout.write(JSON.stringify(st.map((s) => ({ name: s.name, state: s.state, text: s.text }))) + '\n');
        return 0;
      }
      const w = Math.max(...st.map((s) => s.name.length), 4);
      for (const s of st) process.stdout.write(`${s.name.padEnd(w)}  ${s.state.padEnd(14)}  ${s.text}\n`);
      return 0;
    }
    case 'import': {
      const [name, file] = args;
      if (!name || !file || args.length > 2) throw new UsageError(`import needs NAME and FILE\n${HELP}`);
      const written = await importRecording({ dir, name, file, normalise: !values['keep-level'] });
      for (const w of written) process.stdout.write(`wrote ${w}\n`);
      return 0;
    }
    case 'check': {
      const problems = checkPrompts({ dir });
      for (const p of problems) process.stdout.write(p + '\n');
      if (!problems.length) process.stdout.write(`prompts OK (${dir})\n`);
      return problems.length ? 1 : 0;
    }
    default:
      throw new UsageError(`unknown subcommand '${sub}'; expected build, list, import or check\n${HELP}`);
  }
}
