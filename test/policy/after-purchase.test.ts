import { describe, expect, it } from 'vitest';
import { questionsFor } from '../../src/policy/index.ts';
import { customer, earlier, facts, order, OTHER_NID, prompts, run, teh, values } from './helpers.ts';

const CARTON = 'policy-carton-check';
const NOW = '2025-07-20 10:00';

describe('A1 / A2 address change', () => {
  it.each([
    ['before dispatch, central warehouse', { status: 'approved' as const, warehouseKind: 'central' as const }, {}, 'A1', 'ticket-registered', { type: 'ticket', unit: 'sales-head-office' }, null],
    ['before dispatch, warehouse kind unknown', { status: 'registered' as const }, {}, 'A1', 'ticket-registered', { type: 'ticket', unit: 'sales-head-office' }, null],
    ['after dispatch (status)', { status: 'dispatched' as const, dispatchedAt: teh('2025-07-19 08:00') }, {}, 'A2', 'not-possible-dispatched', null, null],
    ['after dispatch (dispatch time passed, status not updated)', { status: 'approved' as const, dispatchedAt: teh('2025-07-20 09:59') }, {}, 'A2', 'not-possible-dispatched', null, null],
    ['dispatch planned later today', { status: 'approved' as const, dispatchedAt: teh('2025-07-20 10:01') }, {}, 'A1', 'ticket-registered', { type: 'ticket', unit: 'sales-head-office' }, null],
    ['delivered', { status: 'delivered' as const }, {}, 'A2', 'not-possible-dispatched', null, null],
    ['regional warehouse, new address in the same province', { warehouseKind: 'regional' as const, warehouseProvince: 'Isfahan' }, { 'other-province': 'no' }, 'A1', 'ticket-registered', { type: 'ticket', unit: 'sales-head-office' }, null],
    ['regional warehouse, new address in another province', { warehouseKind: 'regional' as const, warehouseProvince: 'Isfahan' }, { 'other-province': 'yes' }, 'A2', 'not-possible-regional-province', null, null],
    ['regional warehouse, another province, already dispatched', { status: 'dispatched' as const, warehouseKind: 'regional' as const }, { 'other-province': 'yes' }, 'A2', 'not-possible-dispatched', null, null],
    ['regional warehouse, no answer', { warehouseKind: 'regional' as const }, {}, 'A2', 'missing-answer', null, 'sales-expert'],
    ['cancelled order', { status: 'cancelled' as const }, {}, 'A1', 'order-cancelled', null, 'sales-expert'],
  ])('%s → %s %s', (_what, o, answers, rule, outcome, request, transfer) => {
    const d = run('address-change', facts({ order: order(o), answers }), NOW);
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual([rule, outcome, request, transfer]);
  });

  it('asks whether the new address is in another province only for a regional warehouse not yet dispatched', () => {
    expect(questionsFor('address-change', facts({ order: order({ warehouseKind: 'regional' }) })).map((q) => q.name)).toEqual(['other-province']);
    expect(questionsFor('address-change', facts({ order: order({ warehouseKind: 'central' }) }))).toEqual([]);
    expect(questionsFor('address-change', facts({ order: order({ warehouseKind: 'regional', status: 'dispatched' }) }))).toEqual([]);
    expect(questionsFor('address-change', facts({ order: order({ warehouseKind: 'regional' }), answers: { 'other-province': 'no' } }))).toEqual([]);
    const [q] = questionsFor('address-change', facts({ order: order({ warehouseKind: 'regional' }) }));
    expect(q).toEqual({ name: 'other-province', prompt: 'address-ask-other-province', options: { '1': 'yes', '2': 'no' } });
  });

  it('every address-change announcement before delivery ends with the carton reminder', () => {
    for (const o of [order({}), order({ status: 'dispatched' }), order({ warehouseKind: 'regional' })]) {
      const d = run('address-change', facts({ order: o, answers: { 'other-province': 'yes' } }), NOW);
      expect(prompts(d).at(-1)).toBe(CARTON);
    }
  });
});

