/**
 * The digit-entry machine on its own (the same states the call machine embeds for national ID,
 * order number, area code and mobile), with fake play actors, the setVars commands traced and vitest fake timers.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createActor } from 'xstate';
import { createDigitEntryMachine, digitEntryResult } from '../../src/flow/digit-entry.ts';
import type { ReadBack } from '../../src/flow/config.ts';
import type { EntryKind } from '../../src/flow/validate.ts';
import { fakeActors, keyed, traceCommands, type Trace } from './harness.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const PROMPT_MS = 4000;

function start(kind: EntryKind, opts: { readBack?: ReadBack; config?: unknown } = {}) {
  const t = { log: [], prompts: [], items: [], nodes: [], vars: {}, stopped: 0 } as unknown as Trace;
  const pad = keyed();
  const m = createDigitEntryMachine(kind, opts.config ?? {}, opts.readBack).provide({ actors: fakeActors({}, t, pad.keypad) });
  const actor = traceCommands(createActor(m, { input: { callId: 'c', callerNumber: '' } }), t, PROMPT_MS);
  actor.start();
  const keys = (s: string) => {
    for (const digit of s) pad.press(actor, digit);
  };
  const result = () => digitEntryResult(actor.getSnapshot(), kind);
  return { t, actor, keys, result };
}

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

describe('digit entry', () => {
  test('sets IVR_NODE, plays the prompt, collects to max length (no # needed), reads back', async () => {
    const { t, keys, result } = start('national-id');
    await tick();
    expect(t.nodes).toEqual(['national-id']);
    expect(t.prompts).toEqual(['enter-national-id']);
    keys('0499370899');
    await tick();
    // read-back (announce mode is the national-ID default), then valid
    expect(t.log.at(-1)).toBe('play you-entered national-id:0499370899');
    await tick(PROMPT_MS);
    expect(result()).toEqual({ status: 'valid', value: '0499370899' });
  });

  test('barge-in: the first key stops the prompt (the play actor is stopped, its signal aborted)', async () => {
    const { t, keys, result } = start('order-number');
    await tick(100);
    expect(t.stopped).toBe(0);
    keys('1');
    await tick();
    expect(t.stopped).toBe(1);
    keys('403001234');
    await tick();
    expect(result()).toEqual({ status: 'valid', value: '1403001234' });
  });

  // type-ahead into an entry (keys pressed while nothing listens) is a call's: test/flow/call-machine.test.ts

  test('# ends early; the explanation of what was wrong precedes the prompt; the node is set again', async () => {
    const { t, keys, result } = start('national-id');
    await tick();
    keys('04993#');
    await tick();
    expect(t.log.at(-1)).toBe('play entry-nid-wrong-length enter-national-id');
    expect(t.nodes).toEqual(['national-id', 'national-id']);
    keys('0499370898'); // checksum wrong
    await tick();
    expect(t.log.at(-1)).toBe('play entry-nid-checksum enter-national-id');
    keys('1111111111'); // all the same digit
    await tick();
    expect(result()).toEqual({ status: 'max-tries' });
    expect(t.nodes).toHaveLength(3);
  });

  test('a # right after an entry that ended at its maximum length is dropped', async () => {
    const { t, keys, result } = start('order-number');
    await tick();
    keys('1403001234#');
    await tick();
    expect(result()).toEqual({ status: 'valid', value: '1403001234' });
    expect(t.nodes).toHaveLength(1);
  });

  test('* clears what was keyed and plays the prompt again, without using a try', async () => {
    const { t, keys, result } = start('order-number', { config: { tries: { entry: 1 } } });
    await tick();
    keys('1403*');
    await tick();
    expect(t.prompts).toEqual(['enter-order-number', 'enter-order-number']);
    keys('1404001234');
    await tick();
    expect(result()).toEqual({ status: 'valid', value: '1404001234' });
  });

  test('first-digit timeout: no-input explained, after the last try → max-tries', async () => {
    const { t, result } = start('area-code');
    await tick(PROMPT_MS); // prompt ends
    await tick(4999);
    expect(t.prompts).toEqual(['enter-area-code']);
    await tick(1);
    expect(t.prompts).toEqual(['enter-area-code', 'no-input', 'enter-area-code']);
    await tick(2 * (PROMPT_MS + 5000));
    expect(result()).toEqual({ status: 'max-tries' });
    expect(t.nodes).toEqual(['area-code', 'area-code', 'area-code']);
  });

  test('inter-digit timeout ends the entry as if # was pressed', async () => {
    const { keys, result, t } = start('area-code', { config: { entries: { 'area-code': { maxLength: 4 } } } });
    await tick();
    keys('031');
    await tick(2999);
    expect(result()).toEqual({ status: 'running' });
    await tick(1);
    expect(result()).toEqual({ status: 'valid', value: '031' });
    expect(t.prompts).toEqual(['enter-area-code']);
  });

  test('each digit restarts the inter-digit timeout; the entry ends interDigitMs after the last digit', async () => {
    const { keys, result } = start('order-number', { config: { tries: { entry: 1 } } });
    await tick();
    for (const digit of '1403001234'.slice(0, 9)) {
      keys(digit);
      await tick(2900); // each gap under the 3 s timeout: still collecting
      expect(result()).toEqual({ status: 'running' });
    }
    keys('4'); // the tenth digit fills the entry
    await tick();
    expect(result()).toEqual({ status: 'valid', value: '1403001234' });
  });

  test('inter-digit timeout after a split entry: the digits before and after a pause are one entry', async () => {
    const { keys, result, t } = start('order-number', { config: { tries: { entry: 1 } } });
    await tick();
    keys('14030');
    await tick(2500);
    keys('0123');
    await tick(2999);
    expect(result()).toEqual({ status: 'running' });
    await tick(1);
    // nine digits: too short, the entry's only try is used
    expect(result()).toEqual({ status: 'max-tries' });
    expect(t.prompts).toEqual(['enter-order-number']);
  });

  test('keys A–D while collecting do not restart the inter-digit timeout', async () => {
    const { keys, result } = start('area-code', { config: { entries: { 'area-code': { maxLength: 4 } } } });
    await tick();
    keys('021');
    await tick(2000);
    keys('A');
    await tick(1000);
    expect(result()).toEqual({ status: 'valid', value: '021' });
  });

  test('* while collecting: the inter-digit timer is gone, the first-digit timeout applies again', async () => {
    const { keys, result, t } = start('area-code');
    await tick();
    keys('02*');
    await tick(PROMPT_MS); // the prompt again, then waiting for a first digit
    await tick(3500); // past an inter-digit timeout left behind: nothing happens
    expect(t.prompts).toEqual(['enter-area-code', 'enter-area-code']);
    expect(result()).toEqual({ status: 'running' });
    await tick(1500); // the first-digit timeout (5 s)
    expect(t.prompts).toEqual(['enter-area-code', 'enter-area-code', 'no-input', 'enter-area-code']);
  });

  test('type-ahead handed to the entry then more digits: one entry, timed from the last digit', async () => {
    const { keys, result } = start('area-code', { config: { entries: { 'area-code': { maxLength: 4 } } } });
    keys('02'); // while IVR_NODE is being set
    await tick(2000);
    keys('1');
    await tick(2999);
    expect(result()).toEqual({ status: 'running' });
    await tick(1);
    expect(result()).toEqual({ status: 'valid', value: '021' });
  });

  test('hang-up mid-entry: no timer left behind', async () => {
    const { actor, keys, result } = start('order-number');
    await tick();
    keys('1403');
    actor.send({ type: 'HANGUP' });
    expect(result()).toEqual({ status: 'caller-hangup' });
    expect(vi.getTimerCount()).toBe(0);
  });

  test('timeouts come from the configuration', async () => {
    const { result, t } = start('mobile', { config: { timeouts: { firstDigitMs: 1000 } } });
    await tick(PROMPT_MS + 1000);
    expect(t.prompts).toContain('no-input');
    expect(result().status).toBe('running');
  });

  test('read-back with confirm: 1 accepts, 2 re-enters (one try used)', async () => {
    const { t, keys, result } = start('mobile', { config: { tries: { entry: 2 } } });
    await tick();
    keys('09121234567');
    await tick();
    expect(t.nodes).toEqual(['mobile', 'confirm-mobile']);
    expect(t.log.at(-1)).toBe('play you-entered mobile:09121234567 confirm-entry');
    keys('2');
    await tick();
    expect(t.nodes.at(-1)).toBe('mobile');
    keys('09127654321');
    await tick();
    keys('1');
    await tick();
    expect(result()).toEqual({ status: 'valid', value: '09127654321' });
  });

  test('confirm: a wrong key is explained and asked again; no key times out like a menu', async () => {
    const { t, keys, result } = start('national-id', { readBack: 'confirm' });
    await tick();
    keys('0499370899');
    await tick();
    keys('7');
    await tick();
    expect(t.log.at(-1)).toBe('play invalid-key you-entered national-id:0499370899 confirm-entry');
    await tick(PROMPT_MS + 5000);
    expect(t.log.at(-1)).toBe('play no-input you-entered national-id:0499370899 confirm-entry');
    keys('1');
    await tick();
    expect(result()).toEqual({ status: 'valid', value: '0499370899' });
  });

  test('confirm: its wrong/no-key count starts afresh after a re-entry', async () => {
    const { keys, result } = start('national-id', { readBack: 'confirm', config: { tries: { menu: 2 } } });
    await tick();
    keys('0499370899');
    await tick();
    keys('9'); // one wrong key in the confirmation
    await tick();
    keys('2'); // re-enter
    await tick();
    keys('0499370899');
    await tick();
    keys('9'); // would be the second wrong key without the reset
    await tick();
    expect(result()).toEqual({ status: 'running' });
    keys('1');
    await tick();
    expect(result()).toEqual({ status: 'valid', value: '0499370899' });
  });

  test('confirm: re-entering every time ends in max-tries', async () => {
    const { keys, result } = start('national-id', { readBack: 'confirm' });
    for (let i = 0; i < 3; i++) {
      await tick();
      keys('0499370899');
      await tick();
      keys('2');
    }
    await tick();
    expect(result()).toEqual({ status: 'max-tries' });
  });

  test('announce read-back: * during it re-enters; another key ends it and is kept', async () => {
    const { t, keys, result, actor } = start('national-id');
    await tick();
    keys('0499370899');
    await tick();
    keys('*');
    await tick();
    expect(t.nodes).toEqual(['national-id', 'national-id']);
    keys('0499370899');
    await tick();
    keys('5');
    await tick();
    expect(result()).toEqual({ status: 'valid', value: '0499370899' });
    expect(actor.getSnapshot().context.pending).toBe('5');
  });

  test('read-back off: valid at once', async () => {
    const { t, keys, result } = start('national-id', { readBack: 'off' });
    await tick();
    keys('0010350829');
    await tick();
    expect(result()).toEqual({ status: 'valid', value: '0010350829' });
    expect(t.prompts).toEqual(['enter-national-id']);
  });

  test('keys A–D are ignored', async () => {
    const { keys, result } = start('order-number');
    await tick();
    keys('14A0300B1234');
    await tick();
    expect(result()).toEqual({ status: 'valid', value: '1403001234' });
  });

  test('hang-up ends the entry', async () => {
    const { actor, result } = start('order-number');
    await tick();
    actor.send({ type: 'HANGUP' });
    expect(result()).toEqual({ status: 'caller-hangup' });
  });
});
