/**
 * Failed-lookup counters per calling number with a sliding time window: a national ID + order
 * number pair that does not match is a failed try, and too many from one number within the window
 * sends the caller to an agent (no enumeration of other people's orders). Kept in the store so the
 * limit holds across calls and restarts. Withheld numbers ('') share one counter.
 */
import type { IvrStore } from './db.ts';

export interface FailedLookupOptions {
  /** failures allowed within the window before `isLimited` says yes (default 5) */
  maxFailures?: number;
  /** window length (default 1 hour) */
  windowMs?: number;
  now?: () => number;
}

export class FailedLookups {
  readonly maxFailures: number;
  readonly windowMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: IvrStore,
    opts: FailedLookupOptions = {},
  ) {
    this.maxFailures = opts.maxFailures ?? 5;
    this.windowMs = opts.windowMs ?? 60 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /**
   * record() for a running service, through the store's write path (IvrStore.write: the writer
   * thread, or a database locked by another writer retried on timers), so the event loop never
   * waits; the count is read once the commit has returned. Rejects when the store stays locked or fails.
   */
  async recordAsync(callerNumber: string): Promise<number> {
    await this.store.write(this.recordStatements(callerNumber), 'count a failed lookup');
    return this.count(callerNumber);
  }

  /** records one failed try; returns the number of failures within the window, this one included */
  record(callerNumber: string): number {
    const [drop, add] = this.recordStatements(callerNumber);
    this.store.db.transaction(() => {
      this.store.stmt(drop!.sql).run(...drop!.params);
      this.store.stmt(add!.sql).run(...add!.params);
    })();
    return this.count(callerNumber);
  }

  /** one failed try: the number's entries older than the window go, this one is added */
  private recordStatements(callerNumber: string): { sql: string; params: unknown[] }[] {
    const now = this.now();
    return [
      { sql: `DELETE FROM lookup_failures WHERE caller_number = ? AND at_ms <= ?`, params: [callerNumber, now - this.windowMs] },
      { sql: `INSERT INTO lookup_failures (caller_number, at_ms) VALUES (?, ?)`, params: [callerNumber, now] },
    ];
  }

  /** failures of this number within the window */
  count(callerNumber: string): number {
    const row = this.store
      .stmt(`SELECT count(*) AS n FROM lookup_failures WHERE caller_number = ? AND at_ms > ?`)
      .get(callerNumber, this.now() - this.windowMs) as { n: number };
    return row.n;
  }

  /** true when this number has used up its failed tries within the window */
  isLimited(callerNumber: string): boolean {
    return this.count(callerNumber) >= this.maxFailures;
  }

  /** forgets the failures of a number (e.g. after a successful lookup, or by an admin) */
  clear(callerNumber: string): void {
    this.store.stmt(`DELETE FROM lookup_failures WHERE caller_number = ?`).run(callerNumber);
  }

  /** drops entries older than the window for every number; returns how many */
  prune(): number {
    return this.store.stmt(`DELETE FROM lookup_failures WHERE at_ms <= ?`).run(this.now() - this.windowMs).changes;
  }
}
