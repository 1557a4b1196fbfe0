/**
 * Behaviour of the built-in switch over its real HTTP/WebSocket interface: Local calls,
 * the command queue behind playbacks, queued playbacks, 404s after hangup, the dialplan
 * (failover, transfers, queue hold), DTMF timing, bridges, reconnects.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSwitch, type BuiltinSwitch, type SwitchOptions, type Transfer } from '../../src/switch/index.ts';
import { ari, sleep, tap, waitUntil, type EventTap } from './helpers.ts';

type Json = Record<string, unknown>;
const open: BuiltinSwitch[] = [];
const taps: EventTap[] = [];
afterEach(async () => {
  for (const t of taps.splice(0)) await t.close();
  for (const s of open.splice(0)) await s.stop();
});

async function setup(opts: SwitchOptions = {}, connectIvr = true) {
  const sw = await startSwitch({ timeScale: 0.02, ...opts });
  open.push(sw);
  const caller = await tap(sw.url, 'caller');
  taps.push(caller);
  let ivr: EventTap | undefined;
  if (connectIvr) {
    ivr = await tap(sw.url, 'ivr-1699');
    taps.push(ivr);
  }
  return { sw, caller, ivr };
}

/** Originates Local/1699@ivr-inbound from app `caller`; resolves both halves' ids. */
async function dial(sw: BuiltinSwitch, ivr: EventTap | undefined, extra: Json = {}) {
  const before = ivr?.of('StasisStart').length ?? 0;
  const r = await ari(sw.url, 'POST', '/channels', { endpoint: 'Local/1699@ivr-inbound', app: 'caller', appArgs: 'test', callerId: '09121234567', ...extra } as Record<string, string>);
  expect(r.status).toBe(200);
  const callerId = String((r.body as Json).id);
  let ivrId = '';
  if (ivr) {
    await waitUntil(() => ivr.of('StasisStart').length > before, 3000, () => 'StasisStart of the new call');
    ivrId = String((ivr.of('StasisStart')[before]?.channel as Json).id);
  }
  return { callerId, ivrId };
}

async function answered(sw: BuiltinSwitch, ivr: EventTap) {
  const ids = await dial(sw, ivr);
  expect((await ari(sw.url, 'POST', `/channels/${ids.ivrId}/answer`)).status).toBe(204);
  return ids;
}

const types = (t: EventTap) => t.events.map((e) => e.type);

