/**
 * A9 festival card not granted (عدم تعلق کارت جشنواره): when the company committed to a festival
 * card at the sale (not a virtual purchase) and it was not applied at installation, the customer is
 * referred to the festival unit; when the festival unit did not act on an earlier referral, the
 * follow-up unit is informed. Granting requires the technician's confirmation of the purchase date
 * from the invoice. The card is applied at installation, so before it the caller hears that.
 *
 * "Did not act on an earlier referral": an earlier festival referral for this order that is
 * `failed` or `done` (closed, yet the card is still not applied), or still open after
 * `festivalReferralWaitWorkingDays` working days. An open one younger than that: the caller is
 * asked to wait. With no earlier referral in the IVR's register, the caller is asked (question
 * `festival-earlier-referral`): referrals made by agents are not in the register.
 */
import type { Decision, EarlierRequest, Facts, Question, RequestUnit } from '../domain/decision.ts';
import { say } from '../domain/say.ts';
import { answer, decision, missingAnswer, missingFacts, orderCancelled, p, safeInstant, type RuleContext } from './common.ts';
import { PROMPTS } from './prompts.ts';

const OWNER = 'festival' as const;

export const FESTIVAL_EARLIER_REFERRAL: Question = {
  name: 'festival-earlier-referral',
  prompt: PROMPTS.festivalAskEarlierReferral,
  options: { '1': 'yes', '2': 'no' },
};

/**
 * The units of the earlier requests that any rule reads (this rule is the only reader): the facts
 * of a call carry only these (the registry filters them), not every request ever made on the order.
 */
export const EARLIER_REQUEST_UNITS: readonly RequestUnit[] = ['festival'];

function earlierFestivalReferrals(facts: Facts): EarlierRequest[] {
  const orderNumber = facts.order?.orderNumber;
  return facts.earlierRequests.filter(
    (r) => EARLIER_REQUEST_UNITS.includes(r.unit) && (r.topic === 'festival-card' || r.type === 'referral') && (!r.orderNumber || r.orderNumber === orderNumber),
  );
}

/** the rule reaches the referral step (committed, not virtual, not applied, confirmed) */
function eligible(facts: Facts): boolean {
  const o = facts.order;
  return !!o && o.status !== 'cancelled' && o.festivalCommitted === true && o.virtualPurchase === false && o.festivalApplied === false && o.technicianConfirmedInvoice === true;
}

export function festivalQuestions(facts: Facts): Question[] {
  if (!eligible(facts) || earlierFestivalReferrals(facts).length > 0) return [];
  return [FESTIVAL_EARLIER_REFERRAL];
}

export function ruleA9(facts: Facts, ctx: RuleContext): Decision {
  const o = facts.order;
  const { cal, cfg, now } = ctx;
  if (!o) return missingFacts('A9', OWNER, 'no order found for this national ID and number');
  if (o.status === 'cancelled') return orderCancelled('A9', OWNER);
  if (o.festivalCommitted === false) return decision('A9', 'not-committed', [p(PROMPTS.festivalNotCommitted)], 'no festival card committed at sale');
  if (o.virtualPurchase === true) return decision('A9', 'virtual-purchase', [p(PROMPTS.festivalVirtualPurchase)], 'virtual purchase: festival card does not apply');
  if (o.status !== 'installed') {
    return decision('A9', 'not-installed-yet', [p(PROMPTS.festivalAtInstallation)], `not installed yet (status ${o.status}): a festival card is applied at installation`);
  }
  if (o.festivalCommitted === undefined) return missingFacts('A9', OWNER, 'festival commitment unknown');
  if (o.virtualPurchase === undefined) return missingFacts('A9', OWNER, 'whether it was a virtual purchase is unknown');
  if (o.festivalApplied === true) {
    return decision('A9', 'recorded-as-applied', [p(PROMPTS.festivalRecordedApplied)], 'caller reports no card but Quantum shows it applied', { transfer: OWNER });
  }
  if (o.festivalApplied === undefined) return missingFacts('A9', OWNER, 'whether the festival card was applied is unknown');
  if (o.technicianConfirmedInvoice !== true) {
    return decision('A9', 'technician-confirmation-required', [p(PROMPTS.festivalTechnicianConfirmation)], 'purchase date not yet confirmed by the technician from the invoice');
  }
  const followUp = (why: string) =>
    decision('A9', 'follow-up-referral', [p(PROMPTS.festivalFollowUp)], `festival unit did not act on an earlier referral (${why}): follow-up informed`, {
      request: { type: 'referral', unit: 'follow-up' },
    });
  const earlier = earlierFestivalReferrals(facts);
  if (earlier.length > 0) {
    const closed = earlier.find((r) => r.status === 'failed' || r.status === 'done');
    if (closed) return followUp(`earlier referral ${closed.status}`);
    const open = earlier
      .map((r) => ({ r, at: safeInstant(ctx, r.createdAt) }))
      .filter((x): x is { r: EarlierRequest; at: Date } => x.at !== null)
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    const oldest = open[0];
    if (!oldest) return followUp('earlier referral without a date');
    const waited = cal.workingDaysBetween(oldest.at, now);
    if (waited > cfg.festivalReferralWaitWorkingDays) return followUp(`open for ${waited} working days`);
    return decision(
      'A9',
      'earlier-referral-pending',
      [p(PROMPTS.festivalReferralPending), say.date(cal.dayOf(cal.addWorkingDays(oldest.at, cfg.festivalReferralWaitWorkingDays)))],
      `earlier festival referral open for ${Math.max(waited, 0)} of ${cfg.festivalReferralWaitWorkingDays} working days`,
    );
  }
  const a = answer(facts, FESTIVAL_EARLIER_REFERRAL.name);
  if (a === 'yes') return followUp('caller reports an earlier referral without result');
  if (a !== 'no') return missingAnswer('A9', OWNER, FESTIVAL_EARLIER_REFERRAL.name);
  return decision('A9', 'festival-referral', [p(PROMPTS.festivalReferred)], 'committed, not virtual, not applied, confirmed by technician: referral to festival unit', {
    request: { type: 'referral', unit: 'festival' },
  });
}
