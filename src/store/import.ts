/**
 * Import of a data file (spec "Data file"; schema src/domain/data-file.ts) into the embedded store.
 *
 * All or nothing: the whole file is validated first (zod schema plus the checks the schema cannot
 * express: national-ID and IBAN checksums, order-number format, duplicate keys); any problem rejects
 * the file with every problem listed as `path: message (got value)`, and nothing is written.
 * A valid file is written in one transaction.
 *
 * Modes: `replace` (default) makes the store's order data exactly the file's: customers, orders,
 * stock, stores and data-file bounced cheques are replaced. Customers registered over the phone
 * (before purchase 4) and cheques from the finance unit's .xlsx are kept. `merge` upserts by key
 * (customer by national ID, order by number, stock by product, store by area code + name) and adds
 * bounced cheques that are not there yet.
 * The IVR's own records (requests, counters, SMS) are never touched by an import.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { DataFile, type BouncedCheque } from '../domain/data-file.ts';
import type { IvrStore } from './db.ts';
import { metaSet } from './db.ts';
import { isValidIban, isValidOrderNumber, nationalIdProblem, ORDER_NUMBER_HINT } from './normalize.ts';

export type ImportMode = 'replace' | 'merge';

export interface ImportOptions {
  mode?: ImportMode;
  /** check national-ID check digits and IBAN checksums (default true) */
  strictIds?: boolean;
  /** check the team's order-number format (default true) */
  strictOrderNumbers?: boolean;
  /** `replace` with a file that holds no row at all empties the store's order data: refused unless set */
  allowEmpty?: boolean;
}

export interface ImportResult {
  mode: ImportMode;
  counts: { customers: number; orders: number; stock: number; stores: number; bouncedCheques: number };
}

/** A data file that cannot be imported; `problems` holds one line per problem. */
export class DataFileError extends Error {
  override name = 'DataFileError';
  constructor(
    readonly problems: string[],
    readonly source = 'data file',
  ) {
    super(`${source} rejected, nothing imported (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` + problems.map((p) => `  ${p}`).join('\n'));
  }
}

/** Reads and imports a data file from disk. Throws DataFileError (nothing written) when invalid. */
export function importDataFile(store: IvrStore, file: string, opts: ImportOptions = {}): ImportResult {
  return importDataContent(store, readDataFileJson(file), opts, file);
}

export function readDataFileJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataFileError([`cannot read the file: ${(e as Error).message}`], file);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new DataFileError([`not valid JSON: ${(e as Error).message}`], file);
  }
}

const SECTIONS = ['customers', 'orders', 'stock', 'stores', 'bouncedCheques'] as const;
type Section = (typeof SECTIONS)[number];
const ROW_SCHEMAS: Record<Section, z.ZodType> = {
  customers: DataFile.shape.customers.unwrap().element,
  orders: DataFile.shape.orders.unwrap().element,
  stock: DataFile.shape.stock.unwrap().element,
  stores: DataFile.shape.stores.unwrap().element,
  bouncedCheques: DataFile.shape.bouncedCheques.unwrap().element,
};
const ROW_FIELDS: Record<Section, string[]> = Object.fromEntries(
  SECTIONS.map((s) => [s, Object.keys((ROW_SCHEMAS[s] as unknown as { shape: Record<string, unknown> }).shape)]),
) as Record<Section, string[]>;
const fold = (k: string) => k.toLowerCase().replace(/[-_\s]/g, '');

/**
 * Validates without writing: the parsed data file, or every problem at once (schema problems of
 * every row, then the checksum, format and duplicate checks of the rows that parsed).
 *
 * Strict where a typo would lose data: the top level may hold only the five sections (a
 * `Customers` or `bounced_cheques` is refused with the right name), a row field that differs from
 * a known one only by case, `-` or `_` (e.g. `NationalId`) is refused; other unknown row fields are
 * ignored (the data-file contract).
 */