describe('Local calls into the IVR', () => {
  it('runs the entry dialplan: language fa, Stasis(ivr-1699,inbound); answering brings the caller half into its app', async () => {
    const { sw, caller, ivr } = await setup();
    const { callerId, ivrId } = await dial(sw, ivr);
    const ss = ivr!.of('StasisStart')[0] as Json;
    const ch = ss.channel as Json;
    expect(ss.args).toEqual(['inbound']);
    expect(ch.name).toMatch(/^Local\/1699@ivr-inbound-[0-9a-f]{8};2$/);
    expect(ch.id).toMatch(/^\d{10}\.\d+$/);
    expect(ch.language).toBe('fa');
    expect(ch.state).toBe('Ring');
    expect(ch.dialplan).toEqual({ context: 'ivr-inbound', exten: '1699', priority: 4, app_name: 'Stasis', app_data: 'ivr-1699,inbound' });
    expect((ch.caller as Json).number).toBe('09121234567');
    expect(caller.of('ChannelDialplan').map((e) => e.dialplan_app_data)).toEqual([
      `1699 call from *4567 on ${String(ch.name)}`,
      'CHANNEL(language)=fa',
      'TIMEOUT(absolute)=30',
      'ivr-1699,inbound',
    ]);
    expect(caller.of('StasisStart')).toHaveLength(0);

    await ari(sw.url, 'POST', `/channels/${ivrId}/answer`);
    const callerStart = await caller.next((e) => e.type === 'StasisStart');
    expect((callerStart.channel as Json).id).toBe(callerId);
    expect(callerStart.args).toEqual(['test']);
    expect(caller.of('Dial').map((e) => e.dialstatus)).toEqual(['', 'ANSWER']);
    const list = (await ari(sw.url, 'GET', '/channels')).body as Json[];
    expect(list.map((c) => [c.id, c.state])).toEqual([
      [callerId, 'Up'],
      [ivrId, 'Up'],
    ]);
    expect(sw.calls).toEqual([expect.objectContaining({ callerChannelId: callerId, ivrChannelId: ivrId, app: 'ivr-1699', context: 'ivr-inbound' })]);
  });

  it('answers 404 "Channel not found" for every channel call and "Playback not found" after the caller hangs up', async () => {
    const { sw, caller, ivr } = await setup();
    const { callerId, ivrId } = await answered(sw, ivr!);
    await caller.next((e) => e.type === 'StasisStart');
    await ari(sw.url, 'POST', `/channels/${ivrId}/play/pb1`, { media: 'sound:demo-congrats' });
    await ivr!.next((e) => e.type === 'PlaybackStarted');
    expect((await ari(sw.url, 'DELETE', `/channels/${callerId}`)).status).toBe(204);
    await ivr!.next((e) => e.type === 'StasisEnd');
    expect(types(ivr!).slice(-3)).toEqual(['ChannelHangupRequest', 'PlaybackFinished', 'StasisEnd']);
    expect((ivr!.of('PlaybackFinished')[0]?.playback as Json).state).toBe('failed');
    const gone = { message: 'Channel not found' };
    for (const [method, path, query] of [
      ['POST', `/channels/${ivrId}/play`, { media: 'sound:beep' }],
      ['POST', `/channels/${ivrId}/continue`, { context: 'agents', extension: 'general' }],
      ['POST', `/channels/${ivrId}/variable`, { variable: 'X', value: '1' }],
      ['POST', `/channels/${ivrId}/answer`, {}],
      ['POST', `/channels/${ivrId}/dtmf`, { dtmf: '1' }],
      ['GET', `/channels/${ivrId}`, {}],
      ['DELETE', `/channels/${ivrId}`, {}],
    ] as const) {
      const r = await ari(sw.url, method, path, query);
      expect([r.status, r.body], `${method} ${path}`).toEqual([404, gone]);
    }
    expect(await ari(sw.url, 'DELETE', '/playbacks/pb1')).toMatchObject({ status: 404, body: { message: 'Playback not found' } });
    expect(await ari(sw.url, 'GET', '/playbacks/pb1')).toMatchObject({ status: 404, body: { message: 'Playback not found' } });
  });

  it('hangs up the other half when the IVR hangs up, with the reason as the cause', async () => {
    const { sw, caller, ivr } = await setup();
    const { callerId, ivrId } = await answered(sw, ivr!);
    expect(await ari(sw.url, 'DELETE', `/channels/${ivrId}`, { reason: 'sideways' })).toMatchObject({ status: 400, body: { message: 'Invalid reason for hangup provided' } });
    expect((await ari(sw.url, 'DELETE', `/channels/${ivrId}`, { reason: 'busy' })).status).toBe(204);
    const destroyed = await caller.next((e) => e.type === 'ChannelDestroyed' && (e.channel as Json).id === ivrId);
    expect([destroyed.cause, destroyed.cause_txt]).toEqual([17, 'User busy']);
    await caller.next((e) => e.type === 'ChannelDestroyed' && (e.channel as Json).id === callerId);
    expect(ivr!.of('ChannelHangupRequest')[0]).toMatchObject({ cause: 32, soft: true });
    expect(sw.channels).toEqual([]);
  });
});

