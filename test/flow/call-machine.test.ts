/**
 * The call machine with fake actors, driven like the spec's `--keys` caller (a group at each
 * IVR_NODE set; `w` lets the timeout act; `h` hangs up). Fake timers: prompts take 2 s of fake time.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import { createCallMachine } from '../../src/flow/call-machine.ts';
import { MissingActorError } from '../../src/flow/setup.ts';
import type { HangupInput, Player, SendStoresInput, SendStoresOutput, TransferInput } from '../../src/flow/ports.ts';
import { runPlays } from '../../src/flow/playback.ts';
import { decision, emptyFacts, keyed, runCall, type Backends, type Trace } from './harness.ts';

/** prompts that end at once */
const instantPlayer: Player = () => ({ finished: Promise.resolve('done'), stop() {} });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const NID = '0499370899';
const ORDER = '1403001234';
const found: Backends['lookupOrder'] = () => ({ status: 'found', facts: emptyFacts() });

/** a refund call keyed up to its order lookup (3 4 <national ID> <order number>), with the given backends */
async function refundToLookup(b: Backends) {
  const { fakeActors, traceCommands, newTrace } = await import('./harness.ts');
  const t = newTrace();
  const pad = keyed();
  const actor = traceCommands(createActor(createCallMachine().provide({ actors: fakeActors(b, t, pad.keypad) }), { input: { callId: 'c', callerNumber: '' } }), t, 2000);
  actor.start();
  for (const g of ['3', '4', NID, ORDER]) {
    await vi.advanceTimersByTimeAsync(0);
    for (const d of g) pad.press(actor, d);
  }
  await vi.advanceTimersByTimeAsync(0);
  return { t, pad, actor };
}

/** index of the first log line matching */
const at = (t: Trace, re: RegExp) => t.log.findIndex((l) => re.test(l));

