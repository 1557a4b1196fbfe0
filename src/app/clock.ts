/**
 * The service's clock. `--now ISO` (tests, `call`, `decide`) starts it at a given instant and
 * lets it run on from there, so rules that compare dates see the scenario's "today".
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function clockAt(iso: string | undefined): Clock {
  if (!iso) return systemClock;
  const t0 = Date.parse(iso);
  if (Number.isNaN(t0)) throw new Error(`--now: "${iso}" is not an ISO-8601 date-time (e.g. 2026-11-25T10:00:00+03:30)`);
  const started = Date.now();
  return { now: () => new Date(t0 + (Date.now() - started)) };
}
