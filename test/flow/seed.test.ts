/**
 * One call per item of the seed page (three "extensions": before, during, after purchase), with
 * fake backends: each item's keys reach the right topic, the lookup, the policy's questions,
 * `decide`, `register` when the decision asks for a request, and the transfer or goodbye that the
 * decision names. The decisions are shaped like the rules table of the spec (P1–P4, A1–A10);
 * the rules themselves are src/policy's, not tested here.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { Decision, Question } from '../../src/domain/decision.ts';
import type { Skill, Topic } from '../../src/domain/skills.ts';
import type { SayItem } from '../../src/domain/say.ts';
import { prompt } from '../../src/flow/setup.ts';
import { decision, emptyFacts, runCall } from './harness.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const NID = '0499370899';
const ORDER = '1404001234';
const id = `${NID}# ${ORDER}#`;

const problemKind: Question = { name: 'problem-kind', prompt: 'question-problem-kind', options: { '1': 'mismatch', '2': 'damage' } };
const refundKind: Question = { name: 'refund-kind', prompt: 'question-refund-kind', options: { '1': 'credit', '2': 'cash' } };
const newAddressProvince: Question = { name: 'same-province', prompt: 'question-same-province', options: { '1': 'yes', '2': 'no' } };

interface Case {
  item: string;
  keys: string;
  topic: Topic;
  questions?: Question[];
  /** answers expected at decide */
  answers?: Record<string, string>;
  decision: Decision;
  end: { kind: 'transfer'; skill: Skill } | { kind: 'hangup'; reason: 'completed' };
}

