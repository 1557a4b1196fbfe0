import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run as data } from '../../src/cli/commands/data.ts';
import { run as requests } from '../../src/cli/commands/requests.ts';
import { UsageError } from '../../src/cli/usage-error.ts';
import { openStore } from '../../src/store/db.ts';
import { SqliteRequestRegistry } from '../../src/store/requests.ts';
import { LocalSmsOutbox } from '../../src/sms/outbox.ts';

const dir = mkdtempSync(join(tmpdir(), 'ivr-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('ivr-1699 data / requests', () => {
  it('a fresh store is seeded with the demo data; show prints a customer', async () => {
    const db = join(dir, 'fresh.sqlite');
    expect(await data(['show', '--national-id', '0499370899', '--db', db])).toBe(0);
    expect(out).toContain('customer 0499370899: علی رضایی');
    expect(out).toContain('order 1403001234:');
    expect(await data(['show', '--national-id', '0134512685', '--db', db])).toBe(1);
    await expect(data(['show', '--db', db])).rejects.toThrow(UsageError);
    await expect(data(['show', '--national-id', '0499370899', '--merge'])).rejects.toThrow(/--merge does not apply/);
  });

  it('import rejects a bad row (exit 1, row and field named) and leaves the store as it was', async () => {
    const db = join(dir, 'import.sqlite');
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ customers: [{ nationalId: '0499370899' }], orders: [{ orderNumber: '1404001234', nationalId: '0499370899', status: 'approved' }] }));
    expect(await data(['import', good, '--db', db])).toBe(0);
    expect(out).toMatch(/imported .*good\.json \(replace\).*1 customers, 1 orders/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ orders: [{ orderNumber: '1404001235', nationalId: '0014636417', status: 'approved' }, { orderNumber: '1404001236', nationalId: '12345', status: 'approved' }] }));
    expect(await data(['import', bad, '--db', db])).toBe(1);
    expect(err).toContain('orders[1].nationalId: national ID must be exactly 10 digits (got "12345")');
    expect(err).toContain('nothing imported');
    out = '';
    expect(await data(['show', '--national-id', '0499370899', '--db', db, '--json'])).toBe(0);
    expect(JSON.parse(out).orders.map((o: { orderNumber: string }) => o.orderNumber)).toEqual(['1404001234']);
    expect(await data(['check', bad])).toBe(1);
    expect(await data(['check', good])).toBe(0);
  });

  it('requests list masks national IDs and phone numbers in text, not in --json; retry puts failed ones back', async () => {
    const db = join(dir, 'req.sqlite');
    const store = openStore(db);
    const reg = new SqliteRequestRegistry(store);
    await reg.register({ callId: 'c1', topic: 'refund', type: 'refund-request', unit: 'follow-up', nationalId: '0499370899', orderNumber: '1403001234', callerNumber: '09121234567', rule: 'A6', outcome: 'refund-registered' });
    await reg.register({ callId: 'c2', topic: 'delivery', type: 'referral', unit: 'follow-up', nationalId: '2277567566' });
    store.db.prepare(`UPDATE requests SET status = 'failed', attempts = 12, last_error = 'HTTP 503' WHERE call_id = 'c2'`).run();
    await new LocalSmsOutbox(store).send('09351237812', 'فروشگاه‌های انتخاب:\n۱- فروشگاه مرکزی انتخاب');
    store.close();

    expect(await requests(['list', '--db', db])).toBe(0);
    expect(out).toContain('R-000001');
    expect(out).toContain('nid=******0899');
    expect(out).toContain('caller=0912*****67');
    expect(out).not.toContain('0499370899');
    expect(out).not.toContain('09121234567');
    expect(out).toContain('1 pending, 0 delivered, 1 failed');
    out = '';
    expect(await requests(['list', '--status', 'failed', '--json', '--db', db])).toBe(0);
    expect(JSON.parse(out)).toMatchObject([{ number: 'R-000002', nationalId: '2277567566', status: 'failed', lastError: 'HTTP 503' }]);
    await expect(requests(['list', '--status', 'lost', '--db', db])).rejects.toThrow(/--status must be one of pending, delivered, failed/);
    out = '';
    expect(await requests(['retry', 'R-000002', '--db', db])).toBe(0);
    expect(out).toContain('R-000002 put back in the outbox');
    out = '';
    expect(await requests(['sms', '--db', db])).toBe(0);
    expect(out).toContain('S-000001');
    expect(out).toContain('to=0935*****12');
    expect(out).toContain('۱- فروشگاه مرکزی انتخاب');
    expect(out).not.toContain('09351237812');
  });
});
