import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import writeXlsxFile from 'write-excel-file/node';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ChequesWatcher, parseChequeRows, readChequesXlsx } from '../../src/store/cheques-xlsx.ts';
import { openStore, type IvrStore } from '../../src/store/db.ts';
import { importDataContent } from '../../src/store/import.ts';
import { EmbeddedOrderData } from '../../src/store/order-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'ivr-xlsx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let store: IvrStore | undefined;
afterEach(() => store?.close());

/** The finance unit's sheet as Excel would hold it: IDs as numbers (leading zeros lost), Persian text. */
async function financeSheet(file: string): Promise<void> {
  const h = (value: string) => ({ value, fontWeight: 'bold' as const });
  await writeXlsxFile(
    [
      [{ value: 'فهرست چک‌های برگشتی — واحد مالی' }],
      [h('ردیف'), h('كد ملي'), h('شماره سفارش'), h('شماره چک'), h('مبلغ (تومان)'), h('تاریخ برگشت چک'), h('توضیحات')],
      // number cell: Excel dropped the leading zero of 0499370899; Jalali text date
      [1, 499370899, 1403001234, '7311042958610237', 7200000, '1404/08/15', null],
      // Persian digits in text cells; a real Excel date cell
      [2, '۰۰۱۴۶۳۶۴۱۷', '۱۴۰۵۰۰۱۸۲۰', '۷۳۱۱۰۴۲۹۵۸۶۱۰۱۱۵', '۵٬۴۰۰٬۰۰۰', { value: new Date(Date.UTC(2026, 10, 18)), type: Date, format: 'yyyy/mm/dd' }, 'تماس گرفته شد'],
      // a serial day number stored as a plain number (no date format)
      [3, 75483920, null, null, 1250000, 46344, null],
      // bad rows: wrong check digit, unreadable date, bad amount
      [4, 499370898, 1403001234, '1', 100, '1404/08/15', null],
      [5, 1274814316, null, null, 100, 'دیروز', null],
      [6, 1281203246, 1405002066, null, 'زیاد', '1405/09/01', null],
      [null, null, null, null, null, null, null],
      [8, '  ۱۲۷۴۸۱۴۳۱۶ ', '1405002050', null, '2,000,000 تومان', '2026-11-20', null],
    ],
    { sheet: 'چک برگشتی' },
  ).toFile(file);
}

