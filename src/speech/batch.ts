/**
 * `ivr-1699 prompts import-batch FOLDER`: a whole studio session at once, all or nothing.
 *
 * 1. Names: every audio file in the folder is a prompt of the catalogue (`welcome.wav`,
 *    `num/20-o.wav` or, flat as studios save them, `num__20-o.wav`; the file names of
 *    `prompts script`); generated pauses and duplicates are refused.
 * 2. Each recording: readable, rate, length, silent or clipped (`inspectRecording`, the console's
 *    upload check); no more than 1 s of silence at either end.
 * 3. Across the session: the speech level as recorded (RMS of the active frames) within ±6 dB of
 *    the session's median — one microphone set-up for the whole session, so prompts joined in one
 *    call sound alike (the -3 dBFS peak normalisation does not fix a quiet, noisy take); the speech length against the audio it replaces (0.5–2.5 × the draft):
 *    a file recorded for another text shows up here.
 * 4. Any problem: every problem is listed and nothing changes. Otherwise they go live together as
 *    `prompts import` puts one live (src/speech/import.ts): converted into the four formats in a
 *    staging folder, the audio each replaces kept in `.history/<name>/` (the console lists and
 *    restores it), renamed into place, the manifest written once; a failure puts the replaced
 *    prompts back.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { parseWav, pcm16Samples } from './audio.ts';
import { audioPath, catalogueDir, checkTools, DEFAULT_TOOLS, type AudioTools } from './build.ts';
import { loadCatalogue } from './catalogue.ts';
import { putRecordingsLive } from './import.ts';
import { inspectRecording } from './recording-check.ts';

const run = promisify(execFile);

/** Files a session may hold (what sox reads here; MP3 needs libsox-fmt-mp3). */
export const RECORDING_EXTENSIONS = ['wav', 'flac', 'ogg', 'mp3', 'aif', 'aiff'] as const;

export interface BatchLimits {
  /** the speech level of each file within this many dB of the session's median */
  levelSpreadDb: number;
  /** speech length / length of the audio it replaces */
  minLengthRatio: number;
  maxLengthRatio: number;
  /** silence allowed before the first and after the last word */
  maxEdgeSilenceSeconds: number;
}
export const BATCH_LIMITS: BatchLimits = { levelSpreadDb: 6, minLengthRatio: 0.5, maxLengthRatio: 2.5, maxEdgeSilenceSeconds: 1 };

export interface BatchFile {
  name: string;
  file: string;
  seconds: number;
  /** from the first to the last active frame */
  speechSeconds: number;
  /** speech level as recorded (dBFS RMS of the active frames), null when it could not be measured */
  levelDb: number | null;
  /** length of the audio it replaces (the draft), null when there is none */
  currentSeconds: number | null;
  problems: string[];
}

export interface BatchReport {
  folder: string;
  files: BatchFile[];
  /** every problem, one line each, naming the file; empty when the batch went live */
  problems: string[];
  /** the session's median speech level */
  medianLevelDb: number | null;
  /** prompts put live (empty when there was any problem) */
  imported: string[];
  /** prompt → the history version that holds the audio it replaced */
  kept: Record<string, string>;
}

export interface BatchOptions {
  /** the prompts folder, e.g. prompts/fa */
  dir: string;
  /** the session's recordings */
  folder: string;
  /** normalise each recording to a -3 dBFS peak (default true, as `prompts import`) */
  normalise?: boolean;
  limits?: Partial<BatchLimits>;
  tools?: AudioTools;
  log?: (line: string) => void;
}

/** The prompt name of a file in a session folder: `num/20-o.wav` or `num__20-o.wav` → `num/20-o`. */
export function promptNameOfFile(rel: string): string {
  const noExt = rel.replace(/\.[A-Za-z0-9]+$/, '');
  return noExt.split(sep).join('/').replace(/__/g, '/');
}

/** The file name `prompts script` gives a prompt (flat: studios save into one folder). */
export function sessionFileName(name: string): string {
  return `${name.replace(/\//g, '__')}.wav`;
}

