/**
 * Model-based test: @xstate/graph walks the whole call machine (default configuration) with a
 * finite event model (test/flow/model.ts: menu keys, entry samples, #, *, timeouts, every actor
 * outcome and failure, hang-up). On the adjacency map it checks:
 *  - every final state is a transfer to a known skill, a completed hang-up, or a caller hang-up;
 *  - no state is stuck, and from every state a transfer or completed hang-up is reachable without
 *    the caller hanging up (never silence, never dropped);
 *  - one path per reachable state (shortest path to it, then on to the nearest end): each ends
 *    in a transfer after `handoff.announce` (transfer-to-agent) or a hang-up after
 *    `finish.announce` (goodbye); after the window to hear a value again (`*.offer`), goodbye or
 *    transfer-to-agent is still played (`*.closing`);
 *  - every listen starts by setting IVR_NODE: a step that enters its prompt/wait states from
 *    outside emits the `setVars` command with IVR_NODE (its own `setNode`), before the listen's
 *    prompt starts (xstate's pure `transition` gives the step's actions in order);
 *  - a sample of the paths replayed on a live actor ends in the same state.
 * The walk runs with a landline caller ID (the whole machine) and again with a mobile caller ID
 * over the before-purchase menu (nearest stores then skips the mobile entry).
 */
import { getAdjacencyMap } from '@xstate/graph';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { __unsafe_getAllOwnEventDescriptors, createActor, fromPromise, transition, type AnyEventObject, type SnapshotFrom } from 'xstate';
import { SKILLS } from '../../src/domain/skills.ts';
import { createCallMachine } from '../../src/flow/call-machine.ts';
import { eventsFor, serialize } from './model.ts';

const machine = createCallMachine();
type Snap = SnapshotFrom<typeof machine>;
type Input = { callId: string; callerNumber: string };

interface Edge {
  ev: string;
  event: AnyEventObject;
  to: string;
}
interface Graph {
  input: Input;
  keys: string[];
  edges: Map<string, Edge[]>;
  /** each state's value as a path, e.g. ['identify', 'nationalId', 'collect'] ([] for finals) */
  paths: Map<string, string[]>;
  states: Map<string, Snap>;
}

const HANGUP = JSON.stringify({ type: 'HANGUP' });
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

function walk(input: Input, only?: (s: Snap, e: AnyEventObject) => boolean): Graph {
  const key = new WeakMap<object, string>();
  const ser = (s: Snap) => {
    let k = key.get(s);
    if (k === undefined) key.set(s, (k = serialize(s)));
    return k;
  };
  const adj = getAdjacencyMap(machine as never, {
    input,
    serializeState: ser,
    events: ((s: Snap) => eventsFor(s, __unsafe_getAllOwnEventDescriptors(s) as string[]).filter((e) => !only || only(s, e))) as never,
  }) as unknown as Record<string, { state: Snap; transitions: Record<string, { event: AnyEventObject; state: Snap }> }>;
  const keys = Object.keys(adj);
  const edges = new Map<string, Edge[]>();
  const paths = new Map<string, string[]>();
  const states = new Map<string, Snap>();
  for (const k of keys) {
    states.set(k, adj[k]!.state);
    paths.set(k, isFinal(k) ? [] : valuePath(adj[k]!.state.value));
    edges.set(k, Object.entries(adj[k]!.transitions).map(([ev, { event, state }]) => ({ ev, event, to: ser(state) })));
  }
  return { input, keys, edges, paths, states };
}

/** breadth-first from the initial state: the step that reaches each state first */
function shortestPaths(g: Graph): Map<string, { from: string; event: AnyEventObject } | null> {
  const initial = g.keys[0]!;
  const prev = new Map<string, { from: string; event: AnyEventObject } | null>([[initial, null]]);
  const order = [initial];
  for (let i = 0; i < order.length; i++) {
    for (const { event, to } of g.edges.get(order[i]!)!) if (!prev.has(to)) {
      prev.set(to, { from: order[i]!, event });
      order.push(to);
    }
  }
  return prev;
}

/** state → the states that reach it without the caller hanging up */
function reverseEdges(g: Graph): Map<string, string[]> {
  const reverse = new Map<string, string[]>();
  for (const k of g.keys) {
    for (const { ev, to } of g.edges.get(k)!) {
      if (ev === HANGUP) continue;
      const list = reverse.get(to);
      if (list) list.push(k);
      else reverse.set(to, [k]);
    }
  }
  return reverse;
}

