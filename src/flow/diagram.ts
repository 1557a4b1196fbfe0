/**
 * Mermaid `stateDiagram-v2` of a machine, generated from its definition (pure): compound states
 * become composite states, every transition an arrow labelled with its event (DTMF key, actor
 * done/error, timeout, eventless) and guard. The root's own transitions (HANGUP from anywhere, the
 * type-ahead queue) are written as a note. docs/flow.mmd is this text for the default FlowConfig;
 * `ivr-1699 diagram` writes it, `ivr-1699 diagram --check` and a test fail when it is stale.
 */
import type { AnyStateMachine } from 'xstate';
import type { FlowConfig } from './config.ts';

interface NodeLike {
  key: string;
  id: string;
  type: string;
  initial?: { target: readonly NodeLike[] } | undefined;
  states: Record<string, NodeLike>;
  transitions: Map<string, readonly TransitionLike[]>;
  always?: readonly TransitionLike[] | undefined;
  invoke: ReadonlyArray<{ id: string; src: unknown }>;
  parent?: NodeLike | undefined;
}
interface TransitionLike {
  eventType: string;
  actions?: readonly unknown[];
  target?: readonly NodeLike[] | undefined;
  guard?: unknown;
  reenter?: boolean;
}

const mid = (id: string) => id.replace(/[^A-Za-z0-9]/g, '_');
const quote = (s: string) => s.replace(/"/g, "'");

function guardLabel(g: unknown): string {
  if (g === undefined || g === null) return '';
  if (typeof g === 'string') return g;
  if (typeof g === 'function') return g.name && g.name !== 'guard' ? g.name : 'cond';
  if (typeof g === 'object' && 'type' in g) {
    const { type, params } = g as { type: string; params?: Record<string, unknown> };
    if (type === 'isKey' && params) return `key ${String(params.key)}`;
    if (params && typeof params === 'object') {
      const short = Object.entries(params)
        .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',');
      return short ? `${type}(${short})` : type;
    }
    return type;
  }
  return 'cond';
}

function eventLabel(node: NodeLike, eventType: string): string {
  const done = /^xstate\.done\.actor\.(.+)$/.exec(eventType);
  const error = /^xstate\.error\.actor\.(.+)$/.exec(eventType);
  const srcOf = (id: string) => {
    const inv = node.invoke.find((i) => i.id === id);
    return typeof inv?.src === 'string' ? inv.src : id;
  };
  if (done) return `${srcOf(done[1]!)} done`;
  if (error) return `${srcOf(error[1]!)} error`;
  // a prompt state's playback ended by itself (./playing.ts): played, or could not play
  if (eventType === 'PLAY_DONE') return 'play done';
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (after) return `after ${after[1]}`;
  return eventType;
}

/** what a transition chooses, when an action says it: the topic, or the skill of an agent hand-off */
function actionNote(t: TransitionLike): string {
  for (const a of t.actions ?? []) {
    if (typeof a !== 'object' || a === null || !('type' in a)) continue;
    const { type, params } = a as { type: string; params?: Record<string, unknown> };
    if (type === 'chooseTopic' && params) return String(params.topic);
    if (type === 'toAgent' && params) return `agent ${String(params.skill)}`;
  }
  return '';
}

function label(node: NodeLike, t: TransitionLike, eventless: boolean): string {
  const ev = eventless ? '' : eventLabel(node, t.eventType);
  const g = guardLabel(t.guard);
  const note = actionNote(t);
  // a DTMF transition guarded by a key reads best as the key alone
  const head = ev === 'DTMF' && g.startsWith('key ') ? g : [ev, g ? `[${g}]` : ''].filter(Boolean).join(' ');
  return note ? `${head} / ${note}` : head;
}

/** State declarations, nested like the machine (composites named by their id: Mermaid mishandles
 * `state "name" as id {`); the arrows are all written afterwards at the top level, since an arrow
 * inside a composite that names an outside state makes Mermaid draw a second state there. */
function declare(node: NodeLike, indent: string, out: string[]): void {
  for (const child of Object.values(node.states)) {
    if (Object.keys(child.states).length > 0) {
      out.push(`${indent}state ${mid(child.id)} {`);
      const initial = child.initial?.target[0];
      if (initial) out.push(`${indent}  [*] --> ${mid(initial.id)}`);
      declare(child, indent + '  ', out);
      out.push(`${indent}}`);
    } else {
      out.push(`${indent}state "${quote(child.key)}" as ${mid(child.id)}`);
    }
  }
}

function allEdges(node: NodeLike, out: string[]): void {
  for (const child of Object.values(node.states)) {
    edges(child, '  ', out);
    if (child.type === 'final') out.push(`  ${mid(child.id)} --> [*]`);
    allEdges(child, out);
  }
}

