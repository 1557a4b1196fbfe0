import { describe, expect, it } from 'vitest';
import { calNoHolidays, calThuOff, calThuOn, facts, order, prompts, run, teh, values } from './helpers.ts';

const proforma = (o: Parameters<typeof order>[0]) => order({ status: 'proforma', inStockAtIssue: true, walletType: 'cash', ...o });

describe('P1 valid pro-forma: the 7th and 8th working day', () => {
  // issue at 10:00 Tehran; the wallet charged at 18:00 Tehran on the given day
  it.each([
    ['across a Thursday and a Friday', 'Thursday off', '2025-07-12', '2025-07-21', '2025-07-22'],
    ['across a Thursday and a Friday', 'Thursday on', '2025-07-12', '2025-07-20', '2025-07-21'],
    ['across Tasua and Ashura (official holidays)', 'Thursday off', '2025-07-02', '2025-07-15', '2025-07-16'],
    ['across Tasua and Ashura (official holidays)', 'Thursday on', '2025-07-02', '2025-07-13', '2025-07-14'],
    ['the same days without a holiday table', 'no holidays', '2025-07-02', '2025-07-13', '2025-07-14'],
    ['across Eid al-Fitr, Republic Day and Nature Day 1404', 'Thursday off', '2025-03-25', '2025-04-08', '2025-04-09'],
  ])('%s, %s: issued %s, charged on the 7th (%s) is valid, on the 8th (%s) is late', (_what, thu, issued, seventh, eighth) => {
    const cal = thu === 'Thursday on' ? calThuOn : thu === 'no holidays' ? calNoHolidays : calThuOff;
    const f = (charged: string) => facts({ order: proforma({ issuedAt: teh(`${issued} 10:00`), walletChargedAt: teh(`${charged} 18:00`) }) });
    const ok = run('proforma', f(seventh), '2025-08-30 10:00', { cal });
    expect([ok.rule, ok.outcome, ok.request, ok.transfer]).toEqual(['P1', 'valid', null, null]);
    expect(values(ok)).toEqual([`date:${seventh}`]);
    const late = run('proforma', f(eighth), '2025-08-30 10:00', { cal });
    expect([late.rule, late.outcome, late.transfer]).toEqual(['P1', 'charged-late', 'sales-expert']);
    expect(values(late)).toEqual([`date:${seventh}`]); // the last valid day
  });

  it('the 7th working day ends at midnight Tehran time, not UTC', () => {
    const f = (charged: string) => facts({ order: proforma({ issuedAt: teh('2025-07-12 10:00'), walletChargedAt: charged }) });
    expect(run('proforma', f('2025-07-21T20:29:00Z'), '2025-08-01 10:00').outcome).toBe('valid'); // 23:59 Tehran
    expect(run('proforma', f('2025-07-21T20:31:00Z'), '2025-08-01 10:00').outcome).toBe('charged-late'); // 00:01 Tehran
  });

  it.each([
    ['on the 7th working day', '2025-07-21 17:00', 'awaiting-charge', ['date:2025-07-21']],
    ['on the 8th working day', '2025-07-22 09:00', 'expired', ['date:2025-07-21']],
    ['29 days after issue', '2025-08-10 09:00', 'expired', ['date:2025-07-21']],
  ])('not charged, asked %s → %s', (_when, now, outcome, vals) => {
    const d = run('proforma', facts({ order: proforma({ issuedAt: teh('2025-07-12 10:00') }) }), now);
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual(['P1', outcome, null, null]);
    expect(values(d)).toEqual(vals);
  });

  it.each([
    [4, 'follow-up-activity', { type: 'activity', unit: 'follow-up' }, null],
    [0, 'expired-no-stock', null, null],
    [null, 'missing-facts', null, 'sales-expert'],
  ])('not charged one month (30 days) after issue with orderable stock %s → %s', (stock, outcome, request, transfer) => {
    const d = run(
      'proforma',
      facts({ order: proforma({ issuedAt: teh('2025-07-12 10:00') }), stock: stock === null ? null : { productCode: 'RF-500', orderable: stock } }),
      '2025-08-11 09:00',
    );
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual(['P1', outcome, request, transfer]);
    if (outcome !== 'missing-facts') expect(values(d)).toEqual(['date:2025-07-12']);
  });

  it('the one-month threshold is configuration', () => {
    const f = facts({ order: proforma({ issuedAt: teh('2025-07-12 10:00') }) });
    expect(run('proforma', f, '2025-08-05 09:00').outcome).toBe('expired');
    expect(run('proforma', f, '2025-08-05 09:00', { cfg: { proformaUnchargedFollowUpDays: 20 } }).outcome).toBe('follow-up-activity');
  });

  it('the validity of 7 working days is configuration', () => {
    const f = facts({ order: proforma({ issuedAt: teh('2025-07-12 10:00'), walletChargedAt: teh('2025-07-22 10:00') }) });
    expect(run('proforma', f, '2025-08-01 10:00', { cfg: { proformaValidityWorkingDays: 8 } }).outcome).toBe('valid');
  });
});

