/**
 * The service's writes to the store, off the event loop. better-sqlite3 is synchronous, and with
 * synchronous=FULL each commit waits for an fsync of the WAL (1–14 ms on a quiet disk, seconds
 * while another job writes to it): on the main thread every event that arrived meanwhile waited
 * with it. The `StoreWriter` runs those writes — a registration and its number, the call records,
 * the failed-lookup counts, the SMS intents — on a `worker_threads` thread with its own connection
 * to the same file (src/store/writer-worker.ts); the main thread awaits the answer, which comes
 * only once the commit is durable. Reads stay on the main thread's connection: in WAL mode they
 * see every commit that has returned.
 *
 * - Group commit: writes that arrive while a commit is in progress go together in the next
 *   transaction (one fsync for many), each in its own savepoint, each answered after that commit.
 * - A database locked by another process is retried on the writer's timers until the store's
 *   writeWaitMs has passed (src/store/busy.ts), then StoreUnavailableError; a full disk or an I/O
 *   error at once. The outcomes are counted in the store's writeStats (/health, /metrics).
 * - A writer thread that dies is started again; the writes it had not answered fail with
 *   StoreUnavailableError (the caller hears "unavailable"). One of them may have been committed
 *   just before: every write of a call is idempotent (a request per call, topic and order; an SMS
 *   per key), so trying it again finds the stored row instead of making a second one.
 * - close() answers every write already given, then ends the thread.
 */
import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log/logger.ts';
import { StoreUnavailableError, type StoreWriteStats } from './busy.ts';

/** One statement of a write: `get` returns its first row (or null), otherwise run()'s changes and row id. */
export interface WriteStmt {
  sql: string;
  params?: unknown[];
  get?: boolean;
}
export type RunResult = { changes: number; lastInsertRowid: number };
export type WriteResult = RunResult | Record<string, unknown> | null;

/**
 * Runs one write's statements on a connection (`stmt` gives its prepared statements; the caller
 * holds the transaction): a `get` statement's first row (or null), otherwise run()'s changes and
 * row id. The writer thread and the store's own connection (IvrStore.write) both run writes here.
 */
export function runWriteStmts(stmt: (sql: string) => Database.Statement, stmts: WriteStmt[]): WriteResult[] {
  return stmts.map((s) => {
    const st = stmt(s.sql);
    if (s.get) return (st.get(...(s.params ?? [])) as Record<string, unknown> | undefined) ?? null;
    const r = st.run(...(s.params ?? []));
    return { changes: r.changes, lastInsertRowid: Number(r.lastInsertRowid) };
  });
}

/** @internal the messages between the two threads */
export interface WriteJob {
  id: number;
  /** ms since epoch: while the database is locked by another process, wait at most until then */
  deadline: number;
  stmts: WriteStmt[];
}
export type WriterRequest = { type: 'write'; job: WriteJob } | { type: 'close' } | { type: 'crash' } | { type: 'stall'; ms: number };
export type WriterReply = { id: number; ok: true; results: WriteResult[] } | { id: number; ok: false; kind: 'busy' | 'failure' | 'error'; message: string; code: string };
export interface WriterInit {
  path: string;
  synchronous: 'full' | 'normal';
  lockState: SharedArrayBuffer;
}

export interface StoreWriterOptions {
  path: string;
  synchronous?: 'full' | 'normal';
  /** how long a write waits for another process's lock before it fails */
  writeWaitMs: number;
  stats: StoreWriteStats;
  logger?: Logger;
}

interface Pending {
  resolve(r: WriteResult[]): void;
  reject(e: Error): void;
  what: string;
}

// the worker runs the same kind of file as this one: .js from dist/, or .ts (under tsx and vitest)
// through tsx's loader, registered inside the worker before its module loads
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './writer-worker.ts' : './writer-worker.js', import.meta.url);
function workerEntry(): { entry: URL | string; eval: boolean } {
  if (!FROM_SOURCE) return { entry: WORKER_URL, eval: false };
  // tsx's ESM entry (its package exports give require() the .cjs one, whose register() fails in a worker)
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return { entry: `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`, eval: true };
}

export class StoreWriter {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private closing: Promise<void> | undefined;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly lockState = new Int32Array(new SharedArrayBuffer(8));

  constructor(private readonly o: StoreWriterOptions) {
    this.start();
  }

