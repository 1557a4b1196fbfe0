/**
 * P3 order registration (ثبت سفارش): the orderable stock of the product from Quantum's stock news
 * is announced and the customer is directed to the store to register the order.
 */
import type { Decision, Facts } from '../domain/decision.ts';
import { say } from '../domain/say.ts';
import { decision, missingFacts, p, type RuleContext } from './common.ts';
import { PROMPTS } from './prompts.ts';

const OWNER = 'sales' as const;

export function ruleP3(facts: Facts, _ctx: RuleContext): Decision {
  const o = facts.order;
  if (!o) return missingFacts('P3', OWNER, 'no order/pro-forma found for this national ID and number');
  if (!o.productCode) return missingFacts('P3', OWNER, 'order has no product code');
  if (facts.stock === null) return missingFacts('P3', OWNER, 'orderable stock of the product is unknown');
  const n = facts.stock.orderable;
  if (n > 0) {
    return decision('P3', 'stock-available', [p(PROMPTS.orderStockOrderable), say.count(n), p(PROMPTS.goToStore)], `orderable stock ${n}; customer directed to the store`);
  }
  return decision('P3', 'no-stock', [p(PROMPTS.orderStockNone), p(PROMPTS.goToStore)], 'no orderable stock; customer directed to the store');
}
