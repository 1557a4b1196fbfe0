/**
 * Time of the switch: Asterisk's timestamp format and scaled, cancellable sleeps that
 * `stop()` can clear all at once.
 */

/** `2026-11-24T20:11:12.481+0000` (UTC, as Asterisk writes it) */
export function asteriskTime(d: Date = new Date()): string {
  return d.toISOString().replace('Z', '+0000');
}

export class Clock {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly wakers = new Set<() => void>();
  constructor(readonly timeScale: number) {}

  /** ms of switch time → ms of wall time */
  scaled(ms: number): number {
    return Math.max(0, ms * this.timeScale);
  }

  /**
   * Waits `ms` (switch time). Resolves true when the time passed, false when one of the
   * signals aborted first (or the clock was cleared).
   */
  sleep(ms: number, ...signals: (AbortSignal | undefined)[]): Promise<boolean> {
    return new Promise((resolve) => {
      const live = signals.filter((s): s is AbortSignal => s !== undefined);
      if (live.some((s) => s.aborted)) {
        resolve(false);
        return;
      }
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.timers.delete(timer);
        this.wakers.delete(wake);
        for (const s of live) s.removeEventListener('abort', onAbort);
        resolve(ok);
      };
      const onAbort = () => finish(false);
      const wake = () => finish(false);
      const timer = setTimeout(() => finish(true), this.scaled(ms));
      this.timers.add(timer);
      this.wakers.add(wake);
      for (const s of live) s.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Runs fn after `ms` of switch time unless the clock is cleared first. */
  after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, this.scaled(ms));
    this.timers.add(timer);
  }

  /** Cancels every pending sleep (they resolve false) and timer. */
  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const w of [...this.wakers]) w();
    this.wakers.clear();
  }
}
