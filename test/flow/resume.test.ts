/**
 * A call adopted by a restarted service resumes from what its channel carries: never the welcome
 * again once it was heard, never a finished call replayed from the start, nothing keyed lost.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultFlowConfig } from '../../src/flow/config.ts';
import { decodeIvrState, encodeIvrState, resumePlan, resumeVarsOf, stateVariables } from '../../src/flow/resume.ts';
import { runCall } from './harness.ts';

const cfg = defaultFlowConfig();
const NID = '0499370899';
const ORDER = '1403001234';

describe('resumePlan', () => {
  it.each([
    [{}, { kind: 'welcome' }],
    [{ node: 'main-menu' }, { kind: 'menu', menu: 'main-menu' }],
    [{ node: 'menu-after' }, { kind: 'menu', menu: 'menu-after' }],
    // a node that is no menu (a digit entry) without a topic: the main menu, not the welcome
    [{ node: 'area-code' }, { kind: 'menu', menu: 'main-menu' }],
    // a topic was chosen: its owning skill gets what was collected (refund → follow-up)
    [{ node: 'order-number', topic: 'refund', nationalId: NID }, { kind: 'handoff', skill: cfg.owningSkills.refund }],
    [{ node: 'national-id', topic: 'address-change' }, { kind: 'handoff', skill: cfg.owningSkills['address-change'] }],
    // a registered request: its announcement again, then goodbye
    [{ node: 'question-refund-wallet', topic: 'refund', requestType: 'refund-request', requestUnit: 'follow-up', requestNumber: 'R-000012' }, { kind: 'finish' }],
    // a hand-off under way goes on to the same skill
    [{ topic: 'refund', skill: 'finance', requestNumber: 'R-000013' }, { kind: 'handoff', skill: 'finance' }],
    // garbage on the channel is not trusted
    [{ node: 'no-such-node', topic: 'no-such-topic', skill: 'nobody' }, { kind: 'menu', menu: 'main-menu' }],
  ])('%j → %j', (vars, plan) => {
    expect(resumePlan(vars, cfg)).toEqual(plan);
  });
});

describe('IVR_STATE: every value of a call in one channel variable', () => {
  it('round-trips the values and the listen flag; empty fields stay absent', () => {
    const v = { node: 'question-refund-wallet', topic: 'refund', nationalId: NID, orderNumber: ORDER, rule: 'refund.wallet', outcome: 'register', requestType: 'refund-request', requestUnit: 'follow-up', requestNumber: 'R-000012' };
    const s = encodeIvrState(v, true);
    expect(s).toBe(`L|question-refund-wallet|refund|${NID}|${ORDER}|refund.wallet|register|refund-request|follow-up|R-000012|`);
    expect(decodeIvrState(s)).toEqual({ vars: v, listening: true });
    expect(decodeIvrState(encodeIvrState({ node: 'main-menu' }, false))).toEqual({ vars: { node: 'main-menu' }, listening: false });
    // the dialplan's CUT(IVR_STATE,|,3) is the topic: fields counted from 1, the flag first
    expect(s.split('|')[2]).toBe('refund');
  });

  it('escapes | and % inside a value; refuses what is not an IVR_STATE', () => {
    const s = encodeIvrState({ node: 'a|b', rule: '100%' }, false);
    expect(s.split('|')).toHaveLength(11);
    expect(decodeIvrState(s)?.vars).toEqual({ node: 'a|b', rule: '100%' });
    for (const bad of ['', 'main-menu', 'X|a|b|c|d|e|f|g|h|i|j', 'L|a|b']) expect(decodeIvrState(bad), bad).toBeNull();
  });

  it('maps to and from the individual IVR_* variables the dialplan reads', () => {
    expect(stateVariables({ node: 'hear-again', topic: 'refund', skill: 'finance' })).toEqual({ IVR_NODE: 'hear-again', IVR_TOPIC: 'refund', IVR_SKILL: 'finance' });
    expect(resumeVarsOf({ IVR_NODE: 'main-menu', IVR_TOPIC: 'refund', OTHER: 'x' })).toEqual({ node: 'main-menu', topic: 'refund' });
  });
});

describe('the call machine resumes an adopted call', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('at its menu: no second welcome, the menu goes on', async () => {
    const t = await runCall({ keys: '0', resume: { node: 'menu-after' } });
    expect(t.prompts[0]).toBe('menu-after');
    expect(t.prompts).not.toContain('welcome');
    expect(t.output).toEqual({ kind: 'transfer', skill: 'general' });
  });

  it('with a registered request: hears its number again and goodbye, nothing registered twice', async () => {
    const t = await runCall({
      keys: '',
      resume: { node: 'question-refund-wallet', topic: 'refund', nationalId: NID, orderNumber: ORDER, rule: 'A6', outcome: 'refund-registered', requestType: 'refund-request', requestUnit: 'follow-up', requestNumber: 'R-000012' },
    });
    expect(t.log.filter((l) => l.startsWith('play'))).toEqual(['play request-registered request-number:R-000012 star-to-repeat', 'play goodbye']);
    expect(t.registered).toEqual([]);
    expect(t.vars).toMatchObject({ IVR_TOPIC: 'refund', IVR_NATIONAL_ID: NID, IVR_REQUEST_NUMBER: 'R-000012', IVR_OUTCOME: 'refund-registered' });
    expect(t.output).toEqual({ kind: 'hangup', reason: 'completed' });
  });

  it('in the middle of identification: to the topic’s skill with what was keyed', async () => {
    const t = await runCall({ keys: '', resume: { node: 'order-number', topic: 'refund', nationalId: NID } });
    expect(t.prompts).toEqual(['transfer-to-agent']);
    expect(t.vars).toMatchObject({ IVR_TOPIC: 'refund', IVR_NATIONAL_ID: NID, IVR_SKILL: cfg.owningSkills.refund });
    expect(t.output).toEqual({ kind: 'transfer', skill: cfg.owningSkills.refund });
  });

  it('that had heard nothing: the welcome, as a new call', async () => {
    const t = await runCall({ keys: '0', resume: {} });
    expect(t.prompts.slice(0, 2)).toEqual(['welcome', 'main-menu']);
  });
});
