/**
 * The HTTP side of the switch: authentication (401 as Asterisk), the generated Swagger
 * documents, Asterisk's error answers, malformed requests, stop/start/restart, options.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startSwitch, type BuiltinSwitch } from '../../src/switch/index.ts';
import { API } from '../../src/switch/api-table.ts';
import { EVENT_MODELS } from '../../src/switch/swagger-models.ts';
import { ari, tap } from './helpers.ts';

type Json = Record<string, unknown>;
const open: BuiltinSwitch[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.stop();
});
async function sw0(opts = {}) {
  const s = await startSwitch({ timeScale: 0.02, ...opts });
  open.push(s);
  return s;
}

describe('authentication', () => {
  it('answers 401 without or with wrong credentials, on REST and api-docs, in both forms', async () => {
    const sw = await sw0({ username: 'ivr', password: 's3cret' });
    for (const auth of [null, 'ivr:wrong', 'asterisk:asterisk', 'ivr']) {
      const r = await ari(sw.url, 'GET', '/channels', {}, auth);
      expect([r.status, r.body], String(auth)).toEqual([401, { message: 'Authentication required' }]);
    }
    expect((await ari(sw.url, 'GET', '/api-docs/resources.json', {}, null)).status).toBe(401);
    expect((await ari(sw.url, 'GET', '/channels', { api_key: 'ivr:wrong' }, null)).status).toBe(401);
    expect((await ari(sw.url, 'GET', '/channels', {}, 'ivr:s3cret')).status).toBe(200);
    expect((await ari(sw.url, 'GET', '/channels', { api_key: 'ivr:s3cret' }, null)).status).toBe(200);
    const res = await fetch(`${sw.url}/ari/channels`);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="Asterisk REST Interface"');
  });

  it('refuses the events WebSocket with 401 on wrong credentials and 400 without app', async () => {
    const sw = await sw0();
    await expect(tap(sw.url, 'ivr-1699', { auth: 'asterisk:nope' })).rejects.toThrow(/401/);
    const url = `${sw.url.replace('http', 'ws')}/ari/events?api_key=asterisk:asterisk`;
    const { default: WebSocket } = await import('ws');
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(400);
    const t = await tap(sw.url, 'a,b');
    expect(((await ari(sw.url, 'GET', '/applications')).body as Json[]).map((a) => a.name)).toEqual(['a', 'b']);
    await t.close();
  });
});

describe('Swagger documents', () => {
  it('lists every resource with the basePath of the request and serves each document', async () => {
    const sw = await sw0();
    const listing = (await ari(sw.url, 'GET', '/api-docs/resources.json')).body as Json;
    expect(listing.swaggerVersion).toBe('1.1');
    expect(listing.basePath).toBe(`${sw.url}/ari`);
    const names = (listing.apis as Json[]).map((a) => String(a.path));
    expect(names).toEqual(API.map((r) => `/api-docs/${r.name}.{format}`));
    for (const r of API) {
      const doc = (await ari(sw.url, 'GET', `/api-docs/${r.name}.json`)).body as Json;
      expect(doc.resourcePath).toBe(`/api-docs/${r.name}.{format}`);
      const nicknames = (doc.apis as Json[]).flatMap((a) => (a.operations as Json[]).map((o) => o.nickname));
      expect(nicknames).toEqual(r.apis.flatMap((a) => a.operations.map((o) => o.nickname)));
    }
    expect((await ari(sw.url, 'GET', '/api-docs/recordings.json')).status).toBe(404);
  });

  it('declares every event type the switch sends in events.json, with the promoted object types', async () => {
    const sw = await sw0();
    const models = ((await ari(sw.url, 'GET', '/api-docs/events.json')).body as Json).models as Record<string, Json>;
    for (const type of Object.keys(EVENT_MODELS)) expect(models[type], type).toBeDefined();
    expect((models.StasisStart?.properties as Json).channel).toMatchObject({ type: 'Channel' });
    expect((models.PlaybackFinished?.properties as Json).playback).toMatchObject({ type: 'Playback' });
    expect((models.ChannelEnteredBridge?.properties as Json).bridge).toMatchObject({ type: 'Bridge' });
    const channels = ((await ari(sw.url, 'GET', '/api-docs/channels.json')).body as Json).apis as Json[];
    const play = channels.find((a) => a.path === '/channels/{channelId}/play')?.operations as Json[];
    expect((play[0]?.parameters as Json[]).find((p) => p.name === 'media')).toMatchObject({ paramType: 'query', required: true, allowMultiple: true });
  });
});

describe("Asterisk's error answers", () => {
  it('checks parameters of originate, play, variable and continue', async () => {
    const sw = await sw0();
    const cases: [string, string, Record<string, string>, number, string][] = [
      ['POST', '/channels', {}, 400, 'Endpoint must be specified'],
      ['POST', '/channels', { endpoint: 'Local/1699@ivr-inbound' }, 400, 'Application or extension must be specified'],
      ['POST', '/channels', { endpoint: 'nonsense', app: 'a' }, 400, 'Invalid endpoint specified'],
      ['GET', '/channels/nope', {}, 404, 'Channel not found'],
      ['POST', '/channels/nope/play', { media: 'sound:beep' }, 404, 'Channel not found'],
      ['GET', '/applications/nobody', {}, 404, 'Application not found'],
      ['GET', '/playbacks/nope', {}, 404, 'Playback not found'],
      ['DELETE', '/bridges/nope', {}, 404, 'Bridge not found'],
    ];
    for (const [m, p, q, status, message] of cases) {
      expect(await ari(sw.url, m, p, q), `${m} ${p} ${JSON.stringify(q)}`).toMatchObject({ status, body: { message } });
    }
    const pj = await ari(sw.url, 'POST', '/channels', { endpoint: 'PJSIP/100', app: 'a' });
    expect(pj.status).toBe(400);
    expect((pj.body as Json).message).toMatch(/PJSIP.*Local\/<exten>@<context>/);

    const t = await tap(sw.url, 'ivr-1699');
    const caller = await tap(sw.url, 'caller');
    const r = await ari(sw.url, 'POST', '/channels', { endpoint: 'Local/1699@ivr-inbound', app: 'caller', channelId: 'c-1', otherChannelId: 'c-2' });
    expect((r.body as Json).id).toBe('c-1');
    expect(await ari(sw.url, 'POST', '/channels', { endpoint: 'Local/1699@ivr-inbound', app: 'caller', channelId: 'c-1' })).toMatchObject({ status: 409 });
    await t.next((e) => e.type === 'StasisStart');
    // the caller half is Down and not in its app yet
    expect(await ari(sw.url, 'POST', '/channels/c-1/dtmf', { dtmf: '1' })).toMatchObject({ status: 409, body: { message: 'Channel not in Stasis application' } });
    expect(await ari(sw.url, 'POST', '/channels/c-2/play', {})).toMatchObject({ status: 400 });
    expect(await ari(sw.url, 'POST', '/channels/c-2/variable', {})).toMatchObject({ status: 400, body: { message: 'Variable name is required' } });
    expect(await ari(sw.url, 'GET', '/channels/c-2/variable', { variable: 'NOPE' })).toMatchObject({ status: 404, body: { message: 'Provided variable was not found' } });
    expect((await ari(sw.url, 'GET', '/channels/c-2/variable', { variable: 'CHANNEL(language)' })).body).toEqual({ value: 'fa' });
    expect(await ari(sw.url, 'GET', '/channels/c-2/variable', { variable: 'NOSUCHFUNC(x)' })).toMatchObject({ status: 500, body: { message: 'Unable to read provided function' } });
    expect(await ari(sw.url, 'GET', '/channels/gone/variable', { variable: 'X' })).toMatchObject({ status: 404, body: { message: 'Provided channel was not found' } });
    // reading works on a channel outside Stasis too (the caller half is not in its app yet)
    expect((await ari(sw.url, 'GET', '/channels/c-1/variable', { variable: 'CHANNEL(language)' })).body).toEqual({ value: 'en' });
    expect(await ari(sw.url, 'POST', '/channels/c-2/play', { media: 'sound:beep', skipms: '-1' })).toMatchObject({ status: 400, body: { message: 'skipms cannot be negative' } });
    // JSON body parameters count like query ones (ari-client sends originate variables so)
    const v = await ari(sw.url, 'POST', '/channels', { endpoint: 'Local/1699@ivr-inbound', app: 'caller' }, 'asterisk:asterisk', { variables: { __IVR_X: '1' } });
    expect(v.status).toBe(200);
    const n = await ari(sw.url, 'POST', '/channels', { endpoint: 'Local/1699@ivr-inbound', app: 'caller' }, 'asterisk:asterisk', { variables: { X: 1 } });
    expect(n).toMatchObject({ status: 400, body: { message: "Only string values in the 'variables' object allowed" } });
    await t.close();
    await caller.close();
  });
});

describe('robustness', () => {
  it('answers malformed requests with 4xx and keeps serving', async () => {
    const sw = await sw0();
    const bad = await fetch(`${sw.url}/ari/channels`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from('asterisk:asterisk').toString('base64')}`, 'Content-Type': 'application/json' },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    expect((await ari(sw.url, 'GET', '/channels/%E0%A4%A')).status).toBe(400);
    expect((await ari(sw.url, 'GET', '/nothing/here')).status).toBe(404);
    expect(await ari(sw.url, 'PUT', '/channels')).toMatchObject({ status: 405, body: { message: 'Invalid method' } });
    expect((await fetch(`${sw.url}/elsewhere`)).status).toBe(404);
    await new Promise<void>((resolve) => {
      const s = connect(sw.port, '127.0.0.1', () => s.end('GARBAGE \x00\x01 nonsense\r\n\r\n'));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
      s.resume();
    });
    expect((await ari(sw.url, 'GET', '/asterisk/info')).body).toMatchObject({ system: { version: '22.10.1' } });
    expect(((await ari(sw.url, 'GET', '/asterisk/info', { only: 'system' })).body as Json).build).toBeUndefined();
  });
});

describe('global variables', () => {
  it("GET /asterisk/variable reads the dialplan's globals (IVR_WATCHDOG, which the service reads at connect); unset: empty, as Asterisk", async () => {
    const sw = await sw0({ watchdogSeconds: 12 });
    expect(await ari(sw.url, 'GET', '/asterisk/variable', { variable: 'IVR_WATCHDOG' })).toMatchObject({ status: 200, body: { value: '12' } });
    expect(await ari(sw.url, 'GET', '/asterisk/variable', { variable: 'NOT_SET' })).toMatchObject({ status: 200, body: { value: '' } });
    expect((await ari(sw.url, 'GET', '/asterisk/variable')).status).toBe(400);
  });
});

describe('lifecycle', () => {
  it('stops (every call ends, sockets close) and starts again on the same port; restart too', async () => {
    const sw = await sw0();
    const port = sw.port;
    expect(sw.url).toBe(`http://127.0.0.1:${port}`);
    const ivr = await tap(sw.url, 'ivr-1699');
    const closed = new Promise<void>((r) => ivr.ws.once('close', () => r()));
    await ari(sw.url, 'POST', '/channels', { endpoint: 'Local/1699@ivr-inbound', app: 'ivr-1699' });
    await ivr.next((e) => e.type === 'StasisStart');
    expect(sw.channels).toHaveLength(2);
    await sw.stop();
    await closed;
    await expect(fetch(`${sw.url}/ari/channels`)).rejects.toThrow();
    expect(sw.channels).toEqual([]);
    await sw.start();
    expect(sw.port).toBe(port);
    expect((await ari(sw.url, 'GET', '/channels')).body).toEqual([]);
    await sw.restart();
    expect(sw.port).toBe(port);
    expect((await ari(sw.url, 'GET', '/asterisk/ping')).body).toMatchObject({ ping: 'pong' });
  });

  it('rejects invalid options with a message naming the field, the value and the fix', async () => {
    await expect(startSwitch({ timeScale: 0 })).rejects.toThrow(/timeScale.*greater than 0.*got 0/);
    await expect(startSwitch({ port: 70000 })).rejects.toThrow(/port.*65535/);
    await expect(startSwitch({ queueHoldMs: -5 })).rejects.toThrow(/queueHoldMs/);
  });
});
