/**
 * The store's writer thread (src/store/writer.ts starts it): its own connection to the store's
 * file, running the service's writes off the main thread, so that SQLite's commit — with
 * synchronous=FULL, an fsync of the WAL — never holds up the event loop that carries the calls.
 *
 * Group commit: the jobs that arrive while a commit is in progress wait, then go together in the
 * next transaction (one fsync for all of them). Each job runs in its own SAVEPOINT, so a job that
 * fails (a bad statement) is rolled back alone; every job is answered only after the COMMIT that
 * made it durable has returned.
 *
 * A locked database (another process holds the write lock: SQLITE_BUSY at BEGIN IMMEDIATE, the
 * busy timeout is 0) is tried again after 5, 10, 20 … 100 ms, on timers, meanwhile new jobs join
 * the batch; a job whose deadline (the main thread's writeWaitMs) has passed is answered `busy`.
 * A full disk or an I/O error fails the whole batch at once (waiting does not help them).
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { runWriteStmts, type WriterInit, type WriterReply, type WriterRequest, type WriteJob } from './writer.ts';

const init = workerData as WriterInit;
const port = parentPort!;
const db = new Database(init.path);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${init.synchronous.toUpperCase()}`);
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 0');
/** [0] 1 while this connection holds the write lock; [1] counts its transactions ended (probeStoreWritable) */
const lockState = new Int32Array(init.lockState);

const statements = new Map<string, Database.Statement>();
const stmt = (sql: string) => {
  let st = statements.get(sql);
  if (!st) statements.set(sql, (st = db.prepare(sql)));
  return st;
};

let queue: WriteJob[] = [];
let scheduled = false;
let retryTimer: NodeJS.Timeout | undefined;
let delay = 5;
let closing = false;
/** tests (StoreWriter.crashNextCommit): die between the batch's statements and its COMMIT */
let crashBeforeCommit = false;
/** tests (StoreWriter.stallNextBegin): ms to stop for right after the next BEGIN took the lock */
let stallAfterBeginMs = 0;

const code = (e: unknown) => String((e as { code?: unknown }).code ?? '');
const isBusy = (e: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(code(e));
const isFailure = (e: unknown) => /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB)/.test(code(e));

const reply = (m: WriterReply) => port.postMessage(m);
const failAll = (jobs: WriteJob[], e: unknown) => {
  for (const j of jobs) reply({ id: j.id, ok: false, kind: 'failure', message: (e as Error).message, code: code(e) });
};

function schedule(): void {
  if (scheduled || retryTimer) return;
  scheduled = true;
  // after the messages that came with this one: they go in the same transaction
  setImmediate(flush);
}

function endTransaction(): void {
  Atomics.store(lockState, 0, 0);
  Atomics.add(lockState, 1, 1);
}

function flush(): void {
  scheduled = false;
  if (queue.length === 0) return finishIfClosing();
  const batch = queue;
  queue = [];
  // marked before BEGIN, not after: between the lock taken and a mark set after it, the main
  // thread's probe (probeStoreWritable) would meet this thread's own lock and, under CPU
  // contention, find no mark of it and report another process's lock (seen with the test files
  // run side by side). A BEGIN that fails ends the mark like a transaction: a probe that
  // overlaps that failed attempt (microseconds, between waits of 5-100 ms) takes the lock it met
  // for this thread's and says ok that once.
  Atomics.store(lockState, 0, 1);
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (e) {
    endTransaction();
    if (!isBusy(e)) {
      failAll(batch, e);
      return next();
    }
    return waitForLock(batch, e);
  }
  if (stallAfterBeginMs > 0) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, stallAfterBeginMs);
    stallAfterBeginMs = 0;
  }
  delay = 5;
  const done: WriterReply[] = [];
  try {
    for (const j of batch) {
      db.exec('SAVEPOINT job');
      try {
        const results = runWriteStmts(stmt, j.stmts);
        db.exec('RELEASE job');
        done.push({ id: j.id, ok: true, results });
      } catch (e) {
        // this job alone is undone; a store that cannot take writes ends the whole batch (below)
        db.exec('ROLLBACK TO job');
        db.exec('RELEASE job');
        if (isFailure(e)) throw e;
        done.push({ id: j.id, ok: false, kind: 'error', message: (e as Error).message, code: code(e) });
      }
    }
    if (crashBeforeCommit) process.exit(70);
    db.exec('COMMIT');
  } catch (e) {
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
    } catch {
      // the transaction is gone already
    }
    endTransaction();
    // not expected once BEGIN IMMEDIATE holds the lock; tried again like a lock at BEGIN
    if (isBusy(e)) return waitForLock(batch, e);
    failAll(batch, e);
    return next();
  }
  endTransaction();
  // answered only now: the COMMIT above has returned, the batch is durable
  for (const m of done) reply(m);
  next();
}

/** locked by another process: the jobs past their deadline fail, the rest wait for the next try */
function waitForLock(batch: WriteJob[], e: unknown): void {
  const now = Date.now();
  const waiting: WriteJob[] = [];
  for (const j of batch) {
    if (now + delay > j.deadline) reply({ id: j.id, ok: false, kind: 'busy', message: (e as Error).message, code: code(e) });
    else waiting.push(j);
  }
  queue = waiting.concat(queue);
  if (queue.length > 0) {
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      flush();
    }, delay);
    delay = Math.min(100, delay * 2);
  }
  finishIfClosing();
}

function next(): void {
  if (queue.length > 0) schedule();
  else finishIfClosing();
}

function finishIfClosing(): void {
  if (!closing || queue.length > 0 || scheduled || retryTimer) return;
  db.close();
  port.close();
}

port.on('message', (m: WriterRequest) => {
  if (m.type === 'write') {
    queue.push(m.job);
    schedule();
  } else if (m.type === 'close') {
    closing = true;
    if (!scheduled && !retryTimer) flush();
  } else if (m.type === 'crash') {
    // tests: the thread dies in its next batch, after the statements and before the COMMIT
    crashBeforeCommit = true;
  } else if (m.type === 'stall') {
    stallAfterBeginMs = m.ms;
  }
});
reply({ id: 0, ok: true, results: [] });