describe('A3 delivery', () => {
  const o = (x = {}) => order({ status: 'approved', promisedDeliveryDate: '2025-07-20', productionDate: '2025-07-28', ...x });
  it.each([
    ['on the promised day, late evening', '2025-07-20 23:59', 'not-overdue', null, null, ['date:2025-07-20']],
    ['a week before the promised day', '2025-07-13 10:00', 'not-overdue', null, null, ['date:2025-07-20']],
    ['the day after the promised day', '2025-07-21 00:01', 'overdue', { type: 'referral', unit: 'follow-up' }, null, ['date:2025-07-28']],
  ])('%s (%s) → %s', (_what, now, outcome, request, transfer, vals) => {
    const d = run('delivery', facts({ order: o() }), now);
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual(['A3', outcome, request, transfer]);
    expect(values(d)).toEqual(vals);
    expect(prompts(d).at(-1)).toBe(CARTON);
  });

  it('overdue: production date, thanks and compensation, carton reminder', () => {
    const d = run('delivery', facts({ order: o() }), '2025-07-22 10:00');
    expect(prompts(d)).toEqual(['delivery-overdue-production-date', 'delivery-thanks-compensation', CARTON]);
  });

  it.each([
    ['overdue without a production date', o({ productionDate: undefined }), 'overdue-no-production-date', { type: 'referral', unit: 'follow-up' }, null],
    ['no promised date', o({ promisedDeliveryDate: undefined }), 'missing-facts', null, 'follow-up'],
    ['Quantum shows it delivered', o({ status: 'delivered' }), 'recorded-as-delivered', null, 'follow-up'],
    ['cancelled', o({ status: 'cancelled' }), 'order-cancelled', null, 'follow-up'],
    ['still a pro-forma', o({ status: 'proforma', promisedDeliveryDate: undefined }), 'not-ordered-yet', null, null],
  ])('%s → %s', (_what, ord, outcome, request, transfer) => {
    const d = run('delivery', facts({ order: ord }), '2025-07-22 10:00');
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual(['A3', outcome, request, transfer]);
  });
});

describe('A4 / A5 product problem', () => {
  it.each([
    ['mismatch', { deliveredSealed: true }, 'mismatch', 'A4', 'mismatch-referred', { type: 'referral', unit: 'sales-expert' }, 'sales-expert'],
    ['damage, delivered sealed', { deliveredSealed: true }, 'damage', 'A5', 'after-sales-referral', { type: 'referral', unit: 'after-sales-service' }, null],
    ['damage, accepted not sealed', { deliveredSealed: false }, 'damage', 'A5', 'delivered-unsealed', null, 'after-sales-service'],
    ['damage, sealed unknown', {}, 'damage', 'A5', 'missing-facts', null, 'after-sales-service'],
    ['no answer', { deliveredSealed: true }, '', 'A4', 'missing-answer', null, 'after-sales-service'],
  ])('%s → %s %s', (_what, o, kind, rule, outcome, request, transfer) => {
    const d = run('product-problem', facts({ order: order({ status: 'installed', ...o }), answers: kind ? { 'problem-kind': kind } : {} }), NOW);
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual([rule, outcome, request, transfer]);
  });

  it('a product not delivered yet → transfer, with the carton reminder', () => {
    const d = run('product-problem', facts({ order: order({ status: 'dispatched' }), answers: { 'problem-kind': 'damage' } }), NOW);
    expect([d.outcome, d.transfer]).toEqual(['not-delivered-yet', 'after-sales-service']);
    expect(prompts(d).at(-1)).toBe(CARTON);
  });

  it('asks mismatch or damage when the product was delivered', () => {
    expect(questionsFor('product-problem', facts({ order: order({ status: 'delivered' }) }))).toEqual([
      { name: 'problem-kind', prompt: 'problem-ask-kind', options: { '1': 'mismatch', '2': 'damage' } },
    ]);
    expect(questionsFor('product-problem', facts({ order: order({ status: 'approved' }) }))).toEqual([]);
  });
});

