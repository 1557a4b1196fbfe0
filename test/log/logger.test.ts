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
