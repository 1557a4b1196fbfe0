/**
 * Limits failed national-ID/order-number lookups per calling number across calls, so that a
 * caller cannot enumerate other people's orders by trying pairs. In memory: one process per
 * Asterisk; a restart forgets (the per-call limit still holds). Withheld numbers share one bucket.
 */
export interface LookupGuardOptions {
  maxFailures: number;
  windowMs: number;
}

export class LookupGuard {
  private failures = new Map<string, number[]>();
  constructor(private readonly opts: LookupGuardOptions = { maxFailures: 6, windowMs: 60 * 60 * 1000 }) {}

  private recent(caller: string, now: number): number[] {
    const key = caller || 'withheld';
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.opts.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  allowed(caller: string, now = Date.now()): boolean {
    return this.recent(caller, now).length < this.opts.maxFailures;
  }

  failed(caller: string, now = Date.now()): void {
    const key = caller || 'withheld';
    const list = this.recent(caller, now);
    list.push(now);
    this.failures.set(key, list);
  }
}