/** nearest good end (a transfer or completed hang-up) from every state that has one */
function nearestEnd(g: Graph): Map<string, string> {
  const reverse = reverseEdges(g);
  const next = new Map<string, string>();
  const queue = g.keys.filter((k) => isFinal(k) && !k.includes('caller-hangup'));
  const seen = new Set(queue);
  for (let i = 0; i < queue.length; i++) {
    for (const from of reverse.get(queue[i]!) ?? []) if (!seen.has(from)) {
      seen.add(from);
      next.set(from, queue[i]!);
      queue.push(from);
    }
  }
  return next;
}

function checkFinals(g: Graph): string[] {
  const problems: string[] = [];
  for (const k of g.keys.filter(isFinal)) {
    const f = JSON.parse(k.slice(5)) as { kind: string; skill?: string; reason?: string };
    if (f.kind === 'transfer' ? !(SKILLS as readonly string[]).includes(f.skill ?? '') : !['completed', 'caller-hangup', 'transfer-failed'].includes(f.reason ?? '')) {
      problems.push(`unexpected end ${k}`);
    }
  }
  return problems;
}

function checkNoDeadEnds(g: Graph): string[] {
  const stuck = g.keys.filter((k) => !isFinal(k) && g.edges.get(k)!.length === 0).map((k) => `stuck: ${k.slice(0, 160)}`);
  const next = nearestEnd(g);
  const lost = g.keys.filter((k) => !isFinal(k) && !next.has(k)).map((k) => `no answer or human reachable: ${k.slice(0, 160)}`);
  return [...stuck, ...lost];
}

function checkListensSetNodeFirst(g: Graph): string[] {
  const listening = new Set(['prompt', 'wait', 'waitFirst', 'collect']);
  const violations = new Set<string>();
  for (const k of g.keys) {
    if (isFinal(k)) continue;
    const from = g.paths.get(k)!;
    for (const { event, to } of g.edges.get(k)!) {
      const toPath = g.paths.get(to)!;
      const leaf = toPath.at(-1);
      if (!leaf || !listening.has(leaf)) continue;
      const listen = toPath.slice(0, -1).join('.');
      if (from.slice(0, -1).join('.') === listen) continue;
      // entered from outside: the same step must set IVR_NODE, before the listen's prompt starts
      const [, actions] = transition(machine, g.states.get(k)!, event as never);
      const types = actions.map((a) => {
        const p = (a as { params?: { event?: { type?: string; vars?: Record<string, string> }; src?: string; id?: string } }).params;
        if ((a.type as string) === 'xstate.emit' && p?.event?.type === 'setVars' && p.event.vars?.IVR_NODE !== undefined) return 'node';
        if ((a.type as string) === 'xstate.emit' && p?.event?.type === 'play') return 'prompt';
        return '';
      });
      const node = types.lastIndexOf('node');
      const prompt = types.indexOf('prompt');
      if (node < 0 || (prompt >= 0 && prompt < node)) violations.add(`${from.join('.')} → ${toPath.join('.')}`);
    }
  }
  return [...violations];
}

/** one path per state: shortest path to it, then on to its nearest end; all must end announced */
function checkPaths(g: Graph): { problems: string[]; covered: number; ends: Record<string, number> } {
  const prev = shortestPaths(g);
  const next = nearestEnd(g);
  const problems: string[] = [];
  const ends: Record<string, number> = {};
  let covered = 0;
  if (prev.size !== g.keys.length) problems.push(`only ${prev.size} of ${g.keys.length} states reached from the start`);
  for (const target of g.keys) {
    const path: string[] = [];
    for (let k: string | undefined = target; k; k = prev.get(k)?.from) path.unshift(k);
    for (let k = next.get(target); k; k = next.get(k)) path.push(k);
    const end = path.at(-1)!;
    const visited = new Set(path.map((k) => g.paths.get(k)!.join('.')));
    if (!isFinal(end)) problems.push(`does not end: ${target.slice(0, 120)}`);
    else if (end.includes('"transfer"') && !visited.has('handoff.announce')) problems.push(`transfer unannounced: ${target.slice(0, 120)}`);
    else if (end.includes('completed') && !visited.has('finish.announce')) problems.push(`hang-up without goodbye: ${target.slice(0, 120)}`);
    else if (visited.has('finish.offer.wait') && !visited.has('finish.closing')) problems.push(`hang-up after the hear-again window without goodbye: ${target.slice(0, 120)}`);
    else if (visited.has('handoff.offer.wait') && !visited.has('handoff.closing')) problems.push(`transfer after the hear-again window without transfer-to-agent: ${target.slice(0, 120)}`);
    else if (end.includes('caller-hangup') && target !== end) problems.push(`ends by a caller hang-up: ${target.slice(0, 120)}`);
    ends[end.slice(5)] = (ends[end.slice(5)] ?? 0) + 1;
    covered++;
  }
  return { problems, covered, ends };
}

