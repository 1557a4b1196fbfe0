/**
 * A4 mismatch with the requested product, A5 damage found at installation (seed "بعد از خرید").
 * The data cannot tell which of the two the caller reports: question `problem-kind`.
 * - A4 "handled according to the rules": the case is registered as a referral to the sales expert
 *   and the caller is bridged there.
 * - A5: body or function problem of a product delivered sealed and intact (سالم و آکبند) → referral
 *   to the after-sales service unit. Delivered not sealed: the after-sales agent decides (the
 *   seed's condition for the referral does not hold).
 */
import type { Decision, Facts, Question } from '../domain/decision.ts';
import { answer, decision, isDelivered, missingAnswer, missingFacts, orderCancelled, p, type RuleContext } from './common.ts';
import { PROMPTS } from './prompts.ts';

const OWNER = 'after-sales-service' as const;

export const PROBLEM_KIND: Question = {
  name: 'problem-kind',
  prompt: PROMPTS.problemAskKind,
  options: { '1': 'mismatch', '2': 'damage' },
};

export function problemQuestions(facts: Facts): Question[] {
  const o = facts.order;
  return o && isDelivered(o) ? [PROBLEM_KIND] : [];
}

export function ruleProductProblem(facts: Facts, _ctx: RuleContext): Decision {
  const o = facts.order;
  if (!o) return missingFacts('A4', OWNER, 'no order found for this national ID and number');
  if (o.status === 'cancelled') return orderCancelled('A4', OWNER);
  if (!isDelivered(o)) {
    return decision('A4', 'not-delivered-yet', [p(PROMPTS.problemNotDelivered)], `product problem reported but Quantum status is ${o.status}`, { transfer: OWNER });
  }
  const kind = answer(facts, PROBLEM_KIND.name);
  if (kind === 'mismatch') {
    return decision('A4', 'mismatch-referred', [p(PROMPTS.problemMismatchReferred)], 'received product differs from the requested one: referral to sales expert', {
      request: { type: 'referral', unit: 'sales-expert' },
      transfer: 'sales-expert',
    });
  }
  if (kind !== 'damage') return missingAnswer('A4', OWNER, PROBLEM_KIND.name);
  if (o.deliveredSealed === true) {
    return decision('A5', 'after-sales-referral', [p(PROMPTS.problemDamageReferred)], 'damage at installation, delivered sealed: referral to after-sales service', {
      request: { type: 'referral', unit: 'after-sales-service' },
    });
  }
  if (o.deliveredSealed === false) {
    return decision('A5', 'delivered-unsealed', [p(PROMPTS.problemDeliveredUnsealed)], 'damage at installation, product was accepted not sealed: after-sales agent decides', {
      transfer: OWNER,
    });
  }
  return missingFacts('A5', OWNER, 'damage at installation; whether it was delivered sealed is unknown');
}
