/**
 * Live reload of the configuration (`serve`): the config file and the holiday table are watched
 * (their folders, so that editors that write a new file and rename it over the old one are seen)
 * and re-read on SIGHUP.
 * A reload goes through the start-up loader (src/config/load.ts: defaults ← file ← environment,
 * the same zod validation and messages) and then through the same `build` the service ran at
 * start (call machine, working calendar…); only when both succeed does the new version replace
 * the old one, for new calls. On any error the running version stays and the reason is logged
 * and kept for /health.
 *
 * What changes live: `flow` (menus, timeouts, tries, entries, prompt names, owning skills),
 * `policy` (thresholds, calendar, holiday table) and `routing.skills`. The holiday table is a file
 * of its own (policy.holidaysFile): its contents count as part of the configuration (compared by
 * hash, reported as `policy.holidays`), so editing the table in place reloads like editing the
 * config file, and its file is watched too. Everything else (service:
 * ports, ARI, prompts folder…; data: store, Quantum, SMS…; console; routing.agentsContext, which
 * the dialplan is built around) needs a restart: such a change is reported as such and not applied
 * at all, while the live part of the same edit is.
 *
 * Calls in progress are not touched: each call takes the version current when it starts
 * (`current()`) and keeps it to its end.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '../log/logger.ts';
import { holidaysPath } from '../policy/load.ts';
import type { AppConfig } from './schema.ts';

/** parts of the configuration that a reload applies to new calls (paths in the file) */
export const LIVE_PATHS = ['flow', 'policy', 'routing.skills'] as const;

const isLive = (path: string) => LIVE_PATHS.some((p) => path === p || path.startsWith(`${p}.`));

/** JSON with sorted keys: equal data, equal text */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** the paths (down to `depth` levels, e.g. flow.timeouts.menuMs) where a and b differ */
export function changedPaths(a: unknown, b: unknown, depth = 3, prefix = ''): string[] {
  if (stable(a) === stable(b)) return [];
  if (depth === 0 || !isObject(a) || !isObject(b)) return [prefix || '(all)'];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) => changedPaths(a[k], b[k], depth - 1, prefix ? `${prefix}.${k}` : k));
}

export interface ConfigChanges {
  /** applied to new calls */
  live: string[];
  /** need a restart; not applied */
  restart: string[];
}

/** what differs between the running configuration and a newly read one, split by what can change live */
export function configChanges(running: AppConfig, next: AppConfig): ConfigChanges {
  const all = changedPaths(running, next);
  return { live: all.filter(isLive), restart: all.filter((p) => !isLive(p)) };
}

/** the running configuration with the live parts of `next` (and nothing else of it) */
export function withLiveParts(running: AppConfig, next: AppConfig): AppConfig {
  return { ...running, flow: next.flow, policy: next.policy, routing: { ...running.routing, skills: next.routing.skills } };
}

/**
 * The files a configuration refers to whose contents are part of it, by the name a change is
 * reported under: the holiday table (policy.holidaysFile, resolved as the service reads it).
 */
export function configFiles(cfg: AppConfig): Record<string, string> {
  return { 'policy.holidays': holidaysPath(cfg.policy.holidaysFile) };
}

