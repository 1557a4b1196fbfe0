/**
 * A10 bounced cheque (چک برگشتی): the bounced cheques are in the spreadsheet kept up to date in the
 * system, and re-collection follows it. Less than `bouncedChequeWaitDays` calendar days ("2
 * weeks") since the bounce: the customer is asked to wait (until the day re-collection starts);
 * from that day on: referral for re-collection to the follow-up unit.
 * Cheques of the national ID that name another order are left out.
 */
import type { BouncedCheque } from '../domain/data-file.ts';
import type { Decision, Facts } from '../domain/decision.ts';
import { say } from '../domain/say.ts';
import { decision, missingFacts, p, safeDay, type RuleContext } from './common.ts';
import { PROMPTS } from './prompts.ts';

const OWNER = 'follow-up' as const;

export function relevantCheques(facts: Facts): BouncedCheque[] {
  const orderNumber = facts.order?.orderNumber;
  const nationalId = facts.customer?.nationalId ?? facts.order?.nationalId;
  return facts.bouncedCheques.filter((c) => (!nationalId || c.nationalId === nationalId) && (!c.orderNumber || !orderNumber || c.orderNumber === orderNumber));
}

export function ruleA10(facts: Facts, ctx: RuleContext): Decision {
  const { cal, cfg, now } = ctx;
  if (!facts.customer && !facts.order) return missingFacts('A10', OWNER, 'neither customer nor order found');
  const cheques = relevantCheques(facts)
    .map((c) => safeDay(ctx, c.bouncedAt))
    .filter((d): d is string => d !== null);
  if (cheques.length === 0) {
    return decision('A10', 'no-bounced-cheque', [p(PROMPTS.bouncedNone)], 'no bounced cheque in the spreadsheet for this customer/order', { transfer: OWNER });
  }
  const wait = cfg.bouncedChequeWaitDays;
  const ages = cheques.map((d) => cal.calendarDaysBetween(d, now));
  const due = ages.filter((a) => a >= wait).length;
  const count = [p(PROMPTS.bouncedCount), say.count(cheques.length)];
  if (due > 0) {
    return decision('A10', 're-collection-referral', [...count, p(PROMPTS.bouncedReferral)], `${due} of ${cheques.length} bounced cheque(s) at least ${wait} days old: re-collection referred to follow-up`, {
      request: { type: 'referral', unit: 'follow-up' },
    });
  }
  const first = [...cheques].sort()[0]!;
  const from = cal.addCalendarDays(first, wait);
  return decision('A10', 'wait', [...count, p(PROMPTS.bouncedWait), say.date(from)], `bounced ${Math.max(...ages)} day(s) ago, less than ${wait}: customer asked to wait`);
}