describe('main menu', () => {
  test('welcome, main-menu; 0 → general; IVR_SKILL set before the transfer prompt and the transfer', async () => {
    const t = await runCall({ keys: '0' });
    expect(t.prompts.slice(0, 2)).toEqual(['welcome', 'main-menu']);
    expect(t.nodes).toEqual(['main-menu']);
    expect(t.output).toEqual({ kind: 'transfer', skill: 'general' });
    expect(at(t, /^vars IVR_SKILL=general/)).toBeGreaterThan(-1);
    expect(at(t, /^vars IVR_SKILL=general/)).toBeLessThan(at(t, /^play transfer-to-agent/));
    expect(at(t, /^play transfer-to-agent/)).toBeLessThan(at(t, /^transfer general/));
  });

  test('a key during the welcome stops it and counts as the main-menu choice (type-ahead)', async () => {
    vi.useFakeTimers();
    const t: Trace = { log: [], prompts: [], items: [], nodes: [], vars: {}, stopped: 0 } as unknown as Trace;
    const { fakeActors, traceCommands } = await import('./harness.ts');
    const actor = traceCommands(createActor(createCallMachine().provide({ actors: fakeActors({}, t) }), {
      input: { callId: 'c', callerNumber: '' },
    }), t, 2000);
    actor.start();
    actor.send({ type: 'DTMF', digit: '1' });
    await vi.advanceTimersByTimeAsync(0);
    expect(t.stopped).toBe(1);
    expect(t.nodes).toEqual(['main-menu', 'menu-before']);
    expect(t.prompts).toEqual(['welcome', 'menu-before']); // main-menu prompt skipped
    actor.stop();
  });

  test('wrong key is explained and asked again; * repeats without using a try; IVR_NODE re-set at every listen', async () => {
    const t = await runCall({ keys: '9 * 8 0' });
    expect(t.nodes).toEqual(['main-menu', 'main-menu', 'main-menu', 'main-menu']);
    expect(t.log.filter((l) => l.startsWith('play')).slice(1, 5)).toEqual([
      'play main-menu',
      'play invalid-key main-menu',
      'play main-menu',
      'play invalid-key main-menu',
    ]);
    expect(t.output).toEqual({ kind: 'transfer', skill: 'general' });
  });

  test('no key three times → too-many-tries, general', async () => {
    const t = await runCall({ keys: '' });
    expect(t.prompts).toEqual(['welcome', 'main-menu', 'no-input', 'main-menu', 'no-input', 'main-menu', 'too-many-tries', 'transfer-to-agent']);
    expect(t.output).toEqual({ kind: 'transfer', skill: 'general' });
  });

  test('the number of tries comes from the configuration', async () => {
    const t = await runCall({ keys: '9', config: { tries: { menu: 1 } } });
    expect(t.prompts).toEqual(['welcome', 'main-menu', 'too-many-tries', 'transfer-to-agent']);
  });

  test('a configured menu tree changes the keys', async () => {
    const config = {
      menus: {
        'main-menu': { prompt: 'main-menu', keys: { '5': { menu: 'menu-after' }, '9': { agent: 'finance' } } },
        'menu-after': { prompt: 'menu-after', keys: { '1': { topic: 'refund' } } },
      },
    };
    expect((await runCall({ keys: '9', config })).output).toEqual({ kind: 'transfer', skill: 'finance' });
    const t = await runCall({ keys: `5 1 ${NID}# ${ORDER}#`, config, backends: { lookupOrder: found, decide: () => decision({ rule: 'A6', outcome: 'x' }) } });
    expect(t.lookups[0]?.topic).toBe('refund');
  });

  test('hang-up while listening ends with caller-hangup and nothing else happens', async () => {
    const t = await runCall({ keys: '3 h' });
    expect(t.output).toEqual({ kind: 'hangup', reason: 'caller-hangup' });
    expect(t.log.some((l) => l.startsWith('transfer') || l.startsWith('hangup'))).toBe(false);
  });

  test('hang-up during a backend call stops it', async () => {
    let aborted = false;
    const pad = keyed();
    const machine = createCallMachine().provide({
      actors: {
        readDigits: pad.readDigits,
        lookupOrder: fromPromise(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => { aborted = true; reject(new Error('aborted')); }))),
      },
    });
    const actor = createActor(machine, { input: { callId: 'c', callerNumber: '' } });
    runPlays(actor, instantPlayer);
    actor.start();
    for (const g of ['3', '4', NID, ORDER]) {
      await vi.advanceTimersByTimeAsync(0);
      for (const d of g) pad.press(actor, d);
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().matches({ identify: 'lookup' })).toBe(true);
    actor.send({ type: 'HANGUP' });
    expect(aborted).toBe(true);
    expect(actor.getSnapshot().output).toEqual({ kind: 'hangup', reason: 'caller-hangup' });
  });

  test('the channel leaving the app while our own transfer / hang-up is under way keeps the outcome', async () => {
    for (const [keys, expected] of [
      ['0', { kind: 'transfer', skill: 'general' }],
      ['1 3 021', { kind: 'hangup', reason: 'completed' }],
    ] as const) {
      let ends = 0;
      const pad = keyed();
      const machine = createCallMachine().provide({
        actors: {
          readDigits: pad.readDigits,
            sendStores: fromPromise<SendStoresOutput, SendStoresInput>(async () => ({ status: 'sent', count: 1 })),
          // the request is sent, its answer comes after the channel already left
          transfer: fromPromise<void, TransferInput>(() => (ends++, new Promise<void>(() => {}))),
          hangup: fromPromise<void, HangupInput>(() => (ends++, new Promise<void>(() => {}))),
        },
      });
      const actor = createActor(machine, { input: { callId: 'c', callerNumber: '09121234567' } });
      runPlays(actor, instantPlayer);
      actor.start();
      for (const g of keys.split(' ')) {
        await vi.advanceTimersByTimeAsync(0);
        for (const d of g) pad.press(actor, d);
      }
      // past the window to hear a count again (timeouts.repeatWindowMs)
      await vi.advanceTimersByTimeAsync(5000);
      expect(ends).toBe(1);
      actor.send({ type: 'HANGUP' });
      expect(actor.getSnapshot().output).toEqual(expected);
    }
  });

  test('an actor that was not bound says so by name (and the caller still reaches an agent)', async () => {
    const t = await runCall({ keys: `3 4 ${NID}# ${ORDER}#` }); // no lookupOrder fake: it throws
    expect(t.prompts).toContain('system-unavailable');
    expect(t.output).toEqual({ kind: 'transfer', skill: 'follow-up' });
    expect(new MissingActorError('lookupOrder').message).toMatch(/'lookupOrder'.*provide/);
  });
});

