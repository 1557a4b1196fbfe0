/**
 * The request outbox: delivers the pending registered requests to Quantum, oldest first, with
 * exponential backoff (and jitter) between tries, and marks each `delivered` or, after the last
 * try or a permanent refusal, `failed` (an admin can put failed ones back: `requests retry`).
 *
 * A transient failure ends the round, so an outage does not use up the tries of every pending
 * request at once.
 *
 * Where the requests wait is an `OutboxQueue`: the local SQLite store (`SqliteOutboxQueue`, below)
 * or, in the cluster, the shared PostgreSQL table (`PostgresOutboxQueue`, src/store/postgres-outbox.ts).
 *
 * Delivery is at-least-once: a process killed between Quantum's answer and the queue's update
 * delivers that request again after restart, with the same idempotency key (SQLite:
 * `<installation id>:<request number>`) so Quantum keeps one.
 */
import type { RegisteredRequest } from '../domain/ports.ts';
import type { Logger } from '../log/logger.ts';
import type { IvrStore } from './db.ts';
import { rowToRequest } from './requests.ts';

/** Where the outbox delivers requests (Quantum's request API; src/quantum/http.ts implements it). */
export interface QuantumRequestSink {
  /** resolves when Quantum has accepted the request; throw PermanentDeliveryError for a refusal that a retry cannot fix */
  deliver(req: RegisteredRequest, idempotencyKey: string): Promise<void>;
}

/** A refusal that retrying cannot fix (e.g. HTTP 400/422): the request is marked failed at once. */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

/** One request taken from an OutboxQueue for a delivery try. */
export interface DueRequest {
  /** the queue's own handle of the row */
  seq: number;
  request: RegisteredRequest;
  /** tries made so far */
  attempts: number;
  /** Quantum's Idempotency-Key for this request: the same on every try and from every service sharing the queue */
  idempotencyKey: string;
}

type MaybePromise<T> = T | Promise<T>;

/** Where pending requests wait and their delivery state is kept (SQLite store, or the cluster's PostgreSQL). */
export interface OutboxQueue {
  /** up to `limit` pending requests whose next try is due at `nowMs`, oldest first (a shared queue also claims them) */
  due(limit: number, nowMs: number): MaybePromise<DueRequest[]>;
  /** Quantum accepted it */
  delivered(item: DueRequest, atIso: string): MaybePromise<void>;
  /** a transient failure: try again at `nextAt` (ms since epoch) */
  retry(item: DueRequest, attempts: number, nextAt: number, error: string): MaybePromise<void>;
  /** given up: the last try failed, or Quantum refused it for good */
  failed(item: DueRequest, attempts: number, error: string): MaybePromise<void>;
  /** items taken by due() but not tried (the round ended early): free them for the next round at once */
  release?(items: DueRequest[]): MaybePromise<void>;
}

/** The queue of the local SQLite store (src/store/db.ts, table `requests`). */
export class SqliteOutboxQueue implements OutboxQueue {
  constructor(private readonly store: IvrStore) {}

  due(limit: number, nowMs: number): DueRequest[] {
    const rows = this.store
      .stmt(`SELECT * FROM requests WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY seq LIMIT ?`)
      .all(nowMs, limit) as Parameters<typeof rowToRequest>[0][];
    return rows.map((row) => {
      const { attempts, lastError: _l, deliveredAt: _d, nextAttemptAt: _n, ...request } = rowToRequest(row);
      return { seq: row.seq, request, attempts, idempotencyKey: `${this.store.installationId}:${request.number}` };
    });
  }

  delivered(item: DueRequest, atIso: string): Promise<void> {
    return this.update(`UPDATE requests SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = NULL WHERE seq = ?`, [atIso, item.seq]);
  }

  retry(item: DueRequest, attempts: number, nextAt: number, error: string): Promise<void> {
    return this.update(`UPDATE requests SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE seq = ?`, [attempts, nextAt, error, item.seq]);
  }

  failed(item: DueRequest, attempts: number, error: string): Promise<void> {
    return this.update(`UPDATE requests SET status = 'failed', attempts = ?, last_error = ? WHERE seq = ?`, [attempts, error, item.seq]);
  }

  /** through the store's write path (IvrStore.write: its writer thread when it has one) */
  private async update(sql: string, params: unknown[]): Promise<void> {
    await this.store.write([{ sql, params }], 'write a request\'s delivery state');
  }
}

export interface OutboxOptions {
  sink: QuantumRequestSink;
  /** how often pending requests are looked for when nothing wakes the outbox (default 5 s) */
  pollMs?: number;
  /** requests per round (default 20) */
  batchSize?: number;
  /** tries before a request is marked failed (default 12: with the default backoff about 3 hours) */
  maxAttempts?: number;
  /** first retry delay (default 2 s), doubled each try, capped at backoffMaxMs (default 30 min) */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  logger?: Logger;
  /** clock in ms (tests) */
  now?: () => number;
}

