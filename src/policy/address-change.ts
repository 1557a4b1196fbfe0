/**
 * A1 / A2 change of address (or phone), seed "بعد از خرید":
 * - A2: the product has left the warehouse → not possible under any circumstances.
 * - A2: the order was placed from a regional warehouse (انبار مناطق) and the new address is in
 *   another province → not possible, even before dispatch. The data cannot tell where the new
 *   address is, so the caller is asked (question `other-province`, only for regional warehouses).
 * - A1: otherwise the change goes as a ticket to the sales head office (via the sales expert and
 *   branch manager).
 */
import type { Decision, Facts, Question } from '../domain/decision.ts';
import { answer, decision, isDispatched, missingAnswer, missingFacts, orderCancelled, p, type RuleContext } from './common.ts';
import { PROMPTS } from './prompts.ts';

const OWNER = 'sales-expert' as const;

export const OTHER_PROVINCE: Question = {
  name: 'other-province',
  prompt: PROMPTS.addressAskOtherProvince,
  options: { '1': 'yes', '2': 'no' },
};

export function addressQuestions(facts: Facts): Question[] {
  const o = facts.order;
  if (!o || o.status === 'cancelled' || o.warehouseKind !== 'regional') return [];
  if (o.status === 'dispatched' || o.status === 'delivered' || o.status === 'installed') return [];
  return [OTHER_PROVINCE];
}

export function ruleAddressChange(facts: Facts, ctx: RuleContext): Decision {
  const o = facts.order;
  if (!o) return missingFacts('A1', OWNER, 'no order found for this national ID and number');
  if (o.status === 'cancelled') return orderCancelled('A1', OWNER);
  if (isDispatched(o, ctx)) {
    return decision('A2', 'not-possible-dispatched', [p(PROMPTS.addressNotPossibleDispatched)], 'product already dispatched: address change not possible');
  }
  if (o.warehouseKind === 'regional') {
    const a = answer(facts, OTHER_PROVINCE.name);
    if (a === 'yes') {
      return decision('A2', 'not-possible-regional-province', [p(PROMPTS.addressNotPossibleProvince)], 'regional-warehouse order, new address in another province: not possible');
    }
    if (a !== 'no') return missingAnswer('A2', OWNER, OTHER_PROVINCE.name);
  }
  const where = o.warehouseKind === 'regional' ? 'regional warehouse, same province' : `${o.warehouseKind ?? 'unknown'} warehouse`;
  return decision('A1', 'ticket-registered', [p(PROMPTS.addressTicket)], `not dispatched (${where}): ticket to sales head office`, {
    request: { type: 'ticket', unit: 'sales-head-office' },
  });
}
