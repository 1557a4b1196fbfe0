import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type IvrStore } from '../../src/store/db.ts';
import { DataFileError, importDataContent, importDataFile } from '../../src/store/import.ts';
import { EmbeddedOrderData } from '../../src/store/order-data.ts';

const customer = (nationalId: string, extra: Record<string, unknown> = {}) => ({ nationalId, name: 'علی رضایی', identityVerified: true, ...extra });
const order = (orderNumber: string, nationalId: string, extra: Record<string, unknown> = {}) => ({ orderNumber, nationalId, status: 'approved', ...extra });

function dump(store: IvrStore): string {
  const t = ['customers', 'orders', 'stock', 'stores', 'bounced_cheques'].map((n) => store.db.prepare(`SELECT * FROM ${n} ORDER BY rowid`).all());
  return JSON.stringify(t);
}

let store: IvrStore;
afterEach(() => store?.close());

describe('data file import', () => {
  it('imports a valid file and serves it through EmbeddedOrderData', async () => {
    store = openStore(':memory:');
    const r = importDataContent(store, {
      customers: [customer('0499370899', { iban: 'IR820540102680020817909002', ibanOwnerNationalId: '0499370899' })],
      orders: [order('1404001234', '0499370899', { productCode: 'SN-RF-520' })],
      stock: [{ productCode: 'SN-RF-520', orderable: 4 }],
      stores: [{ areaCode: '021', name: 'فروشگاه ونک' }],
      bouncedCheques: [{ nationalId: '0499370899', orderNumber: '1404001234', bouncedAt: '2026-11-18T00:00:00+03:30', unknownField: 'ignored' }],
    });
    expect(r.counts).toEqual({ customers: 1, orders: 1, stock: 1, stores: 1, bouncedCheques: 1 });
    const od = new EmbeddedOrderData(store);
    expect((await od.findCustomer('0499370899'))?.iban).toBe('IR820540102680020817909002');
    expect((await od.findOrder('0499370899', '1404001234'))?.productCode).toBe('SN-RF-520');
    expect(await od.findOrder('0014636417', '1404001234')).toBeNull(); // the pair must belong together
    expect(await od.orderableStock('SN-RF-520')).toBe(4);
    expect(await od.orderableStock('nope')).toBeNull();
    expect((await od.storesByArea('021')).map((s) => s.name)).toEqual(['فروشگاه ونک']);
    expect(await od.storesByArea('017')).toEqual([]);
    expect(await od.bouncedCheques('0499370899')).toHaveLength(1);
  });

  it('rejects a file with one bad row, names the row and the field, and leaves the store unchanged', () => {
    store = openStore(':memory:');
    importDataContent(store, { customers: [customer('0499370899')], orders: [order('1404001234', '0499370899')] });
    const before = dump(store);
    const bad = {
      customers: [customer('0014636417')],
      orders: [order('1404000001', '0014636417'), order('1404000002', '0014636417'), order('1404000003', '0014636417'), order('1404000004', '12345')],
    };
    let err: unknown;
    try {
      importDataContent(store, bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataFileError);
    expect((err as DataFileError).problems).toEqual(['orders[3].nationalId: national ID must be exactly 10 digits (got "12345")']);
    expect(dump(store)).toBe(before);
  });

  it('lists every problem: missing fields, bad enums, checksums, IBAN, order-number format, duplicates', () => {
    store = openStore(':memory:');
    let err: DataFileError | undefined;
    try {
      importDataContent(store, {
        customers: [customer('0499370898'), customer('0014636417', { iban: 'IR830540102680020817909002' }), customer('0014636417')],
        orders: [{ orderNumber: '1404001234', nationalId: '0014636417' }, order('1404001234', '0014636417', { status: 'lost' }), order('A-1', '0014636417')],
      });
    } catch (e) {
      err = e as DataFileError;
    }
    // all at once: the schema's problems, then the checks of the rows that passed it
    expect(err?.problems).toEqual([
      'orders[0].status: is required (missing)',
      'orders[1].status: must be one of "proforma", "registered", "approved", "dispatched", "delivered", "installed", "cancelled" (got "lost")',
      'customers[0].nationalId: national ID check digit is wrong (not a valid Iranian national ID) (got "0499370898")',
      'customers[1].iban: IBAN check digits are wrong (ISO 13616 mod 97) (got "IR830540102680020817909002")',
      'customers[2].nationalId: duplicate of customers[1] (got "0014636417")',
      'orders[2].orderNumber: order number must be 10 digits: the Jalali year of issue (1400–1499) then a 6-digit serial, e.g. 1404001234 (got "A-1")',
    ]);
    try {
      importDataContent(store, {
        customers: [customer('0499370898'), customer('0014636417', { iban: 'IR830540102680020817909002' }), customer('0014636417')],
        orders: [order('1404001234', '0014636417'), order('1404001234', '0014636417'), order('A-1', '0014636417')],
      });
    } catch (e) {
      err = e as DataFileError;
    }
    expect(err?.problems).toEqual([
      'customers[0].nationalId: national ID check digit is wrong (not a valid Iranian national ID) (got "0499370898")',
      'customers[1].iban: IBAN check digits are wrong (ISO 13616 mod 97) (got "IR830540102680020817909002")',
      'customers[2].nationalId: duplicate of customers[1] (got "0014636417")',
      'orders[1].orderNumber: duplicate of orders[0] (got "1404001234")',
      'orders[2].orderNumber: order number must be 10 digits: the Jalali year of issue (1400–1499) then a 6-digit serial, e.g. 1404001234 (got "A-1")',
    ]);
    // lenient mode skips the checks beyond the contract's schema
    expect(() =>
      importDataContent(store, { customers: [customer('0499370898')], orders: [order('A-1', '0499370898')] }, { strictIds: false, strictOrderNumbers: false }),
    ).not.toThrow();
  });

  it('replace drops what the file does not have; merge keeps it; phone registrations survive a replace', async () => {
    store = openStore(':memory:');
    const od = new EmbeddedOrderData(store);
    importDataContent(store, { customers: [customer('0499370899')], orders: [order('1404001234', '0499370899')] });
    expect(await od.registerCustomer({ nationalId: '0134512685' })).toBe('registered');
    expect(await od.registerCustomer({ nationalId: '0134512685' })).toBe('already-registered');
    expect(await od.registerCustomer({ nationalId: '0499370899' })).toBe('already-registered');

    importDataContent(store, { customers: [customer('0014636417')], orders: [order('1404000009', '0014636417')] }, { mode: 'merge' });
    expect(await od.findCustomer('0499370899')).not.toBeNull();
    expect(await od.findCustomer('0014636417')).not.toBeNull();

    importDataContent(store, { customers: [customer('0014636417')] });
    expect(await od.findCustomer('0499370899')).toBeNull();
    expect(await od.findOrder('0499370899', '1404001234')).toBeNull();
    expect(await od.findCustomer('0134512685')).not.toBeNull();
  });

  it('a file that is not a database is refused with a clear message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivr-db-'));
    writeFileSync(join(dir, 'not.sqlite'), 'x'.repeat(4096));
    expect(() => openStore(join(dir, 'not.sqlite'))).toThrow(/cannot open the store .*not\.sqlite: .*(not a database|malformed).*IVR_DB/);
  });

  it('reports unreadable and non-JSON files', () => {
    store = openStore(':memory:');
    const dir = mkdtempSync(join(tmpdir(), 'ivr-import-'));
    writeFileSync(join(dir, 'bad.json'), '{ "customers": [ }');
    expect(() => importDataFile(store, join(dir, 'bad.json'))).toThrow(/not valid JSON/);
    expect(() => importDataFile(store, join(dir, 'missing.json'))).toThrow(/cannot read the file/);
  });

  it('the demo data set imports strictly (valid national IDs, IBANs and order numbers)', () => {
    store = openStore(':memory:');
    const demo = JSON.parse(readFileSync(new URL('../../data/demo.json', import.meta.url), 'utf8'));
    const r = importDataContent(store, demo);
    expect(r.counts.orders).toBeGreaterThan(30);
  });
});
