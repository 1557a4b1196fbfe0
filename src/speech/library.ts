/**
 * The running service's view of the prompts: catalogue texts and which audio exists, kept current
 * without a restart (fs.watch on the prompt folders with a debounce, plus reload()).
 * A catalogue that fails to load keeps the last good one and logs every problem.
 */
import { audioFilesUnder } from './check.ts';
import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log/logger.ts';
import { AUDIO_EXTENSIONS } from './audio.ts';
import { readCatalogue, type Catalogue, type PromptEntry } from './catalogue.ts';
import { toPersianText } from './compose.ts';

/** The prompts folder inside the project. */
export const DEFAULT_PROMPTS_DIR = 'prompts/fa';

/**
 * The prompts folder to use: env IVR_PROMPTS_DIR, else the project's prompts/fa (shown relative to
 * the working directory when it is inside it, so messages stay short).
 */
export function defaultPromptsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.IVR_PROMPTS_DIR) return env.IVR_PROMPTS_DIR;
  const abs = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', DEFAULT_PROMPTS_DIR);
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

export interface PromptLibraryOptions {
  /** the prompts folder, e.g. prompts/fa; the catalogue is <dir>/catalogue */
  dir: string;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** quiet time after the last file event before reloading; default 300 ms */
  debounceMs?: number;
}

export interface LibraryChange {
  added: string[];
  removed: string[];
  /** prompts whose text changed */
  textChanged: string[];
  /** prompts whose audio files appeared, vanished or changed */
  audioChanged: string[];
  /** catalogue problems (the previous catalogue is kept when there are any) */
  problems: string[];
}

type AudioIndex = Map<string, Map<string, string>>; // name → ext → "size:mtime"

export class PromptLibrary {
  readonly dir: string;
  private catalogue: Catalogue;
  private audio: AudioIndex = new Map();
  private loaded = false;
  private watchers = new Map<string, FSWatcher>();
  private timer: NodeJS.Timeout | undefined;
  private listeners = new Set<(c: LibraryChange) => void>();
  private readonly log: PromptLibraryOptions['logger'];
  private readonly debounceMs: number;

  constructor(opts: PromptLibraryOptions) {
    this.dir = opts.dir;
    this.log = opts.logger;
    this.debounceMs = opts.debounceMs ?? 300;
    this.catalogue = { dir: join(this.dir, 'catalogue'), files: [], entries: new Map() };
    this.reload();
  }

  /** True when the prompt has a catalogue entry and at least one audio file Asterisk can play. */
  has(name: string): boolean {
    return this.catalogue.entries.has(name) && (this.audio.get(name)?.size ?? 0) > 0;
  }

  /** The Persian text of a prompt, or undefined. */
  text(name: string): string | undefined {
    return this.catalogue.entries.get(name)?.text;
  }

  entry(name: string): PromptEntry | undefined {
    return this.catalogue.entries.get(name);
  }

  /** Every catalogue name. */
  names(): string[] {
    return [...this.catalogue.entries.keys()];
  }

  /** Audio formats present for a prompt (e.g. ['alaw', 'sln16', 'ulaw', 'wav']). */
  formats(name: string): string[] {
    return [...(this.audio.get(name)?.keys() ?? [])].sort();
  }

  /** The Persian text of composed prompt names (for logs and the CLI). */
  describe(names: readonly string[]): string {
    return toPersianText(names, this.catalogue.entries);
  }

