import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/commands/decide.ts';
import { UsageError } from '../../src/cli/usage-error.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATA = fileURLToPath(new URL('./fixtures/data.json', import.meta.url));

async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    const code = await run(argv);
    return { code, out };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

const base = ['--data', DATA, '--national-id', '0499370899', '--order', '1403001234'];

describe('ivr-1699 decide (run)', () => {
  it.each([
    [['--topic', 'proforma', '--now', '2025-08-01T10:00:00+03:30'], { rule: 'P1', outcome: 'valid', request: null, transfer: null }],
    [['--topic', 'refund', '--now', '2025-08-01T10:00:00+03:30', '--answer', 'refund-wallet=credit'], { rule: 'A6', outcome: 'refund-registered', request: { type: 'refund-request', unit: 'follow-up' }, transfer: null }],
    [['--topic', 'refund', '--now', '2025-08-01T10:00:00+03:30', '--answer', 'refund-wallet=cash', '--answer', 'small-appliances=no'], { rule: 'A7', outcome: 'refund-registered', request: { type: 'refund-request', unit: 'finance' }, transfer: null }],
    [['--topic', 'address-change', '--now', '2025-08-01T10:00:00+03:30', '--answer', 'other-province=yes'], { rule: 'A2', outcome: 'not-possible-regional-province', request: null, transfer: null }],
    [['--topic', 'delivery', '--now', '2025-08-11T10:00:00+03:30'], { rule: 'A3', outcome: 'overdue', request: { type: 'referral', unit: 'follow-up' }, transfer: null }],
  ])('%j prints one JSON decision', async (args, expected) => {
    const { code, out } = await capture([...base, ...args, '--json']);
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(1);
    const d = JSON.parse(out);
    expect(Object.keys(d)).toEqual(['rule', 'outcome', 'say', 'request', 'transfer', 'reason']);
    expect({ rule: d.rule, outcome: d.outcome, request: d.request, transfer: d.transfer }).toEqual(expected);
    expect(Array.isArray(d.say)).toBe(true);
  });

  it('reads the amount back as a SayItem', async () => {
    const { out } = await capture([...base, '--topic', 'refund', '--now', '2025-08-01T10:00:00+03:30', '--answer', 'refund-wallet=credit', '--json']);
    expect(JSON.parse(out).say).toContainEqual({ kind: 'amount', value: 499_999 });
  });

  it('a pair that does not match gives a missing-facts transfer, not an error', async () => {
    const { code, out } = await capture(['--data', DATA, '--national-id', '0499370899', '--order', '1403005678', '--topic', 'delivery', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ rule: 'A3', outcome: 'missing-facts', transfer: 'follow-up' });
  });

  it('without --json prints readable text, with the questions still unanswered', async () => {
    const { code, out } = await capture([...base, '--topic', 'refund', '--now', '2025-08-01T10:00:00+03:30']);
    expect(code).toBe(0);
    expect(out).toMatch(/^rule: +A6$/m);
    expect(out).toMatch(/^outcome: +missing-answer$/m);
    expect(out).toMatch(/^transfer: +follow-up$/m);
    expect(out).toMatch(/unanswered questions: refund-wallet \(1=credit, 2=cash\), small-appliances \(1=yes, 2=no\)/);
  });

  it('--policy changes a threshold', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivr-policy-'));
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, 'creditRefundLimitToman: 400000\n');
    const { out } = await capture([...base, '--topic', 'refund', '--now', '2025-08-01T10:00:00+03:30', '--answer', 'refund-wallet=credit', '--policy', file, '--json']);
    expect(JSON.parse(out).outcome).toBe('refund-goods-only');
  });

  it.each([
    [['--national-id', '0499370899', '--order', '1'], /--topic is required/],
    [['--topic', 'weather', '--national-id', '0499370899', '--order', '1'], /--topic 'weather' is not a topic; use one of: proforma/],
    [['--topic', 'refund', '--national-id', '12345', '--order', '1'], /--national-id must be exactly 10 digits/],
    [['--topic', 'refund', '--national-id', '0499370899'], /--order is required/],
    [['--topic', 'refund', '--national-id', '0499370899', '--order', '1', '--now', 'yesterday'], /--now 'yesterday' is not an ISO-8601 time/],
    [['--topic', 'refund', '--national-id', '0499370899', '--order', '1', '--answer', 'cash'], /--answer 'cash' must be name=value/],
    [['--topic', 'refund', '--national-id', '0499370899', '--order', '1', '--colour', 'red'], /Unknown option '--colour'/],
  ])('bad usage %j → UsageError', async (args, message) => {
    await expect(run(['--data', DATA, ...args])).rejects.toThrow(UsageError);
    await expect(run(['--data', DATA, ...args])).rejects.toThrow(message);
  });

  it('a data file with a bad field is rejected naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivr-data-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ orders: [{ orderNumber: '1', nationalId: '0499370899', status: 'lost' }] }));
    await expect(run(['--data', file, '--topic', 'delivery', '--national-id', '0499370899', '--order', '1'])).rejects.toThrow(/orders\.0\.status: .*\(got "lost"\)/);
  });
});

describe('ivr-1699 decide (the command)', () => {
  it('runs through bin/ivr-1699.mjs and prints one JSON object on stdout', () => {
    const r = spawnSync(
      process.execPath,
      ['bin/ivr-1699.mjs', 'decide', '--topic', 'bounced-cheque', '--national-id', '0067749828', '--order', '1403005678', '--data', DATA, '--now', '2025-07-14T09:00:00+03:30', '--json'],
      { cwd: ROOT, encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      rule: 'A10',
      outcome: 'wait',
      say: [
        { kind: 'prompt', name: 'bounced-count' },
        { kind: 'count', value: 1 },
        { kind: 'prompt', name: 'bounced-wait' },
        { kind: 'date', value: '2025-07-15' },
      ],
      request: null,
      transfer: null,
      reason: expect.stringMatching(/less than 14/),
    });
  });

  it('exits 2 with one line on bad usage', () => {
    const r = spawnSync(process.execPath, ['bin/ivr-1699.mjs', 'decide', '--topic', 'x', '--national-id', '0499370899', '--order', '1', '--data', DATA], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ivr-1699 decide: --topic 'x' is not a topic/);
    expect(r.stdout).toBe('');
  });
});
