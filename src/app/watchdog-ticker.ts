/**
 * One timer for the watchdog pushes of every call of a service (CallChannel.pushWatchdog), instead
 * of one setInterval per call. Each call's interval woke the process every few seconds, mostly to
 * find its deadline still far away (pushWatchdog skips those); at 20 calls of ~42 s that was about
 * 8 of a call's ~70 wake-ups of the service's main thread, and on a VM where a wake-up costs
 * 100–240 µs of CPU by itself (scripts/wake-cost.mjs) the wake-ups were most of the CPU per call.
 * One ticker looks at every active call in the same wake-up, and the pushes that fall due together
 * go out (and are answered) together.
 *
 * The timer runs only while a call is registered and never keeps the process alive (unref). It
 * ticks every `everyMs` or every second, whichever is sooner (TICK_MS), so a call's check comes at
 * most `everyMs` after the previous one, as with its own interval: what pushWatchdog decides (push
 * only when less than half the watchdog is left, a push due during a prompt waits for its end) is
 * unchanged. Why a second: the pushes fall due at each call's own time, and a 5 s tick gathered
 * five seconds' worth of them into one burst. At 1,000 calls on the built-in switch that was ~330
 * requests at once every 5 s, and the calls' own commands queued behind them in the REST pool
 * (answer latency p99 304 ms, event→command p99 17.5 ms, against 39 and 4.5 ms with one interval
 * per call); a 1 s tick sends them in bursts a fifth the size, for one wake-up a second.
 */

/** the longest time between two ticks (ms) */
export const TICK_MS = 1000;
import type { CallChannel } from '../ari/channel.ts';

export class WatchdogTicker {
  private readonly channels = new Set<CallChannel>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** TIMEOUT(absolute) each push sets (s) */
    readonly seconds: number,
    /** how often each registered channel is looked at (ms) */
    readonly everyMs: number,
  ) {}

  /** Keeps `channel`'s watchdog pushed forward: one push (or check) now, then at every tick until remove() or its end. */
  add(channel: CallChannel): void {
    if (channel.gone || this.channels.has(channel)) return;
    channel.pushWatchdog(this.seconds);
    this.channels.add(channel);
    channel.once('end', () => this.remove(channel));
    this.timer ??= setInterval(tick, Math.min(this.everyMs, TICK_MS), this).unref();
  }

  remove(channel: CallChannel): void {
    if (!this.channels.delete(channel)) return;
    if (this.channels.size === 0) this.stop();
  }

  /** channels registered now (tests, diagnostics) */
  get size(): number {
    return this.channels.size;
  }

  /** whether the timer is armed (tests) */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** @internal one look at every registered channel */
  tick(): void {
    for (const c of this.channels) {
      if (c.gone) this.channels.delete(c);
      else c.pushWatchdog(this.seconds);
    }
    if (this.channels.size === 0) this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

function tick(t: WatchdogTicker): void {
  t.tick();
}
