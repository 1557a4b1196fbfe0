/**
 * Writes that never stall the event loop. better-sqlite3 is synchronous: with SQLite's own busy
 * timeout, a write that finds another process holding the database's write lock (`requests
 * retry`, `data import`, a backup, a `sqlite3` shell) would block the whole service — every call's
 * keys and timers, /health — until the lock goes or the timeout ends. The service therefore opens
 * the store with a busy timeout of 0 (a locked write fails at once, SQLITE_BUSY) and retries such a
 * write here, on timers, until the store's `writeWaitMs` is spent: other calls run in between.
 * Then it is a failed step for that one caller (StoreUnavailableError → "the system is
 * unavailable", the topic's skill), never a frozen service. A full disk (SQLITE_FULL) and I/O
 * errors fail at once: waiting does not help them.
 */
import { UnavailableError } from '../domain/ports.ts';

export class StoreUnavailableError extends UnavailableError {
  override name = 'StoreUnavailableError';
}

/** SQLITE_BUSY, SQLITE_LOCKED and their extended codes (another connection holds the lock) */
export function isStoreBusy(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/** SQLITE_FULL, SQLITE_IOERR…, SQLITE_READONLY…, SQLITE_CANTOPEN: the store cannot take writes now */
export function isStoreFailure(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB)/.test(code);
}

/** What a store's writes went through (for /health and /metrics): errors by kind and when writes last worked or failed. */
export interface StoreWriteStats {
  /** writes given up because another process held the lock for longer than writeWaitMs */
  busy: number;
  /** writes that failed outright (full disk, I/O error, read-only …) */
  failed: number;
  lastOkAt: number;
  lastFailureAt: number;
  lastError: string | null;
}

export function newStoreWriteStats(): StoreWriteStats {
  return { busy: 0, failed: 0, lastOkAt: 0, lastFailureAt: 0, lastError: null };
}

/**
 * Runs `fn` (one synchronous statement or transaction); while it fails because the database is
 * locked, runs it again after 5, 10, 20 … 100 ms, without blocking, until `waitMs` has passed.
 */
export async function retryWhileBusy<T>(fn: () => T, opts: { waitMs: number; what: string; stats?: StoreWriteStats }): Promise<T> {
  const until = Date.now() + opts.waitMs;
  const st = opts.stats;
  let delay = 5;
  for (;;) {
    try {
      const v = fn();
      if (st) st.lastOkAt = Date.now();
      return v;
    } catch (e) {
      if (!isStoreBusy(e)) {
        if (isStoreFailure(e)) {
          const msg = `the store cannot ${opts.what}: ${(e as Error).message} (${(e as { code?: string }).code})`;
          if (st) Object.assign(st, { failed: st.failed + 1, lastFailureAt: Date.now(), lastError: msg });
          throw new StoreUnavailableError(msg);
        }
        throw e;
      }
      if (Date.now() + delay > until) {
        const msg = `the store is locked by another writer: could not ${opts.what} within ${opts.waitMs} ms`;
        if (st) Object.assign(st, { busy: st.busy + 1, lastFailureAt: Date.now(), lastError: msg });
        throw new StoreUnavailableError(msg);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(100, delay * 2);
    }
  }
}
