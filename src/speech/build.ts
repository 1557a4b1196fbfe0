/**
 * Draft audio: `ivr-1699 prompts build`. Each catalogue text is normalised (digits, amounts and
 * dates spelled out), spoken by espeak-ng (voice fa), trimmed of silence at both ends, normalised to
 * a -3 dBFS peak and written as 8 kHz mono .wav (16-bit PCM), raw .ulaw and .alaw, and 16 kHz raw
 * .sln16. Recordings placed by people are never overwritten; missing formats of a recording are
 * derived from it. The manifest (.drafts.json) remembers what the build made.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REQUIRED_FORMATS, parseWav, type AudioFormat } from './audio.ts';
import { loadCatalogue, type Catalogue, type PromptEntry } from './catalogue.ts';
import {
  DRAFT_RECIPE,
  hashBytes,
  promptState,
  readManifest,
  recordedFormats,
  textHash,
  writeManifest,
  type Manifest,
  type PromptFiles,
  type PromptState,
} from './manifest.ts';
import { normaliseForSpeech } from './normalize.ts';

const run = promisify(execFile);

/** The catalogue folder inside a prompts folder. */
export function catalogueDir(dir: string): string {
  return join(dir, 'catalogue');
}

export function audioPath(dir: string, name: string, ext: string): string {
  return join(dir, `${name}.${ext}`);
}

/** Hashes of the prompt's audio files present on disk. */
export function readPromptFiles(dir: string, name: string): PromptFiles {
  const present: PromptFiles['present'] = {};
  for (const f of REQUIRED_FORMATS) {
    const p = audioPath(dir, name, f);
    if (existsSync(p)) present[f] = hashBytes(readFileSync(p));
  }
  return { present };
}

/** The text handed to the draft voice for an entry. */
export function speakText(entry: PromptEntry, catalogue: Catalogue): string {
  if (entry.silenceMs !== undefined) return `[silence ${entry.silenceMs} ms]`;
  return normaliseForSpeech(entry.speak ?? entry.text, (n) => catalogue.entries.get(n));
}

export interface PromptStatus {
  name: string;
  text: string;
  file: string;
  state: PromptState;
  /** formats that are people's recordings */
  recorded: AudioFormat[];
}

/** The state of every catalogue entry (for `prompts list` and checks). */
export function promptStatuses(dir: string, catalogue: Catalogue = loadCatalogue(catalogueDir(dir))): PromptStatus[] {
  const manifest = readManifest(dir);
  return [...catalogue.entries.values()].map((e) => {
    const files = readPromptFiles(dir, e.name);
    const m = manifest.prompts[e.name];
    let th: string;
    try {
      th = textHash(speakText(e, catalogue));
    } catch {
      th = '';
    }
    return { name: e.name, text: e.text, file: e.file, state: promptState(files, m, th), recorded: recordedFormats(files, m) };
  });
}

/** Tool names, for tests and unusual installs. */
export interface AudioTools {
  espeak: string;
  sox: string;
}
export const DEFAULT_TOOLS: AudioTools = { espeak: 'espeak-ng', sox: 'sox' };

export async function checkTools(tools: AudioTools = DEFAULT_TOOLS): Promise<void> {
  for (const [tool, args] of [
    [tools.espeak, ['--version']],
    [tools.sox, ['--version']],
  ] as const) {
    try {
      await run(tool, [...args]);
    } catch {
      throw new Error(`'${tool}' is not installed or not runnable: install the Debian packages with 'apt-get install -y espeak-ng sox'`);
    }
  }
}

/** sox input arguments for one of our formats. */
export function soxInput(path: string, format: AudioFormat): string[] {
  switch (format) {
    case 'wav':
      return [path];
    case 'ulaw':
      return ['-t', 'ul', '-r', '8000', '-c', '1', path];
    case 'alaw':
      return ['-t', 'al', '-r', '8000', '-c', '1', path];
    case 'sln16':
      return ['-t', 'raw', '-r', '16000', '-e', 'signed-integer', '-b', '16', '-c', '1', path];
  }
}

/** sox output arguments and effects for one of our formats; `gain` normalises the peak to -3 dBFS. */
function soxOutput(path: string, format: AudioFormat, normalise: boolean): string[] {
  const level = normalise ? ['gain', '-n', '-3'] : [];
  switch (format) {
    case 'wav':
      return ['-t', 'wav', '-e', 'signed-integer', '-b', '16', '-c', '1', path, 'rate', '-v', '8000', ...level];
    case 'ulaw':
      return ['-t', 'ul', '-c', '1', path, 'rate', '-v', '8000', ...level];
    case 'alaw':
      return ['-t', 'al', '-c', '1', path, 'rate', '-v', '8000', ...level];
    case 'sln16':
      return ['-t', 'raw', '-e', 'signed-integer', '-b', '16', '-c', '1', path, 'rate', '-v', '16000', ...level];
  }
}