describe('playbacks and the channel command queue', () => {
  it('queues a second playback (state queued) and starts it when the first ends', async () => {
    const { sw, ivr } = await setup();
    const { ivrId } = await answered(sw, ivr!);
    const a = await ari(sw.url, 'POST', `/channels/${ivrId}/play/a`, { media: 'sound:silence/10' });
    const b = await ari(sw.url, 'POST', `/channels/${ivrId}/play/b`, { media: ['sound:beep', 'sound:beep'] });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body).toEqual({ id: 'b', media_uri: 'sound:beep', next_media_uri: 'sound:beep', target_uri: `channel:${ivrId}`, language: 'fa', state: 'queued' });
    await ivr!.next((e) => e.type === 'PlaybackStarted' && (e.playback as Json).id === 'a');
    expect(((await ari(sw.url, 'GET', '/playbacks/b')).body as Json).state).toBe('queued');
    expect(((await ari(sw.url, 'GET', '/playbacks/a')).body as Json).state).toBe('playing');
    expect((await ari(sw.url, 'DELETE', '/playbacks/a')).status).toBe(204);
    await ivr!.next((e) => e.type === 'PlaybackFinished' && (e.playback as Json).id === 'b');
    const seq = ivr!.events
      .filter((e) => String(e.type).startsWith('Playback'))
      .map((e) => `${String(e.type)} ${String((e.playback as Json).id)} ${String((e.playback as Json).state)}`);
    expect(seq).toEqual([
      'PlaybackStarted a playing',
      'PlaybackFinished a done',
      'PlaybackStarted b playing',
      'PlaybackContinuing b continuing',
      'PlaybackStarted b playing',
      'PlaybackFinished b done',
    ]);
  });

  it('cancels a queued playback silently when it is stopped before it starts', async () => {
    const { sw, ivr } = await setup();
    const { ivrId } = await answered(sw, ivr!);
    await ari(sw.url, 'POST', `/channels/${ivrId}/play/a`, { media: 'sound:silence/10' });
    await ari(sw.url, 'POST', `/channels/${ivrId}/play/b`, { media: 'sound:beep' });
    await ari(sw.url, 'POST', `/channels/${ivrId}/play/c`, { media: 'sound:beep' });
    expect((await ari(sw.url, 'DELETE', '/playbacks/b')).status).toBe(204);
    expect((await ari(sw.url, 'DELETE', '/playbacks/a')).status).toBe(204);
    await ivr!.next((e) => e.type === 'PlaybackFinished' && (e.playback as Json).id === 'c');
    expect(ivr!.events.filter((e) => (e.playback as Json | undefined)?.id === 'b')).toEqual([]);
    expect((await ari(sw.url, 'GET', '/playbacks/b')).status).toBe(404);
  });

  it('answers a command sent during a playback only when the playback ends; GET and DELETE /playbacks act at once', async () => {
    const scale = 0.05;
    const { sw, ivr } = await setup({ timeScale: scale });
    const { ivrId } = await answered(sw, ivr!);
    await ari(sw.url, 'POST', `/channels/${ivrId}/play/p3`, { media: 'sound:hello-world,sound:hello-world,sound:hello-world' });
    const playMs = 3 * 1405 * scale; // ≈ 211 ms
    const setVar = ari(sw.url, 'POST', `/channels/${ivrId}/variable`, { variable: 'IVR_NODE', value: 'main-menu' });
    const get = await ari(sw.url, 'GET', `/channels/${ivrId}/variable`, { variable: 'IVR_NODE' });
    expect(get.status).toBe(404); // not set yet: the POST waits behind the prompt
    expect(get.ms).toBeLessThan(playMs / 2);
    const set = await setVar;
    expect(set.status).toBe(204);
    expect(set.ms).toBeGreaterThan(playMs * 0.8);
    const varsetAt = ivr!.events.findIndex((e) => e.type === 'ChannelVarset' && e.variable === 'IVR_NODE');
    const finishedAt = ivr!.events.findIndex((e) => e.type === 'PlaybackFinished');
    expect(finishedAt).toBeGreaterThan(-1);
    expect(varsetAt).toBeGreaterThan(finishedAt);

    // stopping the prompt releases the waiting command at once
    await ari(sw.url, 'POST', `/channels/${ivrId}/play/long`, { media: 'sound:silence/10' });
    const t0 = performance.now();
    const pending = ari(sw.url, 'POST', `/channels/${ivrId}/variable`, { variable: 'IVR_NODE', value: 'next' });
    await sleep(20);
    expect((await ari(sw.url, 'DELETE', '/playbacks/long')).status).toBe(204);
    expect((await pending).status).toBe(204);
    expect(performance.now() - t0).toBeLessThan(10_000 * scale / 2);
  });

  it('answers a command waiting behind a prompt with 404 when the caller hangs up, and continue waits too', async () => {
    const { sw, caller, ivr } = await setup();
    const { callerId, ivrId } = await answered(sw, ivr!);
    await caller.next((e) => e.type === 'StasisStart');
    await ari(sw.url, 'POST', `/channels/${ivrId}/play/long`, { media: 'sound:silence/30' });
    const waiting = ari(sw.url, 'POST', `/channels/${ivrId}/variable`, { variable: 'IVR_NODE', value: 'x' });
    await ivr!.next((e) => e.type === 'PlaybackStarted');
    await ari(sw.url, 'DELETE', `/channels/${callerId}`);
    expect(await waiting).toMatchObject({ status: 404, body: { message: 'Channel not found' } });
    expect(ivr!.of('ChannelVarset')).toHaveLength(0);

    const second = await answered(sw, ivr!);
    await ari(sw.url, 'POST', `/channels/${second.ivrId}/play/p2`, { media: 'sound:silence/5' });
    const cont = ari(sw.url, 'POST', `/channels/${second.ivrId}/continue`, { context: 'agents', extension: 'general' });
    await sleep(30);
    expect(ivr!.of('StasisEnd').filter((e) => (e.channel as Json).id === second.ivrId)).toHaveLength(0);
    expect((await cont).status).toBe(204);
    const order = ivr!.events
      .filter((e) => (e.playback as Json | undefined)?.id === 'p2' || (e.type === 'StasisEnd' && (e.channel as Json).id === second.ivrId))
      .map((e) => e.type);
    expect(order).toEqual(['PlaybackStarted', 'PlaybackFinished', 'StasisEnd']);
  });

  it('fails a missing prompt at once and refuses to stop a digits: playback with 500', async () => {
    const { sw, ivr } = await setup();
    const { ivrId } = await answered(sw, ivr!);
    await ari(sw.url, 'POST', `/channels/${ivrId}/play/m`, { media: 'sound:ivr-1699/nowhere' });
    const fin = await ivr!.next((e) => e.type === 'PlaybackFinished');
    expect((fin.playback as Json).state).toBe('failed');
    await ari(sw.url, 'POST', `/channels/${ivrId}/play/d`, { media: 'digits:0499' });
    await ivr!.next((e) => e.type === 'PlaybackStarted' && (e.playback as Json).id === 'd');
    expect(await ari(sw.url, 'DELETE', '/playbacks/d')).toMatchObject({ status: 500, body: { message: 'Could not stop playback' } });
    const done = await ivr!.next((e) => e.type === 'PlaybackFinished' && (e.playback as Json).id === 'd');
    expect((done.playback as Json).state).toBe('done');
  });

  it('plays the project prompts from the sounds directory for their real duration', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'switch-prompts-'));
    mkdirSync(join(dir, 'fa'));
    writeFileSync(join(dir, 'fa', 'welcome.ulaw'), Buffer.alloc(8000 * 2)); // 2 s of μ-law
    const scale = 0.05;
    const { sw, ivr } = await setup({ timeScale: scale, sounds: { 'ivr-1699': dir } });
    const { ivrId } = await answered(sw, ivr!);
    const t0 = performance.now();
    await ari(sw.url, 'POST', `/channels/${ivrId}/play/w`, { media: 'sound:ivr-1699/welcome' });
    const fin = await ivr!.next((e) => e.type === 'PlaybackFinished');
    const ms = performance.now() - t0;
    expect((fin.playback as Json).state).toBe('done');
    expect(ms).toBeGreaterThan(2000 * scale * 0.8);
    expect(ms).toBeLessThan(2000 * scale * 3);
  });
});

