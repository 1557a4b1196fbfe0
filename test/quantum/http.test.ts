import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../src/domain/ports.ts';
import { QuantumHttpClient } from '../../src/quantum/http.ts';
import { CircuitBreaker } from '../../src/quantum/breaker.ts';
import { PermanentDeliveryError } from '../../src/store/outbox.ts';
import { startFakeQuantum, type FakeQuantum } from './fake-quantum.ts';

const demo = JSON.parse(readFileSync(new URL('../../data/demo.json', import.meta.url), 'utf8'));
let q: FakeQuantum;
beforeAll(async () => {
  q = await startFakeQuantum({ data: demo, token: 'tok' });
});
afterAll(() => q.close());

const client = (extra: Partial<ConstructorParameters<typeof QuantumHttpClient>[0]> = {}) =>
  new QuantumHttpClient({ baseUrl: q.url, token: 'tok', timeoutMs: 300, retries: 1, retryBackoffMs: 10, breakerFailures: 3, breakerOpenMs: 200, ...extra });

describe('QuantumHttpClient reads', () => {
  it('finds customers, orders (only as a matching pair), stock, stores and cheques', async () => {
    q.behave({});
    const c = client();
    expect((await c.findCustomer('0499370899'))?.name).toBe('علی رضایی');
    expect(await c.findCustomer('0134512685')).toBeNull();
    expect((await c.findOrder('0499370899', '1403001234'))?.cashBalance).toBe(1800000);
    expect(await c.findOrder('0014636417', '1403001234')).toBeNull();
    expect(await c.orderableStock('SN-WM-8K')).toBe(7);
    expect(await c.orderableStock('VC-ENT-X1')).toBeNull();
    expect((await c.storesByArea('031')).length).toBe(3);
    expect((await c.bouncedCheques('0075483920')).length).toBe(2);
    expect(c.breakerState).toBe('closed');
  });

  it('takes bounced cheques from the given local source when set', async () => {
    const c = client({ bouncedCheques: async (nid) => [{ nationalId: nid, bouncedAt: '2026-11-18T00:00:00+03:30' }] });
    expect(await c.bouncedCheques('0499370899')).toEqual([{ nationalId: '0499370899', bouncedAt: '2026-11-18T00:00:00+03:30' }]);
  });

  it('a wrong token is refused as UnavailableError', async () => {
    await expect(client({ token: 'wrong' }).findCustomer('0499370899')).rejects.toThrow(UnavailableError);
  });

  it('retries a 503 and succeeds', async () => {
    q.behave({ failWith: 503, failNext: 1 });
    const before = q.calls.length;
    expect((await client().findCustomer('0499370899'))?.nationalId).toBe('0499370899');
    expect(q.calls.length - before).toBe(2);
    q.behave({});
  });

  it('a slow Quantum times out as UnavailableError after the retries', async () => {
    q.behave({ delayMs: 1000 });
    const before = q.calls.length;
    const t0 = Date.now();
    const err = await client({ retries: 1 })
      .findCustomer('0499370899')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/no answer within 300 ms/);
    expect((err as Error).message).not.toContain('0499370899'); // personal data stays out of messages
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(q.calls.length - before).toBe(2);
    q.behave({});
  });

  it('dropped connections become UnavailableError', async () => {
    q.behave({ failWith: 'reset' });
    await expect(client({ retries: 0 }).findCustomer('0499370899')).rejects.toThrow(/network error/);
    q.behave({});
  });

  it('the breaker opens after repeated failures, refuses at once, half-opens and closes again', async () => {
    let now = 0;
    const errors: string[] = [];
    const c = client({ retries: 0, breakerFailures: 2, breakerOpenMs: 5000, now: () => now, onError: (k) => errors.push(k) });
    q.behave({ failWith: 500 });
    await expect(c.findCustomer('0499370899')).rejects.toThrow(UnavailableError);
    expect(c.breakerState).toBe('closed');
    await expect(c.findCustomer('0499370899')).rejects.toThrow(UnavailableError);
    expect(c.breakerState).toBe('open');
    const before = q.calls.length;
    await expect(c.findCustomer('0499370899')).rejects.toThrow(/circuit open/);
    expect(q.calls.length).toBe(before); // refused without a request
    now = 5000;
    expect(c.breakerState).toBe('half-open');
    await expect(c.findCustomer('0499370899')).rejects.toThrow(UnavailableError); // trial fails
    expect(c.breakerState).toBe('open');
    now = 10_000;
    q.behave({});
    expect((await c.findCustomer('0499370899'))?.nationalId).toBe('0499370899'); // trial succeeds
    expect(c.breakerState).toBe('closed');
    // what /metrics counts (ivr_quantum_errors_total): each failed attempt, and the call refused at once
    expect(errors).toEqual(['server', 'server', 'breaker-open', 'server']);
  });

  it('tells each failed attempt by kind: timeout, network, bad answer, refused (not a 409)', async () => {
    const errors: string[] = [];
    const c = client({ retries: 0, breakerFailures: 100, onError: (k) => errors.push(k) });
    q.behave({ delayMs: 500 });
    await expect(c.findCustomer('0499370899')).rejects.toThrow(UnavailableError);
    // the fake (in this process) answers the abandoned request 500 ms after it came, reading the
    // behaviour then: wait for it, so that it takes no failure meant for a later request
    await new Promise((r) => setTimeout(r, 300));
    q.behave({ failWith: 'reset' });
    await expect(c.findCustomer('0499370899')).rejects.toThrow(UnavailableError);
    q.behave({ failWith: 'page-404' });
    await expect(c.findCustomer('0499370899')).rejects.toThrow(UnavailableError);
    q.behave({});
    await expect(client({ token: 'wrong', onError: (k) => errors.push(k) }).findCustomer('0499370899')).rejects.toThrow(UnavailableError);
    expect(await c.findCustomer('0499370899')).not.toBeNull();
    expect(errors).toEqual(['timeout', 'network', 'bad-answer', 'refused']);
  });

  it("a 404 that is not Quantum's own not-found (a proxy's page, a wrong URL) is unavailability, never a mismatch", async () => {
    const c = client({ retries: 0, breakerFailures: 2 });
    q.behave({ failWith: 'page-404' });
    await expect(c.findOrder('0499370899', '1403001234')).rejects.toThrow(UnavailableError);
    await expect(c.findCustomer('0499370899')).rejects.toThrow(/not Quantum's not-found answer/);
    expect(c.breakerState).toBe('open');
    q.behave({});
  });

  it('a 404 (not found) does not count against the breaker', async () => {
    const c = client({ retries: 0, breakerFailures: 1 });
    expect(await c.findCustomer('0134512685')).toBeNull();
    expect(await c.findCustomer('0134512685')).toBeNull();
    expect(c.breakerState).toBe('closed');
  });
});

