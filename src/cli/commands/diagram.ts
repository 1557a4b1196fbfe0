/**
 * `ivr-1699 diagram [--check] [--out FILE]`: writes docs/flow.mmd, the Mermaid state diagram of
 * the call flow generated from the machine definitions (default FlowConfig). `--check` writes
 * nothing and exits 1 when the file is missing or differs from what the code generates.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createCallMachine } from '../../flow/call-machine.ts';
import { flowToMermaid } from '../../flow/diagram.ts';
import { UsageError } from '../usage-error.ts';

export const summary = 'write docs/flow.mmd, the call flow as a Mermaid state diagram (--check: fail when stale)';

const HELP = `usage: ivr-1699 diagram [--check] [--out FILE]
  Generates the Mermaid stateDiagram-v2 of the call flow from src/flow (default configuration)
  and writes it to docs/flow.mmd (or FILE).
  --check   write nothing; exit 1 when the file is missing or stale (run without --check to update it)
`;

/** docs/flow.mmd of this project, whatever the working directory */
export const DEFAULT_DIAGRAM_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'flow.mmd');

export function generateDiagram(): string {
  return flowToMermaid(createCallMachine());
}

export async function run(argv: string[]): Promise<number> {
  let values: { check?: boolean; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { check: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)} (see ivr-1699 diagram --help)`);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const path = values.out ? resolve(values.out) : DEFAULT_DIAGRAM_PATH;
  const text = generateDiagram();
  if (values.check) {
    if (!existsSync(path)) {
      process.stderr.write(`diagram: ${path} does not exist; run \`ivr-1699 diagram\` to write it\n`);
      return 1;
    }
    if (readFileSync(path, 'utf8') !== text) {
      process.stderr.write(`diagram: ${path} is stale (the call flow changed); run \`ivr-1699 diagram\` and commit it\n`);
      return 1;
    }
    process.stdout.write(`diagram: ${path} is up to date\n`);
    return 0;
  }
  writeFileSync(path, text);
  process.stdout.write(`diagram: wrote ${path} (${text.split('\n').length - 1} lines)\n`);
  return 0;
}