const cases: Case[] = [
  { item: 'during 1: valid pro-forma (P1)', keys: `2 1 ${id}`, topic: 'proforma',
    decision: decision({ rule: 'P1', outcome: 'valid' }), end: { kind: 'hangup', reason: 'completed' } },
  { item: 'during 1: pro-forma not charged after a month (P1, activity, follow-up)', keys: `2 1 ${id}`, topic: 'proforma',
    decision: decision({ rule: 'P1', outcome: 'activity-logged', request: { type: 'activity', unit: 'follow-up' }, transfer: 'follow-up' }),
    end: { kind: 'transfer', skill: 'follow-up' } },
  { item: 'during 1: invalid pro-forma (P2, complaint about the store)', keys: `2 1 ${id}`, topic: 'proforma',
    decision: decision({ rule: 'P2', outcome: 'complaint-registered', request: { type: 'complaint', unit: 'store-relations' } }),
    end: { kind: 'hangup', reason: 'completed' } },
  { item: 'during 2: order registration, orderable stock (P3)', keys: `2 2 ${id}`, topic: 'order-registration',
    decision: decision({ rule: 'P3', outcome: 'stock-announced', say: [{ kind: 'prompt', name: 'p3-stock' }, { kind: 'count', value: 12 }] }),
    end: { kind: 'hangup', reason: 'completed' } },
  { item: 'during 3: cheque not approved in time (P4, sales expert)', keys: `2 3 ${id}`, topic: 'cheque-approval',
    decision: decision({ rule: 'P4', outcome: 'overdue-referred', request: { type: 'referral', unit: 'sales-expert' }, transfer: 'sales-expert' }),
    end: { kind: 'transfer', skill: 'sales-expert' } },
  { item: 'after 1: address change before dispatch (A1, ticket)', keys: `3 1 ${id} 1`, topic: 'address-change', questions: [newAddressProvince],
    answers: { 'same-province': 'yes' },
    decision: decision({ rule: 'A1', outcome: 'ticket-registered', request: { type: 'ticket', unit: 'sales-head-office' } }),
    end: { kind: 'hangup', reason: 'completed' } },
  { item: 'after 1: address change after dispatch (A2, not possible)', keys: `3 1 ${id} 2`, topic: 'address-change', questions: [newAddressProvince],
    answers: { 'same-province': 'no' },
    decision: decision({ rule: 'A2', outcome: 'not-possible' }), end: { kind: 'hangup', reason: 'completed' } },
  { item: 'after 2: product not delivered (A3)', keys: `3 2 ${id}`, topic: 'delivery',
    decision: decision({ rule: 'A3', outcome: 'overdue', say: [{ kind: 'prompt', name: 'a3-production-date' }, { kind: 'date', value: '2026-12-01' }] }),
    end: { kind: 'hangup', reason: 'completed' } },
  { item: 'after 3: mismatch with the product ordered (A4)', keys: `3 3 ${id} 1`, topic: 'product-problem', questions: [problemKind],
    answers: { 'problem-kind': 'mismatch' },
    decision: decision({ rule: 'A4', outcome: 'registered', request: { type: 'referral', unit: 'after-sales-service' }, transfer: 'after-sales-service' }),
    end: { kind: 'transfer', skill: 'after-sales-service' } },
  { item: 'after 3: damage at installation (A5)', keys: `3 3 ${id} 2`, topic: 'product-problem', questions: [problemKind],
    answers: { 'problem-kind': 'damage' },
    decision: decision({ rule: 'A5', outcome: 'referred', request: { type: 'referral', unit: 'after-sales-service' }, transfer: 'after-sales-service' }),
    end: { kind: 'transfer', skill: 'after-sales-service' } },
  { item: 'after 4: credit refund below the threshold (A6)', keys: `3 4 ${id} 1`, topic: 'refund', questions: [refundKind],
    answers: { 'refund-kind': 'credit' },
    decision: decision({ rule: 'A6', outcome: 'refund-registered', request: { type: 'refund-request', unit: 'follow-up' } }),
    end: { kind: 'hangup', reason: 'completed' } },
  { item: 'after 4: cash refund, IBAN missing (A7)', keys: `3 4 ${id} 2`, topic: 'refund', questions: [refundKind],
    answers: { 'refund-kind': 'cash' },
    decision: decision({ rule: 'A7', outcome: 'iban-missing' }), end: { kind: 'hangup', reason: 'completed' } },
  { item: 'after 5: installation and repair (A8)', keys: `3 5 ${id}`, topic: 'installation-repair',
    decision: decision({ rule: 'A8', outcome: 'service-registered', request: { type: 'service-request', unit: 'service-unit' } }),
    end: { kind: 'hangup', reason: 'completed' } },
  { item: 'after 6: festival card not granted (A9)', keys: `3 6 ${id}`, topic: 'festival-card',
    decision: decision({ rule: 'A9', outcome: 'referred', request: { type: 'referral', unit: 'festival' }, transfer: 'festival' }),
    end: { kind: 'transfer', skill: 'festival' } },
  { item: 'after 7: bounced cheque, under two weeks (A10)', keys: `3 7 ${id}`, topic: 'bounced-cheque',
    decision: decision({ rule: 'A10', outcome: 'wait' }), end: { kind: 'hangup', reason: 'completed' } },
  { item: 'after 7: bounced cheque, re-collection (A10)', keys: `3 7 ${id}`, topic: 'bounced-cheque',
    decision: decision({ rule: 'A10', outcome: 'recollection-referred', request: { type: 'referral', unit: 'follow-up' }, transfer: 'follow-up' }),
    end: { kind: 'transfer', skill: 'follow-up' } },
];

