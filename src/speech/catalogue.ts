/**
 * The prompt catalogue: prompts/fa/catalogue/<area>.yaml, one file per area, each a mapping
 *   <name>: { text: "<Persian text written for speech>", purpose: "<English, what it is for>" }
 * with an optional `speak` (a spelling for the draft voice only, e.g. "بیستُ" so that espeak-ng
 * says the spoken "-o" of "بیست و"), or an optional `silenceMs` for a generated pause (`pause/group`,
 * between the groups of a number read back; nothing to record). Names are unique across all files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { PROMPT_NAME } from './compose.ts';

export interface PromptEntry {
  name: string;
  /** the Persian text as spoken */
  text: string;
  /** what it is for (English) */
  purpose: string;
  /** spelling for the draft voice, when `text` would be misread */
  speak?: string;
  /** a generated silence of this many ms (a pause between groups of digits), never recorded */
  silenceMs?: number;
  /** the catalogue file it comes from */
  file: string;
}

export interface Catalogue {
  /** the catalogue folder */
  dir: string;
  /** the files read, in order */
  files: string[];
  entries: Map<string, PromptEntry>;
}

export class CatalogueError extends Error {
  override name = 'CatalogueError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

const entrySchema = z
  .object({
    text: z.string().trim().min(1, 'must be a non-empty Persian text'),
    purpose: z.string().trim().min(1, 'must say in English what the prompt is for'),
    speak: z.string().trim().min(1, 'when given, must be a non-empty spelling for the draft voice').optional(),
    silenceMs: z.number().int().min(50, 'a pause of at least 50 ms').max(2000, 'a pause of at most 2000 ms').optional(),
  })
  .strict();

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s && s.length > 60 ? `${s.slice(0, 57)}...` : String(s);
}

/**
 * Parses one catalogue file's text (pure). Returns the entries and the problems, each problem
 * naming the file, the entry and the field.
 */
export function parseCatalogueFile(file: string, source: string): { entries: PromptEntry[]; problems: string[] } {
  const problems: string[] = [];
  const entries: PromptEntry[] = [];
  const doc = parseDocument(source, { uniqueKeys: true });
  if (doc.errors.length) {
    for (const e of doc.errors) problems.push(`${file}: YAML error: ${e.message.split('\n')[0]}`);
    return { entries, problems };
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return { entries, problems };
  if (typeof data !== 'object' || Array.isArray(data)) {
    problems.push(`${file}: must be a mapping of prompt names to { text, purpose }, found ${Array.isArray(data) ? 'a list' : typeof data}`);
    return { entries, problems };
  }
  for (const [name, raw] of Object.entries(data as Record<string, unknown>)) {
    if (!PROMPT_NAME.test(name)) {
      problems.push(`${file}: entry '${name}': the name must be lowercase kebab-case, optionally in folders (e.g. 'main-menu', 'num/20-o')`);
      continue;
    }
    const r = entrySchema.safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const field = issue.path.length ? issue.path.join('.') : '(entry)';
        const value = issue.path.length && raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[String(issue.path[0])] : raw;
        let msg = issue.message;
        if (issue.code === 'unrecognized_keys') msg = `unknown field(s) ${issue.keys.join(', ')}; allowed: text, purpose, speak, silenceMs`;
        else if (issue.code === 'invalid_type') msg = `expected ${issue.expected}, got ${show(value)}`;
        problems.push(`${file}: entry '${name}': field '${field}': ${msg}`);
      }
      continue;
    }
    const { speak, silenceMs, ...rest } = r.data;
    entries.push({ name, ...rest, ...(speak === undefined ? {} : { speak }), ...(silenceMs === undefined ? {} : { silenceMs }), file });
  }
  return { entries, problems };
}

/** Builds a catalogue from parsed files (pure); duplicate names across files are problems. */
export function mergeCatalogue(dir: string, files: { file: string; source: string }[]): { catalogue: Catalogue; problems: string[] } {
  const entries = new Map<string, PromptEntry>();
  const problems: string[] = [];
  for (const f of files) {
    const r = parseCatalogueFile(f.file, f.source);
    problems.push(...r.problems);
    for (const e of r.entries) {
      const prev = entries.get(e.name);
      if (prev) {
        problems.push(`${f.file}: entry '${e.name}': duplicate name, already defined in ${prev.file}; names must be unique across catalogue files`);
        continue;
      }
      entries.set(e.name, e);
    }
  }
  return { catalogue: { dir, files: files.map((f) => f.file), entries }, problems };
}

/** Reads every *.yaml / *.yml file of the folder and returns the catalogue and all problems. */
export function readCatalogue(dir: string): { catalogue: Catalogue; problems: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      catalogue: { dir, files: [], entries: new Map() },
      problems: [`${dir}: cannot read the prompt catalogue folder (${code ?? String(e)})`],
    };
  }
  const files = names.map((n) => {
    const file = join(dir, n);
    return { file, source: readFileSync(file, 'utf8') };
  });
  return mergeCatalogue(dir, files);
}

/** Loads the catalogue; throws CatalogueError listing every problem, one per line. */
export function loadCatalogue(dir: string): Catalogue {
  const { catalogue, problems } = readCatalogue(dir);
  if (problems.length) throw new CatalogueError(problems);
  return catalogue;
}
