/**
 * The real ari-client 2.2.0 uses the switch as if it were Asterisk: it builds its API from
 * the switch's Swagger documents, its operations work, and events arrive as client and
 * instance events.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSwitch, type BuiltinSwitch } from '../../src/switch/index.ts';
import { connectAri, op, tap, waitUntil, type AriClient, type AriInstance } from './helpers.ts';

type Json = Record<string, unknown>;
let sw: BuiltinSwitch | undefined;
const clients: AriClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.stop();
  await sw?.stop();
});

describe('ari-client against the built-in switch', () => {
  it('connects, calls the operations an IVR uses, and gets events as instance events', async () => {
    sw = await startSwitch({ timeScale: 0.02, queueHoldMs: 60_000 });
    const ivr = await connectAri(sw.url, sw.username, sw.password);
    const caller = await connectAri(sw.url, sw.username, sw.password);
    clients.push(ivr, caller);

    const seen: string[] = [];
    const digits: string[] = [];
    let playbackFinished: Json | undefined;
    let ivrChannel: AriInstance | undefined;
    ivr.on('StasisStart', (e, ch) => {
      seen.push(`StasisStart ${String((e.args as string[])[0])}`);
      ivrChannel = ch;
      ch!.on('ChannelDtmfReceived', (d) => digits.push(String(d.digit)));
    });
    let callerChannel: AriInstance | undefined;
    caller.on('StasisStart', (_e, ch) => {
      callerChannel = ch;
    });
    await ivr.start('ivr-1699');
    await caller.start('caller-sim');

    const originated = await op<Json>(caller, 'channels', 'originate', {
      endpoint: 'Local/1699@ivr-inbound',
      app: 'caller-sim',
      appArgs: 's1',
      callerId: '"Test" <09121234567>',
      variables: { __CALL_TAG: 't1' },
    });
    expect(originated.name).toMatch(/;1$/);
    await waitUntil(() => ivrChannel !== undefined, 2000, () => 'StasisStart in the IVR app');
    const ch = ivrChannel!;
    expect((ch as unknown as Json).language).toBe('fa');
    await (ch.answer as () => Promise<void>)();
    await waitUntil(() => callerChannel !== undefined, 2000, () => 'StasisStart in the caller app');

    // channel.play with a client-made Playback instance, and instance events on it
    const pb = ivr.Playback();
    pb.on('PlaybackFinished', (e) => {
      playbackFinished = e;
    });
    const started = await (ch.play as (o: Json, p: unknown) => Promise<Json>)({ media: ['sound:silence/10', 'sound:beep'] }, pb);
    expect(started).toMatchObject({ id: pb.id, media_uri: 'sound:silence/10', next_media_uri: 'sound:beep' });

    await op(caller, 'channels', 'sendDTMF', { channelId: callerChannel!.id, dtmf: '1' });
    await waitUntil(() => digits.length === 1, 2000, () => 'the digit');
    expect(digits).toEqual(['1']);

    await op(ivr, 'playbacks', 'stop', { playbackId: pb.id });
    await waitUntil(() => playbackFinished !== undefined, 2000, () => 'PlaybackFinished on the playback instance');
    expect((playbackFinished!.playback as Json).state).toBe('done');

    await op(ivr, 'channels', 'setChannelVar', { channelId: ch.id, variable: '__IVR_NATIONAL_ID', value: '0499370899' });
    expect(await op(ivr, 'channels', 'getChannelVar', { channelId: ch.id, variable: 'IVR_NATIONAL_ID' })).toEqual({ value: '0499370899' });
    expect(await op(ivr, 'channels', 'getChannelVar', { channelId: ch.id, variable: 'CALL_TAG' })).toEqual({ value: 't1' });

    const bridge = await op<AriInstance>(ivr, 'bridges', 'create', { type: 'mixing', name: 'b' });
    expect(typeof bridge.id).toBe('string');
    await op(ivr, 'bridges', 'addChannel', { bridgeId: bridge.id, channel: ch.id });
    await op(ivr, 'bridges', 'removeChannel', { bridgeId: bridge.id, channel: ch.id });
    await op(ivr, 'bridges', 'destroy', { bridgeId: bridge.id });

    const app = await op<Json>(ivr, 'applications', 'get', { applicationName: 'ivr-1699' });
    expect(app).toMatchObject({ name: 'ivr-1699', channel_ids: [ch.id], bridge_ids: [], endpoint_ids: [], device_names: [] });
    const listed = await op<AriInstance[]>(ivr, 'channels', 'list');
    expect(listed.map((c) => c.id).sort()).toEqual([callerChannel!.id, ch.id].sort());
    const info = await op<Json>(ivr, 'asterisk', 'getInfo');
    expect((info.system as Json).version).toBe('22.10.1');

    const transfers: string[] = [];
    sw.on('transfer', (t) => transfers.push(t.skill));
    let stasisEnd = false;
    ch.on('StasisEnd', () => {
      stasisEnd = true;
    });
    await op(ivr, 'channels', 'continueInDialplan', { channelId: ch.id, context: 'agents', extension: 'product-advice', priority: 1 });
    await waitUntil(() => stasisEnd && transfers.length === 1, 2000, () => 'StasisEnd and the transfer');
    expect(transfers).toEqual(['product-advice']);
    expect(seen).toEqual(['StasisStart inbound']);

    // an ARI error comes back as a rejected promise with Asterisk's message
    await expect(op(ivr, 'channels', 'answer', { channelId: ch.id })).rejects.toThrow(/Channel not in Stasis application/);
  });

  it('reconnects by itself after the switch drops the WebSocket; the call stays in the app without a new StasisStart', async () => {
    sw = await startSwitch({ timeScale: 0.02 });
    const ivr = await connectAri(sw.url, sw.username, sw.password);
    clients.push(ivr);
    let starts = 0;
    let reconnected = 0;
    const digits: string[] = [];
    ivr.on('StasisStart', () => starts++);
    ivr.on('WebSocketConnected', () => reconnected++);
    ivr.on('ChannelDtmfReceived', (e) => digits.push(String(e.digit)));
    await ivr.start('ivr-1699');
    const first = reconnected;
    const dialer = await tap(sw.url, 'dialer');
    const c1 = await fetch(`${sw.url}/ari/channels?endpoint=Local/1699@ivr-inbound&app=dialer&api_key=asterisk:asterisk`, { method: 'POST' });
    const callerId = String(((await c1.json()) as Json).id);
    await waitUntil(() => starts === 1, 2000, () => 'StasisStart');
    const ivrId = (await op<Json>(ivr, 'applications', 'get', { applicationName: 'ivr-1699' })).channel_ids as string[];
    await op(ivr, 'channels', 'answer', { channelId: ivrId[0] });
    expect(sw.dropConnections('ivr-1699')).toBe(1);
    await waitUntil(() => reconnected > first, 3000, () => 'ari-client to reconnect');
    await fetch(`${sw.url}/ari/channels/${callerId}/dtmf?dtmf=7&api_key=asterisk:asterisk`, { method: 'POST' });
    await waitUntil(() => digits.length === 1, 2000, () => 'the digit after the reconnect');
    expect(digits).toEqual(['7']);
    expect(starts).toBe(1);
    await dialer.close();
  });
});