describe('the dialplan: transfers, failover, queue hold', () => {
  it('continue to agents,<skill> ends Stasis (no hangup), records the transfer with all variables and holds the call', async () => {
    const { sw, caller, ivr } = await setup({ queueHoldMs: 60_000 });
    const transfers: Transfer[] = [];
    sw.on('transfer', (t) => transfers.push(t));
    const { callerId, ivrId } = await answered(sw, ivr!);
    await ari(sw.url, 'POST', `/channels/${ivrId}/variable`, { variable: '__IVR_NATIONAL_ID', value: '0499370899' });
    await ari(sw.url, 'POST', `/channels/${ivrId}/variable`, { variable: 'IVR_TOPIC', value: 'refund' });
    expect((await ari(sw.url, 'GET', `/channels/${ivrId}/variable`, { variable: 'IVR_NATIONAL_ID' })).body).toEqual({ value: '0499370899' });
    expect((await ari(sw.url, 'POST', `/channels/${ivrId}/continue`, { context: 'agents', extension: 'sales', priority: 1 })).status).toBe(204);
    const noop = await caller.next((e) => e.type === 'ChannelDialplan' && ((e.channel as Json).dialplan as Json).context === 'agents');
    expect(noop.dialplan_app_data).toBe('queue sales topic=refund rule= outcome=');
    expect((noop.channel as Json).dialplan).toMatchObject({ context: 'agents', exten: 'sales', priority: 1 });
    expect(types(ivr!).slice(-1)).toEqual(['StasisEnd']);
    expect(ivr!.of('ChannelHangupRequest')).toHaveLength(0);
    expect(transfers).toEqual([
      { channelId: ivrId, callerChannelId: callerId, skill: 'sales', variables: { STASISSTATUS: 'SUCCESS', IVR_NATIONAL_ID: '0499370899', IVR_TOPIC: 'refund' }, at: expect.any(String) },
    ]);
    expect(sw.transfers).toEqual(transfers);
    // still up, out of the IVR app: 409 for IVR commands, GET works
    expect(await ari(sw.url, 'POST', `/channels/${ivrId}/answer`)).toMatchObject({ status: 409, body: { message: 'Channel not in Stasis application' } });
    expect((await ari(sw.url, 'GET', `/applications/ivr-1699`)).body).toMatchObject({ channel_ids: [] });
    expect((await ari(sw.url, 'GET', `/channels/${ivrId}`)).status).toBe(200);
    // the caller hanging up ends the wait in the queue at once
    await ari(sw.url, 'DELETE', `/channels/${callerId}`);
    await caller.next((e) => e.type === 'ChannelDestroyed' && (e.channel as Json).id === ivrId, 500);
    expect(sw.channels).toEqual([]);
  });

  it('fails Stasis at once when the IVR app is not connected; the failsafe sends the call to agents,general', async () => {
    const { sw, caller } = await setup({ queueHoldMs: 1000 }, false);
    const transfers: Transfer[] = [];
    sw.on('transfer', (t) => transfers.push(t));
    const { callerId } = await dial(sw, undefined);
    await caller.next((e) => e.type === 'ChannelDestroyed' && (e.channel as Json).id === callerId);
    const plan = caller
      .of('ChannelDialplan')
      .map((e) => `${String(((e.channel as Json).dialplan as Json).context)}: ${String(e.dialplan_app)}(${String(e.dialplan_app_data)})`)
      .map((l) => l.replace(/-[0-9a-f]{8};2/, ';2'));
    expect(plan).toEqual([
      'ivr-inbound: NoOp(1699 call from *4567 on Local/1699@ivr-inbound;2)',
      'ivr-inbound: Set(CHANNEL(language)=fa)',
      'ivr-inbound: Set(TIMEOUT(absolute)=30)',
      'ivr-inbound: Stasis(ivr-1699,inbound)',
      'ivr-inbound: Verbose(1,IVR did not take the call from *4567: STASISSTATUS=FAILED - to the general queue)',
      'ivr-inbound: ExecIf(1?Set(__IVR_OUTCOME=ivr-unavailable))',
      'ivr-inbound: Goto(agents,general,1)',
      'agents: NoOp(queue general topic= rule= outcome=ivr-unavailable)',
      'agents: Gosub(agents-common,s,1(general))',
      'agents-common: Set(TIMEOUT(absolute)=0)',
      'agents-common: Verbose(2,to general: topic= id=* order= rule=/ivr-unavailable request=:)',
      'agents-common: ExecIf(1?Set(__IVR_SKILL=general))',
      'agents-common: Set(__IVR_QUEUE_SKILL=general)',
      'agents-common: Answer()',
      'agents-common: Return()',
      'agents: Queue(general,tb(ivr-agent-predial^s^1),,,1,,ivr-agent-connected)',
      'agents: Hangup()',
    ]);
    expect(caller.of('ChannelVarset').map((e) => `${String(e.variable)}=${String(e.value)}`).slice(0, 5)).toEqual([
      'STASISSTATUS=',
      'STASISSTATUS=FAILED',
      '__IVR_OUTCOME=ivr-unavailable',
      '__IVR_SKILL=general',
      '__IVR_QUEUE_SKILL=general',
    ]);
    expect(transfers).toEqual([expect.objectContaining({ skill: 'general', variables: { STASISSTATUS: 'FAILED', IVR_OUTCOME: 'ivr-unavailable' } })]);
    // the queue answers: the caller's half enters its app like a normal answered call
    expect(caller.of('Dial').map((e) => e.dialstatus)).toEqual(['', 'ANSWER']);
    expect(caller.of('StasisStart')).toHaveLength(1);
  });

  it('with failover disabled hangs up after the failed Stasis', async () => {
    const { sw, caller } = await setup({ failoverExtension: null }, false);
    const { callerId } = await dial(sw, undefined);
    await caller.next((e) => e.type === 'ChannelDestroyed' && (e.channel as Json).id === callerId);
    expect(caller.of('ChannelDialplan').map((e) => e.dialplan_app)).toEqual(['NoOp', 'Set', 'Set', 'Stasis', 'Verbose', 'Hangup']);
    expect(String(caller.of('ChannelDialplan')[4]?.dialplan_app_data)).toMatch(/STASISSTATUS=FAILED - hanging up$/);
    expect(caller.of('Dial').map((e) => e.dialstatus)).toEqual(['', 'NOANSWER']);
    expect(sw.transfers).toEqual([]);
  });

  it("runs the recording's dialplan in style 'recorded'", async () => {
    const { sw, caller } = await setup({ dialplanStyle: 'recorded', entryContext: 'default', language: 'en' }, false);
    const r = await ari(sw.url, 'POST', '/channels', { endpoint: 'Local/1699@default', app: 'caller' });
    await caller.next((e) => e.type === 'ChannelDestroyed' && (e.channel as Json).id === (r.body as Json).id);
    expect(caller.of('ChannelDialplan').map((e) => `${String(e.dialplan_app)}(${String(e.dialplan_app_data)})`)).toEqual([
      'Set(CHANNEL(language)=en)',
      'Stasis(ivr-1699,inbound)',
      'NoOp(STASISSTATUS=FAILED)',
      'Hangup()',
    ]);
  });
});

