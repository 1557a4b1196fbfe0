/**
 * A3 product not delivered (عدم تحویل محصول): after the delivery time announced in Quantum has
 * passed, the production date given by production planning is announced, the customer is thanked
 * for their patience and told what can be compensated (a referral to the follow-up unit carries the
 * compensation). Before that day passes, the promised delivery date is announced.
 * The promised day itself still counts as "not overdue" (the delivery time ends with that day).
 */
import type { Decision, Facts } from '../domain/decision.ts';
import { say } from '../domain/say.ts';
import { decision, isDelivered, missingFacts, orderCancelled, p, safeDay, type RuleContext } from './common.ts';
import { PROMPTS } from './prompts.ts';

const OWNER = 'follow-up' as const;

export function ruleA3(facts: Facts, ctx: RuleContext): Decision {
  const o = facts.order;
  const { cal, now } = ctx;
  if (!o) return missingFacts('A3', OWNER, 'no order found for this national ID and number');
  if (o.status === 'cancelled') return orderCancelled('A3', OWNER);
  if (isDelivered(o)) {
    return decision('A3', 'recorded-as-delivered', [p(PROMPTS.deliveryRecordedDelivered)], `caller reports no delivery but Quantum status is ${o.status}`, { transfer: OWNER });
  }
  if (o.status === 'proforma' && !o.promisedDeliveryDate) {
    return decision('A3', 'not-ordered-yet', [p(PROMPTS.deliveryNotOrderedYet)], 'still a pro-forma: no delivery date before the order is registered');
  }
  const promised = safeDay(ctx, o.promisedDeliveryDate);
  if (!promised) return missingFacts('A3', OWNER, 'no promised delivery date in Quantum');
  const late = cal.calendarDaysBetween(promised, now);
  if (late <= 0) {
    return decision('A3', 'not-overdue', [p(PROMPTS.deliveryPromisedDate), say.date(promised)], `promised delivery date not passed (${-late} days left)`);
  }
  const production = safeDay(ctx, o.productionDate);
  const referral = { request: { type: 'referral', unit: 'follow-up' } as const };
  if (production) {
    return decision(
      'A3',
      'overdue',
      [p(PROMPTS.deliveryOverdueProductionDate), say.date(production), p(PROMPTS.deliveryThanksCompensation)],
      `delivery ${late} days overdue; production date announced; compensation referred to follow-up`,
      referral,
    );
  }
  return decision(
    'A3',
    'overdue-no-production-date',
    [p(PROMPTS.deliveryOverdueNoProductionDate), p(PROMPTS.deliveryThanksCompensation)],
    `delivery ${late} days overdue; no production date from planning; referred to follow-up`,
    referral,
  );
}
