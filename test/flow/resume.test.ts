/**
 * A call adopted by a restarted service resumes from what its channel carries: never the welcome
 * again once it was heard, never a finished call replayed from the start, nothing keyed lost.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultFlowConfig } from '../../src/flow/config.ts';
import { resumePlan } from '../../src/flow/resume.ts';
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
