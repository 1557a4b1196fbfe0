/**
 * Call records in the embedded store (table `call_records`, one row per call, the record as JSON;
 * see src/domain/call-record.ts for what a record holds and src/domain/report.ts for the report).
 *
 * Writes never hold up a call: `add` only queues the record; the queue is written in one
 * transaction at most `batchMs` later (or at once when `maxBatch` records wait), so a busy line
 * costs one commit per batch instead of one per call. The service opens the store with a busy
 * timeout of 0 (src/store/busy.ts): a batch that finds the database locked by another writer fails
 * at once, stays queued and is tried again a second later — the event loop never waits on the lock.
 * `flush()` writes what waits now (the service
 * calls it when it stops); a record still queued when the process is killed is lost — the calls'
 * requests are not (they are committed before the caller hears "registered").
 *
 * API for other parts (the web console, issue 13):
 *   const records = new CallRecordStore(store);      // store = openStore(path) / openConfiguredStore(...)
 *   records.list({ from, to })                        // CallRecord[] in entry order, from ≤ startedAt < to
 *   buildReport(records.list(range), { from, to })    // src/domain/report.ts
 */
import type { CallRecord } from '../domain/call-record.ts';
import type { Logger } from '../log/logger.ts';
import { isStoreBusy } from './busy.ts';
import type { IvrStore } from './db.ts';

/** records kept waiting while the store cannot take them; beyond this the oldest are dropped (and logged) */
const MAX_WAITING = 10_000;

export interface CallRecordStoreOptions {
  /** longest time a record waits before it is written (default 250 ms) */
  batchMs?: number;
  /** records that trigger a write at once (default 200) */
  maxBatch?: number;
  logger?: Logger;
}

export interface RecordRange {
  /** inclusive; default: the beginning */
  from?: Date;
  /** exclusive; default: no end */
  to?: Date;
}

export class CallRecordStore {
  private queue: CallRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly batchMs: number;
  private readonly maxBatch: number;

  constructor(
    private readonly store: IvrStore,
    private readonly opts: CallRecordStoreOptions = {},
  ) {
    this.batchMs = opts.batchMs ?? 250;
    this.maxBatch = opts.maxBatch ?? 200;
  }

  /** Queues a record; it is written within `batchMs`. */
  add(record: CallRecord): void {
    this.queue.push(record);
    if (this.queue.length >= this.maxBatch) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.batchMs);
      this.timer.unref();
    }
  }

  /** Records waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /** Writes every queued record now, in one transaction. A failed write keeps them queued and is logged. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0 || !this.store.db.open) return;
    const batch = this.queue;
    this.queue = [];
    const insert = this.store.stmt(`INSERT INTO call_records (call_id, started_ms, json) VALUES (?, ?, ?)`);
    try {
      this.store.db.transaction(() => {
        for (const r of batch) insert.run(r.callId, Date.parse(r.startedAt), JSON.stringify(r));
      })();
      this.store.writeStats.lastOkAt = Date.now();
    } catch (e) {
      // counted with the store's other failed writes (/health, /metrics)
      const st = this.store.writeStats;
      if (isStoreBusy(e)) st.busy++;
      else st.failed++;
      st.lastFailureAt = Date.now();
      st.lastError = `call records: ${(e as Error).message}`;
      this.queue = batch.concat(this.queue);
      if (this.queue.length > MAX_WAITING) {
        const dropped = this.queue.splice(0, this.queue.length - MAX_WAITING).length;
        this.opts.logger?.error({ dropped }, 'call records dropped: the store has not taken writes for too long');
      }
      this.opts.logger?.error({ err: e, waiting: this.queue.length }, 'could not write call records; will try again');
      if (!this.timer) {
        this.timer = setTimeout(() => this.flush(), Math.max(1000, this.batchMs));
        this.timer.unref();
      }
    }
  }

  /** Records of calls that entered within the range, oldest first. */
  list(range: RecordRange = {}): CallRecord[] {
    this.flush();
    const rows = this.store
      .stmt(`SELECT json FROM call_records WHERE started_ms >= ? AND started_ms < ? ORDER BY started_ms, id`)
      .all(range.from?.getTime() ?? 0, range.to?.getTime() ?? Number.MAX_SAFE_INTEGER) as { json: string }[];
    return rows.map((r) => JSON.parse(r.json) as CallRecord);
  }

  /** Number of records of calls that entered within the range. */
  count(range: RecordRange = {}): number {
    this.flush();
    return (this.store
      .stmt(`SELECT count(*) AS n FROM call_records WHERE started_ms >= ? AND started_ms < ?`)
      .get(range.from?.getTime() ?? 0, range.to?.getTime() ?? Number.MAX_SAFE_INTEGER) as { n: number }).n;
  }

  /** Deletes the records of calls that entered before `before`; returns how many. */
  prune(before: Date): number {
    this.flush();
    return this.store.stmt(`DELETE FROM call_records WHERE started_ms < ?`).run(before.getTime()).changes;
  }

  /** Writes what is queued; the store itself is closed by its owner. */
  close(): void {
    this.flush();
  }
}
