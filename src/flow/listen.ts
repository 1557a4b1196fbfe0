/**
 * Listening: the one-key menu (also used for the policy's questions and for read-back
 * confirmations). Every listen starts by setting IVR_NODE (even when unchanged), then plays its
 * prompt with barge-in: a key stops the prompt (the `play` actor is stopped and its signal aborted).
 * Keys pressed before the listen started (type-ahead, kept in `pending`) are handled first, in
 * order, and the prompt is then skipped.
 *
 * Menu keys: an item's key goes to the item; `*` repeats the prompt (not a try); a key with no item
 * is explained (`invalid-key`) and the menu asked again; no key within the menu timeout is explained
 * (`no-input`) and asked again; after `maxTries` failed tries the caller goes to `onExhausted`.
 * Keys A–D are ignored.
 */
import type { SayItem } from '../domain/say.ts';
import { playingState } from './playing.ts';
import { collectedVars, flowSetup, prompt, type FlowContext } from './setup.ts';

export type StateConfig = Parameters<typeof flowSetup.createStateConfig>[0];
type OnConfig = NonNullable<StateConfig['on']>;
export type DtmfTransitions = NonNullable<OnConfig['DTMF']>;
export type DtmfTransition = Extract<DtmfTransitions, readonly unknown[]>[number];
/** actions of a transition that any event may take (entry actions have that type) */
export type Actions = StateConfig['entry'];

export interface MenuOptions {
  /** IVR_NODE value */
  node: (c: FlowContext) => string;
  /** what the prompt says (the failure explanation, if any, is put in front) */
  items: (c: FlowContext) => SayItem[];
  /** transitions for the valid keys (targets by #id), tried in order before the invalid-key fallback */
  keys: DtmfTransition[];
  maxTries: number;
  /** where to go when the tries are used up (targets by #id) */
  onExhausted: { target: string; actions?: Actions };
  /** count failures in listen.confirmTries instead of listen.tries (read-back confirmations) */
  confirm?: boolean;
  invalidKeyPrompt: string;
  noInputPrompt: string;
  /** reset the listen state on entry (false inside a digit entry's confirmation: only its own count is reset) */
  reset?: boolean;
}

/** Items of a (re-)prompt: the explanation of the last failure first. */
export const withReason = (c: FlowContext, items: SayItem[]): SayItem[] =>
  c.listen.reason ? [prompt(c.listen.reason), ...items] : items;

export function setNodeState(node: (c: FlowContext) => string, next: string) {
  return flowSetup.createStateConfig({
    // what the call has collected goes on the channel as soon as it is known (the adapter sends
    // only what changed): a service restarted mid-call resumes from it (./resume.ts). A command,
    // not a step: the flow goes on at once; the adapter keeps it ahead of the next prompt
    entry: { type: 'setVars', params: ({ context }) => ({ vars: { ...collectedVars(context), IVR_NODE: node(context) } }) },
    always: next,
  });
}

export function menuState(o: MenuOptions) {
  const countAction = o.confirm ? 'countConfirmTry' : 'countTry';
  const exhausted = o.confirm ? 'confirmTriesExhausted' : 'triesExhausted';
  const handlers: DtmfTransition[] = [
    { guard: 'isSwallowedHash', actions: 'clearSwallow' },
    ...o.keys,
    { guard: { type: 'isKey', params: { key: '*' } }, target: 'setNode', actions: 'clearReason' },
    { guard: 'isDigitOrHash', target: 'failed', actions: { type: countAction, params: { reason: o.invalidKeyPrompt } } },
    // A–D: ignored, and not passed on to the type-ahead queue
    {},
  ];
  return flowSetup.createStateConfig({
    initial: 'setNode',
    // a confirmation keeps the entry's tries and counts its own failures afresh each time
    entry: o.reset === false ? 'resetConfirmTries' : 'resetListen',
    states: {
      setNode: setNodeState(o.node, 'ready'),
      ready: {
        always: [{ guard: 'hasPending', target: 'wait', actions: 'drainPending' }, { target: 'prompt' }],
      },
      prompt: playingState({ items: (context) => withReason(context, o.items(context)), done: 'wait', on: { DTMF: handlers } }),
      wait: {
        after: { menuTimeout: { target: 'failed', actions: { type: countAction, params: { reason: o.noInputPrompt } } } },
        on: { DTMF: handlers },
      },
      failed: {
        always: [
          { guard: { type: exhausted, params: { max: o.maxTries } }, target: o.onExhausted.target, actions: o.onExhausted.actions },
          { target: 'setNode' },
        ],
      },
    },
  });
}
