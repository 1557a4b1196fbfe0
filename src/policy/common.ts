/**
 * Helpers shared by the rule functions: the context they get, the building of decisions, the
 * outcomes for missing or contradictory facts, and facts about an order's progress.
 */
import type { Decision, Facts, RequestType, RequestUnit } from '../domain/decision.ts';
import type { Order } from '../domain/data-file.ts';
import { say, type SayItem } from '../domain/say.ts';
import { TOPIC_OWNER, type RuleId, type Skill, type Topic } from '../domain/skills.ts';
import type { DayKey, WorkingCalendar } from './calendar.ts';
import type { PolicyConfig } from './config.ts';
import { PROMPTS } from './prompts.ts';

export interface RuleContext {
  now: Date;
  cfg: PolicyConfig;
  cal: WorkingCalendar;
}

/** A rule function: pure, never throws on missing facts. */
export type TopicRule = (facts: Facts, ctx: RuleContext) => Decision;

/** The skill group that owns each topic (src/domain/skills.ts). */
export const OWNER_SKILL: Readonly<Record<Topic, Skill>> = TOPIC_OWNER;

/** The rule a topic's decision carries when no more specific rule applies (e.g. missing facts). */
export const TOPIC_RULE: Record<Topic, RuleId> = {
  proforma: 'P1',
  'order-registration': 'P3',
  'cheque-approval': 'P4',
  'address-change': 'A1',
  delivery: 'A3',
  'product-problem': 'A4',
  refund: 'A6',
  'installation-repair': 'A8',
  'festival-card': 'A9',
  'bounced-cheque': 'A10',
};

export const p = (name: string): SayItem => say.prompt(name);

export function decision(
  rule: RuleId,
  outcome: string,
  items: SayItem[],
  reason: string,
  opts: { request?: { type: RequestType; unit: RequestUnit } | null; transfer?: Skill | null } = {},
): Decision {
  return { rule, outcome, say: items, request: opts.request ?? null, transfer: opts.transfer ?? null, reason };
}

/** Facts the rule needs are missing or unusable: hand the caller to the owning skill. */
export function missingFacts(rule: RuleId, skill: Skill, reason: string): Decision {
  return decision(rule, 'missing-facts', [p(PROMPTS.missingFacts)], reason, { transfer: skill });
}

/** The caller did not give an answer the rule needs (or gave one that is not an option). */
export function missingAnswer(rule: RuleId, skill: Skill, question: string): Decision {
  return decision(rule, 'missing-answer', [p(PROMPTS.missingAnswer)], `no usable answer to '${question}'`, { transfer: skill });
}

export function orderCancelled(rule: RuleId, skill: Skill): Decision {
  return decision(rule, 'order-cancelled', [p(PROMPTS.orderCancelled)], 'order is cancelled in Quantum', { transfer: skill });
}

/** Normalised answer of the caller ('' when not given). */
export function answer(facts: Facts, name: string): string {
  return (facts.answers[name] ?? '').trim().toLowerCase();
}

export const DELIVERED_STATUSES: readonly Order['status'][] = ['delivered', 'installed'];

export function isDelivered(order: Order): boolean {
  return DELIVERED_STATUSES.includes(order.status);
}

/** The product has left the warehouse (status, or a dispatch time not in the future). */
export function isDispatched(order: Order, ctx: RuleContext): boolean {
  if (order.status === 'dispatched' || isDelivered(order)) return true;
  const at = safeInstant(ctx, order.dispatchedAt);
  return at !== null && at.getTime() <= ctx.now.getTime();
}

/** Not yet in the customer's hands and not cancelled: the carton reminder applies (seed, A5). */
export function beforeDelivery(order: Order | null): boolean {
  return order !== null && order.status !== 'cancelled' && !isDelivered(order);
}

/** Day of a date text in the calendar's zone; null when the text is not a date. */
export function safeDay(ctx: RuleContext, value: string | undefined): DayKey | null {
  if (!value) return null;
  try {
    return ctx.cal.dayOf(value);
  } catch {
    return null;
  }
}

export function safeInstant(ctx: RuleContext, value: string | undefined): Date | null {
  if (!value) return null;
  try {
    return ctx.cal.instantOf(value);
  } catch {
    return null;
  }
}
