import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/domain/data-file.ts';
import { UnavailableError } from '../../src/domain/ports.ts';
import { countSms, formatStoresSms } from '../../src/sms/format.ts';
import { createSmsSender, listSms } from '../../src/sms/index.ts';
import { KavenegarSmsSender, mapKavenegarStatus } from '../../src/sms/kavenegar.ts';
import { SmsSettings } from '../../src/store/config.ts';
import { openStore, type IvrStore } from '../../src/store/db.ts';
import { startFakeKavenegar, type FakeGateway } from './fake-kavenegar.ts';

const store = (name: string, address?: string, phone?: string): Store => ({ areaCode: '021', name, ...(address ? { address } : {}), ...(phone ? { phone } : {}) });
const tehran: Store[] = [
  store('فروشگاه مرکزی انتخاب', 'تهران، خیابان ولیعصر، بالاتر از میدان ونک، پلاک ۲۳۱۰', '02188671234'),
  store('نمایندگی اسنوا شهرک غرب', 'تهران، بلوار فرحزادی، نبش خیابان زرافشان', '02122087345'),
  store('فروشگاه انتخاب نارمک', 'تهران، نارمک، میدان هفت حوض، ضلع شمالی', '02177921456'),
  store('نمایندگی دوو تهرانپارس', 'تهران، تهرانپارس، خیابان جشنواره، پلاک ۱۴۰', '02177702567'),
  store('فروشگاه انتخاب شهرری', 'شهرری، خیابان فدائیان اسلام، جنب بانک ملی', '02155943678'),
];

describe('SMS length', () => {
  it('counts Persian text as UCS-2: 70 alone, 67 per part', () => {
    expect(countSms('س'.repeat(70))).toEqual({ encoding: 'ucs2', length: 70, parts: 1 });
    expect(countSms('س'.repeat(71)).parts).toBe(2);
    expect(countSms('س'.repeat(134)).parts).toBe(2);
    expect(countSms('س'.repeat(135)).parts).toBe(3);
    expect(countSms('a'.repeat(160))).toEqual({ encoding: 'gsm7', length: 160, parts: 1 });
    expect(countSms('a'.repeat(161)).parts).toBe(2);
    expect(countSms('{'.repeat(80)).length).toBe(160); // extension characters count twice
  });
});

describe('formatStoresSms', () => {
  it('lists whole stores until the parts run out and says how many were left out', () => {
    const r = formatStoresSms(tehran, 4);
    expect(r.parts).toBeLessThanOrEqual(4);
    expect(r.included).toBeGreaterThan(0);
    expect(r.included).toBeLessThan(tehran.length);
    expect(r.text).toBe(countCheck(r.text));
    const lines = r.text.split('\n');
    expect(lines[0]).toBe('فروشگاه‌های انتخاب:');
    // every included store appears whole, with address and phone
    for (const s of tehran.slice(0, r.included)) expect(r.text).toContain(`${s.name}، ${s.address}، تلفن ${s.phone}`);
    for (const s of tehran.slice(r.included)) expect(r.text).not.toContain(s.name);
    expect(lines.at(-1)).toBe(`و ${'۰۱۲۳۴۵۶۷۸۹'[tehran.length - r.included]} فروشگاه دیگر`);
    // one more store would not have fitted
    const withOneMore = formatStoresSms(tehran.slice(0, r.included + 1), 100).text;
    expect(countSms(withOneMore).parts).toBeGreaterThan(4);
  });

  it('sends everything when it fits, without the "more" line', () => {
    const r = formatStoresSms(tehran.slice(0, 2), 10);
    expect(r.included).toBe(2);
    expect(r.text).not.toContain('فروشگاه دیگر');
    expect(r.text.split('\n')).toHaveLength(3);
    expect(r.text.split('\n')[1]!.startsWith('۱- ')).toBe(true);
  });

  it('more parts allow more stores; with one part the first store goes in short form', () => {
    const counts = [1, 2, 3, 4, 5, 6, 7, 8].map((p) => formatStoresSms(tehran, p).included);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]!);
    expect(counts.at(-1)).toBe(5);
    const one = formatStoresSms(tehran, 1);
    expect(one).toEqual({ text: 'فروشگاه‌های انتخاب:\n۱- فروشگاه مرکزی انتخاب، تلفن 02188671234', parts: 1, included: 1 });
    const long = formatStoresSms([store('ف'.repeat(90), undefined, '02188671234')], 1);
    expect(long.parts).toBe(1);
    expect(long.text.length).toBe(70);
    expect(formatStoresSms([], 3)).toEqual({ text: 'فروشگاه‌های انتخاب:', parts: 1, included: 0 });
    expect(() => formatStoresSms(tehran, 0)).toThrow(/maxParts/);
  });
});

