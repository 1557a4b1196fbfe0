import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import { maskIban, maskNationalId, maskPhone, maskText } from '../../src/log/mask.ts';

function capture() {
  const lines: string[] = [];
  const dest = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'trace', destination: dest as never }) };
}

const NID = '0499370899';
const MOBILE = '09121234567';
const IBAN = 'IR820540102680020817909002';

describe('personal data never appears whole in logs', () => {
  it('masks values in fields whatever their name, in messages, nested objects, arrays and errors', async () => {
    const { lines, logger } = capture();
    const child = logger.child({ callId: 'c1', caller: MOBILE });
    child.info({ nationalId: NID, x: { deep: [`iban ${IBAN}`] }, note: `caller +98${MOBILE.slice(1)}` }, `entered ${NID} from ${MOBILE}`);
    child.error({ err: new Error(`lookup failed for ${NID}`) }, 'failed');
    child.warn(`printf style %s`, NID);
    logger.flush();
    await new Promise((r) => setTimeout(r, 20));
    const all = lines.join('\n');
    expect(lines.length).toBe(3);
    for (const secret of [NID, MOBILE, IBAN, MOBILE.slice(1)]) expect(all).not.toContain(secret);
    expect(all).toContain(maskNationalId(NID));
    expect(all).toContain('"callId":"c1"');
  });

  it('keeps only enough to correlate', () => {
    expect(maskNationalId(NID)).toBe('******0899');
    expect(maskPhone(MOBILE)).toBe('0912*****67');
    expect(maskIban(IBAN)).toBe('IR82******************9002');
    expect(maskText('order 1404001234 of 0499370899')).not.toMatch(/1404001234|0499370899/);
    expect(maskText('short 12345 stays')).toBe('short 12345 stays');
  });
});

describe('every form of an Iranian number, in every digit script', () => {
  const fa = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
  const ar = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)));
  const forms = ['09121234567', '9121234567', '989121234567', '+989121234567', '00989121234567', '0912 123 4567', '+98 912 123 4567', '02122334455', '982122334455'];

  it('masks mobiles and landlines as 09…, 9…, 989…, +98…, 0098…, grouped, in ASCII, Persian and Arabic-Indic digits', () => {
    for (const form of forms) {
      for (const s of [form, fa(form), ar(form)]) {
        const out = maskText(`caller ${s} called`);
        // at most the prefix, operator code and two last digits survive: never 7 digits of the subscriber number
        expect(out, s).not.toContain(s);
        expect(out.replace(/[^0-9\u06F0-\u06F9\u0660-\u0669]/g, '').length, `${s} → ${out}`).toBeLessThanOrEqual(9);
        expect(out).toMatch(/^caller .*\*.* called$/);
      }
    }
    expect(maskText('from +989121234567')).toBe('from +98912*****67');
    expect(maskText('from 00989121234567')).toBe('from 0098912*****67');
    expect(maskText('from 989121234567')).toBe('from 98912*****67');
    expect(maskText('from 9121234567')).toBe('from ******4567');
  });

  it('masks national IDs and IBANs in any digit script', () => {
    expect(maskText(`nid ${fa(NID)}`)).toBe(`nid ******${fa('0899')}`);
    expect(maskText(`nid ${ar(NID)}`)).toBe(`nid ******${ar('0899')}`);
    expect(maskText(`iban ${fa(IBAN.slice(2)).replace(/^/, 'IR')}`)).not.toContain(fa('0540102680020817909'));
    expect(maskText('IR82 0540 1026 8002 0817 9090 02')).toBe('IR82 **** **** **** **** **** 02'.replace('**** 02', '**90 02'));
    expect(maskText('card 6037991234567890')).toBe('card ************7890');
  });

  it('never logs a password written into a URL', () => {
    expect(maskText('connecting to http://ivr:s3cr3t-pw@10.1.2.3:8088/ari')).toBe('connecting to http://ivr:***@10.1.2.3:8088/ari');
    expect(maskText('postgres://ivr:p%40ss@db:5432/ivr')).toBe('postgres://ivr:***@db:5432/ivr');
    expect(maskText('ws://h:8088/ari/events?app=ivr&api_key=ivr:secret')).toBe('ws://h:8088/ari/events?app=ivr&api_key=***');
  });

  it('leaves identifiers intact: Asterisk channel ids, UUIDs, request numbers, call ids, timestamps', () => {
    for (const id of ['1732871234.56', '1764500000.1234', 'e0499370899b-5933b', '3f2a1b9c-1d2e-4f50-8a9b-0499370899ab', '3f2a1b9c-1d2e-4f50-8a9b-049937089912', 'R-000123', 'R-1234567890', 'mi3k2x-1f', '1764500000123', 'PJSIP/tester-01-00000001', 'Local/1699@ivr-inbound-00000002;1']) {
      expect(maskText(`channel ${id} done`), id).toBe(`channel ${id} done`);
    }
  });
});
