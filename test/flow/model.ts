/**
 * The finite event model the graph walk offers the call machine in each state: the caller's keys
 * (a small, meaningful set per listening state), the timeouts, and every outcome of every actor.
 */
import type { AnyEventObject } from 'xstate';
import type { Decision, Question } from '../../src/domain/decision.ts';
import { defaultFlowConfig } from '../../src/flow/config.ts';
import { collectedVars, type FlowContext } from '../../src/flow/setup.ts';
import { emptyFacts } from './harness.ts';

export const cfg = defaultFlowConfig();

/** one valid sample per entry kind and a wrong last digit */
const SAMPLES: Record<string, { valid: string; wrongLast: string }> = {
  'national-id': { valid: '0499370899', wrongLast: '0499370898' },
  'order-number': { valid: '1403001234', wrongLast: '' },
  'area-code': { valid: '021', wrongLast: '' },
  mobile: { valid: '09121234567', wrongLast: '' },
};

const question: Question = { name: 'kind', prompt: 'question-kind', options: { '1': 'a', '2': 'b' } };
const decisions: Decision[] = [
  { rule: 'P1', outcome: 'valid', say: [{ kind: 'prompt', name: 'p1-valid' }], request: null, transfer: null, reason: 'r' },
  { rule: 'A8', outcome: 'registered', say: [], request: { type: 'service-request', unit: 'service-unit' }, transfer: null, reason: 'r' },
  { rule: 'A9', outcome: 'referred', say: [], request: { type: 'referral', unit: 'festival' }, transfer: 'festival', reason: 'r' },
  { rule: 'A4', outcome: 'mismatch', say: [], request: null, transfer: 'after-sales-service', reason: 'r' },
  // answers with a value (no request number): the hear-again window too
  { rule: 'A6', outcome: 'refund-goods-only', say: [{ kind: 'prompt', name: 'a6' }, { kind: 'amount', value: 500000 }], request: null, transfer: null, reason: 'r' },
  { rule: 'A3', outcome: 'overdue', say: [{ kind: 'date', value: '2026-11-01' }], request: null, transfer: 'follow-up', reason: 'r' },
];

/** outputs offered for `xstate.done.actor.*` per actor */
export const OUTPUTS: Record<string, unknown[]> = {
  transfer: [undefined],
  hangup: [undefined],
  lookupOrder: [{ status: 'found', facts: emptyFacts() }, { status: 'mismatch' }, { status: 'limited' }, { status: 'unavailable' }],
  questions: [[], [question]],
  decide: decisions,
  register: [{ status: 'registered', number: 'R-000001' }, { status: 'unavailable' }],
  registerCustomer: [{ status: 'registered' }, { status: 'already-registered' }, { status: 'unavailable' }],
  sendStores: [{ status: 'sent', count: 2 }, { status: 'no-stores' }, { status: 'unavailable' }],
};
/** actors whose failure the walk also tries (play failures only continue the flow) */
const ERRORS = new Set(['transfer', 'lookupOrder', 'questions', 'decide', 'register', 'registerCustomer', 'sendStores']);

interface NodeLike {
  key: string;
  id: string;
  path: string[];
  invoke: Array<{ id: string; src: unknown }>;
  parent?: NodeLike;
}
interface SnapLike {
  context: FlowContext;
  status: string;
  _nodes: NodeLike[];
}

/** the entry kind / menu of the innermost listening state, from the active nodes */
function listening(snap: SnapLike): { entry?: string; menu?: string; leaf: string; hearAgain?: boolean } {
  const leaves = snap._nodes.filter((n) => !snap._nodes.some((m) => m.parent === n));
  const leaf = leaves[0]!;
  const ids = snap._nodes.map((n) => n.id);
  const entryNode = [...snap._nodes].reverse().find((n) => /^(identify|registration|stores)-/.test(n.id));
  let entry: string | undefined;
  if (entryNode) entry = entryNode.id.replace(/^(identify|registration|stores)-/, '');
  const inConfirm = ids.some((id) => id.endsWith('.confirm'));
  const menu = inConfirm ? 'confirm' : snap._nodes.find((n) => n.id in cfg.menus)?.id ?? (ids.some((i) => i.endsWith('questions.ask')) ? 'question' : undefined);
  const hearAgain = ids.some((id) => /^(finish|handoff)\.offer$/.test(id));
  return { ...(entry && !inConfirm ? { entry } : {}), ...(menu ? { menu } : {}), leaf: leaf.key, ...(hearAgain ? { hearAgain } : {}) };
}

