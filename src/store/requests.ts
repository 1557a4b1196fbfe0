/**
 * `SqliteRequestRegistry`: the IVR's durable register of requests (tickets, referrals, complaints,
 * refund and service requests, …).
 *
 * - register() resolves only after the row is committed (WAL + synchronous=FULL, see db.ts), so a
 *   number read back to a caller is never lost, even when the process dies right after.
 * - Idempotent per (callId, topic, order number): a UNIQUE index plus INSERT … ON CONFLICT DO NOTHING;
 *   a retry, a reconnect or a restarted service gets the first registration back, with its number
 *   (`alreadyRegistered: true`). The service passes the Asterisk channel id as callId: it outlives
 *   the service process, so a caller adopted after a crash hears the request already stored
 *   instead of getting a second one.
 * - Numbers: `<prefix>-<serial>`, the serial zero-padded to 6 digits (R-000123), growing past 6 digits
 *   when needed; SQLite AUTOINCREMENT never reuses a serial. Unique per installation; give each
 *   installation its own prefix (IVR_REQUEST_PREFIX) if numbers must be unique across several.
 * - Every new request starts `pending` in the outbox (src/store/outbox.ts) that delivers it to Quantum.
 */
import type { EarlierRequest, RequestType, RequestUnit } from '../domain/decision.ts';
import type { NewRequest, RegisteredRequest, RequestRegistry } from '../domain/ports.ts';
import type { IvrStore } from './db.ts';
import type { RunResult } from './writer.ts';

export type RequestStatus = RegisteredRequest['status'];

/** A registered request with its delivery state. */
export interface StoredRequest extends RegisteredRequest {
  attempts: number;
  lastError: string | null;
  deliveredAt: string | null;
  /** when the outbox tries next (ms since epoch; 0 = now) */
  nextAttemptAt: number;
}

export interface RegistryOptions {
  /** letters before the dash of a request number; default `R` */
  prefix?: string;
  now?: () => Date;
  /** called after each new (not repeated) registration, e.g. to wake the outbox */
  onRegistered?: (r: RegisteredRequest) => void;
}

export function formatRequestNumber(prefix: string, seq: number): string {
  return `${prefix}-${String(seq).padStart(6, '0')}`;
}

/** `R-000123` → { prefix: 'R', seq: 123 }; null when not a request number. */
export function parseRequestNumber(s: string): { prefix: string; seq: number } | null {
  const m = /^([A-Z]{1,3})-(\d{6,})$/.exec(s.trim().toUpperCase());
  return m ? { prefix: m[1]!, seq: Number(m[2]) } : null;
}

interface Row {
  seq: number;
  prefix: string;
  call_id: string;
  topic: string;
  type: string;
  unit: string;
  national_id: string | null;
  order_number: string | null;
  caller_number: string | null;
  rule: string | null;
  outcome: string | null;
  details: string | null;
  created_at: string;
  status: RequestStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  delivered_at: string | null;
}

/** The columns a request is stored in, in both registries (SQLite here, PostgreSQL in the cluster), in INSERT order. */
export const REQUEST_INSERT_COLUMNS = 'prefix, call_id, topic, type, unit, national_id, order_number, caller_number, rule, outcome, details, created_at';

/** The values of REQUEST_INSERT_COLUMNS for a new request. */
export function requestInsertValues(prefix: string, r: NewRequest, createdAt: string): (string | null)[] {
  return [
    prefix,
    r.callId,
    r.topic,
    r.type,
    r.unit,
    r.nationalId ?? null,
    r.orderNumber ?? null,
    r.callerNumber ?? null,
    r.rule ?? null,
    r.outcome ?? null,
    r.details === undefined ? null : JSON.stringify(r.details),
    createdAt,
  ];
}

/** What both registries read back of a stored request (details already parsed). */
export interface RequestColumns {
  prefix: string;
  seq: number;
  call_id: string;
  topic: string;
  type: string;
  unit: string;
  national_id: string | null;
  order_number: string | null;
  caller_number: string | null;
  rule: string | null;
  outcome: string | null;
  details: Record<string, unknown> | null;
  created_at: string;
  status: RequestStatus;
}

export function requestFromColumns(r: RequestColumns): RegisteredRequest {
  const out: RegisteredRequest = {
    number: formatRequestNumber(r.prefix, r.seq),
    callId: r.call_id,
    topic: r.topic,
    type: r.type as RequestType,
    unit: r.unit as RequestUnit,
    createdAt: r.created_at,
    status: r.status,
  };
  if (r.national_id !== null) out.nationalId = r.national_id;
  if (r.order_number !== null) out.orderNumber = r.order_number;
  if (r.caller_number !== null) out.callerNumber = r.caller_number;
  if (r.rule !== null) out.rule = r.rule;
  if (r.outcome !== null) out.outcome = r.outcome;
  if (r.details !== null) out.details = r.details;
  return out;
}

export function rowToRequest(r: Row): StoredRequest {
  return {
    ...requestFromColumns({ ...r, details: r.details === null ? null : (JSON.parse(r.details) as Record<string, unknown>) }),
    attempts: r.attempts,
    lastError: r.last_error,
    deliveredAt: r.delivered_at,
    nextAttemptAt: r.next_attempt_at,
  };
}

/** a new request, or nothing when this call, topic and order already has one (idempotent) */
const INSERT_REQUEST = `INSERT INTO requests (${REQUEST_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(call_id, topic, ifnull(order_number, '')) DO NOTHING`;
const REQUEST_BY_KEY = `SELECT * FROM requests WHERE call_id = ? AND topic = ? AND ifnull(order_number, '') = ?`;

