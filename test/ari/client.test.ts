/**
 * The ARI adapter against the built-in switch with the real ari-client: clear typed errors for a
 * wrong password or an unreachable host, typed 404s, and a connection that survives malformed and
 * unknown events (a proxy passes REST to the switch and serves its own events WebSocket).
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { AriClient } from '../../src/ari/client.ts';
import { AriAuthError, AriNotFoundError, AriUnreachableError } from '../../src/ari/errors.ts';
import { startSwitch, type BuiltinSwitch } from '../../src/switch/index.ts';
import { memoryLogger } from '../integration/harness.ts';
import { tap } from '../switch/helpers.ts';

let sw: BuiltinSwitch;
beforeAll(async () => {
  sw = await startSwitch({ timeScale: 0.05 });
});
afterAll(async () => {
  await sw?.stop();
});

describe('ARI adapter: connecting', () => {
  it('a wrong password is one clear AriAuthError', async () => {
    const { logger } = memoryLogger();
    const err = await AriClient.connect({ url: sw.url, username: sw.username, password: 'wrong', app: 'a1', logger }).catch((e) => e);
    expect(err).toBeInstanceOf(AriAuthError);
    expect(err.message).toMatch(/refused user 'asterisk': wrong ARI_USERNAME or ARI_PASSWORD/);
  });

  it('an unreachable host is one clear AriUnreachableError, quickly', async () => {
    const { logger } = memoryLogger();
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const t0 = Date.now();
    const err = await AriClient.connect({ url: `http://127.0.0.1:${port}`, username: 'x', password: 'y', app: 'a2', logger, connectTimeoutMs: 2000 }).catch((e) => e);
    expect(err).toBeInstanceOf(AriUnreachableError);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('REST errors keep their status: 404 is AriNotFoundError', async () => {
    const { logger } = memoryLogger();
    const c = await AriClient.connect({ url: sw.url, username: sw.username, password: sw.password, app: 'a3', logger });
    try {
      const err = (await c.request('channels', 'get', { channelId: 'no-such-channel' }).catch((e: unknown) => e)) as AriNotFoundError;
      expect(err).toBeInstanceOf(AriNotFoundError);
      expect(err.status).toBe(404);
      expect(err.message).toMatch(/Channel not found/);
      const info = await c.request<{ channel_ids: string[] }>('applications', 'get', { applicationName: 'a3' });
      expect(info.channel_ids).toEqual([]);
    } finally {
      await c.close();
    }
  });
});

describe('ARI adapter: bad events never take the process down', () => {
  let proxy: Server;
  let wss: WebSocketServer;
  const sockets: WebSocket[] = [];
  beforeAll(async () => {
    const target = new URL(sw.url);
    proxy = createServer((req, res) => {
      const up = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: `${target.hostname}:${target.port}` } }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    wss = new WebSocketServer({ noServer: true });
    proxy.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => sockets.push(ws)));
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of sockets) s.terminate();
    wss.close();
    await new Promise<void>((r) => proxy.close(() => r()));
  });

  it('drops malformed and unknown events with a log line and delivers the good ones', async () => {
    const { logger, logs } = memoryLogger('debug');
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const c = await AriClient.connect({ url, username: sw.username, password: sw.password, app: 'a4', logger });
    const got: { type: string; known: boolean }[] = [];
    c.on('event', (ev, known) => got.push({ type: ev.type, known }));
    const ch = { id: '1.1', name: 'PJSIP/x-1', state: 'Up' };
    const ws = sockets.at(-1)!;
    ws.send('this is not json');
    ws.send(JSON.stringify({ no: 'type' }));
    ws.send(JSON.stringify({ type: 'ChannelDtmfReceived', digit: 'XYZ', channel: ch }));
    ws.send(JSON.stringify({ type: 'SomethingAsterisk23Adds', x: 1 }));
    ws.send(JSON.stringify({ type: 'ChannelDtmfReceived', digit: '5', duration_ms: 100, channel: ch }));
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual([
      { type: 'SomethingAsterisk23Adds', known: false },
      { type: 'ChannelDtmfReceived', known: true },
    ]);
    expect(logs.filter((l) => l.includes('dropped a malformed ARI event'))).toHaveLength(3);
    expect(c.connected).toBe(true);
    await c.close();
  });
});

describe('ARI adapter: event filter', () => {
  it('asks for the event types it wants at connect (ARI eventFilter): the others never arrive', async () => {
    const { logger } = memoryLogger();
    const caller = await tap(sw.url, 'filter-caller');
    const c = await AriClient.connect({ url: sw.url, username: sw.username, password: sw.password, app: 'ivr-1699', logger, eventTypes: ['StasisStart', 'PlaybackFinished'] });
    try {
      // set at connect, not awaited by connect()
      let allowed: { type: string }[] = [];
      for (let i = 0; i < 50 && allowed.length === 0; i++) {
        allowed = (await c.request<{ events_allowed: { type: string }[] }>('applications', 'get', { applicationName: 'ivr-1699' })).events_allowed;
        if (allowed.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(allowed).toEqual([{ type: 'StasisStart' }, { type: 'PlaybackFinished' }]);
      const seen: string[] = [];
      c.on('event', (ev) => seen.push(ev.type));
      const started = new Promise<string>((resolve) => c.on('event', (ev) => ev.type === 'StasisStart' && resolve((ev as { channel: { id: string } }).channel.id)));
      await c.request('channels', 'originate', { endpoint: 'Local/1699@ivr-inbound', app: 'filter-caller' });
      const id = await started;
      await c.request('channels', 'setChannelVar', { channelId: id, variable: 'IVR_NODE', value: 'main-menu' });
      const finished = new Promise<void>((resolve) => c.on('event', (ev) => ev.type === 'PlaybackFinished' && resolve()));
      await c.request('channels', 'play', { channelId: id, media: 'sound:beep' });
      await finished;
      await c.request('channels', 'hangup', { channelId: id });
      await new Promise((r) => setTimeout(r, 100));
      // without the filter: ChannelVarset, PlaybackStarted, ChannelHangupRequest, StasisEnd, ChannelDestroyed too
      expect(seen).toEqual(['StasisStart', 'PlaybackFinished']);
    } finally {
      await c.close();
      await caller.close();
    }
  });
});
