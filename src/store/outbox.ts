/**
 * The request outbox: delivers the pending registered requests to Quantum, oldest first, with
 * exponential backoff (and jitter) between tries, and marks each `delivered` or, after the last
 * try or a permanent refusal, `failed` (an admin can put failed ones back: `requests retry`).
 *
 * A transient failure ends the round, so an outage does not use up the tries of every pending
 * request at once.
 *
 * Delivery is at-least-once: a process killed between Quantum's answer and the local commit
 * delivers that request again after restart, with the same idempotency key
 * (`<installation id>:<request number>`) so Quantum keeps one.
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

  constructor(
    private readonly store: IvrStore,
    opts: OutboxOptions,
  ) {
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
    if (this.started && !this.running) this.schedule(0);
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
    try {
      const r = await this.runOnce();
      if (r.delivered + r.failed >= this.batchSize) next = 0; // more may be waiting
    } catch (e) {
      this.log?.error({ err: e }, 'request outbox round failed');
    }
    this.schedule(next);
  }

  private async round(): Promise<OutboxRound> {
    const db = this.store.db;
    const out: OutboxRound = { delivered: 0, retrying: 0, failed: 0 };
    const due = db
      .prepare(`SELECT * FROM requests WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY seq LIMIT ?`)
      .all(this.now(), this.batchSize) as Parameters<typeof rowToRequest>[0][];
    const markDelivered = db.prepare(`UPDATE requests SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = NULL WHERE seq = ?`);
    const markRetry = db.prepare(`UPDATE requests SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE seq = ?`);
    const markFailed = db.prepare(`UPDATE requests SET status = 'failed', attempts = ?, last_error = ? WHERE seq = ?`);
    for (const row of due) {
      const stored = rowToRequest(row);
      const { attempts, lastError: _l, deliveredAt: _d, nextAttemptAt: _n, ...req } = stored;
      try {
        await this.sink.deliver(req, `${this.store.installationId}:${req.number}`);
        markDelivered.run(new Date(this.now()).toISOString(), row.seq);
        out.delivered++;
      } catch (e) {
        const n = attempts + 1;
        const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        if (e instanceof PermanentDeliveryError || n >= this.maxAttempts) {
          markFailed.run(n, msg, row.seq);
          out.failed++;
          this.log?.error({ request: req.number, attempts: n, error: msg }, 'request delivery to Quantum failed for good');
        } else {
          const delay = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (n - 1));
          const jitter = delay * 0.2 * Math.random();
          markRetry.run(n, Math.round(this.now() + delay + jitter), msg, row.seq);
          out.retrying++;
          this.log?.warn({ request: req.number, attempts: n, retryInMs: Math.round(delay + jitter), error: msg }, 'request delivery to Quantum failed, will retry');
          // Quantum is probably down for every request: end the round instead of spending the
          // others' tries (they go next round; this one waits for its backoff)
          break;
        }
      }
    }
    return out;
  }
}
