/**
 * P1 (valid pro-forma) and P2 (invalid pro-forma), seed "حین خرید":
 * - P2 first: a cash wallet charged while the product was out of stock, or a pro-forma for another
 *   product than the one the customer asked for, is the store's violation: the customer is sent to
 *   the store and a complaint form about the store is registered. (The seed lists the two
 *   situations joined by "و"; each is a violation on its own, so either one is enough.)
 * - P1: in stock at issue and the wallet charged within `proformaValidityWorkingDays` working days
 *   after the issue day → valid. Not charged after `proformaUnchargedFollowUpDays` days: when there
 *   is orderable stock, an activity is logged and referred to the follow-up unit.
 * - A pro-forma already turned into an order (status past `proforma`) without a wallet charge
 *   (cheque or credit plans) is announced as such; a cancelled one goes to the sales expert.
 */
import type { Decision, Facts } from '../domain/decision.ts';
import { say } from '../domain/say.ts';
import { decision, missingFacts, orderCancelled, p, safeDay, safeInstant, type RuleContext } from './common.ts';
import { PROMPTS } from './prompts.ts';

const OWNER = 'sales-expert' as const;

/** P2: the store's violations; null when there is none. */
export function ruleP2(facts: Facts, ctx: RuleContext): Decision | null {
  const o = facts.order;
  if (!o) return null;
  const complaint = { request: { type: 'complaint', unit: 'store-relations' } as const };
  if (o.productCode && o.requestedProductCode && o.productCode !== o.requestedProductCode) {
    return decision(
      'P2',
      'invalid-store-complaint',
      [p(PROMPTS.proformaInvalidMismatch), p(PROMPTS.proformaStoreComplaint)],
      'pro-forma product differs from the requested product: store violation, complaint registered',
      complaint,
    );
  }
  if (o.inStockAtIssue === false && o.walletType === 'cash' && safeDay(ctx, o.walletChargedAt)) {
    return decision(
      'P2',
      'invalid-store-complaint',
      [p(PROMPTS.proformaInvalidOutOfStockCharge), p(PROMPTS.proformaStoreComplaint)],
      'cash wallet charged while the product was out of stock: store violation, complaint registered',
      complaint,
    );
  }
  return null;
}

/** P1: validity of a pro-forma without a store violation. */
export function ruleP1(facts: Facts, ctx: RuleContext): Decision {
  const o = facts.order;
  const { cal, cfg, now } = ctx;
  if (!o) return missingFacts('P1', OWNER, 'no order/pro-forma found for this national ID and number');
  if (o.status === 'cancelled') return orderCancelled('P1', OWNER);
  const issued = safeInstant(ctx, o.issuedAt);
  if (!issued) return missingFacts('P1', OWNER, 'pro-forma has no issue date');
  if (o.inStockAtIssue === undefined) return missingFacts('P1', OWNER, 'stock at issue is unknown');
  if (o.walletChargedAt !== undefined && !safeInstant(ctx, o.walletChargedAt)) return missingFacts('P1', OWNER, 'wallet charge date is not a date');
  const charged = safeInstant(ctx, o.walletChargedAt);
  const n = cfg.proformaValidityWorkingDays;
  const deadline = cal.dayOf(cal.addWorkingDays(issued, n));

  if (o.inStockAtIssue === false) {
    if (charged) {
      // charged while out of stock, but not a cash wallet (that is P2) or the wallet type is unknown
      if (o.walletType === undefined) return missingFacts('P1', OWNER, 'wallet charged while out of stock, wallet type unknown');
      return decision(
        'P1',
        'invalid-credit-charged',
        [p(PROMPTS.proformaNoStockAtIssue), p(PROMPTS.proformaExpertReview)],
        `credit wallet charged while the product was out of stock at issue; sales expert to review`,
        { transfer: OWNER },
      );
    }
    return decision(
      'P1',
      'invalid-no-stock-at-issue',
      [p(PROMPTS.proformaNoStockAtIssue), p(PROMPTS.goToStore)],
      'product was out of stock when the pro-forma was issued; not valid, customer sent to the store',
    );
  }

  if (charged) {
    const used = cal.workingDaysBetween(issued, charged);
    if (used <= n) {
      return decision(
        'P1',
        'valid',
        [p(PROMPTS.proformaValid), say.date(cal.dayOf(charged))],
        `in stock at issue; wallet charged on working day ${Math.max(used, 0)} of ${n}`,
      );
    }
    return decision(
      'P1',
      'charged-late',
      [p(PROMPTS.proformaChargedLate), say.date(deadline), p(PROMPTS.proformaExpertReview)],
      `wallet charged on working day ${used}, after the validity of ${n} working days; sales expert to review`,
      { transfer: OWNER },
    );
  }

  // not charged yet
  if (o.status !== 'proforma') {
    // the pro-forma became an order without a wallet charge (e.g. cheque or credit plan)
    return decision('P1', 'converted-to-order', [p(PROMPTS.proformaConvertedToOrder)], `pro-forma already turned into an order (status ${o.status}, plan ${o.paymentPlan ?? 'unknown'})`);
  }
  if (cal.workingDaysBetween(issued, now) <= n) {
    return decision(
      'P1',
      'awaiting-charge',
      [p(PROMPTS.proformaValidUntil), say.date(deadline), p(PROMPTS.proformaChargeBeforeDeadline)],
      `in stock at issue; not charged yet, valid through working day ${n}`,
    );
  }
  const days = cal.calendarDaysBetween(issued, now);
  if (days < cfg.proformaUnchargedFollowUpDays) {
    return decision(
      'P1',
      'expired',
      [p(PROMPTS.proformaExpiredOn), say.date(deadline), p(PROMPTS.proformaNewAtStore)],
      `not charged within ${n} working days (${days} days since issue); pro-forma expired`,
    );
  }
  if (facts.stock === null) return missingFacts('P1', OWNER, `not charged ${days} days after issue and the orderable stock is unknown`);
  if (facts.stock.orderable > 0) {
    return decision(
      'P1',
      'follow-up-activity',
      [p(PROMPTS.proformaIssuedOn), say.date(cal.dayOf(issued)), p(PROMPTS.proformaNotChargedLong), p(PROMPTS.proformaFollowUpActivity)],
      `not charged ${days} days after issue, orderable stock ${facts.stock.orderable}: activity referred to follow-up`,
      { request: { type: 'activity', unit: 'follow-up' } },
    );
  }
  return decision(
    'P1',
    'expired-no-stock',
    [p(PROMPTS.proformaIssuedOn), say.date(cal.dayOf(issued)), p(PROMPTS.proformaNotChargedLong), p(PROMPTS.proformaNoStock)],
    `not charged ${days} days after issue and no orderable stock`,
  );
}

export function decideProforma(facts: Facts, ctx: RuleContext): Decision {
  return ruleP2(facts, ctx) ?? ruleP1(facts, ctx);
}
