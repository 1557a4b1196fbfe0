/**
 * Sound durations: how long a media URI plays. Files are looked up the way Asterisk does
 * (`<dir>/<language>/<name>.<ext>`, then `en`, then no language folder), preferring the
 * formats in Asterisk's order; durations come from the WAV header or the raw size.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** bytes per second of the raw formats */
const RAW_RATES: Record<string, number> = {
  sln16: 32000,
  sln: 16000,
  ulaw: 8000,
  alaw: 8000,
  g722: 8000,
  gsm: 1650,
};
/** preference order (what Asterisk picks for an 8/16 kHz channel) */
export const SOUND_EXTENSIONS = ['sln16', 'sln', 'ulaw', 'alaw', 'g722', 'wav', 'gsm'] as const;

/** Core sounds Asterisk ships (durations as measured in the recorded traces / core-sounds-en). */
export const BUILTIN_SOUNDS: Readonly<Record<string, number>> = {
  beep: 425,
  'hello-world': 1405,
  'demo-congrats': 6200,
  'vm-goodbye': 900,
  'auth-thankyou': 1100,
  'pbx-invalid': 1800,
};

export type MediaKind = 'sound' | 'say' | 'missing';
export interface MediaInfo {
  kind: MediaKind;
  /** switch-time duration in ms (0 when missing) */
  durationMs: number;
  /** whether DELETE /playbacks can stop it (say-back media cannot, as in Asterisk) */
  stoppable: boolean;
}

export class SoundLibrary {
  private readonly cache = new Map<string, { mtimeMs: number; size: number; ms: number }>();
  constructor(
    private readonly dirs: Record<string, string>,
    private readonly sayItemMs: number,
  ) {}

  /** Resolves one media URI (`sound:…`, `digits:…`, `number:…`, `characters:…`). */
  media(uri: string, language: string): MediaInfo {
    const colon = uri.indexOf(':');
    const scheme = colon < 0 ? '' : uri.slice(0, colon);
    const rest = colon < 0 ? uri : uri.slice(colon + 1);
    switch (scheme) {
      case 'sound': {
        const ms = this.soundMs(rest, language);
        return ms === null ? { kind: 'missing', durationMs: 0, stoppable: true } : { kind: 'sound', durationMs: ms, stoppable: true };
      }
      case 'digits':
      case 'characters': {
        const n = [...rest].filter((c) => /[0-9A-Za-z*#]/.test(c)).length;
        return n === 0 ? { kind: 'missing', durationMs: 0, stoppable: false } : { kind: 'say', durationMs: n * this.sayItemMs, stoppable: false };
      }
      case 'number': {
        const digits = rest.replace(/^-/, '').replace(/[^0-9]/g, '');
        if (digits.length === 0) return { kind: 'missing', durationMs: 0, stoppable: false };
        const n = digits.replace(/^0+(?=.)/, '').length;
        return { kind: 'say', durationMs: n * this.sayItemMs, stoppable: false };
      }
      default:
        return { kind: 'missing', durationMs: 0, stoppable: true };
    }
  }

  /** Duration of `sound:<name>` in ms, or null when no file (and no built-in) exists. */
  soundMs(name: string, language: string): number | null {
    if (name === '' || name.includes('..')) return null;
    const { dir, rel } = this.locate(name);
    if (dir !== undefined) {
      const langs = [...new Set([language, 'en', ''])];
      for (const lang of langs) {
        for (const ext of SOUND_EXTENSIONS) {
          const ms = this.fileMs(join(dir, lang, `${rel}.${ext}`), ext);
          if (ms !== null) return ms;
        }
      }
    }
    const silence = /^silence\/(\d+)$/.exec(name);
    if (silence) return Number(silence[1]) * 1000;
    return BUILTIN_SOUNDS[name] ?? null;
  }

  private locate(name: string): { dir: string | undefined; rel: string } {
    let best: string | undefined;
    for (const prefix of Object.keys(this.dirs)) {
      if (prefix !== '' && name.startsWith(`${prefix}/`) && (best === undefined || prefix.length > best.length)) best = prefix;
    }
    if (best !== undefined) return { dir: this.dirs[best], rel: name.slice(best.length + 1) };
    return { dir: this.dirs[''], rel: name };
  }

  private fileMs(path: string, ext: string): number | null {
    let st;
    try {
      st = statSync(path);
    } catch {
      return null;
    }
    if (!st.isFile()) return null;
    const hit = this.cache.get(path);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.ms;
    const rate = RAW_RATES[ext];
    const ms = rate !== undefined ? Math.round((st.size / rate) * 1000) : wavMs(path, st.size);
    this.cache.set(path, { mtimeMs: st.mtimeMs, size: st.size, ms });
    return ms;
  }
}

/** Duration of a RIFF/WAVE file from its `fmt ` byte rate and `data` chunk size. */
export function wavMs(path: string, fileSize: number): number {
  const head = Buffer.alloc(Math.min(fileSize, 4096));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return wavHeaderMs(head, fileSize);
}

export function wavHeaderMs(head: Buffer, fileSize: number): number {
  const fallback = Math.round((Math.max(0, fileSize - 44) / 16000) * 1000);
  if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return fallback;
  let byteRate = 0;
  let off = 12;
  while (off + 8 <= head.length) {
    const id = head.toString('ascii', off, off + 4);
    const size = head.readUInt32LE(off + 4);
    if (id === 'fmt ' && off + 16 <= head.length) {
      byteRate = head.readUInt32LE(off + 8 + 8);
    } else if (id === 'data') {
      if (byteRate <= 0) return fallback;
      const dataSize = Math.min(size, fileSize - off - 8);
      return Math.round((dataSize / byteRate) * 1000);
    }
    off += 8 + size + (size % 2);
  }
  return fallback;
}