describe('A6 credit refund', () => {
  it.each([
    [499_999, 'refund-registered', { type: 'refund-request', unit: 'follow-up' }],
    [500_000, 'refund-goods-only', null],
    [500_001, 'refund-goods-only', null],
    [1, 'refund-registered', { type: 'refund-request', unit: 'follow-up' }],
  ])('credit balance %i Toman → %s', (amount, outcome, request) => {
    const d = run('refund', facts({ order: order({ status: 'delivered', creditBalance: amount }) }), NOW);
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual(['A6', outcome, request, null]);
    expect(values(d)).toEqual([`amount:${amount}`]);
  });

  it('the credit limit is configuration', () => {
    const d = run('refund', facts({ order: order({ status: 'delivered', creditBalance: 550_000 }) }), NOW, { cfg: { creditRefundLimitToman: 600_000 } });
    expect(d.outcome).toBe('refund-registered');
  });
});

describe('A7 cash refund', () => {
  const cash = (amount: number, c = {}, answers: Record<string, string> = { 'small-appliances': 'no' }) =>
    facts({ order: order({ status: 'delivered', cashBalance: amount }), customer: customer(c), answers });

  it.each([
    [2_999_999, 'refund-registered', { type: 'refund-request', unit: 'finance' }, null],
    [3_000_000, 'cash-over-limit', null, 'sales-expert'],
    [3_000_001, 'cash-over-limit', null, 'sales-expert'],
  ])('cash balance %i Toman → %s', (amount, outcome, request, transfer) => {
    const d = run('refund', cash(amount), NOW);
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual(['A7', outcome, request, transfer]);
    expect(values(d)).toEqual([`amount:${amount}`]);
  });

  it.each([
    ['identity not verified', { identityVerified: false }, 'identity-not-verified', ['refund-identity-not-verified']],
    ['no IBAN', { iban: undefined, ibanOwnerNationalId: undefined }, 'iban-missing', ['refund-iban-missing']],
    ['an IBAN of another person', { ibanOwnerNationalId: OTHER_NID }, 'iban-other-owner', ['refund-iban-other-owner']],
    ['an IBAN with unknown owner', { ibanOwnerNationalId: undefined }, 'iban-other-owner', ['refund-iban-other-owner']],
    ['identity not verified and no IBAN', { identityVerified: false, iban: undefined }, 'identity-not-verified', ['refund-identity-not-verified', 'refund-iban-missing']],
  ])('%s → %s: says exactly what is missing, registers nothing', (_what, c, outcome, missing) => {
    const d = run('refund', cash(1_200_000, c), NOW);
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual(['A7', outcome, null, null]);
    expect(prompts(d)).toEqual(['refund-cash-balance', ...missing, 'refund-call-again']);
  });

  it.each([
    ['yes', 'small-appliances-chosen', 'sales'],
    ['', 'missing-answer', 'follow-up'],
  ])('small appliances instead of cash: answer %j → %s', (a, outcome, transfer) => {
    const d = run('refund', cash(1_200_000, {}, a ? { 'small-appliances': a } : {}), NOW);
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual(['A7', outcome, null, transfer]);
  });

  it('customer record missing → missing-facts', () => {
    const d = run('refund', facts({ order: order({ cashBalance: 100 }), customer: null, answers: { 'small-appliances': 'no' } }), NOW);
    expect([d.outcome, d.transfer]).toEqual(['missing-facts', 'follow-up']);
  });
});

