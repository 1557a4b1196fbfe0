/**
 * The two ways a call ends in the flow: a hand-off to a skill group (`#handoff`) or a completed
 * announcement and hang-up (`#finish`). Both first set every IVR_* variable known so far (the
 * agents' screen-pop, set before the announcement and before the transfer), then play
 * `context.say` followed by `transfer-to-agent` or `goodbye`: a caller never leaves in silence.
 *
 * A HANGUP while the transfer or the hang-up is under way is their own effect (the channel leaves
 * the app; ARI may report it before answering the request): the output stays transfer / completed.
 *
 * `*` during the announcement plays it again; other keys are ignored there. An announcement that
 * says a value (a request number, an amount, a date, a count) ends with "to hear it again, press
 * star" instead of goodbye / transfer-to-agent; after it IVR_NODE is set to `hear-again` and the
 * caller has `timeouts.repeatWindowMs` to press `*`; only then come goodbye and the hang-up (or
 * transfer-to-agent and the transfer): the call never ends before the caller could note the number.
 *
 * Whoever sends the caller here sets `context.skill` and `context.say` (action `toAgent`).
 * A transfer that fails is tried once more to `general`; if that fails too the call ends with
 * output { kind: 'hangup', reason: 'transfer-failed' }.
 */
import { HEAR_AGAIN_NODE, type PromptsSpec } from './config.ts';
import { setNodeState } from './listen.ts';
import { playingState } from './playing.ts';
import { collectedVars, flowSetup, prompt, sayHasValue, type FlowContext } from './setup.ts';

const repeatKey = { guard: { type: 'isKey' as const, params: { key: '*' } }, target: 'announce', reenter: true };

/** IVR_* variables before the last announcement */
const endVars = (c: FlowContext, extra: Record<string, string> = {}) => ({ vars: { ...collectedVars(c), ...extra } });

/**
 * announce → [offer → closing] → `next`: context.say with `closing` in the same playback, or, when
 * it says a value, with the hear-again hint, then IVR_NODE = hear-again and a wait for `*`, and
 * `closing` played on its own.
 */
function announceStates(id: string, p: PromptsSpec, closing: string, next: string) {
  const after = [{ guard: 'sayHasValue' as const, target: 'offer' }, { target: next }];
  return {
    announce: playingState({
      items: (context) => [...context.say, prompt(sayHasValue(context.say) ? p.hearAgain : closing)],
      done: after,
      // * repeats the announcement (e.g. to note the request number); other keys do not cut it short
      on: { DTMF: repeatKey },
    }),
    offer: flowSetup.createStateConfig({
      initial: 'setNode',
      states: {
        setNode: setNodeState(() => HEAR_AGAIN_NODE, 'wait'),
        wait: { after: { repeatWindow: `#${id}.closing` } },
      },
      on: { DTMF: { ...repeatKey, target: `#${id}.announce` } },
    }),
    closing: playingState({ items: [prompt(closing)], done: next, on: { DTMF: repeatKey } }),
  };
}

export function handoffState(p: PromptsSpec) {
  return flowSetup.createStateConfig({
    id: 'handoff',
    initial: 'vars',
    states: {
      vars: {
        entry: { type: 'setVars', params: ({ context }) => endVars(context, { IVR_SKILL: context.skill }) },
        always: 'announce',
      },
      ...announceStates('handoff', p, p.transferToAgent, 'transfer'),
      transfer: {
        invoke: {
          src: 'transfer',
          input: ({ context }) => ({ skill: context.skill }),
          onDone: '#call.transferred',
          onError: [
            { guard: ({ context }) => context.skill !== 'general', target: 'fallbackVars', actions: 'fallbackToGeneral' },
            { target: '#call.transfer-failed' },
          ],
        },
        // the channel leaving the app now is the transfer's own effect (StasisEnd may come first)
        on: { HANGUP: '#call.transferred' },
      },
      fallbackVars: {
        entry: { type: 'setVars', params: ({ context }) => ({ vars: { IVR_SKILL: context.skill } }) },
        always: 'fallback',
      },
      fallback: {
        invoke: {
          src: 'transfer',
          input: ({ context }) => ({ skill: context.skill }),
          onDone: '#call.transferred',
          onError: '#call.transfer-failed',
        },
        on: { HANGUP: '#call.transferred' },
      },
    },
  });
}

export function finishState(p: PromptsSpec) {
  return flowSetup.createStateConfig({
    id: 'finish',
    initial: 'vars',
    states: {
      vars: {
        entry: { type: 'setVars', params: ({ context }) => endVars(context) },
        always: 'announce',
      },
      ...announceStates('finish', p, p.goodbye, 'hangup'),
      hangup: {
        invoke: {
          src: 'hangup',
          input: { reason: 'completed' },
          onDone: '#call.completed',
          onError: '#call.completed',
        },
        // the hang-up event caused by our own hang-up (it may come before the request's answer)
        on: { HANGUP: '#call.completed' },
      },
    },
  });
}
