/**
 * `ivr-1699 prompts build [--force] [--only NAME]… [--dir DIR]`
 * `ivr-1699 prompts list [--dir DIR] [--json]`
 * `ivr-1699 prompts import NAME FILE [--keep-level] [--dir DIR]`
 * `ivr-1699 prompts check [--dir DIR]`
 * `ivr-1699 prompts script [--out DIR] [--drafts] [--dir DIR]`
 * `ivr-1699 prompts import-batch FOLDER [--keep-level] [--json] [--dir DIR]`
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOptions, UsageError } from '../usage-error.ts';
import { importBatch, wavSeconds } from '../../speech/batch.ts';
import { audioPath, buildPrompts, catalogueDir, promptStatuses } from '../../speech/build.ts';
import { importRecording, RecordingRefused } from '../../speech/import.ts';
import { loadCatalogue } from '../../speech/catalogue.ts';
import { scriptCsv, scriptHtml, scriptRows } from '../../speech/script.ts';
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
      check a studio recording (readable, at least 8000 Hz, 0.3-300 s, not silent, not clipped) and
      put it live as the prompt's .wav .ulaw .alaw .sln16 (any rate/channels; the replaced audio is
      kept in .history); a refused recording changes nothing (exit 1, the reason on one line)
  ivr-1699 prompts check [--dir DIR]
      list every problem of the prompt audio, one a line (exit 1 when there is any)
  ivr-1699 prompts script [--out DIR] [--drafts] [--dir DIR]
      the studio script: every prompt and fragment with text, file name, tone and joining notes,
      as DIR/prompts-script.csv and DIR/prompts-script.html (printable); --drafts: only those still on drafts
  ivr-1699 prompts import-batch FOLDER [--keep-level] [--json] [--dir DIR]
      check a whole session of recordings (names, silence, clipping, level across files, length
      against the draft) and put them live all together, or change nothing (exit 1, every problem listed)
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
      out: { type: 'string' },
      drafts: { type: 'boolean', default: false },
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
      process.stdout.write(draftShare(dir, st) + '\n');
      return 0;
    }
    case 'import': {
      const [name, file] = args;
      if (!name || !file || args.length > 2) throw new UsageError(`import needs NAME and FILE\n${HELP}`);
      let r: Awaited<ReturnType<typeof importRecording>>;
      try {
        r = await importRecording({ dir, name, file, normalise: !values['keep-level'] });
      } catch (e) {
        if (!(e instanceof RecordingRefused)) throw e;
        process.stderr.write(`ivr-1699 prompts import: refused, nothing changed: ${e.message}\n`);
        return 1;
      }
      for (const w of r.written) process.stdout.write(`wrote ${w}\n`);
      const f = r.facts;
      process.stdout.write(
        `'${name}' is live (${f.seconds.toFixed(1)} s, ${f.sampleRate} Hz${f.channels > 1 ? ` ${f.channels} channels` : ''}, peak ${f.peakDb.toFixed(1)} dBFS as recorded)` +
          `${r.kept ? `; the audio it replaced is kept as version ${r.kept} in ${join(dir, '.history')}` : ''}\n`,
      );
      return 0;
    }
    case 'check': {
      const problems = checkPrompts({ dir });
      for (const p of problems) process.stdout.write(p + '\n');
      if (!problems.length) process.stdout.write(`prompts OK (${dir})\n`);
      return problems.length ? 1 : 0;
    }
    case 'script': {
      if (args.length) throw new UsageError(`script takes no FILE; use --out DIR\n${HELP}`);
      const catalogue = loadCatalogue(catalogueDir(dir));
      const states = new Map(promptStatuses(dir, catalogue).map((s) => [s.name, s.state]));
      let rows = scriptRows(catalogue.entries.values(), (n) => states.get(n) ?? 'missing', (n) => wavSeconds(audioPath(dir, n, 'wav')));
      if (values.drafts) rows = rows.filter((r) => r.state.startsWith('draft') || r.state === 'missing');
      const out = values.out ?? '.';
      mkdirSync(out, { recursive: true });
      const write = (file: string, text: string) => {
        writeFileSync(`${file}.tmp`, text);
        renameSync(`${file}.tmp`, file);
        process.stdout.write(`wrote ${file}\n`);
      };
      write(join(out, 'prompts-script.csv'), scriptCsv(rows));
      write(join(out, 'prompts-script.html'), scriptHtml(rows, { title: 'ivr-1699 — studio script (fa)', generated: new Date().toISOString().slice(0, 10) }));
      process.stdout.write(`${rows.length} recording(s) in the script\n`);
      return 0;
    }
    case 'import-batch': {
      const [folder] = args;
      if (!folder || args.length > 1) throw new UsageError(`import-batch needs FOLDER\n${HELP}`);
      const r = await importBatch({ dir, folder, normalise: !values['keep-level'], log: (l) => process.stderr.write(l + '\n') });
      if (values.json) {
        process.stdout.write(JSON.stringify(r) + '\n');
        return r.problems.length ? 1 : 0;
      }
      for (const f of r.files) {
        const level = f.levelDb === null ? '–' : `${f.levelDb.toFixed(1)} dBFS`;
        const current = f.currentSeconds === null ? 'new' : `was ${f.currentSeconds.toFixed(1)} s`;
        process.stdout.write(`${f.problems.length ? 'BAD' : 'ok '} ${f.name}: ${f.speechSeconds.toFixed(1)} s of speech (${current}), level ${level}\n`);
      }
      if (r.problems.length) {
        for (const p of r.problems) process.stdout.write(p + '\n');
        process.stdout.write(`nothing changed: ${r.problems.length} problem(s) in ${folder}\n`);
        return 1;
      }
      process.stdout.write(
        `${r.imported.length} recording(s) live; the audio they replaced is kept in ${join(dir, '.history')} (${Object.keys(r.kept).length} version(s))\n`,
      );
      return 0;
    }
    default:
      throw new UsageError(`unknown subcommand '${sub}'; expected build, list, import, import-batch, script or check\n${HELP}`);
  }
}

/** "drafts: 230 of 248 prompts (92.7%) still on drafts, 18 recorded" (generated pauses left out). */
export function draftShare(dir: string, st: { name: string; state: string }[]): string {
  const catalogue = loadCatalogue(catalogueDir(dir));
  const rec = st.filter((s) => catalogue.entries.get(s.name)?.silenceMs === undefined);
  const drafts = rec.filter((s) => s.state.startsWith('draft') || s.state === 'missing').length;
  const pct = rec.length ? ((100 * drafts) / rec.length).toFixed(1) : '0';
  return `drafts: ${drafts} of ${rec.length} prompts (${pct}%) still on drafts, ${rec.length - drafts} recorded`;
}