describe('refund: which wallet, and the questions', () => {
  const both = (answers: Record<string, string> = {}) => facts({ order: order({ status: 'delivered', creditBalance: 200_000, cashBalance: 900_000 }), answers });

  it('both balances: the caller chooses', () => {
    expect(run('refund', both({ 'refund-wallet': 'credit' }), NOW).rule).toBe('A6');
    expect(run('refund', both({ 'refund-wallet': 'cash', 'small-appliances': 'no' }), NOW).rule).toBe('A7');
    const d = run('refund', both(), NOW);
    expect([d.outcome, d.transfer]).toEqual(['missing-answer', 'follow-up']);
  });

  it('no balance → no-balance, transfer to follow-up', () => {
    const d = run('refund', facts({ order: order({ creditBalance: 0 }) }), NOW);
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual(['A6', 'no-balance', null, 'follow-up']);
  });

  it('asks only what the data cannot tell', () => {
    const names = (f: Parameters<typeof questionsFor>[1]) => questionsFor('refund', f).map((q) => q.name);
    expect(names(both())).toEqual(['refund-wallet', 'small-appliances']);
    expect(names(both({ 'refund-wallet': 'credit' }))).toEqual([]);
    expect(names(both({ 'refund-wallet': 'cash' }))).toEqual(['small-appliances']);
    expect(names(facts({ order: order({ creditBalance: 100 }) }))).toEqual([]);
    expect(names(facts({ order: order({ cashBalance: 100 }) }))).toEqual(['small-appliances']);
    expect(names(facts({ order: order({ cashBalance: 3_000_000 }) }))).toEqual([]); // over the limit: nothing to ask
  });
});

describe('A8 installation and repair', () => {
  it.each([
    ['delivered', 'installation-registered', { type: 'service-request', unit: 'service-unit' }, null, false],
    ['installed', 'repair-registered', { type: 'service-request', unit: 'service-unit' }, null, false],
    ['dispatched', 'not-delivered-yet', null, null, true],
    ['cancelled', 'order-cancelled', null, 'after-sales-service', false],
  ] as const)('status %s → %s', (status, outcome, request, transfer, carton) => {
    const d = run('installation-repair', facts({ order: order({ status }) }), NOW);
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual(['A8', outcome, request, transfer]);
    expect(prompts(d).includes(CARTON)).toBe(carton);
  });
});

describe('A9 festival card', () => {
  const fest = (o = {}, f = {}) =>
    facts({ order: order({ status: 'installed', festivalCommitted: true, virtualPurchase: false, festivalApplied: false, technicianConfirmedInvoice: true, ...o }), ...f });

  it.each([
    ['committed, not virtual, no earlier referral', fest({}, { answers: { 'festival-earlier-referral': 'no' } }), 'festival-referral', { type: 'referral', unit: 'festival' }, null],
    ['committed but a virtual purchase', fest({ virtualPurchase: true }), 'virtual-purchase', null, null],
    ['not committed', fest({ festivalCommitted: false }), 'not-committed', null, null],
    ['Quantum shows it applied', fest({ festivalApplied: true }), 'recorded-as-applied', null, 'festival'],
    ['technician has not confirmed the invoice date', fest({ technicianConfirmedInvoice: false }), 'technician-confirmation-required', null, null],
    ['festival unit failed an earlier referral', fest({}, { earlierRequests: [earlier({ status: 'failed' })] }), 'follow-up-referral', { type: 'referral', unit: 'follow-up' }, null],
    ['festival unit closed an earlier referral without the card', fest({}, { earlierRequests: [earlier({ status: 'done' })] }), 'follow-up-referral', { type: 'referral', unit: 'follow-up' }, null],
    ['the caller says an earlier referral had no result', fest({}, { answers: { 'festival-earlier-referral': 'yes' } }), 'follow-up-referral', { type: 'referral', unit: 'follow-up' }, null],
    ['an earlier referral open 3 working days', fest({}, { earlierRequests: [earlier({ createdAt: teh('2025-07-15 10:00') })] }), 'earlier-referral-pending', null, null],
    ['an earlier referral open 9 working days', fest({}, { earlierRequests: [earlier({ createdAt: teh('2025-07-07 10:00') })] }), 'follow-up-referral', { type: 'referral', unit: 'follow-up' }, null],
    ['no answer about an earlier referral', fest(), 'missing-answer', null, 'festival'],
    ['delivered, not installed yet', fest({ status: 'delivered' }), 'not-installed-yet', null, null],
    ['not installed, nothing known about a festival', facts({ order: order({ status: 'approved' }) }), 'not-installed-yet', null, null],
    ['not installed, but a virtual purchase', fest({ status: 'approved', virtualPurchase: true }), 'virtual-purchase', null, null],
    ['festival commitment unknown', fest({ festivalCommitted: undefined }), 'missing-facts', null, 'festival'],
    ['no order', facts({ order: null }), 'missing-facts', null, 'festival'],
  ])('%s → %s', (_what, f, outcome, request, transfer) => {
    const d = run('festival-card', f, NOW);
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual(['A9', outcome, request, transfer]);
  });

  it('a pending referral tells the caller until when to wait (7 working days after it)', () => {
    const d = run('festival-card', fest({}, { earlierRequests: [earlier({ createdAt: teh('2025-07-15 10:00') })] }), NOW);
    // 16, 19, 20, 21, 22, 23, 26 July (Thursday off)
    expect(values(d)).toEqual(['date:2025-07-26']);
  });

  it('a referral for another order does not count', () => {
    const d = run('festival-card', fest({}, { earlierRequests: [earlier({ status: 'failed', orderNumber: '1403009999' })], answers: { 'festival-earlier-referral': 'no' } }), NOW);
    expect(d.outcome).toBe('festival-referral');
  });

  it('asks about an earlier referral only when the register has none and the card is due', () => {
    expect(questionsFor('festival-card', fest()).map((q) => q.name)).toEqual(['festival-earlier-referral']);
    expect(questionsFor('festival-card', fest({}, { earlierRequests: [earlier()] }))).toEqual([]);
    expect(questionsFor('festival-card', fest({ virtualPurchase: true }))).toEqual([]);
  });
});

