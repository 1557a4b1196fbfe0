/**
 * Model-based test: @xstate/graph walks the whole call machine (default configuration) with a
 * finite event model (test/flow/model.ts: menu keys, entry samples, #, *, timeouts, every actor
 * outcome and failure, hang-up). On the adjacency map it builds:
 *  - every final state is a transfer to a known skill, a completed hang-up, or a caller hang-up;
 *  - no state is stuck, and from every state a transfer or completed hang-up is reachable without
 *    the caller hanging up (never silence, never dropped);
 *  - one path per reachable state (shortest path to it, then on to the nearest end): each ends
 *    in a transfer after `handoff.announce` (transfer-to-agent) or a hang-up after
 *    `finish.announce` (goodbye);
 *  - every listen starts by setting IVR_NODE (its prompt/wait states are entered from its own
 *    `setNode` → `ready`, never from outside);
 *  - a sample of the paths replayed on a live actor ends in the same state.
 */
import { getAdjacencyMap } from '@xstate/graph';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { __unsafe_getAllOwnEventDescriptors, createActor, fromPromise, type AnyEventObject, type SnapshotFrom } from 'xstate';
import { SKILLS } from '../../src/domain/skills.ts';
import { createCallMachine } from '../../src/flow/call-machine.ts';
import { eventsFor, serialize } from './model.ts';

const machine = createCallMachine();
type Snap = SnapshotFrom<typeof machine>;
const input = { callId: 'c', callerNumber: '02188776655' };

/** state key → snapshot and its transitions (the map @xstate/graph builds) */
let adj: Record<string, { state: Snap; transitions: Record<string, { event: AnyEventObject; state: Snap }> }>;
let keys: string[];
/** the adjacency map as edges between state keys, and each state's value path */
const edges = new Map<string, Array<{ ev: string; event: AnyEventObject; to: string; toPath: string[] }>>();
const paths = new Map<string, string[]>();
const HANGUP = JSON.stringify({ type: 'HANGUP' });

beforeAll(() => {
  const key = new WeakMap<object, string>();
  const ser = (s: Snap) => {
    let k = key.get(s);
    if (k === undefined) key.set(s, (k = serialize(s)));
    return k;
  };
  adj = getAdjacencyMap(machine, {
    input,
    serializeState: ser,
    events: ((s: Snap) => eventsFor(s, __unsafe_getAllOwnEventDescriptors(s) as string[])) as never,
  }) as unknown as typeof adj;
  keys = Object.keys(adj);
  for (const k of keys) {
    paths.set(k, isFinal(k) ? [] : valuePath(adj[k]!.state.value));
    edges.set(
      k,
      Object.entries(adj[k]!.transitions).map(([ev, { event, state }]) => ({
        ev,
        event,
        to: ser(state),
        toPath: state.status === 'active' ? valuePath(state.value) : [],
      })),
    );
  }
}, 60_000);

const isFinal = (k: string) => k.startsWith('done:');
const valuePath = (v: unknown): string[] => {
  const out: string[] = [];
  let cur = v;
  while (cur && typeof cur === 'object') {
    const [k, next] = Object.entries(cur as Record<string, unknown>)[0]!;
    out.push(k);
    cur = next;
  }
  if (typeof cur === 'string') out.push(cur);
  return out;
};

/** breadth-first from the initial state: the step that reaches each state first */
function shortestPaths(): Map<string, { from: string; event: AnyEventObject } | null> {
  const initial = keys[0]!;
  const prev = new Map<string, { from: string; event: AnyEventObject } | null>([[initial, null]]);
  const order = [initial];
  for (let i = 0; i < order.length; i++) {
    const k = order[i]!;
    for (const { event, to } of edges.get(k)!) if (!prev.has(to)) (prev.set(to, { from: k, event }), order.push(to));
  }
  return prev;
}

/** state → the states that reach it without the caller hanging up */
function reverseEdges(): Map<string, string[]> {
  const reverse = new Map<string, string[]>();
  for (const k of keys) {
    for (const { ev, to } of edges.get(k)!) {
      if (ev === HANGUP) continue;
      const list = reverse.get(to);
      if (list) list.push(k);
      else reverse.set(to, [k]);
    }
  }
  return reverse;
}