describe('P2 invalid pro-forma and the other P1 outcomes', () => {
  it.each([
    ['a pro-forma for another product', { productCode: 'RF-600', walletChargedAt: teh('2025-07-13 10:00') }, 'P2', 'invalid-store-complaint', { type: 'complaint', unit: 'store-relations' }, null, 'proforma-invalid-mismatch'],
    ['a cash wallet charged while out of stock', { inStockAtIssue: false, walletChargedAt: teh('2025-07-13 10:00') }, 'P2', 'invalid-store-complaint', { type: 'complaint', unit: 'store-relations' }, null, 'proforma-invalid-out-of-stock-charge'],
    ['a credit wallet charged while out of stock', { inStockAtIssue: false, walletType: 'credit' as const, walletChargedAt: teh('2025-07-13 10:00') }, 'P1', 'invalid-credit-charged', null, 'sales-expert', 'proforma-no-stock-at-issue'],
    ['out of stock at issue, not charged', { inStockAtIssue: false }, 'P1', 'invalid-no-stock-at-issue', null, null, 'proforma-no-stock-at-issue'],
    ['no issue date', { issuedAt: undefined }, 'P1', 'missing-facts', null, 'sales-expert', 'policy-missing-facts'],
    ['stock at issue unknown', { inStockAtIssue: undefined }, 'P1', 'missing-facts', null, 'sales-expert', 'policy-missing-facts'],
    ['a cancelled pro-forma', { status: 'cancelled' as const }, 'P1', 'order-cancelled', null, 'sales-expert', 'policy-order-cancelled'],
    ['a cheque-plan order registered without a wallet charge', { status: 'registered' as const, paymentPlan: 'cheque' as const, walletType: 'credit' as const }, 'P1', 'converted-to-order', null, null, 'proforma-converted-to-order'],
  ])('%s → %s %s', (_what, o, rule, outcome, request, transfer, firstPrompt) => {
    const d = run('proforma', facts({ order: proforma({ issuedAt: teh('2025-07-12 10:00'), ...o }) }), '2025-07-14 10:00');
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual([rule, outcome, request, transfer]);
    expect(prompts(d)[0]).toBe(firstPrompt);
  });

  it('P2 complaint tells the customer to go to the store', () => {
    const d = run('proforma', facts({ order: proforma({ issuedAt: teh('2025-07-12 10:00'), productCode: 'RF-600' }) }), '2025-07-14 10:00');
    expect(prompts(d)).toContain('proforma-store-complaint');
  });

  it('no order for the pair → missing-facts, transfer to the sales expert, never throws', () => {
    const d = run('proforma', facts({ order: null }), '2025-07-14 10:00');
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual(['P1', 'missing-facts', null, 'sales-expert']);
  });
});

