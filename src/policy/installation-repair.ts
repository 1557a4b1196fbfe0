/**
 * A8 installation and repair (نصب و تعمیر کالا): all warranty services only by an authorised
 * Entekhab service technician; after receiving the goods the customer calls 1699 and the request is
 * registered for the service unit. Delivered → installation request; installed → repair request.
 * Not yet received: the caller is told to call after delivery.
 */
import type { Decision, Facts } from '../domain/decision.ts';
import { decision, missingFacts, orderCancelled, p, type RuleContext } from './common.ts';
import { PROMPTS } from './prompts.ts';

const OWNER = 'after-sales-service' as const;

export function ruleA8(facts: Facts, _ctx: RuleContext): Decision {
  const o = facts.order;
  if (!o) return missingFacts('A8', OWNER, 'no order found for this national ID and number');
  if (o.status === 'cancelled') return orderCancelled('A8', OWNER);
  const request = { request: { type: 'service-request', unit: 'service-unit' } as const };
  if (o.status === 'delivered') {
    return decision('A8', 'installation-registered', [p(PROMPTS.serviceAuthorisedOnly), p(PROMPTS.serviceInstallationRegistered)], 'delivered: installation request for the service unit', request);
  }
  if (o.status === 'installed') {
    return decision('A8', 'repair-registered', [p(PROMPTS.serviceAuthorisedOnly), p(PROMPTS.serviceRepairRegistered)], 'installed: repair request for the service unit', request);
  }
  return decision('A8', 'not-delivered-yet', [p(PROMPTS.serviceAuthorisedOnly), p(PROMPTS.serviceAfterDelivery)], `not delivered yet (status ${o.status}): call again after delivery`);
}