describe('identification and lookup', () => {
  const refund = { lookupOrder: found, decide: () => decision({ rule: 'A6', outcome: 'credit-only-purchase', transfer: null }) };

  test('topic menu first, then national ID, order number; the lookup gets topic and caller number', async () => {
    const t = await runCall({ keys: `3 4 ${NID}# ${ORDER}#`, callerNumber: '09121234567', backends: refund });
    expect(t.nodes).toEqual(['main-menu', 'menu-after', 'national-id', 'order-number']);
    expect(t.lookups).toEqual([{ nationalId: NID, orderNumber: ORDER, callerNumber: '09121234567', topic: 'refund' }]);
    expect(t.output).toEqual({ kind: 'hangup', reason: 'completed' });
  });

  test('a mismatch is explained and both numbers are asked again', async () => {
    let n = 0;
    const t = await runCall({
      keys: `3 4 ${NID}# 1403009999# ${NID}# ${ORDER}#`,
      backends: { ...refund, lookupOrder: () => (n++ === 0 ? { status: 'mismatch' } : { status: 'found', facts: emptyFacts() }) },
    });
    expect(t.prompts).toContain('order-mismatch');
    expect(t.nodes).toEqual(['main-menu', 'menu-after', 'national-id', 'order-number', 'national-id', 'order-number']);
    expect(t.lookups.map((l) => l.orderNumber)).toEqual(['1403009999', ORDER]);
    expect(t.output).toEqual({ kind: 'hangup', reason: 'completed' });
  });

  test('type-ahead: keys pressed during the mismatch explanation go to the national ID entry in order, its prompt skipped', async () => {
    let n = 0;
    const { t, pad, actor } = await refundToLookup({ lookupOrder: () => (n++ === 0 ? { status: 'mismatch' } : { status: 'found', facts: emptyFacts() }) });
    expect(t.prompts.at(-1)).toBe('order-mismatch');
    const asked = t.prompts.filter((p) => p === 'enter-national-id').length;
    // the caller does not wait for the explanation to end
    for (const d of NID) pad.press(actor, d);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.stopped).toBeGreaterThan(0);
    expect(t.prompts.filter((p) => p === 'enter-national-id').length).toBe(asked);
    expect(actor.getSnapshot().context.entered.nationalId).toBe(NID);
    expect(t.nodes.filter((x) => x === 'national-id').length).toBe(2);
    actor.stop();
  });

  test('type-ahead keeps at most 32 keys (pressed while the order is looked up: nothing listens)', async () => {
    const { pad, actor } = await refundToLookup({ lookupOrder: () => new Promise(() => {}) });
    expect(actor.getSnapshot().matches({ identify: 'lookup' })).toBe(true);
    for (let i = 0; i < 40; i++) pad.press(actor, '1');
    expect(actor.getSnapshot().context.pending).toBe('1'.repeat(32));
    actor.stop();
  });

  test('the per-call limit of mismatches → general, with what was collected', async () => {
    const keys = `3 4 ${Array(3).fill(`${NID}# ${ORDER}#`).join(' ')}`;
    const t = await runCall({ keys, backends: { lookupOrder: () => ({ status: 'mismatch' }) } });
    expect(t.lookups).toHaveLength(3);
    expect(t.prompts.slice(-2)).toEqual(['order-lookup-limit', 'transfer-to-agent']);
    expect(t.vars).toMatchObject({ IVR_TOPIC: 'refund', IVR_NATIONAL_ID: NID, IVR_ORDER_NUMBER: ORDER, IVR_SKILL: 'general' });
    expect(t.output).toEqual({ kind: 'transfer', skill: 'general' });
  });

  test('`limited` (per calling number) → general at once', async () => {
    const t = await runCall({ keys: `2 1 ${NID}# ${ORDER}#`, backends: { lookupOrder: () => ({ status: 'limited' }) } });
    expect(t.lookups).toHaveLength(1);
    expect(t.output).toEqual({ kind: 'transfer', skill: 'general' });
    expect(t.prompts).toContain('order-lookup-limit');
  });

  test('`unavailable` → system-unavailable, the skill that owns the topic, what was collected', async () => {
    const t = await runCall({ keys: `3 5 ${NID}# ${ORDER}#`, backends: { lookupOrder: () => ({ status: 'unavailable' }) } });
    expect(t.prompts.slice(-2)).toEqual(['system-unavailable', 'transfer-to-agent']);
    expect(t.vars).toMatchObject({ IVR_TOPIC: 'installation-repair', IVR_NATIONAL_ID: NID, IVR_SKILL: 'after-sales-service' });
    expect(t.output).toEqual({ kind: 'transfer', skill: 'after-sales-service' });
  });

  test('a national ID that fails three times → general', async () => {
    const t = await runCall({ keys: '2 3 1234567890# 1111111111# w' });
    // each failure explained before the next try; after the third: too-many-tries, an agent
    expect(t.prompts.slice(3)).toEqual([
      'enter-national-id', 'entry-nid-checksum', 'enter-national-id', 'entry-nid-same-digits', 'enter-national-id',
      'too-many-tries', 'transfer-to-agent',
    ]);
    expect(t.output).toEqual({ kind: 'transfer', skill: 'general' });
    expect(t.vars.IVR_NATIONAL_ID).toBeUndefined();
    expect(t.vars.IVR_TOPIC).toBe('cheque-approval');
  });
});