describe('A10 bounced cheque', () => {
  const bounced = (at: string, extra = {}) => facts({ bouncedCheques: [{ nationalId: customer().nationalId, orderNumber: '1403001234', bouncedAt: at, ...extra }] });
  it.each([
    [13, 'wait', null, ['count:1', 'date:2025-07-15']],
    [14, 're-collection-referral', { type: 'referral', unit: 'follow-up' }, ['count:1']],
    [15, 're-collection-referral', { type: 'referral', unit: 'follow-up' }, ['count:1']],
  ])('%i days after the bounce → %s', (days, outcome, request, vals) => {
    const now = `2025-07-${String(1 + days).padStart(2, '0')} 09:00`;
    const d = run('bounced-cheque', bounced(teh('2025-07-01 16:00')), now);
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual(['A10', outcome, request, null]);
    expect(values(d)).toEqual(vals);
  });

  it('the wait is configuration', () => {
    expect(run('bounced-cheque', bounced('2025-07-01'), '2025-07-12 09:00', { cfg: { bouncedChequeWaitDays: 10 } }).outcome).toBe('re-collection-referral');
  });

  it('several cheques: any one due → referral; cheques of other orders left out', () => {
    const f = facts({
      bouncedCheques: [
        { nationalId: customer().nationalId, bouncedAt: '2025-07-10' },
        { nationalId: customer().nationalId, bouncedAt: '2025-06-01', orderNumber: '1403009999' },
      ],
    });
    const d = run('bounced-cheque', f, '2025-07-15 09:00');
    expect([d.outcome, values(d)]).toEqual(['wait', ['count:1', 'date:2025-07-24']]);
    f.bouncedCheques.push({ nationalId: customer().nationalId, bouncedAt: '2025-06-20' });
    expect([run('bounced-cheque', f, '2025-07-15 09:00').outcome, values(run('bounced-cheque', f, '2025-07-15 09:00'))]).toEqual(['re-collection-referral', ['count:2']]);
  });

  it('no bounced cheque in the spreadsheet → transfer to follow-up', () => {
    const d = run('bounced-cheque', facts(), NOW);
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual(['A10', 'no-bounced-cheque', null, 'follow-up']);
  });
});
