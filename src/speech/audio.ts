/**
 * Small, dependency-free audio helpers (pure: Buffers in, facts out): WAV header parsing, G.711
 * decoding and level analysis of 16-bit PCM, for the prompt checks.
 */

/** The audio formats every prompt must have (Asterisk picks the best one for the channel's codec). */
export const REQUIRED_FORMATS = ['wav', 'ulaw', 'alaw', 'sln16'] as const;
export type AudioFormat = (typeof REQUIRED_FORMATS)[number];
/** Every extension the checks treat as prompt audio. */
export const AUDIO_EXTENSIONS = ['wav', 'ulaw', 'alaw', 'sln16', 'sln', 'g722', 'gsm', 'g729'] as const;

export interface WavInfo {
  /** 1 = PCM, 3 = float, 6 = A-law, 7 = µ-law, 0xFFFE = extensible */
  audioFormat: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  dataOffset: number;
  dataLength: number;
}

/** Parses a RIFF/WAVE header; throws an Error saying what is wrong. */
export function parseWav(buf: Buffer): WavInfo {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let pos = 12;
  let fmt: Omit<WavInfo, 'dataOffset' | 'dataLength'> | undefined;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw new Error('truncated fmt chunk');
      let audioFormat = buf.readUInt16LE(body);
      if (audioFormat === 0xfffe && size >= 26 && body + 26 <= buf.length) audioFormat = buf.readUInt16LE(body + 24);
      fmt = {
        audioFormat,
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('data chunk before fmt chunk');
      const dataLength = Math.min(size, buf.length - body);
      return { ...fmt, dataOffset: body, dataLength };
    }
    pos = body + size + (size % 2);
  }
  throw new Error(fmt ? 'no data chunk' : 'no fmt chunk');
}

/** Signed 16-bit little-endian samples of a buffer (odd trailing byte ignored). */
export function pcm16Samples(buf: Buffer, offset = 0, length = buf.length - offset): Int16Array {
  const n = Math.floor(length / 2);
  const out = new Int16Array(n);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) {
    // little-endian host: one copy of the bytes
    new Uint8Array(out.buffer).set(buf.subarray(offset, offset + n * 2));
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = buf.readInt16LE(offset + i * 2);
  return out;
}

/** ITU-T G.711 µ-law byte → 16-bit linear. */
export function ulawToLinear(u: number): number {
  const x = ~u & 0xff;
  const sign = x & 0x80;
  const exponent = (x >> 4) & 0x07;
  const mantissa = x & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return sign ? -magnitude : magnitude;
}

/** ITU-T G.711 A-law byte → 16-bit linear. */
export function alawToLinear(a: number): number {
  const x = a ^ 0x55;
  const sign = x & 0x80;
  const exponent = (x >> 4) & 0x07;
  const mantissa = x & 0x0f;
  let magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  magnitude = Math.min(magnitude, 32767);
  return sign ? magnitude : -magnitude;
}

const ULAW_TABLE = Int16Array.from({ length: 256 }, (_, i) => ulawToLinear(i));
const ALAW_TABLE = Int16Array.from({ length: 256 }, (_, i) => alawToLinear(i));

export function decodeG711(buf: Buffer, law: 'ulaw' | 'alaw'): Int16Array {
  const table = law === 'ulaw' ? ULAW_TABLE : ALAW_TABLE;
  const out = new Int16Array(buf.length);
  for (let i = 0; i < buf.length; i++) out[i] = table[buf[i]!]!;
  return out;
}

export interface Levels {
  samples: number;
  /** peak |sample| / 32768, 0 … 1 */
  peak: number;
  /** peak in dBFS (−Infinity for digital silence) */
  peakDb: number;
  /** samples at full scale (|s| ≥ fullScale) */
  clipped: number;
}

/**
 * Peak level and clipped-sample count. `fullScale` is the magnitude counted as clipping: 32767 for
 * 16-bit PCM; G.711's largest codes decode to 32124 (µ-law) and 32256 (A-law), so pass those.
 */
export function levels(samples: Int16Array, fullScale = 32767): Levels {
  let peak = 0;
  let clipped = 0;
  const n = samples.length;
  for (let i = 0; i < n; i++) {
    const s = samples[i]!;
    const a = s < 0 ? -s : s;
    if (a > peak) peak = a;
    if (a >= fullScale) clipped++;
  }
  const p = peak / 32768;
  return { samples: n, peak: p, peakDb: p > 0 ? 20 * Math.log10(p) : -Infinity, clipped };
}

/** Thresholds of the level checks. */
export const LEVEL_LIMITS = {
  /** below this peak a file counts as silent */
  silentPeakDb: -40,
  /** a file counts as clipped when more than this share of its samples are at full scale … */
  clippedShare: 0.001,
  /** … and at least this many */
  clippedMin: 3,
};

/** One line describing a level problem, or undefined. */
export function levelProblem(l: Levels): string | undefined {
  if (l.samples === 0) return 'has no audio samples';
  if (l.peakDb < LEVEL_LIMITS.silentPeakDb) {
    return `is silent (peak ${Number.isFinite(l.peakDb) ? l.peakDb.toFixed(1) : '-inf'} dBFS, below ${LEVEL_LIMITS.silentPeakDb} dBFS)`;
  }
  if (l.clipped >= LEVEL_LIMITS.clippedMin && l.clipped > l.samples * LEVEL_LIMITS.clippedShare) {
    return `is clipped (${l.clipped} of ${l.samples} samples at full scale)`;
  }
  return undefined;
}
