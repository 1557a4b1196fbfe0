/**
 * Every item of the seed, as a scripted call through the built-in switch against the demo data
 * (data/demo.json, reference time DEMO_NOW): the rule, its outcome, the registered request (and
 * that it is really in the store) and where the caller ends. Expected values are the demo data's
 * documented cases (docs/data.md), not read back from the engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSms } from '../../src/sms/outbox.ts';
import { startHarness, type Harness } from './harness.ts';
import { completed, festivalFollowUp, seedCases as cases } from './seed-cases.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('the festival unit failed on an earlier referral (own store: the other A9 case refers the same order)', () => {
  it('A9 → follow-up', async () => {
    const own = await startHarness();
    try {
      const r = await own.call(festivalFollowUp.keys);
      expect(r.decisions).toEqual([{ rule: festivalFollowUp.rule, outcome: festivalFollowUp.outcome }]);
      expect(r.requests.map((q) => ({ type: q.type, unit: q.unit }))).toEqual([festivalFollowUp.request]);
      expect(r.outcome).toEqual(completed);
    } finally {
      await own.close();
    }
  });
});

describe('nearest stores by SMS', () => {
  it('sends the stores of the keyed area code to the caller and reads back the count', async () => {
    const r = await h.call('1 3 051#', { caller: '09127776655' });
    expect(r.outcome).toEqual(completed);
    const sms = listSms(h.stack.store, { limit: 50 }).filter((m) => m.receptor === '09127776655');
    expect(sms).toHaveLength(1);
    expect(r.prompts).toContain('num/2'); // 051 has two stores
    // stored under its call's key (channel, topic, area, mobile): a retry after a restart sends nothing new (test/sms/sms-kill.test.ts)
    const key = h.stack.store.db.prepare(`SELECT idem_key FROM sms WHERE seq = ?`).get(Number(sms[0]!.id.slice(2))) as { idem_key: string | null };
    expect(key.idem_key).toMatch(/^.+:nearest-stores:051:09127776655$/);
  });
});

describe.concurrent('every seed item as a scripted call', () => {
  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', async (_n, c, i) => {
    const r = await h.call(c.keys, { caller: c.caller ?? `0912${String(10_000_000 + i).slice(1)}` });
    if (c.rule) {
      expect(r.decisions).toEqual([{ rule: c.rule, outcome: c.outcome }]);
      expect(r.variables.IVR_RULE).toBe(c.rule);
    }
    expect(r.outcome).toEqual(c.end);
    if (c.request) {
      expect(r.requests).toHaveLength(1);
      const q = r.requests[0]!;
      expect({ type: q.type, unit: q.unit }).toEqual(c.request);
      expect(q.number).toMatch(/^[A-Z]{1,3}-\d{6,}$/);
      // announced only once durably stored: the number is in the store
      const stored = h.stack.registry.get(q.number);
      expect(stored && { type: stored.type, unit: stored.unit }).toEqual(c.request);
      if (r.variables.IVR_NATIONAL_ID) expect(stored?.nationalId).toBe(r.variables.IVR_NATIONAL_ID);
      expect(r.prompts).toContain('request-registered');
    } else {
      expect(r.requests).toEqual([]);
    }
  });
});
