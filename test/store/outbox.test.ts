/**
 * RequestOutbox over its OutboxQueue port: what any queue sees (an in-memory queue here), and a
 * wake() that comes while a round is running (SQLite store). The SQLite outbox's delivery, backoff
 * and failure marks are tested in requests.test.ts; the PostgreSQL queue in postgres-outbox.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NewRequest, RegisteredRequest } from '../../src/domain/ports.ts';
import { openStore, type IvrStore } from '../../src/store/db.ts';
import { RequestOutbox, type DueRequest, type OutboxQueue, type QuantumRequestSink } from '../../src/store/outbox.ts';
import { SqliteRequestRegistry } from '../../src/store/requests.ts';

const req = (callId: string): NewRequest => ({ callId, topic: 'refund', type: 'refund-request', unit: 'follow-up', nationalId: '0499370899' });

let store: IvrStore | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
});

/** an in-memory queue that records what the outbox tells it */
function memoryQueue(n: number) {
  const items: DueRequest[] = Array.from({ length: n }, (_, i) => {
    const number = `Q-00000${i + 1}`;
    const request: RegisteredRequest = { ...req(`c${i}`), number, createdAt: '2026-11-25T08:00:00.000Z', status: 'pending' };
    return { seq: i + 1, request, attempts: 0, idempotencyKey: `cluster:${number}` };
  });
  const log: string[] = [];
  const queue: OutboxQueue = {
    async due(limit, nowMs) {
      log.push(`due ${limit} @${nowMs}`);
      return items.slice(0, limit);
    },
    async delivered(item, at) {
      log.push(`delivered ${item.seq} ${at}`);
    },
    async retry(item, attempts, nextAt, error) {
      log.push(`retry ${item.seq} #${attempts} @${nextAt} ${error}`);
    },
    async failed(item, attempts, error) {
      log.push(`failed ${item.seq} #${attempts} ${error}`);
    },
    async release(rest) {
      log.push(`release ${rest.map((r) => r.seq).join(',')}`);
    },
  };
  return { queue, log };
}

describe('RequestOutbox over an OutboxQueue', () => {
  it('delivers with the queue’s idempotency keys, reports each result, and releases what a failure left untried', async () => {
    const { queue, log } = memoryQueue(4);
    const keys: string[] = [];
    const sink: QuantumRequestSink = {
      async deliver(r, key) {
        keys.push(key);
        if (r.number === 'Q-000003') throw new Error('HTTP 503');
      },
    };
    const ob = new RequestOutbox(queue, { sink, batchSize: 10, backoffBaseMs: 1000, now: () => 1_000_000 });
    expect(await ob.runOnce()).toEqual({ delivered: 2, retrying: 1, failed: 0 });
    expect(keys).toEqual(['cluster:Q-000001', 'cluster:Q-000002', 'cluster:Q-000003']);
    expect(log[0]).toBe('due 10 @1000000');
    expect(log.slice(1, 3)).toEqual(['delivered 1 1970-01-01T00:16:40.000Z', 'delivered 2 1970-01-01T00:16:40.000Z']);
    expect(log[3]).toMatch(/^retry 3 #1 @100(1[01]\d\d|1200) Error: HTTP 503$/);
    expect(log.slice(4)).toEqual(['release 4']);
  });

  it('passes the tries made so far: the last one marks the request failed', async () => {
    const { queue, log } = memoryQueue(1);
    queue.due = async () => [{ seq: 7, request: { ...req('x'), number: 'Q-000007', createdAt: '2026-11-25T08:00:00.000Z', status: 'pending' }, attempts: 11, idempotencyKey: 'k' }];
    const ob = new RequestOutbox(queue, { sink: { deliver: () => Promise.reject(new Error('HTTP 503')) }, maxAttempts: 12 });
    expect(await ob.runOnce()).toEqual({ delivered: 0, retrying: 0, failed: 1 });
    expect(log).toEqual(['failed 7 #12 Error: HTTP 503']);
  });
});

describe('RequestOutbox.wake() during a round', () => {
  it('a request registered while a delivery is in flight goes right after it, not at the next poll', async () => {
    store = openStore(':memory:');
    const got: string[] = [];
    let release: () => void = () => undefined;
    const firstHeld = new Promise<void>((r) => (release = r));
    let entered: () => void = () => undefined;
    const inFlight = new Promise<void>((r) => (entered = r));
    const sink: QuantumRequestSink = {
      async deliver(r) {
        if (got.length === 0) {
          entered();
          await firstHeld;
        }
        got.push(r.number);
      },
    };
    const ob = new RequestOutbox(store, { sink, pollMs: 60_000 });
    const reg = new SqliteRequestRegistry(store, { onRegistered: () => ob.wake() });
    ob.start();
    await reg.register(req('a'));
    await inFlight; // the round that took R-000001 is waiting for Quantum
    await reg.register(req('b')); // wakes the outbox in the middle of that round
    release();
    for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await ob.stop();
    expect(got).toEqual(['R-000001', 'R-000002']);
  });
});
