/**
 * Caller experience (issue 15), black-box through the built-in switch: the request number is said
 * the way a caller writes it down and can be heard again with `*` before the call ends; read-backs
 * of IDs and mobiles come in groups with pauses, in one playback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AriEvent } from '../../src/ari/events.ts';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** the media of every playback seen during `run`, by playback id, in playing order */
async function playbacks<T>(run: () => Promise<T>): Promise<{ result: T; lists: string[][] }> {
  const byId = new Map<string, string[]>();
  const listener = (ev: AriEvent) => {
    if (ev.type !== 'PlaybackStarted') return;
    const pb = (ev as { playback: { id: string; media_uri: string } }).playback;
    const list = byId.get(pb.id) ?? [];
    list.push(pb.media_uri.replace(/^sound:ivr-1699\//, ''));
    byId.set(pb.id, list);
  };
  h.client.on('event', listener);
  try {
    const result = await run();
    return { result, lists: [...byId.values()] };
  } finally {
    h.client.off('event', listener);
  }
}

/** the digit groups of a read-back: the digits between pause/group fragments */
const groupsOf = (names: string[]): string[] =>
  names
    .filter((n) => n.startsWith('digit/') || n === 'pause/group')
    .join(' ')
    .split('pause/group')
    .map((g) => g.trim().split(/\s+/).map((n) => n.slice('digit/'.length)).join(''));

describe('the request number, as the caller writes it down, and again on *', () => {
  it('a refund call hears its number without padding zeros, and * after the announcement repeats it', async () => {
    const r = await h.call('3 4 0499370899# 1403001234# 1 *', { caller: '09125550001' });
    expect(r.decisions).toEqual([{ rule: 'A6', outcome: 'refund-registered' }]);
    const number = r.requests[0]!.number;
    expect(number).toMatch(/^R-0+[1-9]\d*$/); // stored padded (R-000001) …
    const serial = Number(number.slice(2));
    const registered = r.prompts.reduce<number[]>((at, p, i) => (p === 'request-registered' ? [...at, i] : at), []);
    expect(registered).toHaveLength(2); // said, then said again after *
    for (const i of registered) {
      // … said as a number: no digit/0 padding, no digit-by-digit run (a small serial is one cardinal)
      const said = r.prompts.slice(i + 1, r.prompts.indexOf('star-to-repeat', i));
      expect(said.some((p) => p.startsWith('digit/'))).toBe(false);
      expect(said).toEqual(serial === 1 ? ['num/1'] : expect.arrayContaining([expect.stringMatching(/^num\//)]));
    }
    // the offer to hear it again, the window (IVR_NODE hear-again, twice: after each announcement), then goodbye
    expect(r.nodes.slice(-2)).toEqual(['hear-again', 'hear-again']);
    expect(r.prompts.slice(-2)).toEqual(['star-to-repeat', 'goodbye']);
    expect(r.outcome).toEqual({ kind: 'hangup', reason: 'completed' });
  });

  it('without a key the call still waits after the number before goodbye, and ends completed', async () => {
    const t0 = Date.now();
    const r = await h.call('3 4 0499370899# 1403001234# 1', { caller: '09125550002' });
    expect(r.prompts.filter((p) => p === 'request-registered')).toHaveLength(1);
    expect(r.nodes.at(-1)).toBe('hear-again');
    expect(r.prompts.slice(-2)).toEqual(['star-to-repeat', 'goodbye']);
    expect(r.outcome).toEqual({ kind: 'hangup', reason: 'completed' });
    expect(Date.now() - t0).toBeGreaterThan(4000 * 0.05); // the window, at the harness's time scale
  });
});

describe('read-backs in groups, in one playback', () => {
  it('the national ID is read back 3-6-1 (049 · 937089 · 9) with pauses, in the same playback as "you entered"', async () => {
    const { result: r, lists } = await playbacks(() => h.call('3 4 0499370899# 1403001234# 1', { caller: '09125550003' }));
    const readBack = lists.filter((l) => l.includes('you-entered'));
    expect(readBack).toHaveLength(1);
    expect(readBack[0]![0]).toBe('you-entered');
    expect(groupsOf(readBack[0]!)).toEqual(['049', '937089', '9']);
    expect(readBack[0]!.filter((n) => n === 'pause/group')).toHaveLength(2);
    expect(r.outcome).toEqual({ kind: 'hangup', reason: 'completed' });
  });

  it('a keyed mobile is read back 4-3-4 (0935 · 123 · 4567) before it is confirmed; * repeats the read-back', async () => {
    // interactive: each key only after the prompt that asks for it has started (a script keys at once and cuts the read-back)
    let confirms = 0;
    const { result: r, lists } = await playbacks(() =>
      h.call('', {
        caller: '02188776655',
        onPrompt: (name, call) => {
          if (name === 'main-menu') call.sendKeys('1');
          else if (name === 'menu-before') call.sendKeys('3');
          else if (name === 'enter-area-code') call.sendKeys('031#');
          else if (name === 'enter-mobile') call.sendKeys('09351234567#');
          else if (name === 'confirm-entry') call.sendKeys(++confirms === 1 ? '*' : '1');
        },
      }),
    );
    const readBacks = lists.filter((l) => l.includes('you-entered'));
    expect(readBacks).toHaveLength(2); // read back, then again on *
    for (const l of readBacks) {
      expect(l[0]).toBe('you-entered');
      expect(groupsOf(l)).toEqual(['0935', '123', '4567']);
      expect(l.filter((n) => n === 'pause/group')).toHaveLength(2);
      expect(l.at(-1)).toBe('confirm-entry');
    }
    expect(r.nodes).toContain('confirm-mobile');
    expect(r.outcome).toEqual({ kind: 'hangup', reason: 'completed' });
  });

});