/** Converts `input` (sox input args) into `format` at `dest`, atomically (temp file + rename). */
export async function convert(tools: AudioTools, input: string[], dest: string, format: AudioFormat, normalise: boolean): Promise<void> {
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}`;
  try {
    // -D: no dither, so the same input always gives the same bytes (stable commits)
    await run(tools.sox, ['-D', '-V1', ...input, ...soxOutput(tmp, format, normalise)]);
    renameSync(tmp, dest);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Speaks a text with espeak-ng into a trimmed 16-bit mono WAV (at espeak's own rate). */
async function speak(tools: AudioTools, text: string, work: string): Promise<string> {
  const raw = join(work, 'espeak.wav');
  const trimmed = join(work, 'trimmed.wav');
  await new Promise<void>((resolve, reject) => {
    const child = execFile(tools.espeak, ['-v', 'fa', '-s', '150', '-w', raw, '--stdin'], (err) => (err ? reject(err) : resolve()));
    child.stdin?.end(text);
  });
  // silence trimmed at both ends (reverse, trim the start, reverse back)
  await run(tools.sox, ['-D', '-V1', raw, '-b', '16', trimmed, 'silence', '1', '0.01', '0.3%', 'reverse', 'silence', '1', '0.01', '0.3%', 'reverse']);
  const info = parseWav(readFileSync(trimmed));
  if (info.dataLength < info.sampleRate / 10) throw new Error(`espeak-ng produced (almost) no speech for '${text}'`);
  return trimmed;
}

/** A digital silence of `ms` milliseconds as a 16-bit mono WAV (a pause fragment). */
async function silence(tools: AudioTools, ms: number, work: string): Promise<string> {
  const out = join(work, 'silence.wav');
  await run(tools.sox, ['-D', '-V1', '-n', '-r', '8000', '-c', '1', '-b', '16', out, 'trim', '0', (ms / 1000).toFixed(3)]);
  return out;
}

export interface BuildOptions {
  /** the prompts folder, e.g. prompts/fa */
  dir: string;
  /** rebuild every draft (and derived file) even when up to date; recordings are still kept */
  force?: boolean;
  /** only these prompt names */
  only?: string[];
  /** progress lines */
  log?: (line: string) => void;
  tools?: AudioTools;
  /** parallel jobs; default 3 */
  jobs?: number;
}

export interface BuildReport {
  /** drafts (re)built from text */
  built: string[];
  /** prompts with recordings whose missing formats were derived */
  derived: string[];
  /** prompts left as they were */
  upToDate: string[];
  /** prompts that are recordings (kept) */
  recorded: string[];
  failed: { name: string; error: string }[];
}

export async function buildPrompts(opts: BuildOptions): Promise<BuildReport> {
  const { dir } = opts;
  const log = opts.log ?? (() => {});
  const tools = opts.tools ?? DEFAULT_TOOLS;
  const catalogue = loadCatalogue(catalogueDir(dir));
  let names = [...catalogue.entries.keys()];
  if (opts.only?.length) {
    const unknown = opts.only.filter((n) => !catalogue.entries.has(n));
    if (unknown.length) throw new Error(`--only: no catalogue entry named ${unknown.map((n) => `'${n}'`).join(', ')} in ${catalogueDir(dir)}`);
    names = opts.only;
  }
  await checkTools(tools);
  const manifest: Manifest = readManifest(dir);
  if (manifest.recipe !== DRAFT_RECIPE) {
    log(`draft recipe changed (${manifest.recipe} -> ${DRAFT_RECIPE}): every draft is rebuilt`);
    manifest.recipe = DRAFT_RECIPE;
  }
  const report: BuildReport = { built: [], derived: [], upToDate: [], recorded: [], failed: [] };
  const work = mkdtempSync(join(tmpdir(), 'ivr-1699-prompts-'));
  let saved = Date.now();
  try {
    const queue = [...names];
    const worker = async (slot: number): Promise<void> => {
      const wdir = join(work, String(slot));
      mkdirSync(wdir, { recursive: true });
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        try {
          await buildOne(name, catalogue, manifest, opts, tools, wdir, report, log);
        } catch (e) {
          const msg = (e as Error).message.split('\n')[0] ?? String(e);
          report.failed.push({ name, error: msg });
          log(`FAILED ${name}: ${msg}`);
        }
        if (Date.now() - saved > 5000) {
          writeManifest(dir, manifest); // progress survives an interrupted build
          saved = Date.now();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.jobs ?? 3) }, (_, i) => worker(i)));
  } finally {
    writeManifest(dir, manifest);
    rmSync(work, { recursive: true, force: true });
  }
  return report;
}

async function buildOne(
  name: string,
  catalogue: Catalogue,
  manifest: Manifest,
  opts: BuildOptions,
  tools: AudioTools,
  work: string,
  report: BuildReport,
  log: (line: string) => void,
): Promise<void> {
  const { dir } = opts;
  const entry = catalogue.entries.get(name)!;
  const files = readPromptFiles(dir, name);
  const m = manifest.prompts[name];
  const recorded = recordedFormats(files, m);

  if (recorded.length) {
    // a person's recording: derive the formats that are missing or were generated, from the best recording
    const source = (['sln16', 'wav', 'ulaw', 'alaw'] as const).find((f) => recorded.includes(f))!;
    const sourceHash = files.present[source]!;
    if (source === 'wav') {
      const info = parseWav(readFileSync(audioPath(dir, name, 'wav')));
      if (info.audioFormat !== 1 || info.bitsPerSample !== 16) {
        throw new Error(`${audioPath(dir, name, 'wav')} is not 16-bit PCM; use 'ivr-1699 prompts import ${name} FILE' to convert a recording`);
      }
    }
    const targets = REQUIRED_FORMATS.filter(
      (f) => !recorded.includes(f) && (opts.force || files.present[f] === undefined || m?.source !== 'recording' || m.fromHash !== sourceHash || m.from !== source),
    );
    const kept = REQUIRED_FORMATS.filter((f) => !recorded.includes(f) && !targets.includes(f));
    const entryFiles: Partial<Record<AudioFormat, string>> = {};
    for (const f of kept) if (m?.files[f]) entryFiles[f] = m.files[f];
    for (const f of targets) {
      const dest = audioPath(dir, name, f);
      await convert(tools, soxInput(audioPath(dir, name, source), source), dest, f, false);
      entryFiles[f] = hashBytes(readFileSync(dest));
    }
    // remember the text the recording was made for: the current one when the recording is new
    const recordedHashes: Partial<Record<AudioFormat, string>> = {};
    for (const f of recorded) recordedHashes[f] = files.present[f]!;
    const known = m?.source === 'recording' && m.recorded && recorded.every((f) => m.recorded?.[f] === files.present[f]);
    let th: string | undefined;
    try {
      th = known ? m.textHash : textHash(speakText(entry, catalogue));
    } catch {
      th = undefined;
    }
    manifest.prompts[name] = {
      source: 'recording',
      from: source,
      fromHash: sourceHash,
      files: entryFiles,
      recorded: recordedHashes,
      ...(th ? { textHash: th } : {}),
    };
    if (targets.length) {
      report.derived.push(name);
      log(`recording ${name}: kept ${recorded.map((f) => `.${f}`).join(' ')}, derived ${targets.map((f) => `.${f}`).join(' ')} from .${source}`);
    } else {
      report.recorded.push(name);
    }
    return;
  }

  const spoken = speakText(entry, catalogue);
  const th = textHash(spoken);
  if (!opts.force && promptState(files, m, th) === 'draft') {
    report.upToDate.push(name);
    return;
  }
  const trimmed = entry.silenceMs !== undefined ? await silence(tools, entry.silenceMs, work) : await speak(tools, spoken, work);
  const entryFiles: Partial<Record<AudioFormat, string>> = {};
  for (const f of REQUIRED_FORMATS) {
    const dest = audioPath(dir, name, f);
    await convert(tools, [trimmed], dest, f, entry.silenceMs === undefined);
    entryFiles[f] = hashBytes(readFileSync(dest));
  }
  manifest.prompts[name] = { source: 'draft', textHash: th, files: entryFiles };
  report.built.push(name);
  log(`draft ${name}: ${entry.text}`);
}

/**
 * Imports a studio recording (any rate, channels or format sox reads) as prompt `name`: writes all
 * four formats, normalised to a -3 dBFS peak, and marks them as a recording in the manifest.
 */
/**
 * The manifest entry of a prompt whose four formats on disk are all a person's recording, made for
 * the current text: listed with no generated files.
 */
export function recordingEntry(dir: string, name: string, catalogue: Catalogue): Manifest['prompts'][string] {
  const recorded: Partial<Record<AudioFormat, string>> = {};
  for (const f of REQUIRED_FORMATS) recorded[f] = hashBytes(readFileSync(audioPath(dir, name, f)));
  const entry = catalogue.entries.get(name)!;
  return { source: 'recording', files: {}, recorded, textHash: textHash(speakText(entry, catalogue)) };
}