describe('bounced cheques from .xlsx', () => {
  it('reads leading-zero IDs, Persian digits, Jalali text, Date cells and serial numbers; reports bad rows by Excel row', async () => {
    const file = join(dir, 'finance.xlsx');
    await financeSheet(file);
    const r = await readChequesXlsx(file);
    expect(r.header).toEqual({ row: 2, columns: { nationalId: 'B', orderNumber: 'C', chequeNumber: 'D', amount: 'E', bouncedAt: 'F' } });
    expect(r.cheques).toEqual([
      { nationalId: '0499370899', orderNumber: '1403001234', chequeNumber: '7311042958610237', amount: 7200000, bouncedAt: '2025-11-06T00:00:00+03:30' },
      { nationalId: '0014636417', orderNumber: '1405001820', chequeNumber: '7311042958610115', amount: 5400000, bouncedAt: '2026-11-18T00:00:00+03:30' },
      { nationalId: '0075483920', amount: 1250000, bouncedAt: '2026-11-18T00:00:00+03:30' },
      { nationalId: '1274814316', orderNumber: '1405002050', amount: 2000000, bouncedAt: '2026-11-20T00:00:00+03:30' },
    ]);
    expect(r.problems).toEqual([
      { row: 6, message: 'national ID check digit is wrong (not a valid Iranian national ID) (0499370898)' },
      { row: 7, message: 'bounce date "دیروز" is not a date (use 1404/08/15 or an Excel date)' },
      { row: 8, message: 'amount "زیاد" is not a whole number of Toman' },
    ]);
  });

  it('the template shipped for the finance unit (data/bounced-cheques.sample.xlsx) reads cleanly and matches the demo data', async () => {
    const { fileURLToPath } = await import('node:url');
    const { readFileSync } = await import('node:fs');
    const r = await readChequesXlsx(fileURLToPath(new URL('../../data/bounced-cheques.sample.xlsx', import.meta.url)));
    expect(r.problems).toEqual([]);
    const demo = JSON.parse(readFileSync(new URL('../../data/demo.json', import.meta.url), 'utf8')) as { bouncedCheques: object[] };
    const key = (c: object) => JSON.stringify(Object.entries(c).sort());
    expect(r.cheques.map(key).sort()).toEqual(demo.bouncedCheques.map(key).sort());
  });

  it('matches English headers in any order', () => {
    const r = parseChequeRows([
      ['Bounce date', 'Amount', 'National ID', 'Cheque number'],
      ['1404/01/01', 10, 14636417, 55],
    ]);
    expect(r.cheques).toEqual([{ nationalId: '0014636417', chequeNumber: '55', amount: 10, bouncedAt: '2025-03-21T00:00:00+03:30' }]);
  });

  it('keeps a row whose 16-digit cheque number Excel stored as a number, without that number, and warns', () => {
    const r = parseChequeRows([
      ['کد ملی', 'شماره چک', 'تاریخ برگشت'],
      [499370899, 7311042958610230, '15/08/1404'],
    ]);
    expect(r.cheques).toEqual([{ nationalId: '0499370899', bouncedAt: '2025-11-06T00:00:00+03:30' }]);
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([{ row: 2, message: expect.stringMatching(/cuts to 15 digits: format the column as text/) }]);
  });

  it('refuses a sheet without the needed headers', () => {
    expect(() => parseChequeRows([['name', 'phone'], ['x', 1]])).toThrow(/no header row/);
  });

  it('the watcher imports at start, serves the cheques, and keeps the last good data when the file breaks', async () => {
    store = openStore(':memory:');
    importDataContent(store, { bouncedCheques: [{ nationalId: '0499370899', chequeNumber: '7311042958610237', bouncedAt: '2025-11-01T00:00:00+03:30' }] });
    const file = join(dir, 'watched.xlsx');
    await financeSheet(file);
    const logs: string[] = [];
    const logger = { info: () => undefined, warn: (_o: unknown, m: string) => logs.push(m), error: (_o: unknown, m: string) => logs.push(m) };
    const w = new ChequesWatcher(store, { path: file, cron: '*/10 * * * *', logger: logger as never });
    const first = await w.start();
    expect(first).toMatchObject({ ok: true, changed: true, imported: 4 });
    expect(logs.filter((l) => l.includes('row skipped'))).toHaveLength(3);
    const od = new EmbeddedOrderData(store);
    // the same cheque from the data file and the sheet is listed once, the sheet's date winning
    expect(await od.bouncedCheques('0499370899')).toEqual([
      { nationalId: '0499370899', orderNumber: '1403001234', chequeNumber: '7311042958610237', amount: 7200000, bouncedAt: '2025-11-06T00:00:00+03:30' },
    ]);
    expect(await w.reload()).toMatchObject({ ok: true, changed: false });

    writeFileSync(file, 'this is not a spreadsheet');
    const broken = await w.reload();
    expect(broken).toMatchObject({ ok: false, kept: 4 });
    expect((broken as { error: string }).error).toMatch(/cannot read the spreadsheet/);
    expect(logs.at(-1)).toMatch(/keeping the last good data/);
    expect(await od.bouncedCheques('0014636417')).toHaveLength(1);

    rmSync(file);
    expect(await w.reload()).toMatchObject({ ok: false, kept: 4 });
    await w.stop();
  });

  it('rejects a bad cron expression with the variable name', () => {
    store = openStore(':memory:');
    expect(() => new ChequesWatcher(store!, { path: 'x.xlsx', cron: 'every ten minutes' })).toThrow(/IVR_CHEQUES_CRON/);
  });
});
