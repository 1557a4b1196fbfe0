/**
 * The policy engine: the rules P1–P4 and A1–A10 of the seed as pure functions.
 *
 *   decide(topic, facts, now, cfg, calendar) → Decision
 *   questionsFor(topic, facts, cfg?)          → the questions the flow must still ask the caller
 *
 * Nothing here does I/O or reads the clock: `now` and the calendar are passed in. Missing or
 * contradictory facts never throw: the decision is a transfer to the topic's owning skill with an
 * outcome code (`missing-facts`, `missing-answer`, `order-cancelled`, …) and a reason.
 *
 * Every decision about an order whose product has not reached the customer yet ends with the
 * reminder to check the carton and refuse a product that is not sealed (seed, A5: "in every
 * conversation before delivery").
 */
import type { Decision, Facts, Question } from '../domain/decision.ts';
import type { Topic } from '../domain/skills.ts';
import { ruleAddressChange, addressQuestions } from './address-change.ts';
import { ruleA10 } from './bounced-cheque.ts';
import type { WorkingCalendar } from './calendar.ts';
import { ruleP4 } from './cheque-approval.ts';
import { beforeDelivery, decision, OWNER_SKILL, p, TOPIC_RULE, type RuleContext, type TopicRule } from './common.ts';
import { defaultPolicyConfig, type PolicyConfig } from './config.ts';
import { ruleA3 } from './delivery.ts';
import { festivalQuestions, ruleA9 } from './festival-card.ts';
export { EARLIER_REQUEST_UNITS } from './festival-card.ts';
import { ruleA8 } from './installation-repair.ts';
import { ruleP3 } from './order-registration.ts';
import { problemQuestions, ruleProductProblem } from './product-problem.ts';
import { decideProforma } from './proforma.ts';
import { PROMPTS } from './prompts.ts';
import { refundQuestions, ruleRefund } from './refund.ts';

export { PolicyConfig, defaultPolicyConfig, parsePolicyConfig, PolicyConfigError, POLICY_KEYS } from './config.ts';
export { createWorkingCalendar, type WorkingCalendar, type JalaliDate, type DayKey, type DateInput, type CalendarOptions } from './calendar.ts';
export { parseHolidays, Holiday, HolidaysError } from './holidays.ts';
export { OWNER_SKILL, TOPIC_RULE, type RuleContext, type TopicRule } from './common.ts';
export { PROMPTS, POLICY_PROMPT_NAMES } from './prompts.ts';

export const TOPIC_RULES: Record<Topic, TopicRule> = {
  proforma: decideProforma,
  'order-registration': ruleP3,
  'cheque-approval': ruleP4,
  'address-change': ruleAddressChange,
  delivery: ruleA3,
  'product-problem': ruleProductProblem,
  refund: ruleRefund,
  'installation-repair': ruleA8,
  'festival-card': ruleA9,
  'bounced-cheque': ruleA10,
};

export function decide(topic: Topic, facts: Facts, now: Date, cfg: PolicyConfig, calendar: WorkingCalendar): Decision {
  const rule = TOPIC_RULES[topic];
  if (!rule) {
    return decision('P1', 'unknown-topic', [p(PROMPTS.missingFacts)], `unknown topic '${String(topic)}'`, { transfer: 'general' });
  }
  let d: Decision;
  try {
    if (Number.isNaN(now.getTime())) throw new RangeError('the current time is not a valid date');
    d = rule(facts, { now, cfg, cal: calendar } satisfies RuleContext);
  } catch (e) {
    // a fact the schema let through but the rule cannot use (e.g. a date out of range)
    d = decision(TOPIC_RULE[topic], 'missing-facts', [p(PROMPTS.missingFacts)], `facts not usable: ${e instanceof Error ? e.name : 'error'}`, {
      transfer: OWNER_SKILL[topic],
    });
  }
  if (beforeDelivery(facts.order) && !d.say.some((s) => s.kind === 'prompt' && s.name === PROMPTS.cartonCheck)) {
    d = { ...d, say: [...d.say, p(PROMPTS.cartonCheck)] };
  }
  return d;
}

/**
 * What the flow must still ask the caller for this topic: only what the data cannot tell, and
 * only questions not answered yet in `facts.answers`. Ask them in the order given; a flow may also
 * call this again after each answer (answers can make later questions unnecessary).
 */
export function questionsFor(topic: Topic, facts: Facts, cfg: PolicyConfig = defaultPolicyConfig): Question[] {
  const qs = ((): Question[] => {
    switch (topic) {
      case 'address-change':
        return addressQuestions(facts);
      case 'product-problem':
        return problemQuestions(facts);
      case 'refund':
        return refundQuestions(facts, cfg.cashRefundLimitToman);
      case 'festival-card':
        return festivalQuestions(facts);
      default:
        return [];
    }
  })();
  return qs.filter((q) => {
    const a = (facts.answers[q.name] ?? '').trim().toLowerCase();
    return !Object.values(q.options).includes(a);
  });
}
