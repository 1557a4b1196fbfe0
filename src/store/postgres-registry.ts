/**
 * `PostgresRequestRegistry`: the request register of the cluster (docker/cluster), shared by every
 * IVR service through one PostgreSQL (`IVR_DB_URL=postgres://…`). Same contract and semantics as
 * `SqliteRequestRegistry` (src/store/requests.ts):
 *
 * - register() resolves only after the row is committed (each statement is its own transaction;
 *   PostgreSQL's default synchronous_commit=on flushes the WAL before the commit returns).
 * - Idempotent per (callId, topic, order number): UNIQUE index + INSERT … ON CONFLICT DO NOTHING, so
 *   a retry, or the same call handled again after a failover or restart, gets the first registration
 *   and its number. Two services registering the same key at once get the same row. (A table of an
 *   earlier version loses its UNIQUE (call_id, topic) constraint and gains the index in migrate().)
 * - Numbers `<prefix>-<serial>` (R-000123) from a sequence: unique across every service of the
 *   cluster, never reused. A sequence value taken by an INSERT that hits the conflict is not given
 *   back, so serials can have gaps; they are unique, not dense.
 * - New requests start `pending`, in the same columns the SQLite outbox uses; the cluster's outbox
 *   (src/store/postgres-outbox.ts) delivers them to Quantum from this table.
 *
 * The table is created on first use (`migrate()`, idempotent, under an advisory lock so that two
 * services starting together do not race); a table made by an earlier version gains the outbox's
 * columns (`ADD COLUMN IF NOT EXISTS`). A side table `<table>_meta` keeps the database's
 * installation id, the same for every service: Quantum's idempotency keys are built from it.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EarlierRequest, RequestUnit } from '../domain/decision.ts';
import type { NewRequest, RegisteredRequest, RequestRegistry } from '../domain/ports.ts';
import { REQUEST_INSERT_COLUMNS, requestFromColumns, requestInsertValues } from './requests.ts';

export interface PostgresRegistryOptions {
  /** letters before the dash of a request number; default `R` */
  prefix?: string;
  now?: () => Date;
  /** called after each new (not repeated) registration */
  onRegistered?: (r: RegisteredRequest) => void;
  /** table name; default `ivr_requests` */
  table?: string;
}

/** a row of the table (the columns register() reads back; the outbox reads the rest too) */
export interface PgRequestRow {
  seq: string; // bigint comes back as a string
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
  details: Record<string, unknown> | null;
  created_at: string;
  status: RegisteredRequest['status'];
}

/** Any object with pg's `query` (a Pool, a Client): tests and callers may pass their own. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

type Row = PgRequestRow;

export function pgRowToRequest(r: PgRequestRow): RegisteredRequest {
  return requestFromColumns({ ...r, seq: Number(r.seq) });
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for messages and logs. */
export function redactDbUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

export class PostgresRequestRegistry implements RequestRegistry {
  readonly prefix: string;
  /** the table's name (the outbox works on the same table) */
  readonly table: string;
  private readonly now: () => Date;
  private readonly onRegistered: ((r: RegisteredRequest) => void) | undefined;
  private migrated: Promise<void> | null = null;
  private installation: Promise<string> | null = null;

