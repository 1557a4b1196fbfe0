/**
 * The watchdog push (TIMEOUT(absolute)) never waits inside Asterisk behind a prompt: due while a
 * prompt plays, it goes when the prompt ends; otherwise at once. Before a prompt, the deadline moves
 * only as far as the prompt needs: it is a crash's longest silence.
 */
import { describe, expect, it } from 'vitest';
import { CallChannel } from '../../src/ari/channel.ts';
import type { AriClient } from '../../src/ari/client.ts';
import { memoryLogger } from '../integration/harness.ts';

describe('CallChannel watchdog push', () => {
  const setup = () => {
    const sent: string[] = [];
    let clock = 1000;
    const client = {
      turn: 0,
      recordEventToCommand: () => undefined,
      request: (_r: string, op: string, p: Record<string, unknown>) => {
        sent.push(op === 'setChannelVar' ? `${String(p.variable)}=${String(p.value)}` : op);
        return Promise.resolve(undefined);
      },
    } as unknown as AriClient;
    const ch = new CallChannel(client, { id: 'c1', name: 'PJSIP/x', state: 'Up' }, memoryLogger().logger, 2000, () => clock);
    const tick = () => new Promise((r) => setImmediate(r));
    const finish = async (pb: { id: string; finished: Promise<unknown> }) => {
      ch.handle({ type: 'PlaybackFinished', playback: { id: pb.id, state: 'done', media_uri: 'sound:x', target_uri: 'channel:c1' } } as never);
      await pb.finished;
      await tick();
    };
    return { sent, ch, tick, finish, advance: (ms: number) => (clock += ms) };
  };

  it('a push due while a prompt plays waits for its end, then goes; at once when nothing plays', async () => {
    const { sent, ch, tick, finish, advance } = setup();
    ch.pushWatchdog(30);
    await tick();
    expect(sent).toEqual(['TIMEOUT(absolute)=30']);
    const pb = ch.play(['sound:welcome'], undefined, 5);
    await tick();
    expect(sent.at(-1)).toBe('playWithId');
    advance(16_000); // less than half the watchdog left: the push is due, but the prompt plays
    ch.pushWatchdog(30);
    await tick();
    expect(sent.filter((x) => x.startsWith('TIMEOUT'))).toHaveLength(1);
    await finish(pb);
    expect(sent.filter((x) => x.startsWith('TIMEOUT'))).toHaveLength(2);
  });

  it('pushes only once less than half the watchdog is left: a crash is never further than the watchdog from the last push', async () => {
    const { sent, ch, tick, advance } = setup();
    ch.pushWatchdog(30);
    await tick();
    for (let t = 0; t < 12; t++) {
      advance(5_000); // the session's timer, every 5 s for a minute
      ch.pushWatchdog(30);
      await tick();
    }
    // at 0, then whenever 15 s or less were left: at 15, 30, 45 and 60 s (5 pushes, not 13)
    expect(sent).toEqual(Array(5).fill('TIMEOUT(absolute)=30'));
  });

  it('a prompt that ends well before the deadline: no push; one that fits the watchdog but not what is left: a plain push', async () => {
    const { sent, ch, tick, finish, advance } = setup();
    ch.pushWatchdog(30);
    await tick();
    const menu = ch.play(['sound:main-menu'], undefined, 16); // 30 s left, 16 + 3 needed
    await tick();
    expect(sent).toEqual(['TIMEOUT(absolute)=30', 'playWithId']);
    advance(16_000);
    await finish(menu);
    advance(1_000); // 13 s left
    const again = ch.play(['sound:main-menu'], undefined, 16);
    await tick();
    // a crash right after this push leaves the caller the watchdog's 30 s, not 16 + 30
    expect(sent.slice(2)).toEqual(['TIMEOUT(absolute)=30', 'playWithId']);
    await finish(again);
    expect(sent.slice(4)).toEqual([]);
  });

  it('a prompt longer than the watchdog: the deadline moves to its end plus half the watchdog, and back when it ends', async () => {
    const { sent, ch, tick, finish, advance } = setup();
    ch.pushWatchdog(30);
    await tick();
    const long = ch.play(['sound:menu-after'], undefined, 27.7);
    await tick();
    expect(sent).toEqual(['TIMEOUT(absolute)=30', 'TIMEOUT(absolute)=43', 'playWithId']);
    advance(2_000); // the caller keys at once: the prompt is cut, the long deadline pulled back
    await finish(long);
    expect(sent.slice(3)).toEqual(['TIMEOUT(absolute)=30']);
  });

  it('a new call whose dialplan armed the watchdog just before Stasis(): no push at once, the first once less than half is left', async () => {
    const { sent, ch, tick, finish, advance } = setup();
    ch.assumeWatchdog(30, 1000 - 3000); // entered at 1000 ms, less the three seconds of slack
    ch.pushWatchdog(30);
    await tick();
    expect(sent).toEqual([]);
    const welcome = ch.play(['sound:welcome'], undefined, 5); // fits in what is left: no push before it
    await tick();
    expect(sent).toEqual(['playWithId']);
    advance(5_000);
    await finish(welcome);
    ch.pushWatchdog(30);
    await tick();
    expect(sent).toEqual(['playWithId']);
    advance(8_000); // 14 s left of the dialplan's 30 (less the slack)
    ch.pushWatchdog(30);
    await tick();
    expect(sent).toEqual(['playWithId', 'TIMEOUT(absolute)=30']);
  });

  it('a dialplan watchdog that leaves too little (armed long ago, or shorter): pushed at once', async () => {
    const { sent, ch, tick } = setup();
    ch.assumeWatchdog(10, 1000);
    ch.pushWatchdog(30);
    await tick();
    expect(sent).toEqual(['TIMEOUT(absolute)=30']);
  });
});
