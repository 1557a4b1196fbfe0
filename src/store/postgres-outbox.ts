/**
 * `PostgresOutboxQueue`: the outbox's queue (src/store/outbox.ts, `OutboxQueue`) over the cluster's
 * shared request table (src/store/postgres-registry.ts), so that requests registered in PostgreSQL
 * are delivered to Quantum. Every service of the cluster runs its own `RequestOutbox` over it.
 *
 * Claims are leases, taken with one short statement:
 *
 *   WITH picked AS (SELECT seq … WHERE pending AND due AND claimed_until <= now
 *                   ORDER BY seq LIMIT n FOR UPDATE SKIP LOCKED)
 *   UPDATE … SET claimed_until = now + lease, claimed_by = <this queue> … RETURNING …
 *
 * The claim commits at once; the HTTP deliveries then run outside any transaction, and each result
 * (delivered, retry, failed) clears the claim. SKIP LOCKED makes two services claiming together
 * pass over each other's rows instead of waiting, and a row claimed meanwhile fails the re-check of
 * `claimed_until`, so a request is claimed by one service at a time. Holding row locks in a
 * transaction across the deliveries instead would pin a pooled connection and keep a transaction
 * open for as long as Quantum is slow; the lease costs two columns and, after a crash, a wait of
 * one lease (default 5 min) before another service takes the crashed one's claimed requests.
 *
 * A lease shorter than a round (a very slow Quantum) can let a second service deliver the same
 * request; the idempotency key `<database installation id>:<request number>` is the same from every
 * service (request numbers come from one sequence, unique in the database), so Quantum keeps one.
 *
 * Times (`next_attempt_at`, `claimed_until`) are ms since the epoch from the outbox's clock.
 */
import { randomUUID } from 'node:crypto';
import { pgRowToRequest, type PgRequestRow, type PostgresRequestRegistry } from './postgres-registry.ts';
import type { DueRequest, OutboxQueue } from './outbox.ts';

export interface PostgresOutboxOptions {
  /** how long a claim holds before another service may take the request (default 5 min; longer than a round) */
  leaseMs?: number;
  /** names this queue's claims (default: a random UUID per queue) */
  owner?: string;
}

interface OutboxRow extends PgRequestRow {
  attempts: number;
}

export class PostgresOutboxQueue implements OutboxQueue {
  readonly owner: string;
  private readonly leaseMs: number;

  constructor(
    private readonly registry: PostgresRequestRegistry,
    opts: PostgresOutboxOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 5 * 60_000;
    if (!Number.isInteger(this.leaseMs) || this.leaseMs < 1000) throw new Error(`outbox lease must be a whole number of ms, at least 1000 (got ${opts.leaseMs})`);
    this.owner = opts.owner ?? randomUUID();
  }

  private get t(): string {
    return this.registry.table;
  }

  async due(limit: number, nowMs: number): Promise<DueRequest[]> {
    const installationId = await this.registry.installationId(); // migrates the table too
    const res = await this.registry.db.query<OutboxRow>(
      `WITH picked AS (
         SELECT seq FROM ${this.t}
         WHERE status = 'pending' AND next_attempt_at <= $1 AND claimed_until <= $1
         ORDER BY seq LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE ${this.t} AS r SET claimed_until = $3, claimed_by = $4
       FROM picked WHERE r.seq = picked.seq
       RETURNING r.*`,
      [nowMs, limit, nowMs + this.leaseMs, this.owner],
    );
    return res.rows
      .map((row) => {
        const request = pgRowToRequest(row);
        return { seq: Number(row.seq), request, attempts: row.attempts, idempotencyKey: `${installationId}:${request.number}` };
      })
      .sort((a, b) => a.seq - b.seq);
  }

  async delivered(item: DueRequest, atIso: string): Promise<void> {
    // whoever holds the claim now: Quantum has it, so it is delivered
    await this.registry.db.query(
      `UPDATE ${this.t} SET status = 'delivered', attempts = attempts + 1, delivered_at = $1, last_error = NULL, claimed_until = 0, claimed_by = NULL WHERE seq = $2`,
      [atIso, item.seq],
    );
  }

  async retry(item: DueRequest, attempts: number, nextAt: number, error: string): Promise<void> {
    // only while the claim is still ours: after a lapsed lease the other service's result counts
    await this.registry.db.query(
      `UPDATE ${this.t} SET attempts = $1, next_attempt_at = $2, last_error = $3, claimed_until = 0, claimed_by = NULL
       WHERE seq = $4 AND status = 'pending' AND claimed_by = $5`,
      [attempts, nextAt, error, item.seq, this.owner],
    );
  }

  async failed(item: DueRequest, attempts: number, error: string): Promise<void> {
    await this.registry.db.query(
      `UPDATE ${this.t} SET status = 'failed', attempts = $1, last_error = $2, claimed_until = 0, claimed_by = NULL
       WHERE seq = $3 AND status = 'pending' AND claimed_by = $4`,
      [attempts, error, item.seq, this.owner],
    );
  }

  async release(items: DueRequest[]): Promise<void> {
    await this.registry.db.query(`UPDATE ${this.t} SET claimed_until = 0, claimed_by = NULL WHERE seq = ANY($1::bigint[]) AND claimed_by = $2`, [
      items.map((i) => i.seq),
      this.owner,
    ]);
  }
}