describe('seed items: during and after purchase', () => {
  test.each(cases)('$item', async (c) => {
    const t = await runCall({
      keys: c.keys,
      callerNumber: '09121234567',
      backends: {
        lookupOrder: () => ({ status: 'found', facts: emptyFacts() }),
        questions: () => c.questions ?? [],
        decide: () => c.decision,
      },
    });
    expect(t.lookups).toEqual([{ nationalId: NID, orderNumber: ORDER, callerNumber: '09121234567', topic: c.topic }]);
    expect(t.decideInputs.map((d) => [d.topic, d.facts.answers])).toEqual([[c.topic, c.answers ?? {}]]);
    const req = c.decision.request;
    expect(t.registered.map((r) => [r.request.type, r.request.unit, r.request.rule, r.request.topic])).toEqual(
      req ? [[req.type, req.unit, c.decision.rule, c.topic]] : [],
    );
    expect(t.vars).toMatchObject({ IVR_TOPIC: c.topic, IVR_NATIONAL_ID: NID, IVR_ORDER_NUMBER: ORDER, IVR_RULE: c.decision.rule, IVR_OUTCOME: c.decision.outcome });
    if (req) expect(t.vars).toMatchObject({ IVR_REQUEST_TYPE: req.type, IVR_REQUEST_UNIT: req.unit, IVR_REQUEST_NUMBER: 'R-000001' });
    else expect(t.vars.IVR_REQUEST_NUMBER).toBeUndefined();
    // the decision's words are said, then the request number (without padding), then goodbye /
    // transfer-to-agent; an announcement with a value first offers * to hear it again
    const tail: SayItem[] = [
      ...c.decision.say,
      ...(req ? [{ kind: 'prompt', name: 'request-registered' } as const, { kind: 'identifier', value: 'R-000001', format: 'request-number' } as const] : []),
    ];
    const last = c.end.kind === 'transfer' ? 'transfer-to-agent' : 'goodbye';
    const end: SayItem[] = tail.some((i) => i.kind !== 'prompt') ? [prompt('star-to-repeat'), prompt(last)] : [prompt(last)];
    expect(t.items.slice(-(tail.length + end.length))).toEqual([...tail, ...end]);
    expect(t.output).toEqual(c.end);
    if (c.end.kind === 'transfer') expect(t.vars.IVR_SKILL).toBe(c.end.skill);
  });
});

describe('seed items: before purchase', () => {
  test('1 sale plans and festivals: information, then sales', async () => {
    const t = await runCall({ keys: '1 1' });
    expect(t.prompts.slice(-2)).toEqual(['sale-plans-info', 'transfer-to-agent']);
    expect(t.output).toEqual({ kind: 'transfer', skill: 'sales' });
  });
  test('2 product advice (needs assessment): product-advice', async () => {
    expect((await runCall({ keys: '1 2' })).output).toEqual({ kind: 'transfer', skill: 'product-advice' });
  });
  test('3 nearest stores by SMS: count read back', async () => {
    const t = await runCall({ keys: '1 3 021', callerNumber: '09121234567', backends: { sendStores: () => ({ status: 'sent', count: 5 }) } });
    expect(t.sms).toEqual([{ areaCode: '021', mobile: '09121234567', callId: 'call-1' }]);
    expect(t.items).toContainEqual({ kind: 'count', value: 5 });
    expect(t.output).toEqual({ kind: 'hangup', reason: 'completed' });
  });
  test('4 customer registration in Quantum', async () => {
    const t = await runCall({ keys: `1 4 ${NID} 1` });
    expect(t.customers.map((c) => c.nationalId)).toEqual([NID]);
    expect(t.prompts).toContain('customer-registered');
    expect(t.output).toEqual({ kind: 'hangup', reason: 'completed' });
  });
});

test('the spec example script: 3 4 0499370899# 1403001234# 1', async () => {
  const t = await runCall({
    keys: '3 4 0499370899# 1403001234# 1',
    backends: {
      lookupOrder: () => ({ status: 'found', facts: emptyFacts() }),
      questions: () => [refundKind],
      decide: (i) => decision({ rule: 'A6', outcome: i.facts.answers['refund-kind'] === 'credit' ? 'refund-registered' : 'x', request: { type: 'refund-request', unit: 'follow-up' } }),
      register: () => ({ status: 'registered', number: 'R-000123' }),
    },
  });
  expect(t.nodes).toEqual(['main-menu', 'menu-after', 'national-id', 'order-number', 'question-refund-kind', 'hear-again']);
  expect(t.vars).toMatchObject({ IVR_NATIONAL_ID: '0499370899', IVR_TOPIC: 'refund', IVR_OUTCOME: 'refund-registered', IVR_REQUEST_NUMBER: 'R-000123' });
  expect(t.output).toEqual({ kind: 'hangup', reason: 'completed' });
});
