/**
 * `ivr-1699 data …`: the embedded order store.
 *   data import FILE [--merge] [--lenient] [--db PATH]   load a data file (all or nothing)
 *   data check FILE [--lenient]                          validate a data file without writing
 *   data show --national-id N [--order N] [--json] [--db PATH]   what the IVR knows about a customer
 *   data cheques FILE [--check] [--db PATH]              import (or only check) the bounced-cheque .xlsx
 */
import { parseOptions, UsageError } from '../usage-error.ts';
import { readDataSettings } from '../../store/config.ts';
import { openConfiguredStore } from '../../store/index.ts';
import { DataFileError, importDataFile, readDataFileJson, rowCount, validateDataFile } from '../../store/import.ts';
import { EmbeddedOrderData } from '../../store/order-data.ts';
import { SqliteRequestRegistry } from '../../store/requests.ts';
import { ChequesFileError, readChequesXlsx, replaceXlsxCheques } from '../../store/cheques-xlsx.ts';
import { nationalIdProblem } from '../../store/normalize.ts';
import type { IvrStore } from '../../store/db.ts';

export const summary = 'order data store: import/check a data file, show a customer, import the bounced-cheque .xlsx';

const HELP = `usage:
  ivr-1699 data import FILE [--merge] [--lenient] [--allow-empty] [--db PATH]
      Load a data file (JSON, see docs/data.md). All or nothing: any bad row rejects the file and
      nothing changes. Default: replace the order data; --merge upserts by key instead.
      --lenient skips the national-ID/IBAN checksum and order-number format checks.
      A file with no rows at all is refused (it would empty the store) unless --allow-empty.
  ivr-1699 data check FILE [--lenient]
      Validate a data file without writing anything.
  ivr-1699 data show --national-id N [--order NUMBER] [--json] [--db PATH]
      Customer, orders, bounced cheques and earlier requests of a national ID.
  ivr-1699 data cheques FILE [--check] [--db PATH]
      Import the finance unit's bounced-cheque spreadsheet now (--check: only report its rows).
The store is IVR_DB or var/ivr-1699.sqlite under the project. A brand-new store (the file did not
exist) is seeded from data/demo.json unless IVR_SEED_DEMO=false; a store that exists is never seeded.
`;

function openFor(db: string | undefined, seed: boolean): IvrStore {
  const s = readDataSettings(process.env);
  return openConfiguredStore({ ...s.store, ...(db ? { dbPath: db } : {}), seedDemo: seed && s.store.seedDemo });
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    process.stdout.write(HELP);
    return sub ? 0 : 2;
  }
  switch (sub) {
    case 'import':
      return doImport(rest);
    case 'check':
      return doCheck(rest);
    case 'show':
      return doShow(rest);
    case 'cheques':
      return doCheques(rest);
    default:
      throw new UsageError(`unknown subcommand '${sub}': use import, check, show or cheques (see ivr-1699 data --help)`);
  }
}