export function validateDataFile(content: unknown, opts: ImportOptions = {}): { ok: true; data: DataFile } | { ok: false; problems: string[] } {
  if (content === null || typeof content !== 'object' || Array.isArray(content)) {
    return { ok: false, problems: [`(top level): must be a JSON object with the sections ${SECTIONS.join(', ')} (${shown(content)})`] };
  }
  const problems: string[] = [];
  const obj = content as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if ((SECTIONS as readonly string[]).includes(k)) continue;
    const like = SECTIONS.find((s) => fold(s) === fold(k));
    problems.push(like ? `${k}: unknown section; did you mean "${like}"? (names are case-sensitive)` : `${k}: unknown section; the sections are ${SECTIONS.join(', ')}`);
  }
  const data: Record<Section, unknown[]> = { customers: [], orders: [], stock: [], stores: [], bouncedCheques: [] };
  /** index in the file of each parsed row (rows that failed are left out of the further checks) */
  const index: Record<Section, number[]> = { customers: [], orders: [], stock: [], stores: [], bouncedCheques: [] };
  for (const section of SECTIONS) {
    const rows = obj[section];
    if (rows === undefined) continue;
    if (!Array.isArray(rows)) {
      problems.push(`${section}: must be an array of rows (${shown(rows)})`);
      continue;
    }
    rows.forEach((row, i) => {
      if (row !== null && typeof row === 'object' && !Array.isArray(row)) {
        for (const k of Object.keys(row)) {
          if (ROW_FIELDS[section].includes(k)) continue;
          const like = ROW_FIELDS[section].find((f) => fold(f) === fold(k));
          if (like) problems.push(`${section}[${i}].${k}: unknown field; did you mean "${like}"? (names are case-sensitive)`);
        }
      }
      const r = ROW_SCHEMAS[section].safeParse(row);
      if (r.success) {
        data[section].push(r.data);
        index[section].push(i);
      } else problems.push(...r.error.issues.map((iss) => formatIssue({ ...iss, path: [section, i, ...iss.path] }, content)));
    });
  }
  const parsed = data as unknown as DataFile;
  problems.push(...extraChecks(parsed, content, opts, index));
  return problems.length ? { ok: false, problems } : { ok: true, data: parsed };
}

/** Rows in a parsed data file (0: the file holds nothing). */
export const rowCount = (d: DataFile) => d.customers.length + d.orders.length + d.stock.length + d.stores.length + d.bouncedCheques.length;

/** Imports already-parsed JSON content. Throws DataFileError (nothing written) when invalid. */
export function importDataContent(store: IvrStore, content: unknown, opts: ImportOptions = {}, source = 'data file'): ImportResult {
  const v = validateDataFile(content, opts);
  if (!v.ok) throw new DataFileError(v.problems, source);
  const data = v.data;
  const mode = opts.mode ?? 'replace';
  if (mode === 'replace' && rowCount(data) === 0 && !opts.allowEmpty) {
    throw new DataFileError(['the file holds no rows: importing it would empty the order data (to do that on purpose: data import FILE --allow-empty)'], source);
  }
  const db = store.db;
  const upCustomer = db.prepare(
    `INSERT INTO customers (national_id, json, source) VALUES (?, ?, 'import')
     ON CONFLICT(national_id) DO UPDATE SET json = excluded.json, source = 'import'`,
  );
  const upOrder = db.prepare(
    `INSERT INTO orders (order_number, national_id, json) VALUES (?, ?, ?)
     ON CONFLICT(order_number) DO UPDATE SET national_id = excluded.national_id, json = excluded.json`,
  );
  const upStock = db.prepare(
    `INSERT INTO stock (product_code, orderable) VALUES (?, ?) ON CONFLICT(product_code) DO UPDATE SET orderable = excluded.orderable`,
  );
  const upStore = db.prepare(
    `INSERT INTO stores (area_code, name, json) VALUES (?, ?, ?) ON CONFLICT(area_code, name) DO UPDATE SET json = excluded.json`,
  );
  const insCheque = db.prepare(`INSERT INTO bounced_cheques (source, national_id, json) VALUES ('import', ?, ?)`);
  const sameCheque = db.prepare(`SELECT 1 FROM bounced_cheques WHERE source = 'import' AND national_id = ? AND json = ?`);

  db.transaction(() => {
    if (mode === 'replace') {
      db.exec(`DELETE FROM customers WHERE source = 'import'; DELETE FROM orders; DELETE FROM stock; DELETE FROM stores;
               DELETE FROM bounced_cheques WHERE source = 'import';`);
    }
    for (const c of data.customers) upCustomer.run(c.nationalId, JSON.stringify(c));
    for (const o of data.orders) upOrder.run(o.orderNumber, o.nationalId, JSON.stringify(o));
    for (const s of data.stock) upStock.run(s.productCode, s.orderable);
    for (const s of data.stores) upStore.run(s.areaCode, s.name, JSON.stringify(s));
    for (const b of data.bouncedCheques) {
      const json = JSON.stringify(b);
      if (mode === 'merge' && sameCheque.get(b.nationalId, json)) continue;
      insCheque.run(b.nationalId, json);
    }
    metaSet(db, 'last_import', JSON.stringify({ at: new Date().toISOString(), source, mode }));
  })();
  return {
    mode,
    counts: {
      customers: data.customers.length,
      orders: data.orders.length,
      stock: data.stock.length,
      stores: data.stores.length,
      bouncedCheques: data.bouncedCheques.length,
    },
  };
}