function countCheck(t: string): string {
  expect(countSms(t).encoding).toBe('ucs2');
  return t;
}

describe('SMS senders', () => {
  let gw: FakeGateway;
  let db: IvrStore;
  beforeAll(async () => {
    gw = await startFakeKavenegar('k-123');
    db = openStore(':memory:');
  });
  afterAll(async () => {
    await gw.close();
    db.close();
  });

  it('maps Kavenegar entry statuses', () => {
    expect([1, 2, 4, 5, 10, 6, 11, 13, 14, 100].map(mapKavenegarStatus)).toEqual(['queued', 'queued', 'sent', 'sent', 'delivered', 'failed', 'failed', 'failed', 'failed', 'failed']);
  });

  it('posts receptor, message and sender to the gateway and records the SMS', async () => {
    const s = new KavenegarSmsSender({ baseUrl: gw.url, apiKey: 'k-123', sender: '10004346', store: db });
    const text = formatStoresSms(tehran, 4).text;
    const r = await s.send('09121234567', text);
    expect(r).toEqual({ id: '8792343', status: 'queued' });
    expect(gw.sent.at(-1)).toEqual({ apiKey: 'k-123', receptor: '09121234567', message: text, sender: '10004346' });
    gw.behave({ entryStatus: 10 });
    expect((await s.send('09121234567', 'سلام')).status).toBe('delivered');
    const log = listSms(db);
    expect(log[0]).toMatchObject({ channel: 'gateway', status: 'delivered', gatewayId: '8792344', receptor: '09121234567' });
    gw.behave({});
  });

  it('a rejected receptor is failed; a refused key, no credit or a slow gateway is UnavailableError', async () => {
    // each failure is also told by kind (the service's ivr_sms_errors_total)
    const errors: string[] = [];
    const s = new KavenegarSmsSender({ baseUrl: gw.url, apiKey: 'k-123', sender: '10004346', timeoutMs: 200, store: db, onError: (k) => errors.push(k) });
    expect((await s.send('0912', 'x')).status).toBe('failed');
    expect(listSms(db, { status: 'failed' })[0]?.error).toBe('status 411 (receptor not valid)');
    await expect(new KavenegarSmsSender({ baseUrl: gw.url, apiKey: 'wrong', sender: '1' }).send('09121234567', 'x')).rejects.toThrow(/403 \(API key not valid\)/);
    gw.behave({ returnStatus: 418 });
    await expect(s.send('09121234567', 'x')).rejects.toThrow(/credit not sufficient/);
    gw.behave({ delayMs: 500 });
    await expect(s.send('09121234567', 'x')).rejects.toThrow(UnavailableError);
    gw.behave({});
    expect(errors).toEqual(['rejected', 'refused', 'unreachable']);
  });

  it('without a gateway the SMS goes to the local outbox', async () => {
    const s = createSmsSender(SmsSettings.parse({}), db);
    expect(s.kind).toBe('outbox');
    const r = await s.send('09351237812', 'فروشگاه‌های انتخاب:');
    expect(r.status).toBe('queued');
    expect(r.id).toMatch(/^S-\d{6}$/);
    expect(listSms(db, { limit: 1 })[0]).toMatchObject({ id: r.id, channel: 'outbox', status: 'queued', receptor: '09351237812', parts: 1 });
    const g = createSmsSender(SmsSettings.parse({ gatewayUrl: gw.url, apiKey: 'k-123', sender: '10004346' }), db);
    expect(g.kind).toBe('gateway');
  });
});
