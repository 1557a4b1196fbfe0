/**
 * DTMF keyed on a Local channel arrives on the other half in the order it was keyed, however busy
 * the event loop is. The switch used to arm one timer per digit, each for `emitAt - Date.now()`;
 * Node starts a timer from the loop's cached time, so when the loop was busy between two digits
 * (the first burst of a load test) later digits could fire first: a valid national ID arrived as
 * 0499370989 and was rejected as a checksum error (issue 11: 5 valid IDs at the start of a burst).
 * This test failed on the per-digit timers (IDs scrambled on 4 of 20 channels) and passes with the
 * one-chain-per-channel sender.
 */
import { describe, expect, it } from 'vitest';
import { Clock } from '../../src/switch/clock.ts';
import type { SwitchCore } from '../../src/switch/core.ts';
import type { Channel } from '../../src/switch/channels.ts';
import { sendDtmf } from '../../src/switch/local-channels.ts';

const busy = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    /* the event loop is busy (many calls arriving at once) */
  }
};

describe('DTMF order under event-loop load', () => {
  it('delivers every digit of every channel in the order keyed', async () => {
    const scale = 0.05;
    const received = new Map<string, string>();
    const core = {
      opts: { timeScale: scale },
      clock: new Clock(scale),
      running: true,
      channelEvent: (_type: string, ch: { id: string }, f: { digit: string }) => received.set(ch.id, (received.get(ch.id) ?? '') + f.digit),
    } as unknown as SwitchCore;
    const keyed = new Map<string, string>();
    const p = { before: 0, between: 100, duration: 100, after: 0 };
    for (let c = 0; c < 20; c++) {
      const target = { id: `ivr-${c}`, alive: true, hangingUp: false, hangupSignal: new AbortController() } as unknown as Channel;
      const ch = { id: `caller-${c}`, peer: target, dtmfFreeAt: 0, dtmfChain: Promise.resolve() } as unknown as Channel;
      keyed.set(target.id, '0499370899#1403001234#');
      sendDtmf(core, ch, '0499370899#', p);
      // the second group is keyed while the first is still being sent (the IVR listens again as soon as
      // 10 digits are in), from a later turn of the event loop that has been busy for a while
      await new Promise<void>((r) =>
        setImmediate(() => {
          busy(40);
          sendDtmf(core, ch, '1403001234#', p);
          r();
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 800));
    const wrong = [...keyed].filter(([id, k]) => received.get(id) !== k).map(([id]) => `${id}: ${received.get(id)}`);
    expect(wrong).toEqual([]);
  });
});
