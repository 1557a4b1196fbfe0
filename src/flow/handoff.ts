/**
 * The two ways a call ends in the flow: a hand-off to a skill group (`#handoff`) or a completed
 * announcement and hang-up (`#finish`). Both first set every IVR_* variable known so far (the
 * agents' screen-pop, set before the announcement and before the transfer), then play
 * `context.say` followed by `transfer-to-agent` or `goodbye`: a caller never leaves in silence.
 *
 * A HANGUP while the transfer or the hang-up is under way is their own effect (the channel leaves
 * the app; ARI may report it before answering the request): the output stays transfer / completed.
 *
 * `*` during the announcement plays it again; other keys are ignored there.
 *
 * Whoever sends the caller here sets `context.skill` and `context.say` (action `toAgent`).
 * A transfer that fails is tried once more to `general`; if that fails too the call ends with
 * output { kind: 'hangup', reason: 'transfer-failed' }.
 */
import type { PromptsSpec } from './config.ts';
import { collectedVars, flowSetup, prompt } from './setup.ts';

export function handoffState(p: PromptsSpec) {
  return flowSetup.createStateConfig({
    id: 'handoff',
    initial: 'vars',
    states: {
      vars: {
        invoke: {
          src: 'setVars',
          input: ({ context }) => ({ vars: { ...collectedVars(context), IVR_SKILL: context.skill } }),
          onDone: 'announce',
          onError: 'announce',
        },
      },
      announce: {
        invoke: {
          src: 'play',
          input: ({ context }) => ({ items: [...context.say, prompt(p.transferToAgent)] }),
          onDone: 'transfer',
          onError: 'transfer',
        },
        // * repeats the announcement; other keys do not cut it short
        on: { DTMF: { guard: { type: 'isKey', params: { key: '*' } }, target: 'announce', reenter: true } },
      },
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
        invoke: {
          src: 'setVars',
          input: ({ context }) => ({ vars: { IVR_SKILL: context.skill } }),
          onDone: 'fallback',
          onError: 'fallback',
        },
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
        invoke: {
          src: 'setVars',
          input: ({ context }) => ({ vars: collectedVars(context) }),
          onDone: 'announce',
          onError: 'announce',
        },
      },
      announce: {
        invoke: {
          src: 'play',
          input: ({ context }) => ({ items: [...context.say, prompt(p.goodbye)] }),
          onDone: 'hangup',
          onError: 'hangup',
        },
        // * repeats the announcement (e.g. to note the request number); other keys do not cut it short
        on: { DTMF: { guard: { type: 'isKey', params: { key: '*' } }, target: 'announce', reenter: true } },
      },
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