const never = fromPromise<never, unknown>(() => new Promise<never>(() => {}));
const live = machine.provide({
  actors: {
    readDigits: never, transfer: never, hangup: never, lookupOrder: never, questions: never,
    decide: never, register: never, registerCustomer: never, sendStores: never,
  } as never,
});

/** replays the shortest event path of some states on a live actor; returns the mismatches */
function replay(g: Graph, targets: string[]): string[] {
  const prev = shortestPaths(g);
  const problems: string[] = [];
  for (const target of targets) {
    const events: AnyEventObject[] = [];
    for (let s = prev.get(target); s; s = prev.get(s.from)) events.unshift(s.event);
    const actor = createActor(live, { input: g.input });
    actor.start();
    for (const e of events) actor.send(e as never);
    const got = serialize(actor.getSnapshot());
    if (got !== target) problems.push(`replay of ${events.length} events ended in ${got.slice(0, 100)}, the walk says ${target.slice(0, 100)}`);
    actor.stop();
  }
  return problems;
}

describe('model-based walk of the call machine (landline caller ID, whole machine)', () => {
  let g: Graph;
  beforeAll(() => {
    g = walk({ callId: 'c', callerNumber: '02188776655' });
  }, 60_000);

  test('final states: transfer to a known skill, completed, caller-hangup (or transfer-failed)', () => {
    expect(checkFinals(g)).toEqual([]);
    const finals = g.keys.filter(isFinal);
    expect(finals).toContain('done:{"kind":"hangup","reason":"completed"}');
    expect(finals).toContain('done:{"kind":"hangup","reason":"caller-hangup"}');
    // every skill the default flow can hand a caller to is reached by some path
    const reached = finals.flatMap((k) => (JSON.parse(k.slice(5)) as { skill?: string }).skill ?? []).sort();
    expect(reached).toEqual(['after-sales-service', 'festival', 'follow-up', 'general', 'product-advice', 'sales', 'sales-expert']);
  });

  test('no stuck state; from every state an answer or a human is reachable without hanging up', () => {
    expect(checkNoDeadEnds(g)).toEqual([]);
  });

  test('every listen sets IVR_NODE first: a step that enters it from outside emits IVR_NODE before its prompt starts', () => {
    expect(checkListensSetNodeFirst(g)).toEqual([]);
  });

  test('one path per reachable state, each ends announced: transfer after transfer-to-agent, hang-up after goodbye', () => {
    const { problems, covered, ends } = checkPaths(g);
    expect(problems).toEqual([]);
    const transitions = g.keys.reduce((n, k) => n + g.edges.get(k)!.length, 0);
    console.log(`model walk: ${g.keys.length} states, ${transitions} transitions, ${covered} paths covered; path ends:`, ends);
    expect(covered).toBeGreaterThan(1000);
    // the window to hear an announcement with a value again is walked, before a hang-up and before a transfer
    const values = new Set([...g.paths.values()].map((p) => p.join('.')));
    expect([...values].filter((v) => v.includes('offer.wait')).sort()).toEqual(['finish.offer.wait', 'handoff.offer.wait']);
  });

  test('paths replayed on a live actor end where the walk says', () => {
    vi.useFakeTimers();
    try {
      const targets = [...g.keys.filter(isFinal), ...g.keys.filter((_, i) => i % 53 === 0)];
      expect(targets.length).toBeGreaterThan(100);
      expect(replay(g, targets)).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('model-based walk, mobile caller ID, before-purchase menu', () => {
  test('nearest stores without a mobile entry; every path ends announced', () => {
    // stay in menu-before: from the main menu only key 1
    const g = walk({ callId: 'c', callerNumber: '+989121234567' }, (s, e) =>
      !(e.type === 'DTMF' && typeof s.value === 'object' && 'main-menu' in s.value && e.digit !== '1' && e.digit !== '*'),
    );
    expect(checkFinals(g)).toEqual([]);
    expect(checkNoDeadEnds(g)).toEqual([]);
    expect(checkListensSetNodeFirst(g)).toEqual([]);
    const { problems, covered } = checkPaths(g);
    expect(problems).toEqual([]);
    expect(g.keys.some((k) => k.includes('enterMobile'))).toBe(false);
    expect(g.keys.some((k) => k.includes('"svc-nearest-stores":"send"'))).toBe(true);
    console.log(`model walk (mobile caller, before purchase): ${g.keys.length} states, ${covered} paths covered`);
  });
});
