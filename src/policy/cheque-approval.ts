/**
 * P4 cheque not approved before the final order approval (عدم تایید چک): when the approval takes
 * longer than the standard time (`chequeApprovalStandardWorkingDays` working days after the cheque
 * was submitted), the case is referred to the seller and sales expert for special follow-up, to
 * prevent the automatic cancellation of the order; otherwise the caller hears that the approval is
 * within the standard time and by which day it is due.
 */
import type { Decision, Facts } from '../domain/decision.ts';
import { say } from '../domain/say.ts';
import { decision, missingFacts, orderCancelled, p, safeInstant, type RuleContext } from './common.ts';
import { PROMPTS } from './prompts.ts';

const OWNER = 'sales-expert' as const;

export function ruleP4(facts: Facts, ctx: RuleContext): Decision {
  const o = facts.order;
  const { cal, cfg, now } = ctx;
  if (!o) return missingFacts('P4', OWNER, 'no order found for this national ID and number');
  if (o.paymentPlan !== undefined && o.paymentPlan !== 'cheque') {
    return decision('P4', 'not-cheque-order', [p(PROMPTS.chequeNotChequeOrder)], `payment plan is ${o.paymentPlan}, not cheque`, { transfer: OWNER });
  }
  if (o.status === 'cancelled') return orderCancelled('P4', OWNER);
  const approved = safeInstant(ctx, o.chequeApprovedAt);
  if (approved) {
    return decision('P4', 'approved', [p(PROMPTS.chequeApprovedOn), say.date(cal.dayOf(approved))], 'cheque approved');
  }
  const submitted = safeInstant(ctx, o.chequeSubmittedAt);
  if (!submitted) return missingFacts('P4', OWNER, 'no cheque submission date');
  const n = cfg.chequeApprovalStandardWorkingDays;
  const waited = cal.workingDaysBetween(submitted, now);
  if (waited > n) {
    return decision(
      'P4',
      'overdue-referral',
      [p(PROMPTS.chequeOverdueReferral)],
      `cheque not approved after ${waited} working days (standard ${n}): referred to seller and sales expert`,
      { request: { type: 'referral', unit: 'sales-expert' } },
    );
  }
  return decision(
    'P4',
    'within-standard-time',
    [p(PROMPTS.chequeWithinStandard), say.date(cal.dayOf(cal.addWorkingDays(submitted, n)))],
    `cheque waiting ${Math.max(waited, 0)} of ${n} working days`,
  );
}