/** fingerprint of a file's contents; a file that cannot be read gets the reason (readable → not is a change too) */
export function contentHash(path: string): string {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
  } catch (e) {
    return `unreadable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
}

/** short fingerprint of a configuration (logs, /health): equal settings (and referred files' contents), equal hash */
export function configHash(cfg: AppConfig, contents: Record<string, string> = {}): string {
  const h = createHash('sha256').update(stable(cfg));
  if (Object.keys(contents).length) h.update(stable(contents));
  return h.digest('hex').slice(0, 8);
}

export interface ConfigVersion<T> {
  /** 1 at start, +1 for each reload that changed something live */
  n: number;
  hash: string;
  config: AppConfig;
  /** hash of the contents of each file the configuration refers to (configFiles: the holiday table), as read before `build` */
  contents: Record<string, string>;
  /** what `build` made of it (the call machine, the policy with its calendar…) */
  runtime: T;
  loadedAt: string;
}

export type ReloadTrigger = 'file' | 'SIGHUP' | 'manual';

export interface ReloadResult {
  result: 'applied' | 'unchanged' | 'rejected';
  /** the version new calls get after this reload */
  version: number;
  hash: string;
  /** live paths that changed (applied) */
  changed: string[];
  /** paths that changed in the file but need a restart (not applied) */
  needsRestart: string[];
  /** why a rejected reload was refused: the start-up validation's lines */
  problems: string[];
}

/** the `config` entry of /health */
export interface ConfigStatus {
  ok: boolean;
  version: number;
  hash: string;
  loadedAt: string;
  file: string | null;
  needsRestart: string[];
  lastReload?: { at: string; trigger: ReloadTrigger; result: ReloadResult['result']; changed?: string[]; problems?: string[] };
}

export interface LiveConfigOptions<T> {
  initial: AppConfig;
  /** reads and validates the configuration as at start-up (loadConfig); throws ConfigError */
  load(): AppConfig;
  /** makes what calls run from a configuration; an error here rejects the reload like a validation error */
  build(cfg: AppConfig): T;
  logger: Logger;
  /** the file watched (absolute); undefined: no file to watch */
  file?: string;
  /** quiet time after the last change of the file before it is read (editors write in steps); default 300 ms */
  debounceMs?: number;
  /** the files whose contents are part of a configuration (compared, watched); default configFiles (the holiday table) */
  files?(cfg: AppConfig): Record<string, string>;
}

/** one admin-readable line per problem of an error thrown by load or build */
export function problemsOf(e: unknown): string[] {
  const p = (e as { problems?: unknown }).problems;
  if (Array.isArray(p) && p.length && p.every((x) => typeof x === 'string')) return p;
  return [(e as Error)?.message ?? String(e)];
}

export class LiveConfig<T> {
  private version: ConfigVersion<T>;
  private readonly log: Logger;
  /** one watcher per folder of a watched file (the config file, the holiday table) */
  private readonly watchers = new Map<string, FSWatcher>();
  /** the names watched in each folder */
  private watched = new Map<string, Set<string>>();
  private watching = false;
  /** the watched files already said in the log */
  private readonly announced = new Set<string>();
  private timer?: NodeJS.Timeout;
  private onSignal?: () => void;
  private pendingRestart: string[] = [];
  /** reloads so far by result (/metrics) */
  readonly reloads: Record<ReloadResult['result'], number> = { applied: 0, unchanged: 0, rejected: 0 };
  private last?: ConfigStatus['lastReload'];

  constructor(private readonly o: LiveConfigOptions<T>) {
    this.log = o.logger.child({ component: 'config' });
    const contents = this.contentsOf(o.initial);
    this.version = { n: 1, hash: configHash(o.initial, contents), config: o.initial, contents, runtime: o.build(o.initial), loadedAt: new Date().toISOString() };
  }

  private filesOf(cfg: AppConfig): Record<string, string> {
    return (this.o.files ?? configFiles)(cfg);
  }

  /** read before `build`: a file edited meanwhile then differs at the next reload (read again), never the other way round */
  private contentsOf(cfg: AppConfig): Record<string, string> {
    return Object.fromEntries(Object.entries(this.filesOf(cfg)).map(([name, path]) => [name, contentHash(path)]));
  }

  /** the version a call starting now runs with, to its end */
  current(): ConfigVersion<T> {
    return this.version;
  }

  /**
   * Reads the configuration again; applies its live parts for new calls when it is valid and
   * differs, keeps the running version otherwise. Never throws.
   */
  reload(trigger: ReloadTrigger = 'manual'): ReloadResult {
    const running = this.version;
    let next: AppConfig;
    let runtime: T;
    let applied: AppConfig;
    let changes: ConfigChanges;
    let contents: Record<string, string>;
    try {
      next = this.o.load();
      changes = configChanges(running.config, next);
      applied = withLiveParts(running.config, next);
      contents = this.contentsOf(applied);
      const edited = [...new Set([...Object.keys(running.contents), ...Object.keys(contents)])].filter((k) => running.contents[k] !== contents[k]);
      if (edited.length) changes.live = [...changes.live, ...edited].sort();
      runtime = changes.live.length ? this.o.build(applied) : running.runtime;
    } catch (e) {
      const problems = problemsOf(e);
      this.reloads.rejected++;
      this.last = { at: new Date().toISOString(), trigger, result: 'rejected', problems };
      this.log.error(
        { trigger, version: running.n, hash: running.hash, problems },
        `configuration not reloaded: still running version ${running.n} (${running.hash}); ${problems.join('; ')}`,
      );
      return { result: 'rejected', version: running.n, hash: running.hash, changed: [], needsRestart: this.pendingRestart, problems };
    }
    const restartChanged = changes.restart.join() !== this.pendingRestart.join();
    this.pendingRestart = changes.restart;
    if (changes.restart.length && (restartChanged || changes.live.length || trigger !== 'file')) {
      this.log.warn({ trigger, needsRestart: changes.restart }, `configuration: ${changes.restart.join(', ')} changed but take effect only after a restart (not applied)`);
    }
    if (!changes.live.length) {
      this.reloads.unchanged++;
      this.last = { at: new Date().toISOString(), trigger, result: 'unchanged' };
      if (trigger === 'file') this.log.debug({ trigger, version: running.n }, 'configuration file read: nothing that reloads live changed');
      else this.log.info({ trigger, version: running.n, hash: running.hash }, `configuration read: nothing that reloads live changed; still version ${running.n} (${running.hash})`);
      return { result: 'unchanged', version: running.n, hash: running.hash, changed: [], needsRestart: changes.restart, problems: [] };
    }
    this.reloads.applied++;
    this.version = { n: running.n + 1, hash: configHash(applied, contents!), config: applied, contents: contents!, runtime: runtime!, loadedAt: new Date().toISOString() };
    this.syncWatch();
    this.last = { at: this.version.loadedAt, trigger, result: 'applied', changed: changes.live };
    this.log.info(
      { trigger, version: this.version.n, hash: this.version.hash, previous: running.n, changed: changes.live },
      `configuration reloaded: version ${this.version.n} (${this.version.hash}) for new calls, changed ${changes.live.join(', ')}; calls in progress keep version ${running.n}`,
    );
    return { result: 'applied', version: this.version.n, hash: this.version.hash, changed: changes.live, needsRestart: changes.restart, problems: [] };
  }

  status(): ConfigStatus {
    const v = this.version;
    return {
      ok: this.last?.result !== 'rejected',
      version: v.n,
      hash: v.hash,
      loadedAt: v.loadedAt,
      file: this.o.file ?? null,
      needsRestart: this.pendingRestart,
      ...(this.last ? { lastReload: this.last } : {}),
    };
  }

  /** watch the config file (when there is one) and the holiday table, and/or reload on `signal`; both stop at close() */
  start(o: { watch?: boolean; signal?: NodeJS.Signals | false } = {}): void {
    if (o.watch !== false && !this.watching) {
      this.watching = true;
      this.syncWatch();
    }
    const signal = o.signal ?? 'SIGHUP';
    if (signal && !this.onSignal) {
      this.onSignal = () => {
        clearTimeout(this.timer);
        this.reload('SIGHUP');
      };
      process.on(signal, this.onSignal);
      this.signal = signal;
    }
  }

  private signal?: NodeJS.Signals;

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload('file'), this.o.debounceMs ?? 300);
    this.timer.unref();
  }

  /**
   * Watches the folders of the config file and of the current version's files (their folders, so
   * that a file renamed over the old one is seen); after a reload that moved the holiday table,
   * the new one's. Says once what it watches.
   */
  private syncWatch(): void {
    if (!this.watching) return;
    const files = Object.entries(this.filesOf(this.version.config));
    const targets: [string, string][] = [...(this.o.file ? [['configuration file', this.o.file] as [string, string]] : []), ...files];
    const byDir = new Map<string, Set<string>>();
    for (const [, path] of targets) byDir.set(dirname(path), (byDir.get(dirname(path)) ?? new Set()).add(basename(path)));
    for (const [dir, w] of this.watchers) {
      if (!byDir.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    this.watched = byDir;
    for (const [what, path] of targets) {
      const dir = dirname(path);
      if (!this.watchers.has(dir) && existsSync(dir)) {
        const w = watch(dir, { persistent: false }, (_event, changed) => {
          if (changed === null || this.watched.get(dir)?.has(changed)) this.schedule();
        });
        w.on('error', (e) => this.log.warn({ err: e, dir }, 'cannot watch a configuration folder any more: SIGHUP still reloads'));
        this.watchers.set(dir, w);
      }
      if (this.announced.has(path)) continue;
      this.announced.add(path);
      if (what === 'configuration file') {
        if (this.watchers.has(dir)) this.log.info({ file: path }, 'configuration file watched: flow, policy and routing.skills reload on save (or on SIGHUP)');
        else this.log.info({ dir }, 'configuration folder does not exist: no file to watch (SIGHUP still reloads)');
      } else if (this.watchers.has(dir)) {
        this.log.info({ file: path }, `the file of ${what} watched too: an edit of it reloads on save (or on SIGHUP)`);
      } else {
        this.log.info({ dir }, `the folder of ${what} does not exist: not watched (SIGHUP still reloads)`);
      }
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.watching = false;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.watched = new Map();
    this.announced.clear();
    if (this.onSignal && this.signal) process.off(this.signal, this.onSignal);
    this.onSignal = undefined;
  }
}
