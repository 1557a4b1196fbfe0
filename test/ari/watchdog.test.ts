/**
 * The watchdog push (TIMEOUT(absolute)) never waits inside Asterisk behind a prompt: due while a
 * prompt plays, it goes when the prompt ends; otherwise at once.
 */
import { describe, expect, it } from 'vitest';
import { CallChannel } from '../../src/ari/channel.ts';
import type { AriClient } from '../../src/ari/client.ts';
import { memoryLogger } from '../integration/harness.ts';

describe('CallChannel watchdog push', () => {
  it('waits for the playing prompt to end, then goes; at once when nothing plays', async () => {
    const sent: string[] = [];
    const client = {
      turn: 0,
      recordEventToCommand: () => undefined,
      request: (_r: string, op: string, p: Record<string, unknown>) => {
        sent.push(op === 'setChannelVar' ? `${op} ${String(p.variable)}=${String(p.value)}` : op);
        return Promise.resolve(undefined);
      },
    } as unknown as AriClient;
    const ch = new CallChannel(client, { id: 'c1', name: 'PJSIP/x', state: 'Up' }, memoryLogger().logger);
    ch.pushWatchdog(30);
    await Promise.resolve();
    expect(sent).toEqual(['setChannelVar TIMEOUT(absolute)=30']);
    await new Promise((r) => setImmediate(r));

    const pb = ch.play(['sound:ivr-1699/welcome']);
    await new Promise((r) => setImmediate(r));
    expect(sent.at(-1)).toBe('playWithId');
    ch.pushWatchdog(30);
    await new Promise((r) => setImmediate(r));
    expect(sent.filter((s) => s.startsWith('setChannelVar'))).toHaveLength(1);
    ch.handle({ type: 'PlaybackFinished', playback: { id: pb.id, state: 'done', media_uri: 'sound:ivr-1699/welcome', target_uri: 'channel:c1' } } as never);
    expect(await pb.finished).toBe('done');
    expect(sent.filter((s) => s.startsWith('setChannelVar'))).toHaveLength(2);
  });
});
