/**
 * StasisApp.recover: calls found in the application get exactly one session each, whatever the
 * order in which their StasisStart and the recovery's answers arrive.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { AriClient } from '../../src/ari/client.ts';
import type { CallChannel } from '../../src/ari/channel.ts';
import { enteredAt, StasisApp } from '../../src/ari/stasis-app.ts';
import { memoryLogger } from '../integration/harness.ts';

/** A client whose `channels get` answers only when the test lets it. */
function fakeClient(channelIds: string[], state: (id: string) => string) {
  const ee = new EventEmitter();
  const pending: (() => void)[] = [];
  const client = Object.assign(ee, {
    turn: 0,
    request: (resource: string, op: string, p: Record<string, unknown>) => {
      if (resource === 'applications') return Promise.resolve({ channel_ids: channelIds });
      if (resource === 'channels' && op === 'get') {
        const id = String(p.channelId);
        return new Promise((r) => pending.push(() => r({ id, name: `Local/1699@ivr-inbound-1;2`, state: state(id) })));
      }
      return Promise.resolve(undefined);
    },
  }) as unknown as AriClient;
  const release = () => pending.splice(0).forEach((f) => f());
  const stasisStart = (id: string, st = 'Ring') => ee.emit('event', { type: 'StasisStart', application: 'ivr', args: ['inbound'], channel: { id, name: 'Local/1699@ivr-inbound-1;2', state: st } }, true, 0);
  return { client, release, stasisStart };
}

const tick = () => new Promise((r) => setImmediate(r));

function sessions(app: StasisApp) {
  const seen: { kind: 'call' | 'recovered'; id: string }[] = [];
  app.on('call', (ch: CallChannel) => seen.push({ kind: 'call', id: ch.id }));
  app.on('recovered', (ch: CallChannel) => seen.push({ kind: 'recovered', id: ch.id }));
  return seen;
}

describe('StasisApp recovery', () => {
  it('a StasisStart that arrives while the recovery reads the channel: one session, not two', async () => {
    const f = fakeClient(['c1'], () => 'Up');
    const app = new StasisApp(f.client, 'ivr', memoryLogger().logger);
    const seen = sessions(app);
    const done = app.recover('start');
    await tick(); // the recovery has listed c1 and waits for its channel
    f.stasisStart('c1', 'Up');
    f.release();
    await done;
    expect(seen).toEqual([{ kind: 'call', id: 'c1' }]);
    expect(app.activeCalls).toBe(1);
  });

  it('a channel found before its StasisStart, never answered: a new call; its late StasisStart is ignored', async () => {
    const f = fakeClient(['c1'], () => 'Ring');
    const app = new StasisApp(f.client, 'ivr', memoryLogger().logger);
    const seen = sessions(app);
    const done = app.recover('start');
    await tick();
    f.release();
    await done;
    f.stasisStart('c1');
    expect(seen).toEqual([{ kind: 'call', id: 'c1' }]);
  });

  it('a new call whose StasisStart comes while the recovery asks which channels are in the application: its session goes on, not ended as lost', async () => {
    // Asterisk lists the application (empty) before the caller enters; the answer arrives after the StasisStart
    const ee = new EventEmitter();
    let answer!: (v: unknown) => void;
    const client = Object.assign(ee, {
      turn: 0,
      request: (resource: string) => (resource === 'applications' ? new Promise((r) => (answer = r)) : Promise.resolve(undefined)),
    }) as unknown as AriClient;
    const app = new StasisApp(client, 'ivr', memoryLogger().logger);
    const ended: string[] = [];
    app.on('call', (ch: CallChannel) => ch.once('end', (why: string) => ended.push(`${ch.id}: ${why}`)));
    ee.emit('event', { type: 'StasisStart', application: 'ivr', args: [], channel: { id: 'old', name: 'Local/1699@ivr-inbound-1;2', state: 'Up' } }, true, 0);
    const done = app.recover('start');
    ee.emit('event', { type: 'StasisStart', application: 'ivr', args: [], channel: { id: 'new', name: 'Local/1699@ivr-inbound-2;2', state: 'Ring' } }, true, 0);
    answer({ channel_ids: [] });
    await done;
    // the call this process had before it asked and that is not in the application any more is lost; the new one is not
    expect(ended).toEqual(['old: lost']);
    expect(app.activeCalls).toBe(1);
  });

  it('an answered channel with no session: adopted once, even by two recoveries at once', async () => {
    const f = fakeClient(['c1', 'c2'], () => 'Up');
    const app = new StasisApp(f.client, 'ivr', memoryLogger().logger);
    const seen = sessions(app);
    const a = app.recover('start');
    const b = app.recover('reconnect');
    for (let i = 0; i < 4; i++) {
      await tick();
      f.release();
    }
    await Promise.all([a, b]);
    expect(seen.sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { kind: 'recovered', id: 'c1' },
      { kind: 'recovered', id: 'c2' },
    ]);
  });
});

describe('when a channel entered Stasis (the dialplan armed its watchdog just before)', () => {
  it("the StasisStart's arrival, or Asterisk's timestamp when that is earlier, less three seconds of slack; never later", () => {
    const wall = Date.parse('2026-12-01T05:00:10.000Z');
    expect(enteredAt(50_000, '2026-12-01T05:00:10.000+0000', wall)).toBe(47_000);
    // delivered 4 s late (a busy service): counted from Asterisk's time
    expect(enteredAt(50_000, '2026-12-01T05:00:06.000+0000', wall)).toBe(43_000);
    // Asterisk's clock ahead of ours, or no timestamp: the arrival
    expect(enteredAt(50_000, '2026-12-01T05:00:30.000+0000', wall)).toBe(47_000);
    expect(enteredAt(50_000, undefined, wall)).toBe(47_000);
    expect(enteredAt(50_000, 'not a time', wall)).toBe(47_000);
  });

  it('is set for a channel of a StasisStart, not for one found by a recovery', async () => {
    const f = fakeClient(['c2'], () => 'Ring');
    const app = new StasisApp(f.client, 'ivr', memoryLogger().logger);
    const seen: CallChannel[] = [];
    app.on('call', (ch: CallChannel) => seen.push(ch));
    f.stasisStart('c1');
    const done = app.recover('start');
    await tick();
    f.release();
    await done;
    expect(seen.map((c) => [c.id, c.enteredAt === undefined])).toEqual([
      ['c1', false],
      ['c2', true],
    ]);
  });
});