export function eventsFor(snapshot: unknown, ownTypes: string[]): AnyEventObject[] {
  const snap = snapshot as SnapLike;
  if (snap.status !== 'active') return [];
  const out: AnyEventObject[] = [];
  const where = listening(snap);
  for (const type of ownTypes) {
    const done = /^xstate\.done\.actor\.(.+)$/.exec(type);
    const error = /^xstate\.error\.actor\.(.+)$/.exec(type);
    if (done || error) {
      const id = (done ?? error)![1]!;
      const inv = snap._nodes.flatMap((n) => n.invoke).find((i) => i.id === id);
      const src = typeof inv?.src === 'string' ? inv.src : '';
      if (done) for (const output of src === 'readDigits' ? readOutputs(snap, where) : (OUTPUTS[src] ?? [])) out.push({ type, output });
      else if (ERRORS.has(src)) out.push({ type, error: new Error(`${src} failed`) });
      continue;
    }
    if (type === 'DTMF') out.push(...keysFor(snap, where).map((digit) => ({ type, digit })));
    else out.push({ type });
  }
  return out;
}

/**
 * How the reading of an entry's digits (src/flow/read-digits.ts) may end, from the first digit the
 * machine holds: the valid sample (at its maximum length it ends by itself), the sample with a
 * wrong last digit, two digits then # or the inter-digit timeout (too short), * (keyed again).
 */
function readOutputs(snap: SnapLike, where: { entry?: string }): unknown[] {
  const c = snap.context;
  const given = c.pending.length;
  const buf = c.listen.buf;
  const kind = where.entry ?? '';
  const s = SAMPLES[kind];
  const max = cfg.entries[kind as keyof typeof cfg.entries]?.maxLength ?? Infinity;
  const ended = (value: string) => ({ end: value.length >= max ? 'full' : 'submit', buf: value, rest: '', given });
  const out: unknown[] = [{ end: 'restart', buf: '', rest: '', given }];
  if (!s || !s.valid.startsWith(buf)) return [...out, ended(buf)];
  out.push(ended(s.valid), ended(s.valid.slice(0, 2)));
  if (s.wrongLast) out.push(ended(s.wrongLast));
  return out;
}

function keysFor(snap: SnapLike, where: { entry?: string; menu?: string; leaf: string; hearAgain?: boolean }): string[] {
  const c = snap.context;
  if (where.leaf === 'welcome') return ['1']; // barge-in, kept as type-ahead for the main menu
  if (where.leaf === 'info') return ['5']; // sale plans: a key skips the information, on to sales
  if (where.leaf === 'readBack') return ['*'];
  if (where.leaf === 'announce' || where.leaf === 'closing') return ['*', '5']; // final announcements: * repeats, others ignored
  if (where.hearAgain && where.leaf === 'wait') return ['*', '5']; // the window after an announcement with a value
  // in `collect` the keys go to the reader of the entry's digits (its ends: readOutputs)
  if (where.entry && ['prompt', 'waitFirst'].includes(where.leaf)) {
    const s = SAMPLES[where.entry]!;
    const buf = c.listen.buf;
    if (!s.valid.startsWith(buf)) return [];
    const keys = [s.valid[buf.length]!];
    if (buf.length === s.valid.length - 1 && s.wrongLast) keys.push(s.wrongLast.at(-1)!);
    if (buf.length === 0) keys.push('#', '*'); // nothing keyed: # → no-input; * → prompt again
    if (buf.length === 2) keys.push('#'); // too short
    return keys;
  }
  if (where.menu && ['prompt', 'wait'].includes(where.leaf)) {
    if (where.menu === 'confirm') return ['1', '2', '9', '*'];
    if (where.menu === 'question') return ['1', '2', '9'];
    const menu = cfg.menus[where.menu]!;
    return [...Object.keys(menu.keys), '9', '*'].filter((k, i, a) => a.indexOf(k) === i);
  }
  // not listening: a key would only be queued (type-ahead); the walk keys nothing here
  return [];
}

/** states are told apart by value and the context that steers the flow; finals by their output */
export function serialize(snapshot: unknown): string {
  const s = snapshot as SnapLike & { value: unknown; output?: unknown };
  if (s.status === 'done') return `done:${JSON.stringify(s.output)}`;
  // the end states (hand-off, finish) only use the skill, what to say and the IVR_* variables
  const top = typeof s.value === 'object' && s.value ? Object.keys(s.value)[0] : s.value;
  if (top === 'handoff' || top === 'finish') {
    return JSON.stringify([s.value, s.context.skill, s.context.say, collectedVars(s.context)]);
  }
  const { callId: _c, callerNumber: _n, ...rest } = s.context;
  return JSON.stringify([s.value, rest]);
}