  constructor(
    /** the connection pool (the outbox queries through it too) */
    readonly db: Queryable,
    opts: PostgresRegistryOptions = {},
  ) {
    this.prefix = opts.prefix ?? 'R';
    if (!/^[A-Z]{1,3}$/.test(this.prefix)) throw new Error(`request number prefix must be 1–3 capital letters (got "${this.prefix}")`);
    this.table = opts.table ?? 'ivr_requests';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.table)) throw new Error(`table name must be a lowercase SQL identifier (got "${this.table}")`);
    this.now = opts.now ?? (() => new Date());
    this.onRegistered = opts.onRegistered;
  }

  /**
   * Connects a pool to `url` (IVR_DB_URL), creates the table if needed, and returns the registry
   * with a `close()` for the pool. A bad URL or an unreachable server is an error naming the URL
   * (password hidden).
   */
  static async connect(url: string, opts: PostgresRegistryOptions & { poolSize?: number } = {}): Promise<PostgresRequestRegistry & { close(): Promise<void> }> {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new Error(`IVR_DB_URL must be a postgres:// URL such as postgres://ivr:<password>@postgres:5432/ivr (got "${redactDbUrl(url)}")`);
    }
    const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 5 });
    const registry = new PostgresRequestRegistry(pool, opts);
    try {
      await registry.migrate();
    } catch (e) {
      await pool.end();
      throw new Error(`cannot use the request database ${redactDbUrl(url)}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return Object.assign(registry, { close: () => pool.end() });
  }

  /** Creates the table and its indexes when missing. Safe to call from several services at once. */
  migrate(): Promise<void> {
    this.migrated ??= (async () => {
      const t = this.table;
      // one statement list, run as a single implicit transaction; the advisory lock serialises
      // concurrent starts (CREATE … IF NOT EXISTS alone can still collide on the catalogue)
      await this.db.query(`
        SELECT pg_advisory_xact_lock(hashtext('${t}'));
        CREATE TABLE IF NOT EXISTS ${t} (
          seq BIGSERIAL PRIMARY KEY,
          prefix TEXT NOT NULL,
          call_id TEXT NOT NULL,
          topic TEXT NOT NULL,
          type TEXT NOT NULL,
          unit TEXT NOT NULL,
          national_id TEXT,
          order_number TEXT,
          caller_number TEXT,
          rule TEXT,
          outcome TEXT,
          details JSONB,
          created_at TEXT NOT NULL,
          status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at BIGINT NOT NULL DEFAULT 0,
          last_error TEXT,
          delivered_at TEXT
        );
        ALTER TABLE ${t}
          ADD COLUMN IF NOT EXISTS attempts INTEGER NOT NULL DEFAULT 0,
          ADD COLUMN IF NOT EXISTS next_attempt_at BIGINT NOT NULL DEFAULT 0,
          ADD COLUMN IF NOT EXISTS last_error TEXT,
          ADD COLUMN IF NOT EXISTS delivered_at TEXT,
          ADD COLUMN IF NOT EXISTS claimed_until BIGINT NOT NULL DEFAULT 0,
          ADD COLUMN IF NOT EXISTS claimed_by TEXT;
        ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${t}_call_id_topic_key;
        CREATE UNIQUE INDEX IF NOT EXISTS ${t}_once ON ${t} (call_id, topic, coalesce(order_number, ''));
        CREATE INDEX IF NOT EXISTS ${t}_pending ON ${t} (status, next_attempt_at);
        CREATE INDEX IF NOT EXISTS ${t}_by_customer ON ${t} (national_id, order_number);
        CREATE TABLE IF NOT EXISTS ${t}_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO ${t}_meta (key, value) VALUES ('installation_id', '${randomUUID()}') ON CONFLICT (key) DO NOTHING;
      `);
    })();
    this.migrated.catch(() => {
      this.migrated = null; // let a later call try again
    });
    return this.migrated;
  }

  /**
   * The installation id of this database (made once by the first service that migrated it): the
   * same for every service sharing the table, unlike each service's SQLite installation id.
   */
  installationId(): Promise<string> {
    this.installation ??= (async () => {
      await this.migrate();
      const res = await this.db.query<{ value: string }>(`SELECT value FROM ${this.table}_meta WHERE key = 'installation_id'`);
      const id = res.rows[0]?.value;
      if (!id) throw new Error(`${this.table}_meta has no installation_id row`);
      return id;
    })();
    this.installation.catch(() => {
      this.installation = null;
    });
    return this.installation;
  }

  async register(r: NewRequest): Promise<RegisteredRequest> {
    if (!r.callId) throw new Error('request callId is empty');
    if (!r.topic) throw new Error('request topic is empty');
    await this.migrate();
    const cols = `seq, prefix, call_id, topic, type, unit, national_id, order_number, caller_number, rule, outcome, details, created_at, status`;
    const inserted = await this.db.query<Row>(
      `INSERT INTO ${this.table} (${REQUEST_INSERT_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (call_id, topic, coalesce(order_number, '')) DO NOTHING
       RETURNING ${cols}`,
      requestInsertValues(this.prefix, r, this.now().toISOString()),
    );
    const row = inserted.rows[0];
    if (row) {
      const stored = pgRowToRequest(row);
      this.onRegistered?.(stored);
      return stored;
    }
    // the conflict: this (callId, topic, order) was registered before (by this or another service)
    const existing = await this.db.query<Row>(`SELECT ${cols} FROM ${this.table} WHERE call_id = $1 AND topic = $2 AND coalesce(order_number, '') = $3`, [
      r.callId,
      r.topic,
      r.orderNumber ?? '',
    ]);
    const first = existing.rows[0];
    if (!first) throw new Error(`request (${r.callId}, ${r.topic}) conflicted but cannot be read back`);
    return { ...pgRowToRequest(first), alreadyRegistered: true };
  }

  /** requests not delivered (pending, failed) in the shared table: the cluster outbox's depth for /metrics */
  async outboxDepth(): Promise<{ pending: number; failed: number }> {
    await this.migrate();
    const res = await this.db.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM ${this.table} WHERE status IN ('pending', 'failed') GROUP BY status`);
    const out = { pending: 0, failed: 0 };
    for (const r of res.rows) if (r.status === 'pending' || r.status === 'failed') out[r.status] = Number(r.n);
    return out;
  }

  async forCall(callId: string): Promise<RegisteredRequest | null> {
    await this.migrate();
    const res = await this.db.query<Row>(`SELECT * FROM ${this.table} WHERE call_id = $1 ORDER BY seq DESC LIMIT 1`, [callId]);
    return res.rows[0] ? pgRowToRequest(res.rows[0]) : null;
  }

  async earlierRequests(nationalId: string, orderNumber?: string, units?: readonly RequestUnit[]): Promise<EarlierRequest[]> {
    await this.migrate();
    const args: unknown[] = [nationalId];
    let where = 'national_id = $1';
    if (orderNumber !== undefined) where += ` AND order_number = $${args.push(orderNumber)}`;
    if (units) where += ` AND unit = ANY($${args.push([...units])})`;
    const res = await this.db.query<Row>(`SELECT * FROM ${this.table} WHERE ${where} ORDER BY seq`, args);
    return res.rows.map((row) => {
      const r = pgRowToRequest(row);
      const e: EarlierRequest = { number: r.number, type: r.type, unit: r.unit, topic: r.topic, createdAt: r.createdAt, status: r.status };
      if (r.orderNumber !== undefined) e.orderNumber = r.orderNumber;
      return e;
    });
  }
}
