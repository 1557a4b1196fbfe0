/**
 * Event→command latency: the first request a channel sends while handling an event (same turn of
 * the event loop) is timed from the event's arrival; a request sent later (after a timer, after a
 * REST answer) is not caused by the event and is not counted.
 */
import { describe, expect, it } from 'vitest';
import { CallChannel } from '../../src/ari/channel.ts';
import type { AriClient } from '../../src/ari/client.ts';
import { memoryLogger } from '../integration/harness.ts';

function fakeClient() {
  const recorded: number[] = [];
  const sent: string[] = [];
  const c = {
    turn: 0,
    recordEventToCommand: (ms: number) => recorded.push(ms),
    request: (resource: string, op: string, _p: unknown, _t: unknown, onSent?: () => void) => {
      sent.push(`${resource}.${op}`);
      onSent?.();
      return Promise.resolve(undefined);
    },
  };
  return { client: c as unknown as AriClient & { turn: number }, recorded, sent };
}

describe('CallChannel event→command latency', () => {
  it('times the first command of the turn in which the event arrived, and only that one', async () => {
    const { client, recorded, sent } = fakeClient();
    const { logger } = memoryLogger();
    const ch = new CallChannel(client, { id: 'c1', name: 'PJSIP/x', state: 'Ring' }, logger);
    const at = performance.now() - 3; // arrived 3 ms ago
    ch.handle({ type: 'ChannelDtmfReceived', digit: '1', channel: { id: 'c1', name: 'PJSIP/x', state: 'Up' } } as never, at);
    await ch.answer();
    await ch.setVariables({ A: '1' });
    expect(sent).toEqual(['channels.answer', 'channels.setChannelVar']);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toBeGreaterThanOrEqual(3);
    expect(recorded[0]).toBeLessThan(1000);

    // an event whose turn is over (the client moved on) before the channel sends anything: not counted
    ch.handle({ type: 'ChannelDtmfReceived', digit: '2', channel: { id: 'c1', name: 'PJSIP/x', state: 'Up' } } as never, performance.now());
    client.turn++;
    await ch.hangup();
    expect(sent.at(-1)).toBe('channels.hangup');
    expect(recorded).toHaveLength(1);
  });
});
