import { describe, expect, it } from 'vitest';
import { LookupGuard } from '../../src/app/lookup-guard.ts';
import { clockAt } from '../../src/app/clock.ts';

describe('failed lookups per calling number', () => {
  it('allows up to the limit within the window, then again after it', () => {
    const g = new LookupGuard({ maxFailures: 3, windowMs: 1000 });
    const t = 1_000_000;
    expect(g.allowed('0912', t)).toBe(true);
    g.failed('0912', t);
    g.failed('0912', t + 10);
    expect(g.allowed('0912', t + 20)).toBe(true);
    g.failed('0912', t + 30);
    expect(g.allowed('0912', t + 40)).toBe(false);
    expect(g.allowed('0935', t + 40)).toBe(true);
    expect(g.allowed('0912', t + 1031)).toBe(true);
  });
  it('puts withheld numbers in one bucket', () => {
    const g = new LookupGuard({ maxFailures: 1, windowMs: 1000 });
    g.failed('', 5);
    expect(g.allowed('', 6)).toBe(false);
  });
});

describe('clock', () => {
  it('starts at --now and runs on', () => {
    const c = clockAt('2026-11-25T10:00:00+03:30');
    expect(Math.abs(c.now().getTime() - Date.parse('2026-11-25T06:30:00Z'))).toBeLessThan(1000);
    expect(() => clockAt('yesterday')).toThrow(/ISO-8601/);
  });
});
