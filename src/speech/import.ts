/**
 * How a studio recording becomes a live prompt — the one way for `prompts import`, the web
 * console's upload and `prompts import-batch` (after its session checks):
 *
 * 1. The recording is checked first (`inspectRecording`: readable, rate, length, not silent, not
 *    clipped); a refused one changes nothing and says why, with how to convert a format sox
 *    cannot read here.
 * 2. It is converted into the four formats in a staging folder inside the prompts folder, the
 *    audio it replaces is kept in `.history/<name>/` (src/speech/history.ts), the staged files are
 *    renamed into place and the manifest written once. A failure while renaming puts the replaced
 *    audio back. A failed conversion leaves the live folder as it was.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REQUIRED_FORMATS } from './audio.ts';
import { audioPath, catalogueDir, checkTools, convert, DEFAULT_TOOLS, promptStatuses, recordingEntry, type AudioTools } from './build.ts';
import { loadCatalogue, type Catalogue } from './catalogue.ts';
import { keepVersion, putBackVersion } from './history.ts';
import { readManifest, writeManifest } from './manifest.ts';
import { inspectRecording, soxMessage, type RecordingFacts } from './recording-check.ts';

/** A recording refused by the check: nothing was changed. */
export class RecordingRefused extends Error {
  override name = 'RecordingRefused';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
  }
}

export interface ImportedRecording {
  facts: RecordingFacts;
  /** the live files written */
  written: string[];
  /** the version id of the audio it replaced, kept in the history (none when the prompt had no audio) */
  kept?: string;
}

/**
 * Checks one recording and puts it live as prompt `name` (any rate, channels or format sox reads).
 * Throws RecordingRefused (nothing changed) when the check finds a problem; an Error naming the
 * fix for an unknown prompt, a generated pause or a missing file.
 */
export async function importRecording(opts: { dir: string; name: string; file: string; tools?: AudioTools; normalise?: boolean }): Promise<ImportedRecording> {
  const tools = opts.tools ?? DEFAULT_TOOLS;
  const catalogue = loadCatalogue(catalogueDir(opts.dir));
  const entry = catalogue.entries.get(opts.name);
  if (!entry) throw new Error(`no catalogue entry named '${opts.name}' in ${catalogueDir(opts.dir)}: add its text first`);
  if (entry.silenceMs !== undefined) throw new Error(`'${opts.name}' is a generated pause, not recorded`);
  if (!existsSync(opts.file) || !statSync(opts.file).isFile()) throw new Error(`recording file '${opts.file}' does not exist`);
  await checkTools(tools);
  const facts = await inspectRecording(opts.file, tools);
  if (facts.problems.length) throw new RecordingRefused(opts.file, facts.problems);
  const kept = await putRecordingsLive({ dir: opts.dir, recordings: [{ name: opts.name, file: opts.file }], tools, normalise: opts.normalise ?? true, catalogue });
  return { facts, written: REQUIRED_FORMATS.map((f) => audioPath(opts.dir, opts.name, f)), ...(kept[opts.name] ? { kept: kept[opts.name] } : {}) };
}

/**
 * Step 2 above for checked recordings: staged, the replaced audio kept, renamed into place, one
 * manifest write. Returns the history version kept for each prompt that had audio.
 */
export async function putRecordingsLive(o: {
  dir: string;
  recordings: { name: string; file: string }[];
  tools: AudioTools;
  normalise: boolean;
  catalogue: Catalogue;
  log?: (line: string) => void;
}): Promise<Record<string, string>> {
  const { dir, recordings } = o;
  const kept: Record<string, string> = {};
  const stage = join(dir, `.staging-${process.pid}-${Date.now()}`);
  mkdirSync(stage, { recursive: true });
  try {
    for (const { name, file } of recordings) {
      for (const fmt of REQUIRED_FORMATS) {
        try {
          await convert(o.tools, [file], audioPath(stage, name, fmt), fmt, o.normalise);
        } catch (e) {
          throw new Error(`${file}: sox could not convert it to .${fmt} (${soxMessage(e) ?? 'no message'}); nothing changed`);
        }
      }
      o.log?.(`staged ${name}`);
    }
    const states = new Map(promptStatuses(dir, o.catalogue).map((s) => [s.name, s.state]));
    for (const { name } of recordings) {
      const id = keepVersion(dir, name, states.get(name));
      if (id) kept[name] = id;
    }
    const live: string[] = [];
    try {
      for (const { name } of recordings) {
        for (const fmt of REQUIRED_FORMATS) {
          const dest = audioPath(dir, name, fmt);
          mkdirSync(dirname(dest), { recursive: true });
          renameSync(audioPath(stage, name, fmt), dest);
        }
        live.push(name);
      }
      const manifest = readManifest(dir);
      for (const { name } of recordings) manifest.prompts[name] = recordingEntry(dir, name, o.catalogue);
      writeManifest(dir, manifest);
    } catch (e) {
      // put back what was replaced so far (and the one half-renamed)
      for (const { name } of recordings.slice(0, live.length + 1)) {
        const id = kept[name];
        if (id) putBackVersion(dir, name, id, true);
        else for (const fmt of REQUIRED_FORMATS) rmSync(audioPath(dir, name, fmt), { force: true });
      }
      throw new Error(`putting the recordings live failed (${(e as Error).message}); the previous audio was put back`);
    }
    return kept;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
