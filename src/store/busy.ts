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

/** store errors (counted for /metrics), by kind: busy (locked by another writer) or failed (full disk, I/O …) */
export const storeErrors = { busy: 0, failed: 0 };

/**
 * Runs `fn` (one synchronous statement or transaction); while it fails because the database is
 * locked, runs it again after 5, 10, 20 … 100 ms, without blocking, until `waitMs` has passed.
 */
export async function retryWhileBusy<T>(fn: () => T, opts: { waitMs: number; what: string }): Promise<T> {
  const until = Date.now() + opts.waitMs;
  let delay = 5;
  for (;;) {
    try {
      return fn();
    } catch (e) {
      if (!isStoreBusy(e)) {
        if (isStoreFailure(e)) {
          storeErrors.failed++;
          throw new StoreUnavailableError(`the store cannot ${opts.what}: ${(e as Error).message} (${(e as { code?: string }).code})`);
        }
        throw e;
      }
      if (Date.now() + delay > until) {
        storeErrors.busy++;
        throw new StoreUnavailableError(`the store is locked by another writer: could not ${opts.what} within ${opts.waitMs} ms`);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(100, delay * 2);
    }
  }
}