describe('CircuitBreaker', () => {
  it('lets only one trial call through while half-open', async () => {
    let now = 0;
    const b = new CircuitBreaker({ failureThreshold: 1, openMs: 10, now: () => now });
    await expect(b.call(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    now = 10;
    let release!: () => void;
    const trial = b.call(() => new Promise<string>((r) => (release = () => r('ok'))));
    await expect(b.call(() => Promise.resolve('second'))).rejects.toThrow(/trial call/);
    release();
    expect(await trial).toBe('ok');
    expect(b.state).toBe('closed');
  });
});

describe('QuantumHttpClient writes', () => {
  it('registers a customer once, retried writes carry the same idempotency key', async () => {
    const c = client();
    q.behave({ failWith: 503, failNext: 1 });
    expect(await c.registerCustomer({ nationalId: '0134512685', mobile: '09121234567' })).toBe('registered');
    const keys = q.calls.filter((k) => k.method === 'POST' && k.path.endsWith('/customers')).map((k) => k.idempotencyKey);
    expect(keys).toEqual(['customer-registration:0134512685', 'customer-registration:0134512685']);
    expect(await c.registerCustomer({ nationalId: '0134512685' })).toBe('already-registered');
    expect(await c.registerCustomer({ nationalId: '0499370899' })).toBe('already-registered');
  });

  it('delivers requests idempotently and turns a 4xx refusal into PermanentDeliveryError', async () => {
    const c = client({ installationId: 'inst-1' });
    const r = { number: 'R-000001', callId: 'c', topic: 'refund', type: 'refund-request' as const, unit: 'follow-up' as const, createdAt: '2026-11-25T06:30:00Z', status: 'pending' as const };
    await c.deliver(r, 'inst-1:R-000001');
    await c.deliver(r, 'inst-1:R-000001');
    expect(q.delivered.get('inst-1:R-000001')).toMatchObject({ number: 'R-000001', installationId: 'inst-1' });
    await expect(c.deliver({ ...r, type: undefined as never }, 'inst-1:R-000002')).rejects.toThrow(PermanentDeliveryError);
    q.behave({ failWith: 503 });
    await expect(c.deliver(r, 'inst-1:R-000003')).rejects.toThrow(UnavailableError);
    q.behave({});
  });
});