  /** Called after every reload that changed something. */
  onChange(listener: (c: LibraryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads the catalogue and the audio list now; logs and returns what changed. */
  reload(): LibraryChange {
    const change: LibraryChange = { added: [], removed: [], textChanged: [], audioChanged: [], problems: [] };
    const { catalogue, problems } = readCatalogue(join(this.dir, 'catalogue'));
    if (problems.length) {
      change.problems = problems;
      this.log?.error({ problems }, `prompt catalogue has ${problems.length} problem(s); keeping the previous texts`);
    } else {
      const before = this.catalogue.entries;
      for (const [n, e] of catalogue.entries) {
        const old = before.get(n);
        if (!old) change.added.push(n);
        else if (old.text !== e.text) change.textChanged.push(n);
      }
      for (const n of before.keys()) if (!catalogue.entries.has(n)) change.removed.push(n);
      this.catalogue = catalogue;
    }
    const audio = this.scanAudio();
    for (const n of new Set([...audio.keys(), ...this.audio.keys()])) {
      const a = audio.get(n);
      const b = this.audio.get(n);
      const same = a && b && a.size === b.size && [...a].every(([ext, sig]) => b.get(ext) === sig);
      if (!same) change.audioChanged.push(n);
    }
    const first = !this.loaded;
    this.loaded = true;
    this.audio = audio;
    this.rewatch();
    const changed = change.added.length + change.removed.length + change.textChanged.length + change.audioChanged.length;
    if (changed || change.problems.length) {
      if (!changed) {
        // the problems are logged above
      } else if (first) {
        this.log?.info({ dir: this.dir, prompts: this.catalogue.entries.size, withAudio: [...this.audio.keys()].length }, 'prompts loaded');
      } else {
        this.log?.info(
          { added: change.added, removed: change.removed, textChanged: change.textChanged, audioChanged: change.audioChanged },
          'prompts reloaded',
        );
      }
      for (const l of this.listeners) l(change);
    }
    return change;
  }

  /** Starts watching the prompt folders (idempotent). */
  watch(): this {
    this.rewatch(true);
    return this;
  }

  /** Stops watching. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  private watching = false;

  private rewatch(start = false): void {
    if (start) this.watching = true;
    if (!this.watching) return;
    const dirs = new Set<string>();
    const walk = (d: string): void => {
      if (!existsSync(d)) return;
      dirs.add(d);
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory() && !e.name.startsWith('.')) walk(join(d, e.name));
    };
    walk(this.dir);
    for (const [d, w] of this.watchers) {
      if (!dirs.has(d)) {
        w.close();
        this.watchers.delete(d);
      }
    }
    for (const d of dirs) {
      if (this.watchers.has(d)) continue;
      try {
        const w = watch(d, { persistent: false }, () => this.schedule());
        w.on('error', () => {
          w.close();
          this.watchers.delete(d);
        });
        this.watchers.set(d, w);
      } catch (e) {
        this.log?.warn({ dir: d, err: e }, 'cannot watch prompt folder; use reload()');
      }
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.reload();
      } catch (e) {
        this.log?.error({ err: e }, 'prompt reload failed');
      }
    }, this.debounceMs);
    this.timer.unref?.();
  }

  private scanAudio(): AudioIndex {
    const index: AudioIndex = new Map();
    for (const p of audioFilesUnder(this.dir)) {
      const base = p.slice(p.lastIndexOf(sep) + 1);
      const dot = base.lastIndexOf('.');
      const ext = dot > 0 ? base.slice(dot + 1) : '';
      if (!(AUDIO_EXTENSIONS as readonly string[]).includes(ext)) continue;
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (!st.size) continue;
      const rel = relative(this.dir, p).split(sep).join('/');
      const name = rel.slice(0, rel.length - ext.length - 1);
      let m = index.get(name);
      if (!m) index.set(name, (m = new Map()));
      m.set(ext, `${st.size}:${st.mtimeMs}`);
    }
    return index;
  }
}


/**
 * Length in seconds of a prompt's audio, from the size of its 8 kHz µ-law file (one byte a
 * sample), cached for `ttlMs` so that a re-recorded prompt is measured again. Used to tell
 * Asterisk how long a playback may hold the channel (the IVR watchdog); a prompt without a
 * .ulaw file counts `fallbackSeconds`.
 */
export function promptSecondsReader(dir: string, ttlMs = 60_000, fallbackSeconds = 5): (name: string) => number {
  const cache = new Map<string, number>();
  let clearedAt = Date.now();
  return (name) => {
    if (Date.now() - clearedAt > ttlMs) {
      cache.clear();
      clearedAt = Date.now();
    }
    let s = cache.get(name);
    if (s === undefined) {
      try {
        s = statSync(join(dir, `${name}.ulaw`)).size / 8000;
      } catch {
        s = fallbackSeconds;
      }
      cache.set(name, s);
    }
    return s;
  };
}
