/**
 * What a softphone heard, measured: the WAV baresip's sndfile writes while the call goes on (16-bit
 * PCM, mono), cut into 20 ms frames, each loud (above SPEECH_DBFS) or quiet.
 *
 * sndfile writes only the audio that arrives: while Asterisk sends no RTP (a channel in Stasis()
 * between two prompts sends none) the file does not grow. A `Listener` therefore reads the file
 * as it grows and puts its frames on the wall clock: time that passed with nothing received
 * counts as silence, as it is for the person at the phone.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';

export const FRAME_MS = 20;
/** a frame louder than this (RMS, dB below full scale) is sound; G.711 idle noise is far below */
export const SPEECH_DBFS = -45;

export function rmsDbfs(samples: Int16Array): number {
  if (samples.length === 0) return -Infinity;
  let sum = 0;
  for (const s of samples) sum += s * s;
  return 20 * Math.log10(Math.sqrt(sum / samples.length) / 32768);
}

/** The PCM of a WAV file: finds the fmt and data chunks (a data size still 0 while written: to the end). */
export function readWav(bytes: Buffer): { rate: number; samples: Int16Array; dataOffset: number } {
  if (bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let rate = 0;
  let off = 12;
  while (off + 8 <= bytes.length) {
    const id = bytes.toString('ascii', off, off + 4);
    const size = bytes.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      if (bytes.readUInt16LE(off + 8) !== 1 || bytes.readUInt16LE(off + 10) !== 1 || bytes.readUInt16LE(off + 22) !== 16) throw new Error('only 16-bit mono PCM WAV is read');
      rate = bytes.readUInt32LE(off + 12);
    } else if (id === 'data') {
      const start = off + 8;
      const end = size > 0 && start + size <= bytes.length ? start + size : bytes.length;
      const n = Math.floor((end - start) / 2);
      const samples = new Int16Array(n);
      for (let i = 0; i < n; i++) samples[i] = bytes.readInt16LE(start + 2 * i);
      if (!rate) throw new Error('WAV data before its fmt chunk');
      return { rate, samples, dataOffset: start };
    }
    off += 8 + size + (size % 2);
  }
  throw new Error('WAV file without a data chunk');
}

/** Per 20 ms frame: loud or not. */
export function loudFrames(samples: Int16Array, rate: number): boolean[] {
  const n = (rate * FRAME_MS) / 1000;
  const out: boolean[] = [];
  for (let i = 0; i + n <= samples.length; i += n) out.push(rmsDbfs(samples.subarray(i, i + n)) > SPEECH_DBFS);
  return out;
}

/** Seconds of sound in a WAV file (e.g. a prompt): the same measure as what a phone heard. */
export function soundSeconds(path: string): number {
  const { samples, rate } = readWav(readFileSync(path));
  return (loudFrames(samples, rate).filter(Boolean).length * FRAME_MS) / 1000;
}

export interface Stretch {
  loud: boolean;
  /** seconds from the start of the listening */
  from: number;
  to: number;
}

/** Runs of loud and quiet frames. */
export function stretches(frames: boolean[]): Stretch[] {
  const out: Stretch[] = [];
  frames.forEach((loud, i) => {
    const last = out[out.length - 1];
    if (last && last.loud === loud) last.to = ((i + 1) * FRAME_MS) / 1000;
    else out.push({ loud, from: (i * FRAME_MS) / 1000, to: ((i + 1) * FRAME_MS) / 1000 });
  });
  return out;
}

/** Follows a growing recording on the wall clock (see the file's comment). */
export class Listener {
  /** every 20 ms since start(): loud or not */
  readonly frames: boolean[] = [];
  private fd?: number;
  private offset = 0;
  private rate = 8000;
  private pending = Buffer.alloc(0);
  private t0 = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly file: () => string | undefined) {}

  /** Starts following; `t0`: when the call was answered (default now). */
  start(t0 = Date.now()): void {
    this.t0 = t0;
    this.timer = setInterval(() => this.poll(), 50);
  }

  private poll(): void {
    if (this.fd === undefined) {
      const f = this.file();
      if (!f || !existsSync(f)) return this.catchUp();
      const fd = openSync(f, 'r');
      const head = Buffer.alloc(Math.min(fstatSync(fd).size, 4096));
      readSync(fd, head, 0, head.length, 0);
      try {
        const w = readWav(head);
        this.rate = w.rate;
        this.offset = w.dataOffset;
        this.fd = fd;
      } catch {
        closeSync(fd);
        return this.catchUp();
      }
    }
    const size = fstatSync(this.fd).size;
    if (size > this.offset) {
      const chunk = Buffer.alloc(size - this.offset);
      readSync(this.fd, chunk, 0, chunk.length, this.offset);
      this.offset = size;
      this.pending = Buffer.concat([this.pending, chunk]);
      const frameBytes = (this.rate * FRAME_MS * 2) / 1000;
      const whole = this.pending.length - (this.pending.length % frameBytes);
      const pcm = new Int16Array(whole / 2);
      for (let i = 0; i < pcm.length; i++) pcm[i] = this.pending.readInt16LE(2 * i);
      this.pending = this.pending.subarray(whole);
      this.frames.push(...loudFrames(pcm, this.rate));
    }
    this.catchUp();
  }

  /** Time on the wall clock with nothing received (beyond 100 ms of jitter) is silence. */
  private catchUp(): void {
    const due = Math.floor((Date.now() - this.t0 - 100) / FRAME_MS);
    while (this.frames.length < due) this.frames.push(false);
  }

  /** Seconds since start(). */
  now(): number {
    return (Date.now() - this.t0) / 1000;
  }

  /**
   * Waits until the far end has spoken and then been quiet for `quietMs`: a person waits for the
   * end of the prompt before keying. Returns the stretch of sound that ended.
   */
  async pause(quietMs = 1000, timeoutMs = 40_000): Promise<void> {
    const from = this.frames.length;
    const deadline = Date.now() + timeoutMs;
    const need = quietMs / FRAME_MS;
    for (;;) {
      const f = this.frames.slice(from);
      const lastLoud = f.lastIndexOf(true);
      if (lastLoud >= 0 && f.length - 1 - lastLoud >= need) return;
      if (Date.now() > deadline) throw new Error(`no prompt followed by ${quietMs} ms of quiet within ${timeoutMs} ms (heard ${(f.filter(Boolean).length * FRAME_MS) / 1000} s of sound)`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.poll();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
