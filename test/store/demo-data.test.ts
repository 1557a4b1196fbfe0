/**
 * The demo data set and its table in docs/data.md agree with each other and with the policy engine:
 * every documented row exists in data/demo.json, gives the documented rule, outcome and request /
 * transfer at the reference time, and every rule P1–P4, A1–A10 is exercised.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Facts } from '../../src/domain/decision.ts';
import { RULES, type RuleId, type Topic } from '../../src/domain/skills.ts';
import { decide, defaultPolicyConfig, questionsFor } from '../../src/policy/index.ts';
import { loadWorkingCalendar } from '../../src/policy/load.ts';
import { openStore } from '../../src/store/db.ts';
import { importDataContent } from '../../src/store/import.ts';
import { isValidIban, isValidNationalId } from '../../src/store/normalize.ts';
import { EmbeddedOrderData } from '../../src/store/order-data.ts';

const NOW = new Date('2026-11-25T10:00:00+03:30');
const demo = JSON.parse(readFileSync(new URL('../../data/demo.json', import.meta.url), 'utf8'));
const doc = readFileSync(new URL('../../docs/data.md', import.meta.url), 'utf8');

const TOPIC: Record<RuleId, Topic> = {
  P1: 'proforma', P2: 'proforma', P3: 'order-registration', P4: 'cheque-approval', A1: 'address-change', A2: 'address-change',
  A3: 'delivery', A4: 'product-problem', A5: 'product-problem', A6: 'refund', A7: 'refund', A8: 'installation-repair',
  A9: 'festival-card', A10: 'bounced-cheque',
};

interface Row { nid: string; order: string; rule: RuleId; answers: Record<string, string>; outcome: string; effect: string }

function tableRows(): Row[] {
  const start = doc.indexOf('| national ID | name | order | rule |');
  expect(start).toBeGreaterThan(0);
  const lines = doc.slice(start).split('\n');
  const rows: Row[] = [];
  for (const line of lines.slice(2)) {
    if (!line.startsWith('|')) break;
    const c = line.split('|').slice(1, -1).map((x) => x.trim());
    const answers = c[5] === '–' ? {} : Object.fromEntries(c[5]!.split(', ').map((kv) => kv.split('=') as [string, string]));
    rows.push({ nid: c[0]!, order: c[2]!, rule: c[3] as RuleId, answers, outcome: c[6]!, effect: c[7]! });
  }
  return rows;
}

describe('demo data', () => {
  it('has valid national IDs, IBANs and mobiles', () => {
    for (const c of demo.customers) {
      expect(isValidNationalId(c.nationalId), c.nationalId).toBe(true);
      if (c.iban) expect(isValidIban(c.iban), c.iban).toBe(true);
      if (c.ibanOwnerNationalId) expect(isValidNationalId(c.ibanOwnerNationalId)).toBe(true);
      expect(c.mobile).toMatch(/^09\d{9}$/);
    }
    for (const o of demo.orders) expect(o.orderNumber.slice(0, 4)).toMatch(/^14\d\d$/);
  });

  it('gives every documented outcome at the reference time, and covers every rule', async () => {
    const store = openStore(':memory:');
    importDataContent(store, demo);
    const od = new EmbeddedOrderData(store);
    const cal = loadWorkingCalendar(defaultPolicyConfig);
    const rows = tableRows();
    expect(rows.length).toBeGreaterThan(35);
    for (const r of rows) {
      const order = await od.findOrder(r.nid, r.order);
      expect(order, `${r.nid}/${r.order}`).not.toBeNull();
      const orderable = order?.productCode ? await od.orderableStock(order.productCode) : null;
      const facts: Facts = {
        customer: await od.findCustomer(r.nid),
        order,
        stock: order?.productCode && orderable !== null ? { productCode: order.productCode, orderable } : null,
        bouncedCheques: await od.bouncedCheques(r.nid),
        earlierRequests: [],
        answers: r.answers,
      };
      const topic = TOPIC[r.rule];
      expect(questionsFor(topic, facts), `${r.order}: unanswered questions`).toEqual([]);
      const d = decide(topic, facts, NOW, defaultPolicyConfig, cal);
      const effect = [d.request ? `${d.request.type} → ${d.request.unit}` : '', d.transfer ? `transfer ${d.transfer}` : ''].filter(Boolean).join('; ') || '–';
      expect({ order: r.order, rule: d.rule, outcome: d.outcome, effect }).toEqual({ order: r.order, rule: r.rule, outcome: r.outcome, effect: r.effect });
    }
    const covered = new Set(rows.map((r) => r.rule));
    for (const rule of RULES) expect(covered.has(rule), rule).toBe(true);
    store.close();
  });
});