function walk(folder: string): { audio: string[]; other: string[] } {
  const audio: string[] = [];
  const other: string[] = [];
  const visit = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile()) {
        const ext = /\.([A-Za-z0-9]+)$/.exec(e.name)?.[1]?.toLowerCase() ?? '';
        ((RECORDING_EXTENSIONS as readonly string[]).includes(ext) ? audio : other).push(p);
      }
    }
  };
  visit(folder);
  return { audio: audio.sort(), other: other.sort() };
}

interface Measure {
  seconds: number;
  speechSeconds: number;
  leadSeconds: number;
  trailSeconds: number;
  activeDb: number;
  peakDb: number;
}

/** Speech level and edges of a recording: 20 ms frames, active = within 35 dB of the loudest frame. */
export function measureSpeech(samples: Int16Array, sampleRate: number): Measure {
  const frame = Math.max(1, Math.round(sampleRate / 50));
  const frames: number[] = [];
  let peak = 0;
  for (let i = 0; i < samples.length; i += frame) {
    let sum = 0;
    const end = Math.min(samples.length, i + frame);
    for (let j = i; j < end; j++) {
      const s = samples[j]! / 32768;
      sum += s * s;
      const a = Math.abs(samples[j]!);
      if (a > peak) peak = a;
    }
    frames.push(sum / (end - i));
  }
  const db = (p: number) => (p > 0 ? 10 * Math.log10(p) : -Infinity);
  const loudest = Math.max(...frames.map(db));
  const gate = loudest - 35;
  const active = frames.map((p) => db(p) > gate && db(p) > -60);
  const first = active.indexOf(true);
  const last = active.lastIndexOf(true);
  const frameSec = frame / sampleRate;
  const seconds = samples.length / sampleRate;
  if (first < 0) return { seconds, speechSeconds: 0, leadSeconds: seconds, trailSeconds: 0, activeDb: -Infinity, peakDb: -Infinity };
  let sum = 0;
  let n = 0;
  frames.forEach((p, i) => {
    if (active[i]) {
      sum += p;
      n++;
    }
  });
  return {
    seconds,
    speechSeconds: (last - first + 1) * frameSec,
    leadSeconds: first * frameSec,
    trailSeconds: Math.max(0, seconds - (last + 1) * frameSec),
    activeDb: db(sum / n),
    peakDb: peak > 0 ? 20 * Math.log10(peak / 32768) : -Infinity,
  };
}