  /** writes not answered yet */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Runs the statements in one transaction's savepoint on the writer thread; resolves with their
   * results once the commit is durable. `what` names it in errors ("register the request").
   */
  write(stmts: WriteStmt[], what: string): Promise<WriteResult[]> {
    if (this.closing) return Promise.reject(new StoreUnavailableError(`the store is closing: could not ${what}`));
    const w = this.worker;
    if (!w) {
      this.failed(`the store's writer is restarting: could not ${what}`);
      return Promise.reject(new StoreUnavailableError(`the store's writer is restarting: could not ${what}`));
    }
    const id = ++this.seq;
    return new Promise<WriteResult[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, what });
      w.postMessage({ type: 'write', job: { id, deadline: Date.now() + this.o.writeWaitMs, stmts } } satisfies WriterRequest);
    });
  }

  /**
   * A reading of the writer's lock state; heldLockSince(reading) says whether the writer held the
   * write lock at some moment since: a lock the main thread met then may be its own writer's, not
   * another process's (probeStoreWritable).
   */
  lockEpoch(): number {
    return Atomics.load(this.lockState, 1) * 2 + Atomics.load(this.lockState, 0);
  }
  heldLockSince(epoch: number): boolean {
    return (epoch & 1) === 1 || this.lockEpoch() !== epoch;
  }

  /** Answers every write already given (committed, or failed), then ends the thread. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      clearTimeout(this.restartTimer);
      const w = this.worker;
      if (!w) return resolve();
      w.once('exit', () => resolve());
      w.postMessage({ type: 'close' } satisfies WriterRequest);
    });
    return this.closing;
  }

  /** tests: the thread dies in its next batch, after the statements and before the COMMIT */
  crashNextCommit(): void {
    this.worker?.postMessage({ type: 'crash' } satisfies WriterRequest);
  }

  /**
   * tests: in its next batch the thread stops for `ms` right after its BEGIN has taken the write
   * lock, as a thread taken off the CPU at that instant would
   */
  stallNextBegin(ms: number): void {
    this.worker?.postMessage({ type: 'stall', ms } satisfies WriterRequest);
  }

  /** tests: ends the thread at once, as a crash would */
  async kill(): Promise<void> {
    await this.worker?.terminate();
  }

  private start(): void {
    const { entry, eval: isEval } = workerEntry();
    const w = new Worker(entry, {
      eval: isEval,
      // not the parent's flags (a diagnostic preload, vitest's): this thread only writes
      execArgv: [],
      workerData: { path: this.o.path, synchronous: this.o.synchronous ?? 'full', lockState: this.lockState.buffer as SharedArrayBuffer } satisfies WriterInit,
    });
    this.worker = w;
    w.on('message', (m: WriterReply) => this.answer(m));
    w.on('error', (e) => this.o.logger?.error({ err: e }, 'the store\'s writer thread failed'));
    w.on('exit', (exitCode) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      Atomics.store(this.lockState, 0, 0);
      const lost = [...this.pending.values()];
      this.pending.clear();
      for (const p of lost) {
        const msg = `the store's writer stopped before answering: could not ${p.what}`;
        this.failed(msg);
        p.reject(new StoreUnavailableError(msg));
      }
      if (this.closing) return;
      this.o.logger?.error({ exitCode, unanswered: lost.length }, 'the store\'s writer thread stopped: starting it again (its unanswered writes failed: the callers heard the system is unavailable)');
      // again at once (the writes that come meanwhile wait for it); after repeated failures (the
      // file cannot be opened) at most once a second, the writes failing as unavailable meanwhile
      const wait = Math.min(1000, this.restarts++ * 100);
      if (wait === 0) return this.start();
      this.restartTimer = setTimeout(() => this.start(), wait);
      this.restartTimer.unref();
    });
  }

  private answer(m: WriterReply): void {
    if (m.id === 0) {
      this.restarts = 0; // opened the store
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    const st = this.o.stats;
    if (m.ok) {
      st.lastOkAt = Date.now();
      return p.resolve(m.results);
    }
    if (m.kind === 'busy') {
      const msg = `the store is locked by another writer: could not ${p.what} within ${this.o.writeWaitMs} ms`;
      Object.assign(st, { busy: st.busy + 1, lastFailureAt: Date.now(), lastError: msg });
      return p.reject(new StoreUnavailableError(msg));
    }
    if (m.kind === 'failure') {
      const msg = `the store cannot ${p.what}: ${m.message} (${m.code})`;
      this.failed(msg);
      return p.reject(new StoreUnavailableError(msg));
    }
    p.reject(Object.assign(new Error(m.message), { code: m.code }));
  }

  private failed(msg: string): void {
    const st = this.o.stats;
    Object.assign(st, { failed: st.failed + 1, lastFailureAt: Date.now(), lastError: msg });
  }
}