const OPTIONS = {
  db: { type: 'string' },
  merge: { type: 'boolean' },
  lenient: { type: 'boolean' },
  'allow-empty': { type: 'boolean' },
  'national-id': { type: 'string' },
  order: { type: 'string' },
  json: { type: 'boolean' },
  check: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
type Opt = keyof typeof OPTIONS;

/** parses the options, refusing those the subcommand does not take */
function parse(rest: string[], allowed: Opt[]) {
  const r = parseOptions({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  for (const k of Object.keys(r.values) as Opt[]) {
    if (k !== 'help' && !allowed.includes(k)) throw new UsageError(`option --${k} does not apply here (see ivr-1699 data --help)`);
  }
  return r;
}

function oneFile(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`give exactly one ${what} (got ${positionals.length})`);
  return positionals[0]!;
}

async function doImport(rest: string[]): Promise<number> {
  const { values, positionals } = parse(rest, ['db', 'merge', 'lenient', 'allow-empty']);
  if (values.help) return help();
  const file = oneFile(positionals, 'data file');
  const store = openFor(values.db, false);
  try {
    const strict = !values.lenient;
    const r = importDataFile(store, file, { mode: values.merge ? 'merge' : 'replace', strictIds: strict, strictOrderNumbers: strict, allowEmpty: !!values['allow-empty'] });
    const c = r.counts;
    process.stdout.write(
      `imported ${file} (${r.mode}) into ${store.path}: ${c.customers} customers, ${c.orders} orders, ${c.stock} stock rows, ${c.stores} stores, ${c.bouncedCheques} bounced cheques\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof DataFileError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    store.close();
  }
}

async function doCheck(rest: string[]): Promise<number> {
  const { values, positionals } = parse(rest, ['lenient']);
  if (values.help) return help();
  const file = oneFile(positionals, 'data file');
  let content: unknown;
  try {
    content = readDataFileJson(file);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  const strict = !values.lenient;
  const v = validateDataFile(content, { strictIds: strict, strictOrderNumbers: strict });
  if (!v.ok) {
    process.stderr.write(new DataFileError(v.problems, file).message.replace('rejected, nothing imported', 'is not valid') + '\n');
    return 1;
  }
  const d = v.data;
  if (rowCount(d) === 0) {
    process.stderr.write(`${file}: holds no rows: importing it would empty the order data (refused unless --allow-empty)\n`);
    return 1;
  }
  process.stdout.write(`${file}: valid (${d.customers.length} customers, ${d.orders.length} orders, ${d.stock.length} stock rows, ${d.stores.length} stores, ${d.bouncedCheques.length} bounced cheques)\n`);
  return 0;
}

async function doShow(rest: string[]): Promise<number> {
  const { values } = parse(rest, ['db', 'national-id', 'order', 'json']);
  if (values.help) return help();
  const nid = values['national-id'];
  if (!nid) throw new UsageError('--national-id is required, e.g. --national-id 0499370899');
  const p = nationalIdProblem(nid);
  if (p && !/^\d{10}$/.test(nid)) throw new UsageError(`--national-id: ${p} (got "${nid}")`);
  const store = openFor(values.db, true);
  try {
    const od = new EmbeddedOrderData(store);
    const customer = await od.findCustomer(nid);
    const order = values.order;
    const orders = order ? [await od.findOrder(nid, order)].filter((o) => o !== null) : await od.ordersOf(nid);
    const cheques = await od.bouncedCheques(nid);
    const requests = await new SqliteRequestRegistry(store).earlierRequests(nid, order);
    if (values.json) {
      process.stdout.write(JSON.stringify({ customer, orders, bouncedCheques: cheques, requests }, null, 2) + '\n');
      return customer || orders.length ? 0 : 1;
    }
    const out: string[] = [];
    if (p) out.push(`note: ${p}`);
    out.push(customer ? `customer ${customer.nationalId}: ${customer.name ?? '(no name)'}, mobile ${customer.mobile ?? '-'}, area ${customer.areaCode ?? '-'}, identity ${customer.identityVerified ? 'verified' : 'NOT verified'}, IBAN ${customer.iban ?? '-'}${customer.iban && customer.ibanOwnerNationalId !== customer.nationalId ? ` (owner ${customer.ibanOwnerNationalId ?? 'unknown'})` : ''}` : `no customer ${nid}`);
    for (const o of orders) {
      const bits = Object.entries(o)
        .filter(([k]) => k !== 'orderNumber' && k !== 'nationalId')
        .map(([k, v]) => `${k}=${String(v)}`);
      out.push(`order ${o.orderNumber}: ${bits.join(' ')}`);
    }
    if (order && orders.length === 0) out.push(`no order ${order} for this national ID`);
    for (const b of cheques) out.push(`bounced cheque ${b.chequeNumber ?? '-'}: order ${b.orderNumber ?? '-'}, amount ${b.amount ?? '-'}, bounced ${b.bouncedAt}`);
    for (const r of requests) out.push(`request ${r.number}: ${r.type} → ${r.unit} (${r.topic}${r.orderNumber ? `, order ${r.orderNumber}` : ''}) ${r.createdAt} ${r.status}`);
    process.stdout.write(out.join('\n') + '\n');
    return customer || orders.length ? 0 : 1;
  } finally {
    store.close();
  }
}

async function doCheques(rest: string[]): Promise<number> {
  const { values, positionals } = parse(rest, ['db', 'check']);
  if (values.help) return help();
  const file = oneFile(positionals, '.xlsx file');
  let parsed;
  try {
    parsed = await readChequesXlsx(file);
  } catch (e) {
    if (e instanceof ChequesFileError) {
      process.stderr.write(`${file}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const cols = Object.entries(parsed.header.columns)
    .map(([f, c]) => `${f}=${c}`)
    .join(' ');
  process.stdout.write(`${file}: header in row ${parsed.header.row} (${cols}); ${parsed.cheques.length} good rows, ${parsed.problems.length} bad rows\n`);
  for (const p of parsed.problems) process.stdout.write(`  row ${p.row}: ${p.message}\n`);
  for (const p of parsed.warnings) process.stdout.write(`  row ${p.row} (kept): ${p.message}\n`);
  if (values.check) return parsed.problems.length ? 1 : 0;
  const store = openFor(values.db, true);
  try {
    replaceXlsxCheques(store, parsed.cheques);
    process.stdout.write(`imported ${parsed.cheques.length} bounced cheques into ${store.path} (bad rows skipped)\n`);
  } finally {
    store.close();
  }
  return 0;
}

function help(): number {
  process.stdout.write(HELP);
  return 0;
}