describe('DTMF', () => {
  it('arrives on the other half ≈200 ms after the key, quick keys one by one ≈250 ms apart (scaled)', async () => {
    const scale = 0.2;
    const { sw, caller, ivr } = await setup({ timeScale: scale });
    const { callerId } = await answered(sw, ivr!);
    await caller.next((e) => e.type === 'StasisStart');
    const at: Record<string, number> = {};
    sw.on('event', (e) => {
      if (e.type === 'ChannelDtmfReceived' && e.application === 'ivr-1699') at[String(e.digit)] = performance.now();
    });
    const sent = performance.now();
    for (const d of ['0', '4', '9']) {
      expect((await ari(sw.url, 'POST', `/channels/${callerId}/dtmf`, { dtmf: d, duration: 100, between: 50 })).status).toBe(204);
    }
    await waitUntil(() => Object.keys(at).length === 3 && ivr!.of('ChannelDtmfReceived').length === 3, 3000, () => JSON.stringify(at));
    expect(ivr!.of('ChannelDtmfReceived').map((e) => [e.digit, e.duration_ms, String((e.channel as Json).name).slice(-2)])).toEqual([
      ['0', 100, ';2'],
      ['4', 100, ';2'],
      ['9', 100, ';2'],
    ]);
    expect(at['0']! - sent).toBeGreaterThan(200 * scale * 0.5);
    expect(at['4']! - at['0']!).toBeGreaterThan(250 * scale * 0.5);
    expect(at['9']! - at['4']!).toBeGreaterThan(250 * scale * 0.5);
    expect(caller.of('ChannelDtmfReceived')).toHaveLength(3); // the dialer sees them too
    expect(await ari(sw.url, 'POST', `/channels/${callerId}/dtmf`)).toMatchObject({ status: 400, body: { message: 'DTMF is required' } });
  });

  it('keeps the order of the keys when the event loop lags (a burst of callers)', async () => {
    const { sw, ivr } = await setup({ timeScale: 0.05 });
    const { callerId } = await answered(sw, ivr!);
    await ivr!.next((e) => e.type === 'StasisStart');
    for (let round = 0; round < 5; round++) {
      const before = ivr!.of('ChannelDtmfReceived').length;
      expect((await ari(sw.url, 'POST', `/channels/${callerId}/dtmf`, { dtmf: '0499370899#', duration: 100, between: 100 })).status).toBe(204);
      // every digit's time passes while the loop is busy (other calls' work): all are due at once
      const busyUntil = Date.now() + 250;
      while (Date.now() < busyUntil);
      await waitUntil(() => ivr!.of('ChannelDtmfReceived').length === before + 11, 3000, () => String(ivr!.of('ChannelDtmfReceived').length));
      expect(ivr!.of('ChannelDtmfReceived').slice(before).map((e) => e.digit).join('')).toBe('0499370899#');
    }
  });
});

