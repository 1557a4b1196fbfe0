/**
 * The whole call as one statechart (no I/O: every effect is an injected actor, see ./ports.ts).
 *
 *   welcome → main-menu → menu-before | menu-during | menu-after (FlowConfig.menus)
 *   menu-before: sale plans, product advice, nearest stores by SMS, customer registration (./services.ts)
 *   menu-during / menu-after: topic → identify (national ID, order number, lookupOrder: ./lookup.ts)
 *     → questions → decide → register → announcement (./decide.ts)
 *   every end: #handoff (IVR_* vars, announcement, transfer-to-agent, transfer) or
 *              #finish (IVR_* vars, announcement, goodbye, hangup) (./handoff.ts); an announcement
 *              with a number, amount or date offers * to hear it again and waits before going on
 *   HANGUP at any time → final `hung-up`.
 *
 * Usage (src/app):
 *   const machine = createCallMachine(flowConfig).provide({ actors: { play, setVars, … } });
 *   const actor = createActor(machine, { input: { callId, callerNumber } });
 *   actor.start(); actor.send({ type: 'DTMF', digit }); actor.send({ type: 'HANGUP' });
 *   actor.getSnapshot().output  // FlowOutput, when status === 'done'
 */
import { FlowConfig } from './config.ts';
import { decideState, questionsState } from './decide.ts';
import { finishState, handoffState } from './handoff.ts';
import { identifyState } from './lookup.ts';
import { menuStates } from './menus.ts';
import { playingState } from './playing.ts';
import { customerRegistrationState, nearestStoresState, productAdviceState, salePlansState } from './services.ts';
import { flowSetup, initialContext, type FlowOutput } from './setup.ts';

/** Builds the call machine for a configuration (a FlowConfig, or raw data parsed with defaults). */
export function createCallMachine(config: FlowConfig | unknown = {}) {
  const cfg = FlowConfig.parse(config);
  const p = cfg.prompts;
  return flowSetup
    .createMachine({
      id: 'call',
      context: ({ input }) => initialContext(input, cfg),
      initial: 'resume',
      on: {
        // a key pressed while nothing listens is kept for the next listen (type-ahead)
        DTMF: { actions: 'queueKey' },
        HANGUP: '.hung-up',
      },
      states: {
        // a new call goes to the welcome; a call adopted after a restart resumes (./resume.ts)
        resume: {
          always: [
            { guard: { type: 'resumeIs', params: { kind: 'handoff' } }, target: '#handoff', actions: { type: 'resumeAnnouncement', params: { requestRegistered: p.requestRegistered } } },
            { guard: { type: 'resumeIs', params: { kind: 'finish' } }, target: '#finish', actions: { type: 'resumeAnnouncement', params: { requestRegistered: p.requestRegistered } } },
            ...Object.keys(cfg.menus).map((menu) => ({ guard: { type: 'resumeAtMenu' as const, params: { menu } }, target: `#${menu}` })),
            { target: 'welcome' },
          ],
        },
        welcome: playingState({
          items: [{ kind: 'prompt', name: p.welcome }],
          done: '#main-menu',
          // barge-in: a key stops the greeting and is the first key of the main menu
          on: { DTMF: { target: '#main-menu', actions: 'queueKey' } },
        }),
        ...menuStates(cfg),
        'svc-sale-plans': salePlansState(cfg),
        'svc-product-advice': productAdviceState(),
        'svc-nearest-stores': nearestStoresState(cfg),
        'svc-customer-registration': customerRegistrationState(cfg),
        identify: identifyState(cfg),
        questions: questionsState(cfg),
        decide: decideState(cfg),
        handoff: handoffState(p),
        finish: finishState(p),
        transferred: { type: 'final', output: ({ context }): FlowOutput => ({ kind: 'transfer', skill: context.skill }) },
        completed: { type: 'final', output: (): FlowOutput => ({ kind: 'hangup', reason: 'completed' }) },
        'hung-up': { type: 'final', output: (): FlowOutput => ({ kind: 'hangup', reason: 'caller-hangup' }) },
        'transfer-failed': { type: 'final', output: (): FlowOutput => ({ kind: 'hangup', reason: 'transfer-failed' }) },
      },
      output: ({ event }) => (event as unknown as { output: FlowOutput }).output,
    })
    .provide({
      delays: {
        firstDigit: cfg.timeouts.firstDigitMs,
        interDigit: cfg.timeouts.interDigitMs,
        menuTimeout: cfg.timeouts.menuMs,
        repeatWindow: cfg.timeouts.repeatWindowMs,
      },
    });
}

export type CallMachine = ReturnType<typeof createCallMachine>;