describe('P3 order registration', () => {
  it.each([
    [7, 'stock-available', ['count:7']],
    [1, 'stock-available', ['count:1']],
    [0, 'no-stock', []],
  ])('orderable stock %i → %s, directed to the store', (n, outcome, vals) => {
    const d = run('order-registration', facts({ stock: { productCode: 'RF-500', orderable: n } }), '2025-07-14 10:00');
    expect([d.rule, d.outcome, d.request, d.transfer]).toEqual(['P3', outcome, null, null]);
    expect(values(d)).toEqual(vals);
    expect(prompts(d)).toContain('policy-go-to-store');
  });

  it.each([
    ['stock unknown', facts({ stock: null })],
    ['no product code', facts({ order: order({ productCode: undefined }), stock: null })],
    ['no order', facts({ order: null, stock: null })],
  ])('%s → missing-facts, transfer to sales', (_what, f) => {
    const d = run('order-registration', f, '2025-07-14 10:00');
    expect([d.rule, d.outcome, d.transfer]).toEqual(['P3', 'missing-facts', 'sales']);
  });
});

describe('P4 cheque approval against the standard time (3 working days)', () => {
  const cheque = (submitted: string, o = {}) => facts({ order: order({ status: 'registered', paymentPlan: 'cheque', chequeSubmittedAt: teh(submitted), ...o }) });

  it.each([
    // submitted Saturday 2025-07-12; Thursday off: 13, 14, 15 are working days 1-3
    ['Thursday off', '2025-07-12 10:00', '2025-07-15 16:00', 'within-standard-time', ['date:2025-07-15']],
    ['Thursday off', '2025-07-12 10:00', '2025-07-16 09:00', 'overdue-referral', []],
    // submitted Monday 2025-07-14: Thursday 17 is the 3rd working day only when Thursday works
    ['Thursday on', '2025-07-14 10:00', '2025-07-17 12:00', 'within-standard-time', ['date:2025-07-17']],
    ['Thursday on', '2025-07-14 10:00', '2025-07-19 09:00', 'overdue-referral', []],
    ['Thursday off', '2025-07-14 10:00', '2025-07-19 09:00', 'within-standard-time', ['date:2025-07-19']],
    ['Thursday off', '2025-07-14 10:00', '2025-07-20 09:00', 'overdue-referral', []],
    // submitted Wednesday 2025-07-02: Tasua and Ashura do not count
    ['Thursday off', '2025-07-02 10:00', '2025-07-09 09:00', 'within-standard-time', ['date:2025-07-09']],
    ['Thursday off', '2025-07-02 10:00', '2025-07-12 09:00', 'overdue-referral', []],
  ])('%s: submitted %s, asked %s → %s', (thu, submitted, now, outcome, vals) => {
    const cal = thu === 'Thursday on' ? calThuOn : calThuOff;
    const d = run('cheque-approval', cheque(submitted), now, { cal });
    expect([d.rule, d.outcome]).toEqual(['P4', outcome]);
    expect(values(d)).toEqual(vals);
    if (outcome === 'overdue-referral') expect(d.request).toEqual({ type: 'referral', unit: 'sales-expert' });
    else expect(d.request).toBeNull();
    expect(d.transfer).toBeNull();
  });

  it('the standard time is configuration', () => {
    const d = run('cheque-approval', cheque('2025-07-12 10:00'), '2025-07-16 09:00', { cfg: { chequeApprovalStandardWorkingDays: 4 } });
    expect(d.outcome).toBe('within-standard-time');
  });

  it.each([
    ['approved', { chequeApprovedAt: teh('2025-07-14 11:00') }, 'approved', null],
    ['not a cheque order', { paymentPlan: 'cash' as const }, 'not-cheque-order', 'sales-expert'],
    ['cancelled', { status: 'cancelled' as const }, 'order-cancelled', 'sales-expert'],
    ['no submission date', { chequeSubmittedAt: undefined }, 'missing-facts', 'sales-expert'],
  ])('%s → %s', (_what, o, outcome, transfer) => {
    const d = run('cheque-approval', cheque('2025-07-12 10:00', o), '2025-07-20 09:00');
    expect([d.rule, d.outcome, d.transfer]).toEqual(['P4', outcome, transfer]);
    if (outcome === 'approved') expect(values(d)).toEqual(['date:2025-07-14']);
  });
});