function edges(node: NodeLike, indent: string, out: string[]): void {
  // one arrow per source → target, its labels joined (e.g. "setVars done, setVars error")
  const byTarget = new Map<string, string[]>();
  const emit = (t: TransitionLike, eventless: boolean) => {
    for (const target of t.target ?? []) {
      const labels = byTarget.get(target.id) ?? [];
      const l = label(node, t, eventless);
      if (!labels.includes(l)) labels.push(l);
      byTarget.set(target.id, labels);
    }
  };
  for (const [, list] of node.transitions) for (const t of list) emit(t, false);
  for (const t of node.always ?? []) emit(t, true);
  for (const [target, labels] of byTarget) {
    const l = labels.filter(Boolean).join(', ');
    out.push(`${indent}${mid(node.id)} --> ${mid(target)}${l ? ` : ${quote(l)}` : ''}`);
  }
}

/** The machine as Mermaid stateDiagram-v2 text (deterministic for a given definition). */
export function flowToMermaid(machine: AnyStateMachine, title = 'ivr-1699 call flow'): string {
  const root = machine.root as unknown as NodeLike;
  const out: string[] = [
    '%% Generated by `ivr-1699 diagram` from src/flow (default FlowConfig). Do not edit by hand.',
    '---',
    `title: ${title}`,
    '---',
    'stateDiagram-v2',
  ];
  const initial = root.initial?.target[0];
  if (initial) out.push(`  [*] --> ${mid(initial.id)}`);
  declare(root, '  ', out);
  allEdges(root, out);
  const rootEvents = [...root.transitions.entries()].map(([type, ts]) => {
    const targets = ts.flatMap((t) => (t.target ?? []).map((n) => n.key));
    return targets.length ? `${type} → ${targets.join(', ')} (from any state)` : `${type} while nothing listens → type-ahead queue`;
  });
  if (rootEvents.length) {
    const first = Object.values(root.states)[0];
    if (first) out.push(`  note right of ${mid(first.id)}`, ...rootEvents.map((e) => `    ${e}`), '  end note');
  }
  return out.join('\n') + '\n';
}

const TOPIC_RULES: Record<string, string> = {
  proforma: 'P1, P2',
  'order-registration': 'P3',
  'cheque-approval': 'P4',
  'address-change': 'A1, A2',
  delivery: 'A3',
  'product-problem': 'A4, A5',
  refund: 'A6, A7',
  'installation-repair': 'A8',
  'festival-card': 'A9',
  'bounced-cheque': 'A10',
};
const SERVICE_LABELS: Record<string, string> = {
  'sale-plans': 'sale plans info → sales',
  'product-advice': 'product advice → product-advice',
  'nearest-stores': 'area code, mobile → SMS of the stores',
  'customer-registration': 'national ID → registered in Quantum',
};

/**
 * The menu tree of a flow configuration as a compact Mermaid flowchart (menus, keys, topics with
 * their rules, services, agents): the picture for the README. The full statechart is flowToMermaid.
 */
export function menuTreeMermaid(cfg: FlowConfig): string {
  const id = (s: string) => s.replace(/[^a-zA-Z0-9]/g, '_');
  const lines = ['flowchart LR', '  start(["call to 1699"]) --> welcome["welcome"] --> main_menu'];
  const nodes = new Map<string, string>();
  for (const [name, menu] of Object.entries(cfg.menus)) {
    nodes.set(id(name), `  ${id(name)}{{"${name}"}}`);
    for (const [key, item] of Object.entries(menu.keys).sort(([a], [b]) => a.localeCompare(b))) {
      let target: string;
      if ('menu' in item) target = id(item.menu);
      else if ('topic' in item) {
        target = `t_${id(item.topic)}`;
        nodes.set(target, `  ${target}["${item.topic} (${TOPIC_RULES[item.topic] ?? ''})"]`);
      } else if ('service' in item) {
        target = `s_${id(item.service)}`;
        nodes.set(target, `  ${target}["${SERVICE_LABELS[item.service] ?? item.service}"]`);
      } else {
        target = `a_${id(item.agent)}`;
        nodes.set(target, `  ${target}(["agent: ${item.agent}"])`);
      }
      lines.push(`  ${id(name)} -->|${key}| ${target}`);
    }
    lines.push(`  ${id(name)} -.->|"* repeats; no/wrong key ×${cfg.tries.menu}"| a_general`);
  }
  nodes.set('a_general', '  a_general(["agent: general"])');
  lines.push(...[...nodes.values()].sort());
  const topics = [...nodes.keys()].filter((k) => k.startsWith('t_'));
  if (topics.length) {
    lines.push('  ident["national ID + order number (must match)"] --> rules["questions → rule → announcement, registered request"]');
    lines.push(`  rules --> hear["with a number, amount or date: * hears it again (${cfg.timeouts.repeatWindowMs / 1000} s after it)"] --> ends["goodbye or agent"]`);
    for (const t of topics.sort()) lines.push(`  ${t} --> ident`);
  }
  return lines.join('\n') + '\n';
}
