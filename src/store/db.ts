/**
 * The embedded store: one SQLite file (better-sqlite3) holding the imported order data (customers,
 * orders, stock, stores, bounced cheques) and the IVR's own records (registered requests and their
 * delivery outbox, failed-lookup counters per calling number, SMS outbox, call records).
 *
 * Durability: WAL journal with synchronous=FULL by default. In WAL mode FULL syncs the WAL on every
 * commit, so a registered request survives a power cut, not only a crash of the process; NORMAL
 * would survive `kill -9` but may lose the last commits on power loss. A request is announced to
 * the caller only after its commit, so FULL is the honest choice; the cost (one fsync per
 * registration, about a millisecond) is far below the call rate of a contact center.
 *
 * Schema versions live in `PRAGMA user_version`; each migration runs once, in a transaction.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log/logger.ts';
import { newStoreWriteStats, retryWhileBusy, type StoreWriteStats } from './busy.ts';
import { importDataContent } from './import.ts';
import { runWriteStmts, StoreWriter, type WriteResult, type WriteStmt } from './writer.ts';

export type Db = Database.Database;

/**
 * Can the service write to the store right now? Takes the write lock and gives it back at once
 * (BEGIN IMMEDIATE; ROLLBACK) without waiting: `locked` while another process holds it, `failing`
 * when the last write failed (full disk, I/O) and none has worked since.
 */
export function probeStoreWritable(store: IvrStore): { state: 'ok' | 'locked' | 'failing'; detail?: string } {
  const st = store.writeStats;
  const db = store.db;
  if (!db.open) return { state: 'failing', detail: 'the store is closed' };
  const previous = db.pragma('busy_timeout', { simple: true }) as number;
  const epoch = store.writer?.lockEpoch();
  try {
    if (previous !== 0) db.pragma('busy_timeout = 0');
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (/^SQLITE_(BUSY|LOCKED)/.test(code)) {
      // the service's own writer thread committing at that moment is not another process's lock
      if (epoch === undefined || !store.writer!.heldLockSince(epoch)) return { state: 'locked', detail: 'another process holds the write lock' };
    } else return { state: 'failing', detail: `${(e as Error).message} (${code})` };
  } finally {
    if (previous !== 0) db.pragma(`busy_timeout = ${previous}`);
  }
  if (st.lastFailureAt > st.lastOkAt) return { state: 'failing', detail: st.lastError ?? 'the last write failed' };
  return { state: 'ok' };
}

