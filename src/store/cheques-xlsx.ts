/**
 * Bounced cheques from the finance unit's Excel file (rule A10: "bounced cheques are kept in an Excel
 * file updated in the system"). Read with read-excel-file (see docs/data.md for why), imported at
 * start and re-read on a node-cron schedule.
 *
 * Columns are found by their header (first sheet; the header row is the first of the first 10 rows
 * that names both a national-ID and a bounce-date column); Persian or English names, matched after
 * normalising letters, digits, spaces and case — see HEADERS. Column order does not matter and
 * other columns are ignored.
 *
 * Cells: national IDs regain the leading zeros Excel drops from numbers; Persian/Arabic digits and
 * letters are normalised; dates may be Jalali text (1404/08/15, ۱۴۰۴/۰۸/۱۵), Gregorian text
 * (2025-11-06), Excel date cells or plain serial numbers. A bad row is skipped and reported with its
 * Excel row number; a file that cannot be read at all (missing, not .xlsx, no header) keeps the last
 * good data and logs why.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { readFile, stat } from 'node:fs/promises';
import { readSheet } from 'read-excel-file/node';
import type { BouncedCheque } from '../domain/data-file.ts';
import type { Logger } from '../log/logger.ts';
import { retryWhileBusy } from './busy.ts';
import { metaGet, metaSet, type IvrStore } from './db.ts';
import {
  excelDateToIso,
  excelSerialToIso,
  nationalIdFromCell,
  nationalIdProblem,
  normalizeText,
  orderNumberFromCell,
  ORDER_NUMBER_HINT,
  parseJalaliText,
} from './normalize.ts';

type Field = 'nationalId' | 'orderNumber' | 'chequeNumber' | 'amount' | 'bouncedAt';

/** Accepted header names per column (compared after headerKey()); the first is the documented one. */
export const HEADERS: Record<Field, string[]> = {
  nationalId: ['کد ملی', 'national id', 'کدملی', 'شماره ملی', 'کد ملی مشتری', 'nationalid', 'national code', 'nid'],
  orderNumber: ['شماره سفارش', 'order number', 'سفارش', 'شماره پیش فاکتور', 'order no', 'order', 'ordernumber'],
  chequeNumber: ['شماره چک', 'cheque number', 'check number', 'شماره صیادی', 'شماره صیادی چک', 'cheque no', 'cheque', 'check'],
  amount: ['مبلغ', 'amount', 'مبلغ چک', 'مبلغ (تومان)', 'amount (toman)', 'مبلغ تومان'],
  bouncedAt: ['تاریخ برگشت', 'bounce date', 'تاریخ برگشت چک', 'تاریخ برگشتی', 'bounced at', 'bounced date', 'date', 'تاریخ'],
};

/** Header text → comparison key: Persian letters/digits normalised, no spaces, ZWNJ, punctuation or case. */
export function headerKey(s: string): string {
  return normalizeText(s)
    .toLowerCase()
    .replace(/[\s\u200c\u200f\u200e_\-.:()/]/g, '');
}

export interface RowProblem {
  /** Excel row number as the finance unit sees it (1 = first row) */
  row: number;
  message: string;
}

export interface ChequesParseResult {
  cheques: BouncedCheque[];
  /** rows skipped */
  problems: RowProblem[];
  /** rows kept with a doubt (e.g. a cheque number Excel cut to 15 digits) */
  warnings: RowProblem[];
  /** the header row's Excel number and the columns found (1-based letters) */
  header: { row: number; columns: Partial<Record<Field, string>> };
}

/** A file that cannot be used at all. */
export class ChequesFileError extends Error {
  override name = 'ChequesFileError';
}

type Cell = string | number | boolean | Date | null | undefined;