describe('bridges', () => {
  it('creates a bridge, adds and removes the IVR half with events, destroys it', async () => {
    const { sw, ivr } = await setup();
    const { ivrId } = await answered(sw, ivr!);
    const created = await ari(sw.url, 'POST', '/bridges', { type: 'mixing', bridgeId: 'b1', name: 'hold' });
    expect(created.body).toMatchObject({ id: 'b1', name: 'hold', bridge_type: 'mixing', bridge_class: 'stasis', channels: [] });
    expect((await ari(sw.url, 'POST', '/bridges/b1/addChannel', { channel: ivrId })).status).toBe(204);
    const entered = await ivr!.next((e) => e.type === 'ChannelEnteredBridge');
    expect((entered.bridge as Json).channels).toEqual([ivrId]);
    expect(((await ari(sw.url, 'GET', '/bridges/b1')).body as Json).channels).toEqual([ivrId]);
    expect(((await ari(sw.url, 'GET', '/applications/ivr-1699')).body as Json).bridge_ids).toEqual(['b1']);
    expect(await ari(sw.url, 'POST', '/bridges/b1/addChannel', { channel: 'nope' })).toMatchObject({ status: 400, body: { message: 'Channel not found' } });
    expect(await ari(sw.url, 'POST', '/bridges/b1/addChannel')).toMatchObject({ status: 400, body: { message: 'Missing parameter channel' } });
    expect((await ari(sw.url, 'POST', '/bridges/b1/removeChannel', { channel: ivrId })).status).toBe(204);
    await ivr!.next((e) => e.type === 'ChannelLeftBridge');
    expect(await ari(sw.url, 'POST', '/bridges/b1/removeChannel', { channel: ivrId })).toMatchObject({ status: 422, body: { message: 'Channel not in this bridge' } });
    expect((await ari(sw.url, 'DELETE', '/bridges/b1')).status).toBe(204);
    await ivr!.next((e) => e.type === 'BridgeDestroyed');
    expect(await ari(sw.url, 'GET', '/bridges/b1')).toMatchObject({ status: 404, body: { message: 'Bridge not found' } });
  });
});

