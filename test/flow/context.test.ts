/**
 * The call's context stays small at the top level: xstate copies it with Object.assign({}, …) at
 * each assign, and V8 makes such a copy with 20 or more properties a slow dictionary-mode object
 * (src/flow/setup.ts FlowContext).
 */
import { describe, expect, test } from 'vitest';
import { createActor } from 'xstate';
import { initialContext, MAX_CONTEXT_FIELDS } from '../../src/flow/setup.ts';
import { defaultFlowConfig } from '../../src/flow/config.ts';
import { createDigitEntryMachine } from '../../src/flow/digit-entry.ts';
import { fakeActors, keyed, traceCommands, type Trace } from './harness.ts';

describe('FlowContext', () => {
  test(`a new call's and an adopted call's context have at most ${MAX_CONTEXT_FIELDS} top-level fields`, () => {
    const fresh = initialContext({ callId: 'c', callerNumber: '09121234567' });
    const adopted = initialContext({ callId: 'c', callerNumber: '', resume: { node: 'order-number', topic: 'refund', nationalId: '0499370899' } }, defaultFlowConfig());
    expect(Object.keys(fresh).length).toBeLessThanOrEqual(MAX_CONTEXT_FIELDS);
    expect(Object.keys(adopted).sort()).toEqual(Object.keys(fresh).sort());
    expect(adopted.entered.nationalId).toBe('0499370899');
  });

  test('assigns keep the same fields (no field added at run time)', async () => {
    const t = { log: [], prompts: [], items: [], nodes: [], vars: {}, stopped: 0 } as unknown as Trace;
    const pad = keyed();
    const actor = traceCommands(createActor(createDigitEntryMachine('national-id').provide({ actors: fakeActors({}, t, pad.keypad) }), { input: { callId: 'c', callerNumber: '' } }), t, 1);
    actor.start();
    const fields = Object.keys(actor.getSnapshot().context).sort();
    for (const digit of '0499370899') pad.press(actor, digit);
    await new Promise((r) => setTimeout(r, 50));
    expect(actor.getSnapshot().status).toBe('done');
    expect(actor.getSnapshot().context.entered.nationalId).toBe('0499370899');
    expect(Object.keys(actor.getSnapshot().context).sort()).toEqual(fields);
    actor.stop();
  });
});
