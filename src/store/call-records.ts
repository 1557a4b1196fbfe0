/**
 * Call records in the embedded store (table `call_records`, one row per call, the record as JSON;
 * see src/domain/call-record.ts for what a record holds and src/domain/report.ts for the report).
 *
 * Writes never hold up a call: `add` only queues the record; the queue is written in one
 * transaction at most `batchMs` later (or at once when `maxBatch` records wait), so a busy line
 * costs one commit per batch instead of one per call; in the service that commit runs on the
 * store's writer thread (src/store/writer.ts), off the event loop. A batch that finds the database
 * locked by another process waits there up to the store's writeWaitMs (src/store/busy.ts), then
 * stays queued and is tried again a second later — the event loop never waits on the lock.
 * `close()` writes what waits (the service calls it when it stops); a record still queued when the process is killed is lost — the calls'
 * requests are not (they are committed before the caller hears "registered").
 *
 * API for other parts (the web console, issue 13):
 *   const records = new CallRecordStore(store);      // store = openStore(path) / openConfiguredStore(...)
 *   records.list({ from, to })                        // CallRecord[] in entry order, from ≤ startedAt < to
 *   buildReport(records.list(range), { from, to })    // src/domain/report.ts
 */
import type { CallRecord } from '../domain/call-record.ts';
import type { Logger } from '../log/logger.ts';
import type { IvrStore } from './db.ts';
import type { RunResult } from './writer.ts';

const INSERT_RECORD = `INSERT INTO call_records (call_id, started_ms, json) VALUES (?, ?, ?)`;

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
  /** records given to the store's write path, not answered yet */
  private writing = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
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

  /** Records waiting to be written (queued, or given to the store's write path and not yet committed). */
  get pending(): number {
    return this.queue.length + this.writing;
  }

  /**
   * Writes every queued record now, in one transaction, through the store's write path
   * (IvrStore.write). A failed write keeps them queued and is logged. With the store's writer
   * thread (src/store/writer.ts) they are committed there a moment later (await settled() to read
   * them back); without one, the first try commits before flush() returns.
   */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0 || !this.store.db.open) return;
    const batch = this.queue;
    this.queue = [];
    this.writing += batch.length;
    const done = this.store
      .write(batch.map((r) => ({ sql: INSERT_RECORD, params: [r.callId, Date.parse(r.startedAt), JSON.stringify(r)] })), 'write call records')
      .then(
        () => undefined,
        (e: unknown) => this.keep(batch, e), // the write path has counted it (/health, /metrics)
      )
      .finally(() => {
        this.writing -= batch.length;
        this.inFlight.delete(done);
      });
    this.inFlight.add(done);
  }

  /** Every record added so far is written (or has failed and waits for its next try). */
  async settled(): Promise<void> {
    this.flush();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** a batch that could not be written goes back to the queue, tried again a second later */
  private keep(batch: CallRecord[], e: unknown): void {
    this.queue = batch.concat(this.queue);
    if (this.queue.length > MAX_WAITING) {
      const dropped = this.queue.splice(0, this.queue.length - MAX_WAITING).length;
      this.opts.logger?.error({ dropped }, 'call records dropped: the store has not taken writes for too long');
    }
    this.opts.logger?.error({ err: e, waiting: this.queue.length }, 'could not write call records; will try again');
    if (!this.timer && !this.closed) {
      this.timer = setTimeout(() => this.flush(), Math.max(1000, this.batchMs));
      this.timer.unref();
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
  async prune(before: Date): Promise<number> {
    await this.settled();
    const [r] = await this.store.write([{ sql: `DELETE FROM call_records WHERE started_ms < ?`, params: [before.getTime()] }], 'delete old call records');
    return (r as RunResult).changes;
  }

  /** Writes what is queued (and waits for the writer thread's commit); the store itself is closed by its owner. */
  async close(): Promise<void> {
    await this.settled();
    this.closed = true;
    clearTimeout(this.timer);
  }
}