const MIGRATIONS: string[] = [
  // 1: order data, requests, counters, SMS outbox
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE customers (
    national_id TEXT PRIMARY KEY,
    json TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'import'
  );
  CREATE TABLE orders (
    order_number TEXT PRIMARY KEY,
    national_id TEXT NOT NULL,
    json TEXT NOT NULL
  );
  CREATE INDEX orders_by_national_id ON orders(national_id);
  CREATE TABLE stock (product_code TEXT PRIMARY KEY, orderable INTEGER NOT NULL);
  CREATE TABLE stores (
    id INTEGER PRIMARY KEY,
    area_code TEXT NOT NULL,
    name TEXT NOT NULL,
    json TEXT NOT NULL,
    UNIQUE (area_code, name)
  );
  CREATE TABLE bounced_cheques (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,          -- 'import' (data file) or 'xlsx' (finance unit's spreadsheet)
    national_id TEXT NOT NULL,
    json TEXT NOT NULL
  );
  CREATE INDEX cheques_by_national_id ON bounced_cheques(national_id);

  CREATE TABLE requests (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
    details TEXT,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    delivered_at TEXT,
    UNIQUE (call_id, topic)
  );
  CREATE INDEX requests_pending ON requests(status, next_attempt_at);
  CREATE INDEX requests_by_customer ON requests(national_id, order_number);

  CREATE TABLE lookup_failures (
    id INTEGER PRIMARY KEY,
    caller_number TEXT NOT NULL,
    at_ms INTEGER NOT NULL
  );
  CREATE INDEX lookup_failures_by_caller ON lookup_failures(caller_number, at_ms);

  CREATE TABLE sms (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    receptor TEXT NOT NULL,
    text TEXT NOT NULL,
    parts INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    channel TEXT NOT NULL,        -- 'outbox' (no gateway configured) or 'gateway'
    status TEXT NOT NULL,         -- (pending,) queued | sent | delivered | failed
    gateway_id TEXT,
    error TEXT
  );
  `,
  // 2: one request per call, topic and order (was: per call and topic). The call is the Asterisk
  // channel id, which outlives a restart of the service; the table is rebuilt without the old
  // UNIQUE (call_id, topic) (SQLite cannot drop a constraint), keeping every row and serial.
  `
  CREATE TABLE requests_v2 (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
    details TEXT,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    delivered_at TEXT
  );
  INSERT INTO requests_v2 SELECT seq, prefix, call_id, topic, type, unit, national_id, order_number, caller_number, rule, outcome, details,
    created_at, status, attempts, next_attempt_at, last_error, delivered_at FROM requests;
  UPDATE sqlite_sequence SET seq = max(seq, ifnull((SELECT seq FROM sqlite_sequence WHERE name = 'requests'), 0)) WHERE name = 'requests_v2';
  DROP TABLE requests;
  ALTER TABLE requests_v2 RENAME TO requests;
  CREATE UNIQUE INDEX requests_once ON requests(call_id, topic, ifnull(order_number, ''));
  CREATE INDEX requests_pending ON requests(status, next_attempt_at);
  CREATE INDEX requests_by_customer ON requests(national_id, order_number);
  `,
  // 3: call records (src/store/call-records.ts): one row per call, the record as JSON
  `
  CREATE TABLE call_records (
    id INTEGER PRIMARY KEY,
    call_id TEXT NOT NULL,
    started_ms INTEGER NOT NULL,
    json TEXT NOT NULL
  );
  CREATE INDEX call_records_by_start ON call_records(started_ms);
  `,
  // 4: an SMS's idempotency key (src/sms/outbox.ts): the intent is stored before the gateway is
  // asked, under a key made of the call (the Asterisk channel), the topic and what is sent, so a
  // retry — also by a service restarted between the gateway's answer and the mark — sends nothing twice
  `
  ALTER TABLE sms ADD COLUMN idem_key TEXT;
  CREATE UNIQUE INDEX sms_once ON sms(idem_key) WHERE idem_key IS NOT NULL;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface OpenStoreOptions {
  /** `full` (default) or `normal`; see the file comment */
  synchronous?: 'full' | 'normal';
  /**
   * When the store never had order data (nothing was ever imported into it: a fresh clone), import
   * this data file (a path or its parsed content). A store that had data — even one emptied by an
   * import — is never seeded. Default: none. `openConfiguredStore` passes data/demo.json.
   */
  seedIfEmpty?: string | unknown;
  logger?: Logger;
  /**
   * SQLite's busy timeout: how long a statement blocks this thread waiting for another writer.
   * Default 5000 (command-line tools may wait); the service passes 0 and retries on timers instead
   * (src/store/busy.ts), so its event loop never waits on the database.
   */
  busyTimeoutMs?: number;
  /** how long a write in a call waits (without blocking) for another writer before it fails; default 2000 */
  writeWaitMs?: number;
  /**
   * Run the service's writes on a writer thread with its own connection (src/store/writer.ts), so
   * that no commit's fsync holds up the event loop. Not for `:memory:` (one connection only).
   */
  writer?: boolean;
}

export interface IvrStore {
  readonly db: Db;
  readonly path: string;
  /** random id of this installation, made on first open (idempotency keys towards Quantum) */
  readonly installationId: string;
  /** see OpenStoreOptions.writeWaitMs */
  readonly writeWaitMs: number;
  /** how the service's writes have fared (src/store/busy.ts): /health and /metrics */
  readonly writeStats: StoreWriteStats;
  /**
   * The writer thread (OpenStoreOptions.writer): when present, the service's writes go through it
   * and are awaited; absent (command-line tools, `:memory:`), they run on this thread's connection.
   */
  readonly writer?: StoreWriter;
  /**
   * The service's one write path: runs the statements as one transaction and resolves with their
   * results (WriteStmt: a `get` statement's row or null, otherwise its changes and row id) once the
   * commit has returned, so that what the caller is told is durable. With the writer thread, there
   * (StoreWriter.write); without one (command-line tools, `:memory:`), on this connection in a
   * BEGIN IMMEDIATE transaction whose first try runs before write() returns, a lock held by
   * another process retried on timers (retryWhileBusy). Both paths: the lock waited for up to
   * writeWaitMs, then StoreUnavailableError (counted busy); a full disk or I/O error at once,
   * StoreUnavailableError (counted failed); a bad statement rejects with SQLite's message and code
   * and leaves nothing of its write; `what` names the write in the errors ("register the request").
   */
  write(stmts: WriteStmt[], what: string): Promise<WriteResult[]>;
  /**
   * The prepared statement of `sql`, compiled once per store (better-sqlite3 compiles again at
   * every db.prepare): the calls' reads and writes reuse theirs.
   */
  stmt(sql: string): Database.Statement;
  close(): void;
}

/** Opens (creating if needed) the store at `path` (`:memory:` for tests) and brings its schema up to date. */
export function openStore(path: string, opts: OpenStoreOptions = {}): IvrStore {
  let db: Db | undefined;
  try {
    if (path !== ':memory:') secureStoreFiles(path, opts.logger);
    db = new Database(path);
    db.pragma('journal_mode = WAL'); // the first read of the file: fails here when it is not a database
    if (path !== ':memory:') secureStoreFiles(path, opts.logger); // the -wal and -shm files now exist
  } catch (e) {
    db?.close();
    throw new Error(`cannot open the store ${path}: ${(e as Error).message} (set IVR_DB to a writable SQLite file)`);
  }
  try {
    db.pragma(`synchronous = ${(opts.synchronous ?? 'full').toUpperCase()}`);
    db.pragma('foreign_keys = ON');
    // migrations and the first open may wait for another process; the running service then stops waiting
    db.pragma('busy_timeout = 5000');
    migrate(db);
    let installationId = (db.prepare(`SELECT value FROM meta WHERE key = 'installation_id'`).get() as { value: string } | undefined)?.value;
    if (!installationId) {
      installationId = randomUUID();
      db.prepare(`INSERT INTO meta (key, value) VALUES ('installation_id', ?)`).run(installationId);
    }
    db.pragma(`busy_timeout = ${Math.max(0, Math.round(opts.busyTimeoutMs ?? 5000))}`);
    const statements = new Map<string, Database.Statement>();
    const writeWaitMs = opts.writeWaitMs ?? 2000;
    const writeStats = newStoreWriteStats();
    if (opts.writer && path === ':memory:') throw new Error('an in-memory store has no writer thread (it is one connection)');
    const writer = opts.writer ? new StoreWriter({ path, synchronous: opts.synchronous ?? 'full', writeWaitMs, stats: writeStats, ...(opts.logger ? { logger: opts.logger } : {}) }) : undefined;
    const stmt = (sql: string): Database.Statement => {
      let st = statements.get(sql);
      if (!st) statements.set(sql, (st = db.prepare(sql)));
      return st;
    };
    const inTransaction = db.transaction((stmts: WriteStmt[]) => runWriteStmts(stmt, stmts));
    const store: IvrStore = {
      db,
      path,
      installationId,
      writeWaitMs,
      writeStats,
      ...(writer ? { writer } : {}),
      stmt,
      write: (stmts, what) =>
        writer ? writer.write(stmts, what) : retryWhileBusy(() => inTransaction.immediate(stmts), { waitMs: writeWaitMs, what, stats: writeStats }),
      close: () => {
        // a writer still running ends after the writes it was given (stack.stop awaits writer.close() first)
        void writer?.close();
        if (db.open) db.close();
      },
    };
    if (opts.seedIfEmpty !== undefined && isOrderDataEmpty(db)) {
      // demo data only into a store that never had order data: an import (even one that emptied it) is never undone
      const last = metaGet(db, 'last_import');
      if (last === undefined) seed(store, opts.seedIfEmpty, opts.logger);
      else opts.logger?.warn({ lastImport: JSON.parse(last) as unknown }, 'the store holds no order data (emptied by its last import); not seeding demo data: import your data with `ivr-1699 data import FILE`');
    }
    return store;
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * The store holds national IDs, IBANs and mobiles: its folder is 0700 and the database, its WAL and
 * shared-memory files 0600, checked at every start and fixed (with a warning) when found wider.
 * A folder is only tightened when it is the store's own: the one we create, or the default `var/`;
 * any other folder (IVR_DB=/srv/x.sqlite) is the admin's and gets a warning instead.
 * SQLite creates the -wal/-shm files with the mode of the database file, so 0600 carries over.
 */
export function secureStoreFiles(path: string, log?: Logger): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700); // mkdir's mode is filtered by the umask
  } else {
    const mode = statSync(dir).mode & 0o777;
    if (mode & 0o077) {
      if (dir === dirname(DEFAULT_DB_PATH)) {
        chmodSync(dir, 0o700);
        log?.warn({ dir, was: mode.toString(8), now: '700' }, 'store folder was readable by other users: made private');
      } else {
        log?.warn({ dir, mode: mode.toString(8) }, 'the store folder is readable by other users (chmod 700 it, or give the store its own folder)');
      }
    }
  }
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const f of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    if (!existsSync(f)) continue;
    const mode = statSync(f).mode & 0o777;
    if (mode !== 0o600) {
      chmodSync(f, 0o600);
      if (f === path || mode & 0o077) log?.warn({ file: f, was: mode.toString(8), now: '600' }, 'store file permissions fixed');
    }
  }
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`store schema version ${current} is newer than this program knows (${MIGRATIONS.length}): upgrade ivr-1699`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

export function isOrderDataEmpty(db: Db): boolean {
  const row = db
    .prepare(`SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM orders) + (SELECT count(*) FROM stores) AS n`)
    .get() as { n: number };
  return row.n === 0;
}

function seed(store: IvrStore, source: unknown, log?: Logger): void {
  const content = typeof source === 'string' ? JSON.parse(readFileSync(source, 'utf8')) : source;
  const result = importDataContent(store, content, { mode: 'replace' });
  log?.warn(
    { counts: result.counts, source: typeof source === 'string' ? source : 'object', store: store.path },
    'new store: seeded with DEMO order data (made-up customers); import the real data with `ivr-1699 data import FILE`, or set IVR_SEED_DEMO=false',
  );
}

/** The project's root folder (two levels above this file). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_DB_PATH = join(PROJECT_ROOT, 'var', 'ivr-1699.sqlite');
export const DEMO_DATA_PATH = join(PROJECT_ROOT, 'data', 'demo.json');

export function metaGet(db: Db, key: string): string | undefined {
  return (db.prepare(`SELECT value FROM meta WHERE key = ?`).get(key) as { value: string } | undefined)?.value;
}
export function metaSet(db: Db, key: string, value: string): void {
  db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(key, value);
}