export class SqliteRequestRegistry implements RequestRegistry {
  readonly prefix: string;
  private readonly now: () => Date;
  private readonly onRegistered: ((r: RegisteredRequest) => void) | undefined;

  constructor(
    private readonly store: IvrStore,
    opts: RegistryOptions = {},
  ) {
    this.prefix = opts.prefix ?? 'R';
    if (!/^[A-Z]{1,3}$/.test(this.prefix)) throw new Error(`request number prefix must be 1–3 capital letters (got "${this.prefix}")`);
    this.now = opts.now ?? (() => new Date());
    this.onRegistered = opts.onRegistered;
  }

  async register(r: NewRequest): Promise<RegisteredRequest> {
    if (!r.callId) throw new Error('request callId is empty');
    if (!r.topic) throw new Error('request topic is empty');
    const values = requestInsertValues(this.prefix, r, this.now().toISOString());
    const key = [r.callId, r.topic, r.orderNumber ?? ''];
    // answered once the commit is durable (on the writer thread when there is one: the event loop never
    // waits for its fsync); a database locked by another writer is waited for on timers, then a failed step
    const [res, got] = await this.store.write([{ sql: INSERT_REQUEST, params: values }, { sql: REQUEST_BY_KEY, params: key, get: true }], 'register the request');
    const changes = (res as RunResult).changes;
    const row = got as unknown as Row;
    const stored = toPublic(rowToRequest(row));
    if (changes === 1) {
      this.onRegistered?.(stored);
      return stored;
    }
    return { ...stored, alreadyRegistered: true };
  }

  async earlierRequests(nationalId: string, orderNumber?: string, units?: readonly RequestUnit[]): Promise<EarlierRequest[]> {
    // only what the rules read (no details JSON to parse, only the units asked for): called in every
    // call that looks up an order, so a much-called order must not make every later call read all of its requests
    const cols = `seq, prefix, type, unit, topic, order_number, created_at, status`;
    const byUnit = units ? ` AND unit IN (${units.map(() => '?').join(', ') || 'NULL'})` : '';
    const args: string[] = [nationalId, ...(orderNumber === undefined ? [] : [orderNumber]), ...(units ?? [])];
    const rows = this.store
      .stmt(`SELECT ${cols} FROM requests WHERE national_id = ?${orderNumber === undefined ? '' : ' AND order_number = ?'}${byUnit} ORDER BY seq`)
      .all(...args) as Pick<Row, 'seq' | 'prefix' | 'type' | 'unit' | 'topic' | 'order_number' | 'created_at' | 'status'>[];
    return rows.map((r) => {
      const e: EarlierRequest = { number: formatRequestNumber(r.prefix, r.seq), type: r.type as RequestType, unit: r.unit as RequestUnit, topic: r.topic, createdAt: r.created_at, status: r.status };
      if (r.order_number !== null) e.orderNumber = r.order_number;
      return e;
    });
  }

  async forCall(callId: string): Promise<RegisteredRequest | null> {
    const row = this.store.stmt(`SELECT * FROM requests WHERE call_id = ? ORDER BY seq DESC LIMIT 1`).get(callId) as Row | undefined;
    return row ? toPublic(rowToRequest(row)) : null;
  }

  /** one request by its number (any prefix), or null */
  get(number: string): StoredRequest | null {
    const p = parseRequestNumber(number);
    if (!p) return null;
    const row = this.store.stmt(`SELECT * FROM requests WHERE seq = ? AND prefix = ?`).get(p.seq, p.prefix) as Row | undefined;
    return row ? rowToRequest(row) : null;
  }

  /** requests, newest first */
  list(opts: { status?: RequestStatus; limit?: number } = {}): StoredRequest[] {
    const limit = opts.limit ?? -1;
    const rows = (
      opts.status
        ? this.store.stmt(`SELECT * FROM requests WHERE status = ? ORDER BY seq DESC LIMIT ?`).all(opts.status, limit)
        : this.store.stmt(`SELECT * FROM requests ORDER BY seq DESC LIMIT ?`).all(limit)
    ) as Row[];
    return rows.map(rowToRequest);
  }

  counts(): Record<RequestStatus, number> {
    const out: Record<RequestStatus, number> = { pending: 0, delivered: 0, failed: 0 };
    for (const r of this.store.stmt(`SELECT status, count(*) AS n FROM requests GROUP BY status`).all() as { status: RequestStatus; n: number }[]) {
      out[r.status] = r.n;
    }
    return out;
  }

  /** requests not delivered (pending, failed): the outbox's depth for /metrics, read from the status index */
  outboxDepth(): { pending: number; failed: number } {
    const count = this.store.stmt(`SELECT count(*) AS n FROM requests WHERE status = ?`);
    return { pending: (count.get('pending') as { n: number }).n, failed: (count.get('failed') as { n: number }).n };
  }

  /** puts failed requests (one by number, or all) back to pending for the outbox; returns how many */
  retryFailed(number?: string): number {
    if (number === undefined) {
      return this.store.stmt(`UPDATE requests SET status = 'pending', attempts = 0, next_attempt_at = 0 WHERE status = 'failed'`).run().changes;
    }
    const p = parseRequestNumber(number);
    if (!p) return 0;
    return this.store
      .stmt(`UPDATE requests SET status = 'pending', attempts = 0, next_attempt_at = 0 WHERE status = 'failed' AND seq = ? AND prefix = ?`)
      .run(p.seq, p.prefix).changes;
  }
}

function toPublic(s: StoredRequest): RegisteredRequest {
  const { attempts: _a, lastError: _l, deliveredAt: _d, nextAttemptAt: _n, ...pub } = s;
  return pub;
}
