/**
 * The seed's items as scripted calls against the demo data (data/demo.json, reference time
 * DEMO_NOW) with their documented outcomes (docs/data.md): one list for the seed-item test through
 * the built-in switch and the differential test (switch vs a real Asterisk).
 */
export interface SeedCase {
  name: string;
  keys: string;
  rule?: string;
  outcome?: string;
  request?: { type: string; unit: string };
  end: { kind: 'transfer'; skill: string } | { kind: 'hangup'; reason: 'completed' };
  caller?: string;
}

export const completed = { kind: 'hangup', reason: 'completed' } as const;
export const to = (skill: string) => ({ kind: 'transfer', skill }) as const;
export const during = (topic: number, nid: string, order: string, answers = '') => `2 ${topic} ${nid}# ${order}# ${answers}`.trim();
export const after = (topic: number, nid: string, order: string, answers = '') => `3 ${topic} ${nid}# ${order}# ${answers}`.trim();

export const seedCases: SeedCase[] = [
  // before purchase
  { name: 'sale plans → sales', keys: '1 1', end: to('sales') },
  { name: 'product advice → product-advice', keys: '1 2', end: to('product-advice') },
  { name: 'nearest stores by SMS to the caller-ID mobile', keys: '1 3 021#', end: completed },
  { name: 'nearest stores, landline caller keys a mobile', keys: '1 3 031# 09351234567# 1', caller: '02188671234', end: completed },
  { name: 'customer registration, new customer', keys: '1 4 0134512685# 1', end: completed },
  // during purchase
  { name: 'P1 valid pro-forma', keys: during(1, '0499370899', '1405002101'), rule: 'P1', outcome: 'valid', end: completed },
  { name: 'P1 a month without charge, stock → follow-up activity', keys: during(1, '0499370899', '1405001877'), rule: 'P1', outcome: 'follow-up-activity', request: { type: 'activity', unit: 'follow-up' }, end: completed },
  { name: 'P2 charged while out of stock → store complaint', keys: during(1, '1274814316', '1405002050'), rule: 'P2', outcome: 'invalid-store-complaint', request: { type: 'complaint', unit: 'store-relations' }, end: completed },
  { name: 'P3 orderable stock announced', keys: during(2, '1281203246', '1405002120'), rule: 'P3', outcome: 'stock-available', end: completed },
  { name: 'P4 cheque approval overdue → sales expert', keys: during(3, '0937253537', '1405001950'), rule: 'P4', outcome: 'overdue-referral', request: { type: 'referral', unit: 'sales-expert' }, end: completed },
  { name: 'P4 within the standard time', keys: during(3, '0937253537', '1405002140'), rule: 'P4', outcome: 'within-standard-time', end: completed },
  // after purchase
  { name: 'A1 address change before dispatch → ticket', keys: after(1, '1365749487', '1405001960'), rule: 'A1', outcome: 'ticket-registered', request: { type: 'ticket', unit: 'sales-head-office' }, end: completed },
  { name: 'A2 address change after dispatch: not possible', keys: after(1, '1365749487', '1405001915'), rule: 'A2', outcome: 'not-possible-dispatched', end: completed },
  { name: 'A2 regional warehouse, another province', keys: after(1, '1274814316', '1405001988', '1'), rule: 'A2', outcome: 'not-possible-regional-province', end: completed },
  { name: 'A3 delivery overdue', keys: after(2, '2277567566', '1405001702'), rule: 'A3', outcome: 'overdue', request: { type: 'referral', unit: 'follow-up' }, end: completed },
  { name: 'A3 delivery not yet due', keys: after(2, '2277567566', '1405002030'), rule: 'A3', outcome: 'not-overdue', end: completed },
  { name: 'A4 mismatch → sales expert', keys: after(3, '0014636417', '1405001640', '1'), rule: 'A4', outcome: 'mismatch-referred', request: { type: 'referral', unit: 'sales-expert' }, end: to('sales-expert') },
  { name: 'A5 damage at installation, delivered sealed', keys: after(3, '0014636417', '1405001655', '2'), rule: 'A5', outcome: 'after-sales-referral', request: { type: 'referral', unit: 'after-sales-service' }, end: completed },
  { name: "A6 credit refund below 500,000 (the spec's example script)", keys: after(4, '0499370899', '1403001234', '1'), rule: 'A6', outcome: 'refund-registered', request: { type: 'refund-request', unit: 'follow-up' }, end: completed },
  { name: 'A6 credit refund at 500,000: goods only', keys: after(4, '1365749487', '1404004411'), rule: 'A6', outcome: 'refund-goods-only', end: completed },
  { name: 'A7 cash refund, verified, own IBAN', keys: after(4, '0499370899', '1403001234', '2 2'), rule: 'A7', outcome: 'refund-registered', request: { type: 'refund-request', unit: 'finance' }, end: completed },
  { name: 'A7 cash refund, IBAN of another person', keys: after(4, '2277567566', '1405000781', '2'), rule: 'A7', outcome: 'iban-other-owner', end: completed },
  { name: 'A7 cash over the limit → sales expert', keys: after(4, '1365749487', '1404004412'), rule: 'A7', outcome: 'cash-over-limit', end: to('sales-expert') },
  { name: 'A8 installation request', keys: after(5, '0014636417', '1405001890'), rule: 'A8', outcome: 'installation-registered', request: { type: 'service-request', unit: 'service-unit' }, end: completed },
  { name: 'A9 festival card → festival unit', keys: after(6, '0029986818', '1405001410', '2'), rule: 'A9', outcome: 'festival-referral', request: { type: 'referral', unit: 'festival' }, end: completed },
  { name: 'A9 virtual purchase', keys: after(6, '0029986818', '1405001411'), rule: 'A9', outcome: 'virtual-purchase', end: completed },
  { name: 'A10 bounced over two weeks ago → re-collection', keys: after(7, '0075483920', '1405001560'), rule: 'A10', outcome: 're-collection-referral', request: { type: 'referral', unit: 'follow-up' }, end: completed },
  { name: 'A10 bounced a week ago: wait', keys: after(7, '0075483920', '1405001820'), rule: 'A10', outcome: 'wait', end: completed },
];

/** Festival card, the festival unit failed on an earlier referral: needs a store where the other A9 case (same order) has not run. */
export const festivalFollowUp = { name: 'A9 → follow-up', keys: after(6, '0029986818', '1405001410', '1'), rule: 'A9', outcome: 'follow-up-referral', request: { type: 'referral', unit: 'follow-up' }, end: completed } satisfies SeedCase;
