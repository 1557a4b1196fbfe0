/**
 * How a playback ends, as the call's record and ivr_playback_failures_total see it: 'failed' only
 * for a prompt Asterisk could not play (a missing file), not for one cut short by the caller's
 * hang-up, which Asterisk also reports as PlaybackFinished state 'failed'
 * (src/switch/playbacks.ts failOnHangup models the same).
 */
import { describe, expect, it } from 'vitest';
import { CallChannel } from '../../src/ari/channel.ts';
import type { AriClient } from '../../src/ari/client.ts';
import { AriError } from '../../src/ari/errors.ts';
import { memoryLogger } from '../integration/harness.ts';

function channel(playAnswer: () => Promise<unknown> = () => Promise.resolve(undefined)) {
  const client = {
    turn: 0,
    recordEventToCommand: () => undefined,
    request: (_r: string, op: string) => (op === 'playWithId' ? playAnswer() : Promise.resolve(undefined)),
  } as unknown as AriClient;
  return new CallChannel(client, { id: 'c1', name: 'PJSIP/x', state: 'Up' }, memoryLogger().logger);
}
/** a channel whose requests are recorded by operation name; `answer` may hold one back */
function recording(answer: (op: string) => Promise<unknown> | undefined = () => undefined) {
  const sent: string[] = [];
  const client = {
    turn: 0,
    recordEventToCommand: () => undefined,
    request: (_r: string, op: string) => {
      sent.push(op);
      return answer(op) ?? Promise.resolve(undefined);
    },
  } as unknown as AriClient;
  return { ch: new CallChannel(client, { id: 'c1', name: 'PJSIP/x', state: 'Up' }, memoryLogger().logger), sent };
}
const started = () => new Promise((r) => setImmediate(r));
const finished = (id: string, state: string) =>
  ({ type: 'PlaybackFinished', playback: { id, state, media_uri: 'sound:ivr-1699/main-menu', target_uri: 'channel:c1' } }) as never;

describe('CallChannel: how a playback ended', () => {
  it('a prompt Asterisk could not play (state failed, the caller still there) is failed', async () => {
    const ch = channel();
    const pb = ch.play(['sound:ivr-1699/missing']);
    await started();
    ch.handle(finished(pb.id, 'failed'));
    expect(await pb.finished).toBe('failed');
  });

  it('a prompt cut short by the caller hanging up (hang-up request, then state failed) is gone, not failed', async () => {
    const ch = channel();
    const pb = ch.play(['sound:ivr-1699/main-menu']);
    await started();
    ch.handle({ type: 'ChannelHangupRequest' } as never);
    ch.handle(finished(pb.id, 'failed'));
    expect(await pb.finished).toBe('gone');
  });

  it('a playback refused because the channel is on its way out (409 not in Stasis after the hang-up request) is gone', async () => {
    let refuse!: (e: unknown) => void;
    const ch = channel(() => new Promise((_ok, no) => (refuse = no)));
    const pb = ch.play(['sound:ivr-1699/main-menu']);
    await started();
    ch.handle({ type: 'ChannelHangupRequest' } as never);
    refuse(new AriError('Channel not in Stasis application', 'playWithId', 409));
    expect(await pb.finished).toBe('gone');
  });

  it('the same refusal while the caller is still there is a failure', async () => {
    const ch = channel(() => Promise.reject(new AriError('Internal Server Error', 'playWithId', 500)));
    const pb = ch.play(['sound:ivr-1699/main-menu']);
    expect(await pb.finished).toBe('failed');
  });

  it('a prompt stopped by the IVR (barge-in, hand-off) is stopped, whatever state Asterisk reports', async () => {
    const ch = channel();
    const pb = ch.play(['sound:ivr-1699/main-menu']);
    await started();
    const stopping = pb.stop();
    await started();
    ch.handle(finished(pb.id, 'done'));
    await stopping;
    expect(await pb.finished).toBe('stopped');
  });

  it('a barge-in and the next command stop the prompt with one DELETE, and the command goes once it has ended', async () => {
    const { ch, sent } = recording();
    const pb = ch.play(['sound:ivr-1699/main-menu']);
    await started();
    // the key stops the prompt (the play step is aborted) and the next listen sets its variables
    const stopping = pb.stop();
    const setting = ch.setVariables({ IVR_STATE: 'L|menu-after|||||||||' });
    await started();
    expect(sent).toEqual(['playWithId', 'stop']);
    ch.handle(finished(pb.id, 'done'));
    await Promise.all([stopping, setting]);
    expect(sent).toEqual(['playWithId', 'stop', 'setChannelVar']);
    expect(await pb.finished).toBe('stopped');
  });

  it('a prompt asked for right after a variable (the flow does not wait for it) goes after it and is not stopped by it', async () => {
    const { ch, sent } = recording();
    const setting = ch.setVariables({ IVR_STATE: 'L|main-menu|||||||||' });
    const pb = ch.play(['sound:ivr-1699/main-menu']);
    await setting;
    await started();
    expect(sent).toEqual(['setChannelVar', 'playWithId']);
    ch.handle(finished(pb.id, 'done'));
    expect(await pb.finished).toBe('done');
  });

  it('a prompt stopped while still queued behind a variable (a key typed ahead) is never sent', async () => {
    let answerVar!: () => void;
    const { ch, sent } = recording((op) => (op === 'setChannelVar' ? new Promise<void>((r) => (answerVar = r)) : undefined));
    const setting = ch.setVariables({ IVR_STATE: 'L|national-id|||||||||' });
    const pb = ch.play(['sound:ivr-1699/enter-national-id']);
    await started();
    await pb.stop();
    expect(await pb.finished).toBe('stopped');
    answerVar();
    await setting;
    const next = ch.play(['sound:ivr-1699/you-entered']);
    await started();
    // the stopped prompt never went out; the channel's queue goes on with the next one
    expect(sent).toEqual(['setChannelVar', 'playWithId']);
    ch.handle(finished(next.id, 'done'));
    expect(await next.finished).toBe('done');
  });
});