// ---------------------------------------------------------------------------------------------

type Path = ReadonlyArray<PropertyKey>;

export function formatPath(path: Path): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(top level)';
}

function valueAt(root: unknown, path: Path): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p as string];
  }
  return v;
}

function shown(v: unknown): string {
  if (v === undefined) return 'missing';
  let s = JSON.stringify(v) ?? String(v);
  if (s.length > 60) s = s.slice(0, 57) + '…';
  return `got ${s}`;
}

function formatIssue(issue: z.core.$ZodIssue, content: unknown): string {
  const value = valueAt(content, issue.path);
  let message = issue.message;
  if (value === undefined) message = 'is required';
  else if (issue.code === 'invalid_type') message = `must be ${issue.expected}`;
  else if (issue.code === 'invalid_value' && 'values' in issue) message = `must be one of ${issue.values.map((x) => JSON.stringify(x)).join(', ')}`;
  return `${formatPath(issue.path)}: ${message} (${shown(value)})`;
}

function extraChecks(data: DataFile, content: unknown, opts: ImportOptions, index: Record<string, number[]>): string[] {
  const strictIds = opts.strictIds ?? true;
  const strictOrders = opts.strictOrderNumbers ?? true;
  const problems: string[] = [];
  // paths name the row's index in the file (rows that failed the schema are not in `data`)
  const at = (path: Path, message: string) => {
    const real = typeof path[1] === 'number' ? [path[0]!, index[String(path[0])]?.[path[1]] ?? path[1], ...path.slice(2)] : path;
    problems.push(`${formatPath(real)}: ${message} (${shown(valueAt(content, real))})`);
  };
  const fileIndex = (section: string, i: number) => index[section]?.[i] ?? i;
  const checkId = (path: Path, id: string | undefined) => {
    if (!strictIds || id === undefined) return;
    const p = nationalIdProblem(id);
    if (p) at(path, p);
  };
  const checkOrderNumber = (path: Path, n: string | undefined) => {
    if (strictOrders && n !== undefined && !isValidOrderNumber(n)) at(path, `order number must be ${ORDER_NUMBER_HINT}`);
  };

  const firstCustomer = new Map<string, number>();
  data.customers.forEach((c, i) => {
    checkId(['customers', i, 'nationalId'], c.nationalId);
    checkId(['customers', i, 'ibanOwnerNationalId'], c.ibanOwnerNationalId);
    if (strictIds && c.iban !== undefined && !isValidIban(c.iban)) at(['customers', i, 'iban'], 'IBAN check digits are wrong (ISO 13616 mod 97)');
    const prev = firstCustomer.get(c.nationalId);
    if (prev !== undefined) at(['customers', i, 'nationalId'], `duplicate of customers[${fileIndex('customers', prev)}]`);
    else firstCustomer.set(c.nationalId, i);
  });
  const firstOrder = new Map<string, number>();
  data.orders.forEach((o, i) => {
    checkId(['orders', i, 'nationalId'], o.nationalId);
    checkOrderNumber(['orders', i, 'orderNumber'], o.orderNumber);
    const prev = firstOrder.get(o.orderNumber);
    if (prev !== undefined) at(['orders', i, 'orderNumber'], `duplicate of orders[${fileIndex('orders', prev)}]`);
    else firstOrder.set(o.orderNumber, i);
  });
  const firstStock = new Map<string, number>();
  data.stock.forEach((s, i) => {
    const prev = firstStock.get(s.productCode);
    if (prev !== undefined) at(['stock', i, 'productCode'], `duplicate of stock[${fileIndex('stock', prev)}]`);
    else firstStock.set(s.productCode, i);
  });
  const firstStore = new Map<string, number>();
  data.stores.forEach((s, i) => {
    const key = `${s.areaCode}\u0000${s.name}`;
    const prev = firstStore.get(key);
    if (prev !== undefined) at(['stores', i, 'name'], `duplicate of stores[${fileIndex('stores', prev)}] in area ${s.areaCode}`);
    else firstStore.set(key, i);
  });
  data.bouncedCheques.forEach((b: BouncedCheque, i) => {
    checkId(['bouncedCheques', i, 'nationalId'], b.nationalId);
    checkOrderNumber(['bouncedCheques', i, 'orderNumber'], b.orderNumber);
  });
  return problems;
}
