import { describe, expect, it } from 'vitest';
import { clockAt, systemClock } from '../../src/app/clock.ts';

describe('clock', () => {
  it('starts at --now and runs on', () => {
    const c = clockAt('2026-11-25T10:00:00+03:30');
    expect(Math.abs(c.now().getTime() - Date.parse('2026-11-25T06:30:00Z'))).toBeLessThan(1000);
    expect(clockAt(undefined)).toBe(systemClock);
    expect(() => clockAt('yesterday')).toThrow(/ISO-8601/);
  });
});
