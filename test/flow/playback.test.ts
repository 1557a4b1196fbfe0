/**
 * runPlays (src/flow/playback.ts): the adapter's loop for the flow's prompts. A playback's own end
 * is PLAY_DONE, once; a playback the flow stopped or a newer one replaced never moves the flow on;
 * a Player that throws or fails still ends in PLAY_DONE (no caller waits for a prompt that never
 * comes).
 */
import { describe, expect, test } from 'vitest';
import { runPlays } from '../../src/flow/playback.ts';
import type { FlowCommand, Playback, PlayOutput } from '../../src/flow/ports.ts';

/** an actor as runPlays sees one: emits the flow's commands, takes events */
function fakeActor() {
  const handlers = new Map<string, (c: FlowCommand) => void>();
  const sent: string[] = [];
  let status = 'active';
  return {
    sent,
    stopActor: () => (status = 'stopped'),
    emit: (c: FlowCommand) => handlers.get(c.type)?.(c),
    on: (type: string, fn: (c: FlowCommand) => void) => (handlers.set(type, fn), { unsubscribe() {} }),
    send: (e: { type: string }) => void sent.push(e.type),
    getSnapshot: () => ({ status }),
  };
}

/** a playback the test ends by hand */
function manual() {
  const made: Array<{ items: string[]; end: (s: PlayOutput['status']) => void; fail: (e: unknown) => void; stops: number }> = [];
  const player = ({ items }: { items: Array<{ kind: string; name?: string }> }): Playback => {
    const rec = { items: items.map((i) => i.name ?? i.kind), end: (_: PlayOutput['status']) => {}, fail: (_: unknown) => {}, stops: 0 };
    const finished = new Promise<PlayOutput['status']>((res, rej) => ((rec.end = res), (rec.fail = rej)));
    made.push(rec);
    return { finished, stop: () => void rec.stops++ };
  };
  return { made, player };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const play = (name: string): FlowCommand => ({ type: 'play', items: [{ kind: 'prompt', name }] });

describe('runPlays', () => {
  test('a playback that ends by itself sends PLAY_DONE once; a stopPlay after it stops nothing', async () => {
    const a = fakeActor();
    const m = manual();
    runPlays(a as never, m.player as never);
    a.emit(play('welcome'));
    expect(m.made.map((p) => p.items)).toEqual([['welcome']]);
    m.made[0]!.end('done');
    await tick();
    expect(a.sent).toEqual(['PLAY_DONE']);
    a.emit({ type: 'stopPlay' });
    expect(m.made[0]!.stops).toBe(0);
  });

  test('a playback the flow stopped (barge-in) never sends PLAY_DONE, even when it ends later', async () => {
    const a = fakeActor();
    const m = manual();
    runPlays(a as never, m.player as never);
    a.emit(play('main-menu'));
    a.emit({ type: 'stopPlay' });
    expect(m.made[0]!.stops).toBe(1);
    m.made[0]!.end('stopped');
    await tick();
    expect(a.sent).toEqual([]);
  });

  test('a newer play replaces the one before: only the newer one ends the prompt', async () => {
    const a = fakeActor();
    const m = manual();
    runPlays(a as never, m.player as never);
    a.emit(play('announce'));
    a.emit(play('announce-again'));
    expect(m.made[0]!.stops).toBe(1);
    m.made[0]!.end('done');
    await tick();
    expect(a.sent).toEqual([]);
    m.made[1]!.end('done');
    await tick();
    expect(a.sent).toEqual(['PLAY_DONE']);
  });

  test('a prompt that could not play, a failing or throwing Player: PLAY_DONE, and the error is reported', async () => {
    for (const how of ['failed', 'rejects', 'throws'] as const) {
      const a = fakeActor();
      const m = manual();
      const errors: unknown[] = [];
      const player = how === 'throws' ? () => { throw new Error('no channel'); } : m.player;
      runPlays(a as never, player as never, (e) => errors.push(e));
      a.emit(play('goodbye'));
      if (how === 'failed') m.made[0]!.end('failed');
      if (how === 'rejects') m.made[0]!.fail(new Error('ARI timeout'));
      await tick();
      expect(a.sent, how).toEqual(['PLAY_DONE']);
      expect(errors.length, how).toBe(how === 'failed' ? 0 : 1);
    }
  });

  test('nothing is sent to an actor that is no longer running; stop() ends the playback in progress', async () => {
    const a = fakeActor();
    const m = manual();
    const plays = runPlays(a as never, m.player as never);
    a.emit(play('welcome'));
    a.stopActor();
    m.made[0]!.end('done');
    await tick();
    expect(a.sent).toEqual([]);
    a.emit(play('closing'));
    plays.stop();
    expect(m.made[1]!.stops).toBe(1);
  });
});