describe('model-based walk of the call machine', () => {
  test('final states: transfer to a known skill, completed, caller-hangup (or transfer-failed)', () => {
    const finals = keys.filter(isFinal).map((k) => JSON.parse(k.slice(5)) as { kind: string; skill?: string; reason?: string });
    for (const f of finals) {
      if (f.kind === 'transfer') expect(SKILLS).toContain(f.skill);
      else expect(['completed', 'caller-hangup', 'transfer-failed']).toContain(f.reason);
    }
    expect(finals).toContainEqual({ kind: 'hangup', reason: 'completed' });
    expect(finals).toContainEqual({ kind: 'hangup', reason: 'caller-hangup' });
    // every skill the default flow can hand a caller to is reached by some path
    const reached = new Set(finals.flatMap((f) => (f.skill ? [f.skill] : [])));
    expect([...reached].sort()).toEqual(['after-sales-service', 'festival', 'follow-up', 'general', 'product-advice', 'sales', 'sales-expert']);
  });

  test('no stuck state; from every state an answer or a human is reachable without hanging up', () => {
    const reverse = reverseEdges();
    const stuck = keys.filter((k) => !isFinal(k) && edges.get(k)!.length === 0);
    expect(stuck).toEqual([]);
    const good = new Set(keys.filter((k) => isFinal(k) && !k.includes('caller-hangup')));
    const queue = [...good];
    while (queue.length) {
      for (const from of reverse.get(queue.pop()!) ?? []) if (!good.has(from)) (good.add(from), queue.push(from));
    }
    const bad = keys.filter((k) => !good.has(k) && !isFinal(k));
    expect(bad.map((k) => k.slice(0, 160))).toEqual([]);
  });

  test('every listen sets IVR_NODE first: its prompt is only entered through its own setNode/ready', () => {
    const listening = new Set(['prompt', 'wait', 'waitFirst', 'collect']);
    const violations: string[] = [];
    for (const k of keys) {
      if (isFinal(k)) continue;
      const from = paths.get(k)!;
      for (const { toPath: to } of edges.get(k)!) {
        const leaf = to.at(-1);
        if (!leaf) continue;
        if (!listening.has(leaf)) continue;
        const scope = to.slice(0, -1).join('.');
        if (from.slice(0, -1).join('.') !== scope) violations.push(`${from.join('.')} → ${to.join('.')}`);
      }
    }
    expect([...new Set(violations)]).toEqual([]);
  });

  test('one path per reachable state, each ends announced: transfer after transfer-to-agent, hang-up after goodbye', () => {
    // BFS from the initial state: shortest path (list of state keys) to every state
    const prev = shortestPaths();
    expect(prev.size).toBe(keys.length);
    // nearest end (not a hang-up by the caller) from every state, by BFS backwards over non-HANGUP edges
    const next = new Map<string, string>();
    const reverse = reverseEdges();
    const queue = keys.filter((k) => isFinal(k) && !k.includes('caller-hangup'));
    const seen = new Set(queue);
    for (let i = 0; i < queue.length; i++) {
      for (const from of reverse.get(queue[i]!) ?? []) if (!seen.has(from)) (seen.add(from), next.set(from, queue[i]!), queue.push(from));
    }
    let covered = 0;
    const problems: string[] = [];
    const ends: Record<string, number> = {};
    for (const target of keys) {
      const path: string[] = [];
      for (let k: string | undefined = target; k; k = prev.get(k)?.from) path.unshift(k);
      for (let k = next.get(target); k; k = next.get(k)) path.push(k);
      const end = path.at(-1)!;
      const visited = new Set(path.map((k) => paths.get(k)!.join('.')));
      if (!isFinal(end)) problems.push(`does not end: ${target.slice(0, 120)}`);
      else if (end.includes('"transfer"') && !visited.has('handoff.announce')) problems.push(`transfer unannounced: ${target.slice(0, 120)}`);
      else if (end.includes('completed') && !visited.has('finish.announce')) problems.push(`hang-up without goodbye: ${target.slice(0, 120)}`);
      else if (end.includes('caller-hangup') && target !== end) problems.push(`ends by a caller hang-up: ${target.slice(0, 120)}`);
      ends[end.slice(5)] = (ends[end.slice(5)] ?? 0) + 1;
      covered++;
    }
    expect(problems).toEqual([]);
    const transitions = keys.reduce((n, k) => n + edges.get(k)!.length, 0);
    console.log(`model walk: ${keys.length} states, ${transitions} transitions, ${covered} paths covered; path ends:`, ends);
    expect(covered).toBeGreaterThan(1000);
  });

  test('paths replayed on a live actor end where the walk says', async () => {
    vi.useFakeTimers();
    try {
      // shortest event path to each final state and to a sample of the others
      const prev = shortestPaths();
      const targets = [...keys.filter(isFinal), ...keys.filter((_, i) => i % 97 === 0)];
      const never = fromPromise<never, unknown>(() => new Promise<never>(() => {}));
      const live = machine.provide({
        actors: {
          play: never, setVars: never, transfer: never, hangup: never, lookupOrder: never, questions: never,
          decide: never, register: never, registerCustomer: never, sendStores: never,
        } as never,
      });
      for (const target of targets) {
        const events: AnyEventObject[] = [];
        for (let s = prev.get(target); s; s = prev.get(s.from)) events.unshift(s.event);
        const actor = createActor(live, { input });
        actor.start();
        for (const e of events) actor.send(e as never);
        expect(serialize(actor.getSnapshot())).toBe(target);
        actor.stop();
      }
      expect(targets.length).toBeGreaterThan(100);
    } finally {
      vi.useRealTimers();
    }
  });
});