describe('questions, decision, registration', () => {
  const q = { name: 'refund-kind', prompt: 'question-refund-kind', options: { '1': 'credit', '2': 'cash' } };

  test('question asked as a one-key menu; the answer reaches decide; a wrong key is explained', async () => {
    const t = await runCall({
      keys: `3 4 ${NID}# ${ORDER}# 5 2`,
      backends: { lookupOrder: found, questions: () => [q], decide: (i) => decision({ rule: i.facts.answers['refund-kind'] === 'cash' ? 'A7' : 'A6', outcome: 'x' }) },
    });
    expect(t.nodes.slice(-2)).toEqual(['question-refund-kind', 'question-refund-kind']);
    expect(t.prompts).toContain('invalid-key');
    expect(t.decideInputs[0]?.facts.answers).toEqual({ 'refund-kind': 'cash' });
    expect(t.vars.IVR_RULE).toBe('A7');
  });

  test('no answer to a question three times → general', async () => {
    const t = await runCall({ keys: `3 4 ${NID}# ${ORDER}#`, backends: { lookupOrder: found, questions: () => [q] } });
    expect(t.decideInputs).toHaveLength(0);
    expect(t.output).toEqual({ kind: 'transfer', skill: 'general' });
  });

  test('registered request: all IVR_* vars set before the announcement, number read back after request-registered', async () => {
    const t = await runCall({
      keys: `3 1 ${NID}# ${ORDER}#`,
      callerNumber: '09121234567',
      backends: {
        lookupOrder: found,
        decide: () => decision({ rule: 'A1', outcome: 'ticket-registered', request: { type: 'ticket', unit: 'sales-head-office' } }),
        register: () => ({ status: 'registered', number: 'R-000777' }),
      },
    });
    expect(t.registered[0]?.request).toMatchObject({
      callId: 'call-1', topic: 'address-change', type: 'ticket', unit: 'sales-head-office',
      nationalId: NID, orderNumber: ORDER, callerNumber: '09121234567', rule: 'A1', outcome: 'ticket-registered',
    });
    // what the call collects goes on the channel as soon as it is known (a restarted service resumes from it)
    expect(t.log).toContain('vars IVR_TOPIC=address-change IVR_NODE=national-id');
    expect(t.log).toContain(`vars IVR_TOPIC=address-change IVR_NATIONAL_ID=${NID} IVR_NODE=order-number`);
    const varsLine = at(t, /^vars IVR_TOPIC=.*IVR_REQUEST_NUMBER=/);
    expect(t.log[varsLine]).toBe(
      `vars IVR_TOPIC=address-change IVR_NATIONAL_ID=${NID} IVR_ORDER_NUMBER=${ORDER} IVR_RULE=A1 IVR_OUTCOME=ticket-registered IVR_REQUEST_TYPE=ticket IVR_REQUEST_UNIT=sales-head-office IVR_REQUEST_NUMBER=R-000777`,
    );
    // the number as the caller writes it (no padding zeros), then the offer to hear it again, a wait, goodbye
    expect(t.log.slice(varsLine + 1)).toEqual([
      'play a1-ticket-registered request-registered request-number:R-000777 star-to-repeat',
      expect.stringMatching(/^vars (IVR_\w+=\S* )*IVR_NODE=hear-again$/),
      'play goodbye',
      'hangup completed',
    ]);
    expect(t.output).toEqual({ kind: 'hangup', reason: 'completed' });
  });

  test('* during the final announcement repeats it, and * in the window after it; other keys do not cut it short', async () => {
    const { fakeActors, traceCommands } = await import('./harness.ts');
    const tr = { log: [], prompts: [], items: [], nodes: [], vars: {}, stopped: 0, registered: [], lookups: [], decideInputs: [], questionInputs: [], customers: [], sms: [] } as unknown as Trace;
    const pad = keyed();
    const actor = traceCommands(createActor(createCallMachine().provide({ actors: fakeActors({}, tr, pad.keypad) }), { input: { callId: 'c', callerNumber: '09121234567' } }), tr, 2000);
    actor.start();
    for (const g of ['1', '3', '021']) {
      await vi.advanceTimersByTimeAsync(0);
      for (const d of g) pad.press(actor, d);
    }
    await vi.advanceTimersByTimeAsync(0);
    const announcement = 'play stores-sent-before count:3 stores-sent-after star-to-repeat';
    expect(tr.log.at(-1)).toBe(announcement);
    const stoppedBefore = tr.stopped;
    actor.send({ type: 'DTMF', digit: '5' });
    await vi.advanceTimersByTimeAsync(0);
    expect(tr.stopped).toBe(stoppedBefore);
    actor.send({ type: 'DTMF', digit: '*' });
    await vi.advanceTimersByTimeAsync(0);
    expect(tr.stopped).toBe(stoppedBefore + 1);
    expect(tr.log.slice(-2)).toEqual([announcement, announcement]);
    // the announcement ends: IVR_NODE hear-again, the call waits (repeatWindowMs, 4 s) for *
    await vi.advanceTimersByTimeAsync(2000);
    expect(tr.log.at(-1)).toMatch(/^vars (IVR_\w+=\S* )*IVR_NODE=hear-again$/);
    await vi.advanceTimersByTimeAsync(3000);
    expect(actor.getSnapshot().status).toBe('active');
    actor.send({ type: 'DTMF', digit: '*' });
    await vi.advanceTimersByTimeAsync(0);
    expect(tr.log.at(-1)).toBe(announcement);
    // nothing pressed this time: after the window, goodbye and the hang-up
    await vi.advanceTimersByTimeAsync(2000 + 3999);
    expect(tr.log.at(-1)).toMatch(/^vars (IVR_\w+=\S* )*IVR_NODE=hear-again$/);
    await vi.advanceTimersByTimeAsync(1);
    expect(tr.log.at(-1)).toBe('play goodbye');
    await vi.advanceTimersByTimeAsync(2000);
    expect(tr.log.at(-1)).toBe('hangup completed');
    expect(actor.getSnapshot().output).toEqual({ kind: 'hangup', reason: 'completed' });
  });

  test('decision with a transfer: announcement, transfer-to-agent, IVR_SKILL = decision.transfer', async () => {
    const t = await runCall({
      keys: `3 6 ${NID}# ${ORDER}#`,
      backends: { lookupOrder: found, decide: () => decision({ rule: 'A9', outcome: 'referred', request: { type: 'referral', unit: 'festival' }, transfer: 'festival' }) },
    });
    expect(t.log.slice(-5)).toEqual([
      `vars IVR_TOPIC=festival-card IVR_NATIONAL_ID=${NID} IVR_ORDER_NUMBER=${ORDER} IVR_RULE=A9 IVR_OUTCOME=referred IVR_REQUEST_TYPE=referral IVR_REQUEST_UNIT=festival IVR_REQUEST_NUMBER=R-000001 IVR_SKILL=festival`,
      'play a9-referred request-registered request-number:R-000001 star-to-repeat',
      expect.stringMatching(/^vars (IVR_\w+=\S* )*IVR_NODE=hear-again$/),
      'play transfer-to-agent',
      'transfer festival',
    ]);
  });

  test('register unavailable: nothing claimed, no decision text; the decision skill or the owner', async () => {
    for (const [transfer, skill] of [[null, 'follow-up'], ['finance', 'finance']] as const) {
      const t = await runCall({
        keys: `3 4 ${NID}# ${ORDER}#`,
        backends: {
          lookupOrder: found,
          decide: () => decision({ rule: 'A6', outcome: 'refund-registered', request: { type: 'refund-request', unit: 'follow-up' }, transfer }),
          register: () => ({ status: 'unavailable' }),
        },
      });
      expect(t.prompts).not.toContain('request-registered');
      expect(t.prompts).not.toContain('a6-refund-registered');
      expect(t.prompts.slice(-2)).toEqual(['system-unavailable', 'transfer-to-agent']);
      expect(t.vars.IVR_REQUEST_NUMBER).toBeUndefined();
      expect(t.vars.IVR_REQUEST_TYPE).toBeUndefined();
      expect(t.vars).toMatchObject({ IVR_RULE: 'A6', IVR_SKILL: skill, IVR_OUTCOME: 'registration-failed' });
      expect(t.output).toEqual({ kind: 'transfer', skill });
    }
  });

  test('decide failing (actor error) → system-unavailable, owner of the topic', async () => {
    const t = await runCall({ keys: `2 3 ${NID}# ${ORDER}#`, backends: { lookupOrder: found } });
    expect(t.output).toEqual({ kind: 'transfer', skill: 'sales-expert' });
    expect(t.prompts).toContain('system-unavailable');
  });

  test('a transfer that fails is tried once more to general; if that fails too the call ends transfer-failed', async () => {
    const d = { lookupOrder: found, decide: () => decision({ rule: 'A5', outcome: 'referred', transfer: 'after-sales-service' }) };
    const t1 = await runCall({ keys: `3 3 ${NID}# ${ORDER}#`, backends: { ...d, transferFails: ['after-sales-service'] } });
    expect(t1.log.slice(-3)).toEqual(['transfer after-sales-service', 'vars IVR_SKILL=general', 'transfer general']);
    expect(t1.output).toEqual({ kind: 'transfer', skill: 'general' });
    const t2 = await runCall({ keys: '0', backends: { transferFails: ['general'] } });
    expect(t2.output).toEqual({ kind: 'hangup', reason: 'transfer-failed' });
  });
});