describe('WebSockets: apps keep their channels across a reconnect', () => {
  it('loses events while the app is away, sends no new StasisStart after it returns, and later events arrive again', async () => {
    const { sw, caller, ivr } = await setup({ timeScale: 0.1 });
    const { callerId, ivrId } = await answered(sw, ivr!);
    await caller.next((e) => e.type === 'StasisStart');
    await ari(sw.url, 'POST', `/channels/${ivrId}/play/pb`, { media: 'sound:silence/10' });
    await ivr!.next((e) => e.type === 'PlaybackStarted');
    expect(sw.dropConnections('ivr-1699')).toBe(1);
    await waitUntil(() => ivr!.ws.readyState === ivr!.ws.CLOSED, 1000, () => 'the IVR socket to close');
    await ari(sw.url, 'POST', `/channels/${callerId}/dtmf`, { dtmf: '5' });
    await caller.next((e) => e.type === 'ChannelDtmfReceived' && e.digit === '5');
    expect(((await ari(sw.url, 'GET', '/applications/ivr-1699')).body as Json).channel_ids).toEqual([ivrId]);
    const back = await tap(sw.url, 'ivr-1699');
    taps.push(back);
    await ari(sw.url, 'POST', `/channels/${callerId}/dtmf`, { dtmf: '7' });
    await back.next((e) => e.type === 'ChannelDtmfReceived');
    expect(types(back)).toEqual(['ChannelDtmfReceived']);
    expect(back.events[0]?.digit).toBe('7');
    expect((await ari(sw.url, 'DELETE', '/playbacks/pb')).status).toBe(204);
    const fin = await back.next((e) => e.type === 'PlaybackFinished');
    expect((fin.playback as Json).state).toBe('done');
  });

  it('sends every channel event to a subscribeAll app, but StasisStart only to the Stasis app', async () => {
    const { sw, ivr } = await setup();
    const monitor = await tap(sw.url, 'monitor', { subscribeAll: true });
    taps.push(monitor);
    const { ivrId } = await answered(sw, ivr!);
    await monitor.next((e) => e.type === 'ChannelStateChange' && (e.channel as Json).id === ivrId);
    expect(monitor.of('ChannelDialplan').length).toBeGreaterThan(0);
    expect(monitor.of('StasisStart')).toHaveLength(0);
    expect(monitor.events.every((e) => e.application === 'monitor')).toBe(true);
  });

  it('fails Stasis for a new call while the app is away', async () => {
    const { sw, caller } = await setup({ failoverExtension: null });
    sw.dropConnections('ivr-1699');
    await sleep(20);
    const { callerId } = await dial(sw, undefined);
    await caller.next((e) => e.type === 'ChannelDestroyed' && (e.channel as Json).id === callerId);
    expect(caller.of('ChannelVarset').map((e) => e.value)).toEqual(['', 'FAILED']);
  });
});
