/**
 * What the flow's variables cost on the channel: one IVR_STATE per listen (re-sent even when
 * unchanged: the listen signal), one more only when values change before an announcement, and
 * the individual __IVR_* variables the dialplan and the agents' screens read only at a hand-off.
 */
import { describe, expect, it } from 'vitest';
import { channelVars } from '../../src/app/actors.ts';
import { decodeIvrState, type ResumeVars } from '../../src/flow/resume.ts';

describe('channelVars', () => {
  it('a listen: IVR_STATE alone, with the listen flag, always sent', () => {
    const state: ResumeVars = {};
    const out = channelVars(state, { IVR_TOPIC: 'refund', IVR_NODE: 'national-id' });
    expect(Object.keys(out.vars)).toEqual(['IVR_STATE']);
    expect(decodeIvrState(out.vars.IVR_STATE!)).toEqual({ vars: { node: 'national-id', topic: 'refund' }, listening: true });
    expect(out.always.has('IVR_STATE')).toBe(true);
  });

  it('values before an announcement: IVR_STATE without the listen flag, sent only when changed; the node kept', () => {
    const state: ResumeVars = { node: 'question-refund-wallet', topic: 'refund' };
    const out = channelVars(state, { IVR_TOPIC: 'refund', IVR_RULE: 'r', IVR_OUTCOME: 'o', IVR_REQUEST_NUMBER: 'R-000001' });
    expect(Object.keys(out.vars)).toEqual(['IVR_STATE']);
    expect(decodeIvrState(out.vars.IVR_STATE!)).toEqual({ vars: { node: 'question-refund-wallet', topic: 'refund', rule: 'r', outcome: 'o', requestNumber: 'R-000001' }, listening: false });
    expect(out.always.size).toBe(0);
  });

  it('a hand-off: IVR_STATE first, then every value as an inherited __IVR_* variable for the dialplan', () => {
    const state: ResumeVars = { node: 'order-number', topic: 'refund', nationalId: '0499370899' };
    const out = channelVars(state, { IVR_TOPIC: 'refund', IVR_NATIONAL_ID: '0499370899', IVR_ORDER_NUMBER: '1403001234', IVR_SKILL: 'follow-up' });
    expect(Object.keys(out.vars)).toEqual(['IVR_STATE', '__IVR_TOPIC', '__IVR_NATIONAL_ID', '__IVR_ORDER_NUMBER', '__IVR_SKILL']);
    expect(out.vars).toMatchObject({ __IVR_TOPIC: 'refund', __IVR_NATIONAL_ID: '0499370899', __IVR_ORDER_NUMBER: '1403001234', __IVR_SKILL: 'follow-up' });
    expect(decodeIvrState(out.vars.IVR_STATE!)?.vars.skill).toBe('follow-up');
  });
});
