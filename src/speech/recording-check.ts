/**
 * Checks a recording before it becomes a prompt: readable by sox (WAV, FLAC, OGG, MP3 with
 * libsox-fmt-mp3, AIFF …), a sample rate of at least 8000 Hz, a sensible length, not silent and
 * not clipped. The levels are those of the recording as delivered (before any normalisation),
 * with the same limits as `ivr-1699 check`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { promisify } from 'node:util';
import { levelProblem, levels, parseWav, pcm16Samples } from './audio.ts';
import { DEFAULT_TOOLS, type AudioTools } from './build.ts';

const run = promisify(execFile);

export const RECORDING_LIMITS = { minRate: 8000, minSeconds: 0.3, maxSeconds: 300 };

export interface RecordingFacts {
  sampleRate: number;
  channels: number;
  seconds: number;
  peakDb: number;
  /** every reason the recording is refused (empty: acceptable) */
  problems: string[];
}

export async function inspectRecording(file: string, tools: AudioTools = DEFAULT_TOOLS): Promise<RecordingFacts> {
  const work = mkdtempSync(join(tmpdir(), 'ivr-1699-rec-'));
  const wav = join(work, 'probe.wav');
  try {
    try {
      await run(tools.sox, ['-D', '-V1', file, '-t', 'wav', '-e', 'signed-integer', '-b', '16', wav]);
    } catch (e) {
      const detail = soxMessage(e);
      return { sampleRate: 0, channels: 0, seconds: 0, peakDb: -Infinity, problems: [unreadable(file, detail)] };
    }
    const buf = readFileSync(wav);
    const info = parseWav(buf);
    const samples = pcm16Samples(buf, info.dataOffset, info.dataLength);
    const seconds = samples.length / info.channels / info.sampleRate;
    const l = levels(samples);
    const problems: string[] = [];
    if (info.sampleRate < RECORDING_LIMITS.minRate) problems.push(`the sample rate is ${info.sampleRate} Hz; a prompt needs at least ${RECORDING_LIMITS.minRate} Hz`);
    if (seconds < RECORDING_LIMITS.minSeconds) problems.push(`the recording lasts ${seconds.toFixed(2)} s; a prompt lasts at least ${RECORDING_LIMITS.minSeconds} s`);
    if (seconds > RECORDING_LIMITS.maxSeconds) problems.push(`the recording lasts ${Math.round(seconds)} s; a prompt lasts at most ${RECORDING_LIMITS.maxSeconds} s`);
    const lp = levelProblem(l);
    if (lp) problems.push(`the recording ${lp}`);
    return { sampleRate: info.sampleRate, channels: info.channels, seconds, peakDb: l.peakDb, problems };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Why sox could not read a recording, and what to do: a format this server's sox has no reader
 * for (MP3 without the Debian package libsox-fmt-mp3, AAC/M4A, WMA…) gets the command that
 * converts it; a damaged file or one that is not audio, the formats that are read.
 */
function unreadable(file: string, detail: string | undefined): string {
  const why = `the file cannot be read as audio${detail ? ` (${detail})` : ''}`;
  if (!/no handler for (file extension|detected file format)/i.test(detail ?? '')) return `${why}; send WAV, FLAC, OGG or MP3`;
  const ext = extname(file).slice(1).toLowerCase() || 'this format';
  const name = basename(file);
  const wav = `${basename(file, extname(file)) || 'recording'}.wav`;
  const convert = `convert it to WAV first, e.g. \`ffmpeg -i ${name} -ac 1 -ar 16000 ${wav}\``;
  return ext === 'mp3' || /mp3/i.test(detail ?? '')
    ? `${why}: sox on this server reads no MP3; install the Debian package libsox-fmt-mp3 (\`apt-get install libsox-fmt-mp3\`) or ${convert}`
    : `${why}: sox reads no .${ext} files; ${convert}`;
}

/** The first line sox wrote about a failure, without its `sox FAIL formats:` prefix (never the whole command). */
export function soxMessage(e: unknown): string | undefined {
  const stderr = (e as { stderr?: string }).stderr;
  return String(stderr || (e as Error).message)
    .split('\n')
    .map((l) => l.replace(/^sox (FAIL|WARN) \w+: /, '').trim())
    .find((l) => l && !l.startsWith('Command failed:'));
}
