/**
 * Resuming a call that a restarted service adopts. The old process's state died with it; what
 * survives is on the channel: IVR_NODE (where the IVR last listened) and the IVR_* values the
 * flow saves as soon as it has them (topic, national ID, order number, rule, outcome, request,
 * skill). From those, a plan that never replays a finished call and never loses what was keyed:
 *
 * - a hand-off was under way (IVR_SKILL)          → the hand-off to that skill, everything attached
 * - a request was registered (IVR_REQUEST_NUMBER) → its announcement again, then goodbye
 * - a topic or service was chosen (IVR_TOPIC)     → the topic's owning skill, with what was collected
 *   (the caller does not key the ID again; the agent sees it)
 * - the caller was at a menu (IVR_NODE)           → that menu again
 * - anything else after the welcome               → the main menu
 * - nothing yet                                   → the welcome, as a new call
 */
import type { Skill, Topic } from '../domain/skills.ts';
import type { RequestType, RequestUnit } from '../domain/decision.ts';
import { SERVICES, type FlowConfig, type Service } from './config.ts';
import { TOPICS, SKILLS } from '../domain/skills.ts';

/** The IVR_* channel variables a resumed call reads (names without the IVR_ prefix, lower case). */
export interface ResumeVars {
  node?: string;
  topic?: string;
  nationalId?: string;
  orderNumber?: string;
  rule?: string;
  outcome?: string;
  skill?: string;
  requestType?: string;
  requestUnit?: string;
  requestNumber?: string;
}

/** channel variable → ResumeVars field */
export const RESUME_VARIABLES: Readonly<Record<string, keyof ResumeVars>> = {
  IVR_NODE: 'node',
  IVR_TOPIC: 'topic',
  IVR_NATIONAL_ID: 'nationalId',
  IVR_ORDER_NUMBER: 'orderNumber',
  IVR_RULE: 'rule',
  IVR_OUTCOME: 'outcome',
  IVR_SKILL: 'skill',
  IVR_REQUEST_TYPE: 'requestType',
  IVR_REQUEST_UNIT: 'requestUnit',
  IVR_REQUEST_NUMBER: 'requestNumber',
};

export type ResumePlan =
  | { kind: 'welcome' }
  | { kind: 'menu'; menu: string }
  | { kind: 'handoff'; skill: Skill }
  | { kind: 'finish' };

const isSkill = (s: string | undefined): s is Skill => !!s && (SKILLS as readonly string[]).includes(s);
export const isTopicOrService = (s: string | undefined): s is Topic | Service =>
  !!s && ((TOPICS as readonly string[]).includes(s) || (SERVICES as readonly string[]).includes(s));

export function resumePlan(v: ResumeVars, cfg: Pick<FlowConfig, 'menus' | 'owningSkills'>): ResumePlan {
  if (isSkill(v.skill)) return { kind: 'handoff', skill: v.skill };
  if (v.requestNumber) return { kind: 'finish' };
  if (isTopicOrService(v.topic)) return { kind: 'handoff', skill: cfg.owningSkills[v.topic] ?? 'general' };
  if (v.node && v.node in cfg.menus) return { kind: 'menu', menu: v.node };
  if (v.node && 'main-menu' in cfg.menus) return { kind: 'menu', menu: 'main-menu' };
  return { kind: 'welcome' };
}

/** The request a resumed call carries, when the channel says one was registered. */
export function resumedRequest(v: ResumeVars): { type: RequestType; unit: RequestUnit; number: string | null } | null {
  if (!v.requestType || !v.requestUnit) return null;
  return { type: v.requestType as RequestType, unit: v.requestUnit as RequestUnit, number: v.requestNumber || null };
}

/**
 * IVR_STATE: everything of ResumeVars in one channel variable, so that a listen costs one REST
 * request instead of one per value that changed (IVR_NODE, IVR_TOPIC, IVR_NATIONAL_ID, …: a refund
 * call set 14 variables one request each). The individual `__IVR_*` variables, which the dialplan
 * and the agents' screens read, are set at the hand-off to an agent only (src/app/actors.ts), and
 * the dialplan unpacks IVR_STATE itself when its watchdog fires (`[ivr-unpack-state]`).
 *
 * Format: `<L|->|node|topic|nationalId|orderNumber|rule|outcome|requestType|requestUnit|requestNumber|skill`
 * — `L` when the IVR listens at `node` (each such set is the "listening again" signal the IVR_NODE
 * ChannelVarset was: test callers and supervisors' tools key on it), `-` for a set that only records
 * values (before an announcement or a hand-off). A `|` or `%` inside a value is written %7C / %25.
 */
export const IVR_STATE = 'IVR_STATE';

/** ResumeVars fields in IVR_STATE's order (after the listen flag), with their channel variable names */
const STATE_FIELDS: readonly (keyof ResumeVars)[] = ['node', 'topic', 'nationalId', 'orderNumber', 'rule', 'outcome', 'requestType', 'requestUnit', 'requestNumber', 'skill'];
const VARIABLE_OF: Readonly<Record<keyof ResumeVars, string>> = Object.fromEntries(Object.entries(RESUME_VARIABLES).map(([k, v]) => [v, k])) as Record<keyof ResumeVars, string>;

const esc = (s: string) => (/[|%]/.test(s) ? s.replace(/%/g, '%25').replace(/\|/g, '%7C') : s);
const unesc = (s: string) => (s.includes('%') ? s.replace(/%7C/gi, '|').replace(/%25/g, '%') : s);

export function encodeIvrState(v: ResumeVars, listening: boolean): string {
  return [listening ? 'L' : '-', ...STATE_FIELDS.map((f) => esc(v[f] ?? ''))].join('|');
}

/** IVR_STATE → its values and whether it marks a listen; null when it is not an IVR_STATE value. */
export function decodeIvrState(s: string): { vars: ResumeVars; listening: boolean } | null {
  const parts = s.split('|');
  if (parts.length !== STATE_FIELDS.length + 1 || (parts[0] !== 'L' && parts[0] !== '-')) return null;
  const vars: ResumeVars = {};
  STATE_FIELDS.forEach((f, i) => {
    const x = parts[i + 1]!;
    if (x) vars[f] = unesc(x);
  });
  return { vars, listening: parts[0] === 'L' };
}

/** ResumeVars → the individual IVR_* variables (IVR_NODE, IVR_TOPIC, …) they stand for. */
export function stateVariables(v: ResumeVars): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of STATE_FIELDS) if (v[f]) out[VARIABLE_OF[f]] = v[f]!;
  return out;
}

/** The individual IVR_* variables (as the flow names them) → ResumeVars. */
export function resumeVarsOf(vars: Readonly<Record<string, string>>): ResumeVars {
  const out: ResumeVars = {};
  for (const [variable, field] of Object.entries(RESUME_VARIABLES)) if (vars[variable]) out[field] = vars[variable];
  return out;
}
