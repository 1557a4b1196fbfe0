/**
 * The service's one watchdog timer (src/app/watchdog-ticker.ts): every registered call is looked
 * at in the same wake-up, the timer runs only while a call is registered, and what a look does is
 * CallChannel.pushWatchdog's own rule (a push only when less than half the watchdog is left).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallChannel } from '../../src/ari/channel.ts';
import type { AriClient } from '../../src/ari/client.ts';
import { WatchdogTicker } from '../../src/app/watchdog-ticker.ts';
import { memoryLogger } from '../integration/harness.ts';

describe('WatchdogTicker', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const setup = () => {
    const sent: string[] = [];
    const client = {
      turn: 0,
      recordEventToCommand: () => undefined,
      request: (_r: string, op: string, p: Record<string, unknown>) => {
        sent.push(`${String(p.channelId)} ${op === 'setChannelVar' ? `${String(p.variable)}=${String(p.value)}` : op}`);
        return Promise.resolve(undefined);
      },
    } as unknown as AriClient;
    const channel = (id: string) => new CallChannel(client, { id, name: `PJSIP/${id}`, state: 'Up' }, memoryLogger().logger, 2000, () => Date.now());
    return { sent, channel };
  };
  const timers = () => vi.getTimerCount();

  it('one timer for every call: a push for each at once, then only when less than half the watchdog is left', async () => {
    const { sent, channel } = setup();
    const t = new WatchdogTicker(30, 5000);
    const a = channel('a');
    const b = channel('b');
    t.add(a);
    await vi.advanceTimersByTimeAsync(2000);
    t.add(b);
    await vi.advanceTimersByTimeAsync(0);
    expect(timers()).toBe(1);
    expect(sent).toEqual(['a TIMEOUT(absolute)=30', 'b TIMEOUT(absolute)=30']);
    // ticks every second: a has 15 s left at 15 s (pushed), b 17 s (not yet); at 17 s b has 15 s left
    await vi.advanceTimersByTimeAsync(13_000);
    expect(sent.slice(2)).toEqual(['a TIMEOUT(absolute)=30']);
    await vi.advanceTimersByTimeAsync(5000);
    expect(sent.slice(3)).toEqual(['b TIMEOUT(absolute)=30']);
    expect(timers()).toBe(1);
  });

  it('pushes that fall due a second apart go out a second apart, not gathered into one burst every everyMs', async () => {
    const { sent, channel } = setup();
    const t = new WatchdogTicker(30, 5000);
    for (let i = 0; i < 5; i++) {
      t.add(channel(`c${i}`));
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(sent).toHaveLength(5);
    // c0 was pushed at 0 s, c1 at 1 s, ...: each falls due 15 s after its push, at its own tick
    await vi.advanceTimersByTimeAsync(15_500 - 5000);
    expect(sent.slice(5)).toEqual(['c0 TIMEOUT(absolute)=30']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent.slice(5)).toEqual(['c0 TIMEOUT(absolute)=30', 'c1 TIMEOUT(absolute)=30']);
    await vi.advanceTimersByTimeAsync(3000);
    expect(sent).toHaveLength(10);
    expect(timers()).toBe(1);
  });

  it('stops when no call is left (removed or ended), and starts again with the next', async () => {
    const { sent, channel } = setup();
    const t = new WatchdogTicker(30, 5000);
    const a = channel('a');
    const b = channel('b');
    t.add(a);
    t.add(b);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.running).toBe(true);
    t.remove(a);
    expect(t.running).toBe(true);
    b.end('left');
    expect(t.size).toBe(0);
    expect(t.running).toBe(false);
    expect(timers()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent).toEqual(['a TIMEOUT(absolute)=30', 'b TIMEOUT(absolute)=30']);
    const c = channel('c');
    t.add(c);
    expect(t.running).toBe(true);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(sent.slice(2)).toEqual(['c TIMEOUT(absolute)=30', 'c TIMEOUT(absolute)=30']);
    t.remove(c);
    expect(timers()).toBe(0);
  });

  it('does not keep the process alive', () => {
    const { channel } = setup();
    vi.useRealTimers();
    const t = new WatchdogTicker(30, 5000);
    const a = channel('a');
    t.add(a);
    const timer = (t as unknown as { timer: NodeJS.Timeout }).timer;
    expect(timer.hasRef()).toBe(false);
    t.remove(a);
  });

  it('a channel gone before it is added is not registered', () => {
    const { sent, channel } = setup();
    const t = new WatchdogTicker(30, 5000);
    const a = channel('a');
    a.end('destroyed');
    t.add(a);
    expect(t.running).toBe(false);
    expect(sent).toEqual([]);
  });
});
