/**
 * A circuit breaker: after `failureThreshold` consecutive failed calls it opens and refuses calls
 * at once (UnavailableError) for `openMs`; then it lets one trial call through (half-open): success
 * closes it, failure opens it again for another `openMs`.
 */
import { UnavailableError } from '../domain/ports.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  failureThreshold: number;
  openMs: number;
  now?: () => number;
  onStateChange?: (from: BreakerState, to: BreakerState) => void;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private _state: BreakerState = 'closed';
  private trialInFlight = false;
  private readonly now: () => number;

  constructor(private readonly opts: BreakerOptions) {
    this.now = opts.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this._state === 'open' && this.now() - this.openedAt >= this.opts.openMs) this.set('half-open');
    return this._state;
  }

  /** runs fn through the breaker; `isFailure` decides which errors count (default: all) */
  async call<T>(fn: () => Promise<T>, isFailure: (e: unknown) => boolean = () => true): Promise<T> {
    const state = this.state;
    if (state === 'open') throw new UnavailableError(`circuit open: backing system failed ${this.failures} times in a row`);
    if (state === 'half-open') {
      if (this.trialInFlight) throw new UnavailableError('circuit half-open: a trial call is in progress');
      this.trialInFlight = true;
    }
    try {
      const v = await fn();
      this.success();
      return v;
    } catch (e) {
      if (isFailure(e)) this.failure();
      else this.success();
      throw e;
    } finally {
      if (state === 'half-open') this.trialInFlight = false;
    }
  }

  private success(): void {
    this.failures = 0;
    if (this._state !== 'closed') this.set('closed');
  }

  private failure(): void {
    this.failures++;
    if (this._state === 'half-open' || this.failures >= this.opts.failureThreshold) {
      this.openedAt = this.now();
      this.set('open');
    }
  }

  private set(s: BreakerState): void {
    if (s === this._state) return;
    const from = this._state;
    this._state = s;
    this.opts.onStateChange?.(from, s);
  }
}