export interface OutboxRound {
  delivered: number;
  retrying: number;
  failed: number;
}

export class RequestOutbox {
  private readonly sink: QuantumRequestSink;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly log: Logger | undefined;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<OutboxRound> | undefined;
  private started = false;
  /** a wake() came while a round was running: run another round right after it */
  private woken = false;
  private looping = false;

  private readonly queue: OutboxQueue;

  /** `source`: the SQLite store (its `requests` table), or any OutboxQueue (the cluster's PostgreSQL) */
  constructor(source: IvrStore | OutboxQueue, opts: OutboxOptions) {
    this.queue = 'due' in source ? source : new SqliteOutboxQueue(source);
    this.sink = opts.sink;
    this.pollMs = opts.pollMs ?? 5000;
    this.batchSize = opts.batchSize ?? 20;
    this.maxAttempts = opts.maxAttempts ?? 12;
    this.backoffBaseMs = opts.backoffBaseMs ?? 2000;
    this.backoffMaxMs = opts.backoffMaxMs ?? 30 * 60_000;
    this.log = opts.logger;
    this.now = opts.now ?? Date.now;
  }

  /** starts delivering in the background (first round at once) */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  /** stops the background loop; resolves after the round in progress (if any) has finished */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running) await this.running.catch(() => undefined);
  }

  /** a request was just registered: deliver soon instead of waiting for the next poll */
  wake(): void {
    if (!this.started) return;
    if (this.running) this.woken = true; // the round in progress may have looked before this request was there
    else this.schedule(0);
  }

  /** one round: delivers up to batchSize due requests. Safe to call while the loop runs (it waits its turn). */
  async runOnce(): Promise<OutboxRound> {
    while (this.running) await this.running.catch(() => undefined);
    const p = this.round();
    this.running = p;
    try {
      return await p;
    } finally {
      this.running = undefined;
      // a round run from outside the loop (runOnce, drain) while the loop waits for its poll
      if (this.woken && !this.looping && this.started) {
        this.woken = false;
        this.schedule(0);
      }
    }
  }

  /** runs rounds until nothing is due (or the deadline passes); returns the totals */
  async drain(deadlineMs = 30_000): Promise<OutboxRound> {
    const total: OutboxRound = { delivered: 0, retrying: 0, failed: 0 };
    const until = Date.now() + deadlineMs;
    for (;;) {
      const r = await this.runOnce();
      total.delivered += r.delivered;
      total.failed += r.failed;
      total.retrying = r.retrying;
      if (r.delivered + r.failed + r.retrying === 0 || Date.now() > until) return total;
      if (r.delivered + r.failed === 0) return total; // only retries left: they are not due yet
    }
  }

  private schedule(ms: number): void {
    if (!this.started) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.loopStep();
    }, ms);
    this.timer.unref?.();
  }

  private async loopStep(): Promise<void> {
    let next = this.pollMs;
    this.looping = true;
    this.woken = false;
    try {
      const r = await this.runOnce();
      if (r.delivered + r.failed >= this.batchSize) next = 0; // more may be waiting
    } catch (e) {
      this.log?.error({ err: e }, 'request outbox round failed');
    } finally {
      this.looping = false;
    }
    if (this.woken) next = 0; // woken during the round: what woke it may not have been due yet when it looked
    this.woken = false;
    this.schedule(next);
  }

  private async round(): Promise<OutboxRound> {
    const out: OutboxRound = { delivered: 0, retrying: 0, failed: 0 };
    const due = await this.queue.due(this.batchSize, this.now());
    for (let i = 0; i < due.length; i++) {
      const item = due[i]!;
      const req = item.request;
      try {
        await this.sink.deliver(req, item.idempotencyKey);
        await this.queue.delivered(item, new Date(this.now()).toISOString());
        out.delivered++;
      } catch (e) {
        const n = item.attempts + 1;
        const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        if (e instanceof PermanentDeliveryError || n >= this.maxAttempts) {
          await this.queue.failed(item, n, msg);
          out.failed++;
          this.log?.error({ request: req.number, attempts: n, error: msg }, 'request delivery to Quantum failed for good');
        } else {
          const delay = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (n - 1));
          const jitter = delay * 0.2 * Math.random();
          await this.queue.retry(item, n, Math.round(this.now() + delay + jitter), msg);
          out.retrying++;
          this.log?.warn({ request: req.number, attempts: n, retryInMs: Math.round(delay + jitter), error: msg }, 'request delivery to Quantum failed, will retry');
          // Quantum is probably down for every request: end the round instead of spending the
          // others' tries (they go next round; this one waits for its backoff)
          const rest = due.slice(i + 1);
          if (rest.length > 0) await this.queue.release?.(rest);
          break;
        }
      }
    }
    return out;
  }
}