describe('before purchase', () => {
  test('1 sale plans: information prompt, then sales', async () => {
    const t = await runCall({ keys: '1 1' });
    expect(t.prompts.slice(-2)).toEqual(['sale-plans-info', 'transfer-to-agent']);
    expect(t.vars).toMatchObject({ IVR_TOPIC: 'sale-plans', IVR_SKILL: 'sales' });
    expect(t.output).toEqual({ kind: 'transfer', skill: 'sales' });
  });

  test('2 product advice → product-advice', async () => {
    const t = await runCall({ keys: '1 2' });
    expect(t.output).toEqual({ kind: 'transfer', skill: 'product-advice' });
    expect(t.vars.IVR_TOPIC).toBe('product-advice');
  });

  test('1 sale plans: a key during the information goes on to sales at once', async () => {
    const { fakeActors, traceCommands } = await import('./harness.ts');
    const tr = { log: [], prompts: [], items: [], nodes: [], vars: {}, stopped: 0, registered: [], lookups: [], decideInputs: [], questionInputs: [], customers: [], sms: [] } as unknown as Trace;
    const actor = traceCommands(createActor(createCallMachine().provide({ actors: fakeActors({}, tr) }), { input: { callId: 'c', callerNumber: '09121234567' } }), tr, 2000);
    actor.start();
    for (const g of ['1', '1']) {
      await vi.advanceTimersByTimeAsync(0);
      actor.send({ type: 'DTMF', digit: g });
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(tr.log.at(-1)).toBe('play sale-plans-info');
    actor.send({ type: 'DTMF', digit: '5' });
    await vi.advanceTimersByTimeAsync(0);
    expect(tr.stopped).toBeGreaterThan(0);
    expect(tr.log.slice(-2)).toEqual(['vars IVR_TOPIC=sale-plans IVR_SKILL=sales', 'play transfer-to-agent']);
    await vi.advanceTimersByTimeAsync(2000);
    expect(actor.getSnapshot().output).toEqual({ kind: 'transfer', skill: 'sales' });
  });

  test('3 nearest stores, caller ID is a mobile: area code only, count read back, goodbye', async () => {
    const t = await runCall({ keys: '1 3 031', callerNumber: '+989121234567', backends: { sendStores: () => ({ status: 'sent', count: 4 }) } });
    expect(t.nodes).toEqual(['main-menu', 'menu-before', 'area-code', 'hear-again']);
    expect(t.sms).toEqual([{ areaCode: '031', mobile: '09121234567', callId: 'call-1' }]);
    expect(t.log.slice(-5)).toEqual([
      'vars IVR_TOPIC=nearest-stores IVR_OUTCOME=sms-sent IVR_REQUEST_TYPE=sms IVR_REQUEST_UNIT=sms',
      'play stores-sent-before count:4 stores-sent-after star-to-repeat',
      expect.stringMatching(/^vars (IVR_\w+=\S* )*IVR_NODE=hear-again$/),
      'play goodbye',
      'hangup completed',
    ]);
  });

  test('3 nearest stores, landline caller: the mobile is keyed and confirmed', async () => {
    const t = await runCall({ keys: '1 3 021 09351112233 1', callerNumber: '02188776655' });
    expect(t.nodes).toEqual(['main-menu', 'menu-before', 'area-code', 'mobile', 'confirm-mobile', 'hear-again']);
    expect(t.sms[0]?.mobile).toBe('09351112233');
    expect(t.output).toEqual({ kind: 'hangup', reason: 'completed' });
  });

  test('3 nearest stores: no store / SMS unavailable → told so, then sales', async () => {
    const none = await runCall({ keys: '1 3 021', callerNumber: '09121234567', backends: { sendStores: () => ({ status: 'no-stores' }) } });
    expect(none.prompts.slice(-2)).toEqual(['stores-none', 'transfer-to-agent']);
    expect(none.output).toEqual({ kind: 'transfer', skill: 'sales' });
    const down = await runCall({ keys: '1 3 021', callerNumber: '09121234567', backends: { sendStores: () => ({ status: 'unavailable' }) } });
    expect(down.prompts.slice(-2)).toEqual(['system-unavailable', 'transfer-to-agent']);
    expect(down.output).toEqual({ kind: 'transfer', skill: 'sales' });
  });

  test('3 nearest stores: the gateway refuses the SMS → told it could not be sent (never "sent"), IVR_OUTCOME=sms-rejected, then sales', async () => {
    const t = await runCall({ keys: '1 3 021', callerNumber: '09121234567', backends: { sendStores: () => ({ status: 'rejected' }) } });
    expect(t.prompts.slice(-2)).toEqual(['stores-sms-failed', 'transfer-to-agent']);
    expect(t.prompts).not.toContain('stores-sent-after');
    expect(t.vars).toMatchObject({ IVR_TOPIC: 'nearest-stores', IVR_OUTCOME: 'sms-rejected', IVR_SKILL: 'sales' });
    expect(t.vars.IVR_REQUEST_TYPE).toBeUndefined();
    expect(t.output).toEqual({ kind: 'transfer', skill: 'sales' });
  });

  test('4 registration: national ID read back and confirmed, registered / already registered / unavailable', async () => {
    const ok = await runCall({ keys: `1 4 ${NID} 1`, callerNumber: '09121234567' });
    expect(ok.nodes).toEqual(['main-menu', 'menu-before', 'national-id', 'confirm-national-id']);
    expect(ok.customers).toEqual([{ nationalId: NID, mobile: '09121234567' }]);
    expect(ok.prompts.slice(-2)).toEqual(['customer-registered', 'goodbye']);
    expect(ok.vars).toMatchObject({ IVR_TOPIC: 'customer-registration', IVR_OUTCOME: 'registered', IVR_NATIONAL_ID: NID });
    const again = await runCall({ keys: `1 4 ${NID} 1`, backends: { registerCustomer: () => ({ status: 'already-registered' }) } });
    expect(again.customers).toEqual([{ nationalId: NID }]); // a landline is not sent as mobile
    expect(again.prompts.slice(-2)).toEqual(['customer-already-registered', 'goodbye']);
    const down = await runCall({ keys: `1 4 ${NID} 1`, backends: { registerCustomer: () => ({ status: 'unavailable' }) } });
    expect(down.output).toEqual({ kind: 'transfer', skill: 'sales' });
    expect(down.vars.IVR_OUTCOME).toBeUndefined();
  });
});
