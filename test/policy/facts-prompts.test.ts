import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DataFile } from '../../src/domain/data-file.ts';
import { factsFromData } from '../../src/domain/facts-from-data.ts';
import type { Facts } from '../../src/domain/decision.ts';
import { TOPICS } from '../../src/domain/skills.ts';
import { decide, defaultPolicyConfig, questionsFor } from '../../src/policy/index.ts';
import { POLICY_PROMPT_NAMES } from '../../src/policy/prompts.ts';
import { at, calThuOff, customer, earlier, facts, order } from './helpers.ts';

const data = DataFile.parse(JSON.parse(readFileSync(new URL('./fixtures/data.json', import.meta.url), 'utf8')));
const catalogue = parseYaml(readFileSync(new URL('../../prompts/fa/catalogue/policy.yaml', import.meta.url), 'utf8')) as Record<string, { text: string; purpose: string }>;

describe('factsFromData', () => {
  it('finds the customer, the order of that pair, its stock and the bounced cheques of the national ID', () => {
    const f = factsFromData(data, '0067749828', '1403005678', { 'problem-kind': 'damage' }, [earlier({ orderNumber: '1403005678' }), earlier({ orderNumber: '1403001234' })]);
    expect(f.customer?.nationalId).toBe('0067749828');
    expect(f.order?.orderNumber).toBe('1403005678');
    expect(f.stock).toEqual({ productCode: 'WM-700', orderable: 0 });
    expect(f.bouncedCheques.map((b) => b.chequeNumber)).toEqual(['123456']);
    expect(f.earlierRequests.map((r) => r.orderNumber)).toEqual(['1403005678']);
    expect(f.answers).toEqual({ 'problem-kind': 'damage' });
  });

  it('an order number of another national ID gives no order', () => {
    const f = factsFromData(data, '0499370899', '1403005678');
    expect(f.customer?.nationalId).toBe('0499370899');
    expect(f.order).toBeNull();
    expect(f.stock).toBeNull();
    expect(f.bouncedCheques).toEqual([]);
    expect(f.answers).toEqual({});
  });

  it('an unknown national ID gives no customer and no order', () => {
    const f = factsFromData(data, '1111111111', '1403001234');
    expect([f.customer, f.order, f.stock]).toEqual([null, null, null]);
  });
});

describe('missing or contradictory facts never throw', () => {
  const empty: Facts = { customer: null, order: null, stock: null, bouncedCheques: [], earlierRequests: [], answers: {} };
  const broken: Facts = facts({ order: order({ issuedAt: 'not a date', promisedDeliveryDate: '2025-13-45', chequeSubmittedAt: 'x', status: 'approved', paymentPlan: 'cheque', creditBalance: 10 }) });
  it.each(TOPICS.map((t) => [t]))('%s: empty facts and unusable dates give a transfer with a reason', (topic) => {
    for (const f of [empty, broken]) {
      const d = decide(topic, f, at('2025-07-20 10:00'), defaultPolicyConfig, calThuOff);
      if (f === empty) {
        expect(d.transfer, `${topic} ${d.outcome}`).not.toBeNull();
        expect(d.outcome).toMatch(/^[a-z]+(-[a-z]+)*$/);
      }
      expect(d.reason.length).toBeGreaterThan(5);
    }
  });

  it('an invalid "now" is a missing-facts transfer', () => {
    const d = decide('delivery', facts(), new Date('nope'), defaultPolicyConfig, calThuOff);
    expect([d.outcome, d.transfer]).toEqual(['missing-facts', 'follow-up']);
  });

  it('reasons carry no personal data', () => {
    const f = facts({ order: order({ cashBalance: 100 }), customer: customer({ ibanOwnerNationalId: '0067749828' }), answers: { 'small-appliances': 'no' } });
    for (const topic of TOPICS) {
      const d = decide(topic, f, at('2025-07-20 10:00'), defaultPolicyConfig, calThuOff);
      expect(d.reason).not.toMatch(/0499370899|0067749828|IR\d{10,}|09\d{9}/);
    }
  });
});

describe('policy prompts catalogue', () => {
  it('has every prompt the engine names, with Persian text and an English purpose, and no others', () => {
    expect(Object.keys(catalogue).sort()).toEqual([...POLICY_PROMPT_NAMES].sort());
    for (const [name, e] of Object.entries(catalogue)) {
      expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(e.text, name).toMatch(/[\u0600-\u06FF]/);
      expect(e.text, name).not.toMatch(/[0-9۰-۹]/); // values are SayItems, not in the text
      expect(e.purpose, name).toMatch(/^[ -~–—→]+$/);
    }
  });

  it('the carton reminder asks to check the carton and refuse a product that is not sealed', () => {
    expect(catalogue['policy-carton-check']!.text).toMatch(/کارتن/);
    expect(catalogue['policy-carton-check']!.text).toMatch(/آکبند/);
  });

  it('every decision about an undelivered product ends with the carton reminder; delivered ones do not', () => {
    for (const topic of TOPICS) {
      for (const status of ['proforma', 'registered', 'approved', 'dispatched'] as const) {
        const d = decide(topic, facts({ order: order({ status, promisedDeliveryDate: '2025-07-25' }) }), at('2025-07-20 10:00'), defaultPolicyConfig, calThuOff);
        const last = d.say.at(-1);
        expect(last, `${topic} ${status}`).toEqual({ kind: 'prompt', name: 'policy-carton-check' });
      }
      const delivered = decide(topic, facts({ order: order({ status: 'installed' }) }), at('2025-07-20 10:00'), defaultPolicyConfig, calThuOff);
      expect(delivered.say.filter((s) => s.kind === 'prompt' && s.name === 'policy-carton-check')).toHaveLength(0);
    }
  });

  it('every prompt a decision or question uses is in the catalogue', () => {
    const used = new Set<string>();
    const fs: Facts[] = [
      facts(),
      facts({ order: order({ status: 'installed', creditBalance: 10, cashBalance: 20, warehouseKind: 'regional', festivalCommitted: true, virtualPurchase: false, festivalApplied: false, technicianConfirmedInvoice: true }) }),
      facts({ order: order({ warehouseKind: 'regional' }) }),
    ];
    for (const topic of TOPICS) {
      for (const f of fs) {
        for (const s of decide(topic, f, at('2025-07-20 10:00'), defaultPolicyConfig, calThuOff).say) if (s.kind === 'prompt') used.add(s.name);
        for (const q of questionsFor(topic, f)) used.add(q.prompt);
      }
    }
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect(catalogue[name], name).toBeDefined();
  });
});
