/**
 * After the order was found: the policy's questions (one-key menus), `decide`, `register` when the
 * decision asks for a request, then the final announcement and a transfer or goodbye.
 *
 * - `questions` lists what the data cannot tell; the first is asked as a menu with node
 *   `question-<name>`, its options as keys (`*` repeats, wrong/no key explained, after
 *   FlowConfig.tries.menu → `general`). After each answer the policy is asked again with the
 *   answers so far, since an answer can make a later question unnecessary (a caller who chose
 *   the credit wallet is not asked about small appliances instead of cash).
 * - `decide` → IVR_RULE / IVR_OUTCOME (set with everything else before the announcement).
 * - `register` (only when decision.request): the request number is read back after
 *   `request-registered`, as the caller writes it down (R-000123 → "123"); when the store is unavailable nothing is claimed: `system-unavailable`,
 *   then the decision's skill or the topic's owner.
 * - Announcement: decision.say (+ request-registered + digits) then transfer-to-agent and the
 *   decision's skill, or goodbye and hang-up.
 */
import { assign } from 'xstate';
import type { SayItem } from '../domain/say.ts';
import type { FlowConfig } from './config.ts';
import { menuState } from './listen.ts';
import { topicOf } from './lookup.ts';
import { flowSetup, prompt, requestAnnouncement, type FlowContext } from './setup.ts';

const currentQuestion = (c: FlowContext) => c.policy.questions[c.policy.questionIndex];

/** decision.say, and the registered request's number (without padding zeros) after `request-registered` */
function announcement(c: FlowContext, requestRegistered: string): SayItem[] {
  return [...(c.decision?.say ?? []), ...requestAnnouncement(c, requestRegistered)];
}

export function questionsState(cfg: FlowConfig) {
  const p = cfg.prompts;
  return flowSetup.createStateConfig({
    id: 'questions',
    initial: 'load',
    entry: assign({ policy: ({ context }) => ({ ...context.policy, answers: {} }) }),
    states: {
      load: {
        invoke: {
          src: 'questions',
          input: ({ context }) => ({ topic: topicOf(context), facts: { ...(context.policy.facts ?? emptyFacts()), answers: context.policy.answers } }),
          onDone: {
            target: 'next',
            // never ask a question twice, whatever the policy returns
            actions: assign({
              policy: ({ event, context }) => ({ ...context.policy, questions: event.output.filter((q) => !Object.hasOwn(context.policy.answers, q.name)), questionIndex: 0 }),
            }),
          },
          onError: { target: '#handoff', actions: { type: 'toAgent', params: { skill: 'owning', say: [p.systemUnavailable] } } },
        },
      },
      next: {
        always: [{ guard: ({ context }) => context.policy.questionIndex < context.policy.questions.length, target: 'ask' }, { target: '#decide' }],
      },
      ask: menuState({
        node: (c) => `question-${currentQuestion(c)?.name ?? ''}`,
        items: (c) => {
          const q = currentQuestion(c);
          return q ? [prompt(q.prompt)] : [];
        },
        keys: [
          {
            guard: ({ context, event }) => {
              const q = currentQuestion(context);
              return event.type === 'DTMF' && q !== undefined && Object.hasOwn(q.options, event.digit);
            },
            target: '#questions.load',
            actions: assign(({ context, event }) => {
              const q = currentQuestion(context);
              const digit = event.type === 'DTMF' ? event.digit : '';
              return { policy: q ? { ...context.policy, answers: { ...context.policy.answers, [q.name]: q.options[digit] ?? '' } } : context.policy };
            }),
          },
        ],
        maxTries: cfg.tries.menu,
        onExhausted: { target: '#handoff', actions: { type: 'toAgent', params: { skill: 'general', say: [p.tooManyTries] } } },
        invalidKeyPrompt: p.invalidKey,
        noInputPrompt: p.noInput,
      }),
    },
  });
}

export function decideState(cfg: FlowConfig) {
  const p = cfg.prompts;
  const unavailable = { target: '#handoff', actions: { type: 'toAgent' as const, params: { skill: 'owning' as const, say: [p.systemUnavailable] } } };
  const registerUnavailable = { type: 'registerUnavailable' as const, params: { say: [p.systemUnavailable] } };
  return flowSetup.createStateConfig({
    id: 'decide',
    initial: 'run',
    states: {
      run: {
        invoke: {
          src: 'decide',
          input: ({ context }) => ({ topic: topicOf(context), facts: { ...(context.policy.facts ?? emptyFacts()), answers: context.policy.answers } }),
          onDone: {
            target: 'route',
            actions: assign(({ event }) => ({ decision: event.output, rule: event.output.rule, outcome: event.output.outcome })),
          },
          onError: unavailable,
        },
      },
      route: {
        always: [{ guard: ({ context }) => context.decision?.request != null, target: 'register' }, { target: 'announce' }],
      },
      register: {
        invoke: {
          src: 'register',
          input: ({ context }) => {
            const d = context.decision;
            if (!d?.request) throw new Error('call flow: register without a decision that asks for a request');
            return {
              request: {
                callId: context.callId,
                topic: topicOf(context),
                type: d.request.type,
                unit: d.request.unit,
                ...(context.entered.nationalId ? { nationalId: context.entered.nationalId } : {}),
                ...(context.entered.orderNumber ? { orderNumber: context.entered.orderNumber } : {}),
                ...(context.callerNumber ? { callerNumber: context.callerNumber } : {}),
                rule: d.rule,
                outcome: d.outcome,
                details: { reason: d.reason, answers: context.policy.answers },
              },
            };
          },
          onDone: [
            {
              guard: ({ event }) => event.output.status === 'registered',
              target: 'announce',
              actions: assign({
                request: ({ context, event }) =>
                  context.decision?.request && event.output.status === 'registered'
                    ? { ...context.decision.request, number: event.output.number }
                    : null,
              }),
            },
            { target: '#handoff', actions: registerUnavailable },
          ],
          onError: { target: '#handoff', actions: registerUnavailable },
        },
      },
      announce: {
        always: [
          {
            guard: ({ context }) => context.decision?.transfer != null,
            target: '#handoff',
            actions: assign(({ context }) => ({
              skill: context.decision?.transfer ?? context.topicSkill,
              say: announcement(context, p.requestRegistered),
            })),
          },
          { target: '#finish', actions: assign({ say: ({ context }) => announcement(context, p.requestRegistered) }) },
        ],
      },
    },
  });
}

function emptyFacts() {
  return { customer: null, order: null, stock: null, bouncedCheques: [], earlierRequests: [], answers: {} };
}