function columnLetter(i: number): string {
  let s = '';
  let n = i + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function findColumns(row: Cell[]): Partial<Record<Field, number>> {
  const keys = row.map((c) => (typeof c === 'string' ? headerKey(c) : ''));
  const found: Partial<Record<Field, number>> = {};
  const taken = new Set<number>();
  // exact names first, then headers that contain a name ("تاریخ برگشت چک (شمسی)")
  for (const pass of ['exact', 'contains'] as const) {
    for (const field of Object.keys(HEADERS) as Field[]) {
      if (found[field] !== undefined) continue;
      for (const name of HEADERS[field]) {
        const k = headerKey(name);
        const idx = keys.findIndex((h, i) => !taken.has(i) && h !== '' && (pass === 'exact' ? h === k : k.length >= 4 && h.includes(k)));
        if (idx >= 0) {
          found[field] = idx;
          taken.add(idx);
          break;
        }
      }
    }
  }
  return found;
}

/** A date cell → ISO date-time (midnight Iran time), or null. */
export function parseDateCell(v: Cell): string | null {
  if (v instanceof Date) return excelDateToIso(v);
  if (typeof v === 'number') return excelSerialToIso(v);
  if (typeof v !== 'string') return null;
  const t = normalizeText(v);
  if (t === '') return null;
  const jalali = parseJalaliText(t);
  if (jalali) return jalali;
  const g = /^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$/.exec(t);
  if (g && Number(g[1]) >= 1900) {
    const [y, m, d] = [Number(g[1]), Number(g[2]), Number(g[3])];
    const dt = new Date(Date.UTC(y, m - 1, d));
    if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
    return excelDateToIso(dt);
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(t) && !Number.isNaN(Date.parse(t))) return t;
  if (/^\d+(\.\d+)?$/.test(t)) return excelSerialToIso(Number(t));
  return null;
}

/** An amount cell (Toman) → whole number, or null. Accepts 1,500,000 / ۱٬۵۰۰٬۰۰۰ / 1500000. */
export function parseAmountCell(v: Cell): number | null {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : Number.isFinite(v) && v >= 0 ? Math.round(v) : null;
  if (typeof v !== 'string') return null;
  const t = normalizeText(v).replace(/[,\u066c\u060c\s]/g, '').replace(/(تومان|toman)$/i, '');
  return /^\d+$/.test(t) ? Number(t) : null;
}

function isEmpty(c: Cell): boolean {
  return c === null || c === undefined || (typeof c === 'string' && c.trim() === '');
}

/** Parses the sheet data (rows of cells as read-excel-file gives them). */
export function parseChequeRows(rows: Cell[][]): ChequesParseResult {
  let headerIdx = -1;
  let cols: Partial<Record<Field, number>> = {};
  for (let i = 0; i < Math.min(rows.length, 10); i++) {
    const c = findColumns(rows[i] ?? []);
    if (c.nationalId !== undefined && c.bouncedAt !== undefined) {
      headerIdx = i;
      cols = c;
      break;
    }
  }
  if (headerIdx < 0) {
    throw new ChequesFileError(
      `no header row found in the first 10 rows: need at least a national-ID column ("${HEADERS.nationalId[0]}" / "${HEADERS.nationalId[1]}") and a bounce-date column ("${HEADERS.bouncedAt[0]}" / "${HEADERS.bouncedAt[1]}")`,
    );
  }
  const cheques: BouncedCheque[] = [];
  const problems: RowProblem[] = [];
  const warnings: RowProblem[] = [];
  for (let i = headerIdx + 1; i < rows.length; i++) {
    const row = rows[i] ?? [];
    if (row.every(isEmpty)) continue;
    const excelRow = i + 1;
    const cell = (f: Field): Cell => (cols[f] === undefined ? undefined : row[cols[f]!]);
    const bad: string[] = [];

    const rawId = cell('nationalId');
    const nationalId = nationalIdFromCell(rawId);
    if (nationalId === null) bad.push(`national ID ${show(rawId)} is not a number of up to 10 digits`);
    else {
      const p = nationalIdProblem(nationalId);
      if (p) bad.push(`${p} (${nationalId})`);
    }

    const rawDate = cell('bouncedAt');
    const bouncedAt = parseDateCell(rawDate);
    if (bouncedAt === null) bad.push(`bounce date ${show(rawDate)} is not a date (use 1404/08/15 or an Excel date)`);

    const out: BouncedCheque = { nationalId: nationalId ?? '', bouncedAt: bouncedAt ?? '' };
    const rawOrder = cell('orderNumber');
    if (!isEmpty(rawOrder)) {
      const o = orderNumberFromCell(rawOrder);
      if (o === null) bad.push(`order number ${show(rawOrder)} must be ${ORDER_NUMBER_HINT}`);
      else out.orderNumber = o;
    }
    const rawCheque = cell('chequeNumber');
    if (!isEmpty(rawCheque)) {
      if (typeof rawCheque === 'number' && rawCheque >= 1e15) {
        // Excel keeps 15 significant digits of a number: a 16-digit Sayad cheque number typed as a
        // number has lost its last digit. Keep the cheque, without the number, and say so.
        warnings.push({ row: excelRow, message: `cheque number ${rawCheque} was stored as a number, which Excel cuts to 15 digits: format the column as text; row kept without a cheque number` });
      } else {
        out.chequeNumber = typeof rawCheque === 'number' ? String(rawCheque) : normalizeText(String(rawCheque));
      }
    }
    const rawAmount = cell('amount');
    if (!isEmpty(rawAmount)) {
      const a = parseAmountCell(rawAmount);
      if (a === null) bad.push(`amount ${show(rawAmount)} is not a whole number of Toman`);
      else out.amount = a;
    }
    if (bad.length) problems.push({ row: excelRow, message: bad.join('; ') });
    else cheques.push(out);
  }
  const columns: Partial<Record<Field, string>> = {};
  for (const [f, idx] of Object.entries(cols)) columns[f as Field] = columnLetter(idx);
  return { cheques, problems, warnings, header: { row: headerIdx + 1, columns } };
}

function show(v: Cell): string {
  if (v === undefined || v === null || v === '') return '(empty)';
  if (v instanceof Date) return JSON.stringify(v.toISOString().slice(0, 10));
  return JSON.stringify(v);
}

/** Reads and parses an .xlsx file (first sheet). Throws ChequesFileError when it cannot be read. */
export async function readChequesXlsx(input: string | Buffer): Promise<ChequesParseResult> {
  let rows: Cell[][];
  try {
    const data = typeof input === 'string' ? await readFile(input) : input;
    rows = (await readSheet(data)) as Cell[][];
  } catch (e) {
    throw new ChequesFileError(`cannot read the spreadsheet: ${(e as Error).message}`);
  }
  return parseChequeRows(rows);
}

/** Replaces the spreadsheet's cheques in the store, in one transaction. */
export function replaceXlsxCheques(store: IvrStore, cheques: BouncedCheque[]): void {
  const db = store.db;
  const ins = db.prepare(`INSERT INTO bounced_cheques (source, national_id, json) VALUES ('xlsx', ?, ?)`);
  db.transaction(() => {
    db.prepare(`DELETE FROM bounced_cheques WHERE source = 'xlsx'`).run();
    for (const c of cheques) ins.run(c.nationalId, JSON.stringify(c));
  })();
}

export type ChequesLoad =
  | { ok: true; changed: boolean; imported: number; problems: RowProblem[] }
  | { ok: false; error: string; /** cheques still served from the last good file */ kept: number };

export interface ChequesWatcherOptions {
  /** the .xlsx path (IVR_CHEQUES_XLSX) */
  path: string;
  /** node-cron expression (IVR_CHEQUES_CRON), default every 10 minutes */
  cron?: string;
  logger?: Logger;
}

/** Imports the bounced-cheque spreadsheet at start and re-reads it on a schedule. */
export class ChequesWatcher {
  private task: ScheduledTask | undefined;
  private signature: string | undefined;
  private loading: Promise<ChequesLoad> | undefined;
  readonly cron: string;

  constructor(
    private readonly store: IvrStore,
    private readonly opts: ChequesWatcherOptions,
  ) {
    this.cron = opts.cron ?? '*/10 * * * *';
    if (!cron.validate(this.cron)) throw new Error(`IVR_CHEQUES_CRON: not a cron expression (got "${this.cron}")`);
  }

  /** first import, then the schedule. Resolves with the first import's result (never rejects). */
  async start(): Promise<ChequesLoad> {
    const first = await this.reload();
    if (!this.task) {
      this.task = cron.schedule(this.cron, () => void this.reload(), { name: 'bounced-cheques-xlsx', noOverlap: true });
    }
    return first;
  }

  async stop(): Promise<void> {
    const t = this.task;
    this.task = undefined;
    if (t) await t.destroy();
    if (this.loading) await this.loading;
  }

  /** re-reads the file now (skipped when its size and modification time are unchanged since the last good read) */
  reload(force = false): Promise<ChequesLoad> {
    this.loading ??= this.load(force).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(force: boolean): Promise<ChequesLoad> {
    const log = this.opts.logger;
    const kept = () => (this.store.db.prepare(`SELECT count(*) AS n FROM bounced_cheques WHERE source = 'xlsx'`).get() as { n: number }).n;
    let sig: string;
    try {
      const st = await stat(this.opts.path);
      sig = `${st.size}:${st.mtimeMs}`;
    } catch (e) {
      return this.fail(`cannot open ${this.opts.path}: ${(e as Error).message}`, kept());
    }
    if (!force && sig === this.signature) return { ok: true, changed: false, imported: kept(), problems: [] };
    let parsed: ChequesParseResult;
    try {
      parsed = await readChequesXlsx(this.opts.path);
    } catch (e) {
      return this.fail((e as Error).message, kept());
    }
    // the service's writer thread may hold the lock for a commit (and another process for longer): retried on timers
    await retryWhileBusy(
      () =>
        this.store.db.transaction(() => {
          replaceXlsxCheques(this.store, parsed.cheques);
          metaSet(
            this.store.db,
            'cheques_xlsx',
            JSON.stringify({ at: new Date().toISOString(), path: this.opts.path, imported: parsed.cheques.length, badRows: parsed.problems.length, error: null }),
          );
        })(),
      { waitMs: this.store.writeWaitMs, what: 'replace the bounced cheques', stats: this.store.writeStats },
    );
    this.signature = sig;
    for (const p of parsed.problems) log?.warn({ file: this.opts.path, row: p.row, problem: p.message }, 'bounced-cheque spreadsheet: row skipped');
    for (const p of parsed.warnings) log?.warn({ file: this.opts.path, row: p.row, problem: p.message }, 'bounced-cheque spreadsheet: row kept with a doubt');
    log?.info({ file: this.opts.path, imported: parsed.cheques.length, badRows: parsed.problems.length }, 'bounced-cheque spreadsheet imported');
    return { ok: true, changed: true, imported: parsed.cheques.length, problems: parsed.problems };
  }

  private fail(error: string, kept: number): ChequesLoad {
    const prev = metaGet(this.store.db, 'cheques_xlsx');
    const info = prev ? (JSON.parse(prev) as Record<string, unknown>) : {};
    metaSet(this.store.db, 'cheques_xlsx', JSON.stringify({ ...info, lastError: error, lastErrorAt: new Date().toISOString() }));
    this.opts.logger?.error({ file: this.opts.path, error, keptCheques: kept }, 'bounced-cheque spreadsheet not usable: keeping the last good data');
    return { ok: false, error, kept };
  }
}
