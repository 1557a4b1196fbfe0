/**
 * Issue 12, items 1 and 8 (data): a data file with wrong-case keys, an empty file, a file with
 * several kinds of problems — each refused with every problem at once, the store unchanged; and
 * demo data is seeded only into a store that never had order data, never into one that had.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run as data } from '../../src/cli/commands/data.ts';
import { createLogger } from '../../src/log/logger.ts';
import { DEMO_DATA_PATH, openStore } from '../../src/store/db.ts';
import { validateDataFile } from '../../src/store/import.ts';

const dir = mkdtempSync(join(tmpdir(), 'ivr-safe-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let err = '';
beforeEach(() => {
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

const file = (name: string, content: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(content));
  return p;
};
const customers = (db: string) => {
  const s = openStore(db);
  const n = s.db.prepare('SELECT count(*) FROM customers').pluck().get() as number;
  const o = s.db.prepare('SELECT count(*) FROM orders').pluck().get() as number;
  s.close();
  return { customers: n, orders: o };
};

describe('data import refuses what would lose data', () => {
  it('wrong-case sections: refused by check and import, with the right name; the store unchanged', async () => {
    const db = join(dir, 'case.sqlite');
    expect(await data(['show', '--national-id', '0499370899', '--db', db])).toBe(0); // fresh store: demo data
    const before = customers(db);
    expect(before.customers).toBeGreaterThan(0);
    const bad = file('case.json', { Customers: [], Orders: [] });
    expect(await data(['check', bad])).toBe(1);
    expect(err).toContain('Customers: unknown section; did you mean "customers"?');
    expect(err).toContain('Orders: unknown section; did you mean "orders"?');
    err = '';
    expect(await data(['import', bad, '--db', db])).toBe(1);
    expect(err).toContain('nothing imported');
    expect(customers(db)).toEqual(before);
  });

  it('a wrong-case row field is refused; a truly unknown one is ignored (the contract)', () => {
    const v = validateDataFile({ customers: [{ NationalId: '0499370899', nationalId: '0499370899', note: 'x' }] });
    expect(v.ok).toBe(false);
    expect(!v.ok && v.problems).toEqual(['customers[0].NationalId: unknown field; did you mean "nationalId"? (names are case-sensitive)']);
    expect(validateDataFile({ customers: [{ nationalId: '0499370899', note: 'x' }] }).ok).toBe(true);
  });

  it('a file with no rows would empty the store: refused unless --allow-empty; then never re-seeded', async () => {
    const db = join(dir, 'empty.sqlite');
    expect(await data(['show', '--national-id', '0499370899', '--db', db])).toBe(0);
    const before = customers(db);
    const empty = file('empty.json', { customers: [], orders: [] });
    expect(await data(['check', empty])).toBe(1);
    expect(err).toContain('holds no rows');
    err = '';
    expect(await data(['import', empty, '--db', db])).toBe(1);
    expect(err).toContain('--allow-empty');
    expect(customers(db)).toEqual(before);
    expect(await data(['import', empty, '--db', db, '--allow-empty'])).toBe(0);
    expect(customers(db)).toEqual({ customers: 0, orders: 0 });
    // every later open that would seed a new store leaves this one empty, and says why
    expect(await data(['show', '--national-id', '0499370899', '--db', db])).toBe(1);
    const logs: string[] = [];
    const logger = createLogger({ level: 'info', destination: new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) }) as never });
    openStore(db, { seedIfEmpty: DEMO_DATA_PATH, logger }).close();
    expect(customers(db)).toEqual({ customers: 0, orders: 0 });
    expect(logs.join('')).toContain('not seeding demo data');
  });

  it('a new store is seeded with the demo data, and the log says so plainly', () => {
    const logs: string[] = [];
    const logger = createLogger({ level: 'info', destination: new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) }) as never });
    const db = join(dir, 'new.sqlite');
    openStore(db, { seedIfEmpty: DEMO_DATA_PATH, logger }).close();
    expect(customers(db).customers).toBeGreaterThan(0);
    expect(logs.join('')).toContain('new store: seeded with DEMO order data');
  });

  it('data check lists every kind of problem at once: schema, checksum, format, duplicates', async () => {
    const bad = file('many.json', {
      customers: [{ nationalId: '0499370898' }, { nationalId: '12' }],
      orders: [
        { orderNumber: '1404001234', nationalId: '0499370899', status: 'approved' },
        { orderNumber: '1404001234', nationalId: '0499370899', status: 'approved' },
        { orderNumber: '99', nationalId: '0499370899', status: 'lost' },
      ],
    });
    expect(await data(['check', bad])).toBe(1);
    expect(err).toContain('customers[1].nationalId: national ID must be exactly 10 digits');
    expect(err).toContain('orders[2].status: must be one of');
    expect(err).toContain('customers[0].nationalId:'); // check digit
    expect(err).toContain('orders[1].orderNumber: duplicate of orders[0]');
    expect(err).toMatch(/4 problems|5 problems|6 problems/);
  });
});
