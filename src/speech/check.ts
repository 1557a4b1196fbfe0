/**
 * Prompt checks for `ivr-1699 check` and `ivr-1699 prompts check`: every problem, one line each,
 * naming the file. Reads WAV headers itself (no dependency).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import {
  AUDIO_EXTENSIONS,
  REQUIRED_FORMATS,
  decodeG711,
  levelProblem,
  levels,
  parseWav,
  pcm16Samples,
  type AudioFormat,
} from './audio.ts';
import { catalogueDir, readPromptFiles, speakText } from './build.ts';
import { readCatalogue, type Catalogue } from './catalogue.ts';
import { promptState, readManifest, textHash, type Manifest } from './manifest.ts';
import { wavSeconds } from './batch.ts';

/** Default length budget of one prompt: above it `check` warns (callers wait before they can act). */
export const DEFAULT_PROMPT_BUDGET_SECONDS = 8;

/**
 * One warning per prompt whose audio is longer than the budget (say-back fragments and pauses are
 * left out: they are short by nature), longest first.
 */
export function promptLengthWarnings(dir: string, maxSeconds = DEFAULT_PROMPT_BUDGET_SECONDS): string[] {
  const { catalogue } = readCatalogue(catalogueDir(dir));
  const long: { name: string; seconds: number }[] = [];
  for (const e of catalogue.entries.values()) {
    if (e.silenceMs !== undefined || e.name.includes('/')) continue;
    const seconds = wavSeconds(join(dir, `${e.name}.wav`));
    if (seconds !== null && seconds > maxSeconds) long.push({ name: e.name, seconds });
  }
  return long
    .sort((a, b) => b.seconds - a.seconds)
    .map(
      (l) =>
        `${join(dir, l.name)}.wav lasts ${l.seconds.toFixed(1)} s, above the ${maxSeconds} s budget per prompt (service.prompts.maxSeconds): ` +
        'callers wait before they can act; shorten or split it',
    );
}

export interface CheckOptions {
  /** the prompts folder, e.g. prompts/fa (catalogue in <dir>/catalogue) */
  dir: string;
  /** prompt names the flow and policy use; each must have a catalogue entry and audio */
  required?: string[];
}

function channelsText(n: number): string {
  return n === 1 ? 'mono' : n === 2 ? 'stereo' : `${n} channels`;
}

const WAV_FORMATS: Record<number, string> = { 1: 'PCM', 3: 'float', 6: 'A-law', 7: 'µ-law' };

/** Problems of one audio file (format and level), each line starting with the path. */
export function checkAudioFile(path: string, format: AudioFormat, opts: { silence?: boolean } = {}): string[] {
  const buf = readFileSync(path);
  if (buf.length === 0) return [`${path}: empty file`];
  let samples: Int16Array;
  let fullScale = 32767;
  switch (format) {
    case 'wav': {
      let info;
      try {
        info = parseWav(buf);
      } catch (e) {
        return [`${path}: ${(e as Error).message}; must be a WAV file, 8000 Hz mono 16-bit PCM`];
      }
      if (info.audioFormat !== 1 || info.sampleRate !== 8000 || info.channels !== 1 || info.bitsPerSample !== 16) {
        const fmt = WAV_FORMATS[info.audioFormat] ?? `format ${info.audioFormat}`;
        return [
          `${path}: ${info.sampleRate} Hz ${channelsText(info.channels)} ${info.bitsPerSample}-bit ${fmt}; must be 8000 Hz mono 16-bit PCM ` +
            `(convert with 'ivr-1699 prompts import NAME FILE')`,
        ];
      }
      samples = pcm16Samples(buf, info.dataOffset, info.dataLength);
      break;
    }
    case 'sln16':
      if (buf.length % 2) return [`${path}: size ${buf.length} bytes is odd; must be raw signed 16-bit samples (16000 Hz mono)`];
      samples = pcm16Samples(buf);
      break;
    case 'ulaw':
    case 'alaw':
      samples = decodeG711(buf, format);
      fullScale = format === 'ulaw' ? 32124 : 32256;
      break;
  }
  const l = levels(samples, fullScale);
  if (opts.silence) return l.samples === 0 ? [`${path}: has no audio samples`] : [];
  const lp = levelProblem(l);
  return lp ? [`${path}: ${lp}`] : [];
}

/** Every file below the prompts folder (the catalogue folder and dot-files left out), sorted. */
export function audioFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let list;
    try {
      list = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of list) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (p !== catalogueDir(dir)) walk(p);
      } else if (e.isFile()) {
        out.push(p);
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** Every prompt problem, one line each (empty when all is well). */
export function checkPrompts(opts: CheckOptions): string[] {
  const { dir } = opts;
  const problems: string[] = [];
  if (!existsSync(dir)) return [`${dir}: the prompts folder does not exist`];
  const { catalogue, problems: catProblems } = readCatalogue(catalogueDir(dir));
  problems.push(...catProblems);
  let manifest: Manifest | undefined;
  try {
    manifest = readManifest(dir);
  } catch (e) {
    problems.push((e as Error).message);
  }
  const required = [...new Set(opts.required ?? [])];
  for (const n of required) {
    if (!catalogue.entries.has(n)) problems.push(`prompt '${n}' is used by the flow or policy but has no entry in ${catalogueDir(dir)}/*.yaml`);
  }
  const names = [...new Set([...catalogue.entries.keys(), ...required])].sort();
  for (const name of names) {
    const missing: string[] = [];
    for (const f of REQUIRED_FORMATS) {
      const p = join(dir, `${name}.${f}`);
      if (!existsSync(p)) missing.push(p);
      else problems.push(...checkAudioFile(p, f, { silence: catalogue.entries.get(name)?.silenceMs !== undefined }));
    }
    for (const p of missing) {
      problems.push(`${p}: missing; prompt '${name}' needs ${REQUIRED_FORMATS.map((f) => `.${f}`).join(' ')} (run 'ivr-1699 prompts build')`);
    }
    if (!missing.length && manifest) problems.push(...outdated(dir, name, catalogue, manifest));
  }
  const known = new Set(names);
  for (const p of audioFilesUnder(dir)) {
    const rel = relative(dir, p).split(sep).join('/');
    const dot = rel.lastIndexOf('.');
    const ext = dot > 0 ? rel.slice(dot + 1) : '';
    if (!(AUDIO_EXTENSIONS as readonly string[]).includes(ext)) continue;
    const name = rel.slice(0, dot);
    if (!known.has(name)) problems.push(`${p}: audio with no catalogue entry '${name}' (add it to a catalogue file or delete the file)`);
  }
  return problems;
}

function outdated(dir: string, name: string, catalogue: Catalogue, manifest: Manifest): string[] {
  const entry = catalogue.entries.get(name);
  if (!entry) return [];
  let th: string;
  try {
    th = textHash(speakText(entry, catalogue));
  } catch (e) {
    return [`${entry.file}: entry '${name}': ${(e as Error).message}`];
  }
  const state = promptState(readPromptFiles(dir, name), manifest.prompts[name], th);
  if (state === 'draft-outdated') {
    return [`${join(dir, name)}.*: draft audio does not match the text in ${entry.file}; run 'ivr-1699 prompts build --only ${name}'`];
  }
  if (state === 'recorded-outdated') {
    return [
      `${join(dir, name)}.*: the recording was made for an older text of '${name}' in ${entry.file}; ` +
        `record it again ('ivr-1699 prompts import ${name} FILE'), or delete its audio files and run 'ivr-1699 prompts build' for a draft`,
    ];
  }
  return [];
}