/** Length of a WAV file in seconds, null when it is missing or unreadable. */
export function wavSeconds(file: string): number | null {
  try {
    const w = parseWav(readFileSync(file));
    return w.dataLength / (w.sampleRate * w.channels * (w.bitsPerSample / 8));
  } catch {
    return null;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Validates a session folder and, when every file passes, puts it live all together. */
export async function importBatch(opts: BatchOptions): Promise<BatchReport> {
  const { dir, folder } = opts;
  const tools = opts.tools ?? DEFAULT_TOOLS;
  const limits = { ...BATCH_LIMITS, ...opts.limits };
  const normalise = opts.normalise ?? true;
  const log = opts.log ?? (() => {});
  const report: BatchReport = { folder, files: [], problems: [], medianLevelDb: null, imported: [], kept: {} };
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    report.problems.push(`${folder}: not a folder of recordings`);
    return report;
  }
  const catalogue = loadCatalogue(catalogueDir(dir));
  await checkTools(tools);
  const { audio, other } = walk(folder);
  for (const o of other) log(`ignored ${o} (not audio: ${RECORDING_EXTENSIONS.join(', ')})`);
  if (!audio.length) {
    report.problems.push(`${folder}: no recordings (${RECORDING_EXTENSIONS.map((e) => `.${e}`).join(' ')}) in it`);
    return report;
  }

  // 1. names
  const byName = new Map<string, string>();
  const named: { name: string; file: string }[] = [];
  for (const file of audio) {
    const name = promptNameOfFile(relative(folder, file));
    const entry = catalogue.entries.get(name);
    if (!entry) {
      report.problems.push(`${file}: no prompt named '${name}' in ${catalogueDir(dir)} (file names come from 'ivr-1699 prompts script')`);
    } else if (entry.silenceMs !== undefined) {
      report.problems.push(`${file}: '${name}' is a generated pause, not recorded`);
    } else if (byName.has(name)) {
      report.problems.push(`${file}: '${name}' is already given by ${byName.get(name)}`);
    } else {
      byName.set(name, file);
      named.push({ name, file });
    }
  }

  // 2. each recording
  const work = mkdtempSync(join(tmpdir(), 'ivr-1699-batch-'));
  try {
    for (const { name, file } of named) {
      const facts = await inspectRecording(file, tools);
      const f: BatchFile = { name, file, seconds: facts.seconds, speechSeconds: 0, levelDb: null, currentSeconds: wavSeconds(audioPath(dir, name, 'wav')), problems: [] };
      f.problems.push(...facts.problems.map((p) => `${file}: ${p}`));
      if (!facts.problems.length) {
        const probe = join(work, 'probe.wav');
        await run(tools.sox, ['-D', '-V1', file, '-t', 'wav', '-e', 'signed-integer', '-b', '16', '-c', '1', probe]);
        const buf = readFileSync(probe);
        const info = parseWav(buf);
        const m = measureSpeech(pcm16Samples(buf, info.dataOffset, info.dataLength), info.sampleRate);
        f.speechSeconds = m.speechSeconds;
        f.levelDb = m.activeDb;
        const edge = limits.maxEdgeSilenceSeconds;
        if (m.leadSeconds > edge) f.problems.push(`${file}: ${m.leadSeconds.toFixed(1)} s of silence before the first word (at most ${edge} s): trim it`);
        if (m.trailSeconds > edge) f.problems.push(`${file}: ${m.trailSeconds.toFixed(1)} s of silence after the last word (at most ${edge} s): trim it`);
        if (f.currentSeconds) {
          const ratio = m.speechSeconds / f.currentSeconds;
          if (ratio < limits.minLengthRatio || ratio > limits.maxLengthRatio) {
            f.problems.push(
              `${file}: ${m.speechSeconds.toFixed(1)} s of speech for a prompt whose current audio lasts ${f.currentSeconds.toFixed(1)} s ` +
                `(${ratio.toFixed(2)}×, expected ${limits.minLengthRatio}–${limits.maxLengthRatio}×): is it the text of '${name}'?`,
            );
          }
        }
      }
      report.files.push(f);
    }

    // 3. level matched across the session
    const levelsDb = report.files.flatMap((f) => (f.levelDb !== null && Number.isFinite(f.levelDb) ? [f.levelDb] : []));
    if (levelsDb.length) report.medianLevelDb = median(levelsDb);
    if (levelsDb.length >= 2) {
      const med = report.medianLevelDb!;
      for (const f of report.files) {
        if (f.levelDb === null || !Number.isFinite(f.levelDb)) continue;
        const d = f.levelDb - med;
        if (Math.abs(d) > limits.levelSpreadDb) {
          f.problems.push(
            `${f.file}: speech level ${f.levelDb.toFixed(1)} dBFS, ${Math.abs(d).toFixed(1)} dB ${d < 0 ? 'below' : 'above'} the session's median ` +
              `${med.toFixed(1)} dBFS (at most ±${limits.levelSpreadDb} dB): record it again at the session's level`,
          );
        }
      }
    }
    for (const f of report.files) report.problems.push(...f.problems);
    if (report.problems.length) return report;

    // 4. stage, keep, rename, manifest (src/speech/import.ts)
    try {
      report.kept = await putRecordingsLive({ dir, recordings: named, tools, normalise, catalogue, log });
    } catch (e) {
      throw new Error(`import-batch: ${(e as Error).message}`);
    }
    report.imported = named.map((n) => n.name);
    return report;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
