/**
 * Identification for a topic of menu-during / menu-after: national ID, then order number, then
 * `lookupOrder`. A pair that does not belong together is explained (`order-mismatch`) and both are
 * keyed again; it is a failed try, and after FlowConfig.tries.lookup of them in one call — or at
 * once when the actor answers `limited` (the count per calling number) — the caller goes to
 * `general` with what was collected. `unavailable` (or an actor error) → `system-unavailable` and
 * the skill that owns the topic.
 */
import { assign } from 'xstate';
import { TOPICS, type Topic } from '../domain/skills.ts';
import type { FlowConfig } from './config.ts';
import { entryState } from './digit-entry.ts';
import { playingState } from './playing.ts';
import { flowSetup, prompt, type FlowContext } from './setup.ts';

/** The topic of the call; identification and decisions are only reached with a topic chosen. */
export function topicOf(c: FlowContext): Topic {
  const t = c.topic;
  if (t && (TOPICS as readonly string[]).includes(t)) return t as Topic;
  throw new Error(`call flow: a topic of ${TOPICS.join(', ')} is needed here, the call has '${String(t)}'`);
}

export function identifyState(cfg: FlowConfig) {
  const p = cfg.prompts;
  const toGeneral = (say: string) => ({ type: 'toAgent' as const, params: { skill: 'general' as const, say: [say] } });
  const unavailable = { target: '#handoff', actions: { type: 'toAgent' as const, params: { skill: 'owning' as const, say: [p.systemUnavailable] } } };
  return flowSetup.createStateConfig({
    id: 'identify',
    initial: 'nationalId',
    states: {
      nationalId: entryState({
        id: 'identify-national-id',
        kind: 'national-id',
        spec: cfg.entries['national-id'],
        maxTries: cfg.tries.entry,
        confirmTries: cfg.tries.menu,
        prompts: p,
        onValid: { target: '#identify.orderNumber' },
        onFailed: { target: '#handoff', actions: toGeneral(p.tooManyTries) },
      }),
      orderNumber: entryState({
        id: 'identify-order-number',
        kind: 'order-number',
        spec: cfg.entries['order-number'],
        maxTries: cfg.tries.entry,
        confirmTries: cfg.tries.menu,
        prompts: p,
        onValid: { target: '#identify.lookup' },
        onFailed: { target: '#handoff', actions: toGeneral(p.tooManyTries) },
      }),
      lookup: {
        invoke: {
          src: 'lookupOrder',
          input: ({ context }) => ({
            nationalId: context.entered.nationalId ?? '',
            orderNumber: context.entered.orderNumber ?? '',
            callerNumber: context.callerNumber,
            topic: topicOf(context),
          }),
          onDone: [
            {
              guard: ({ event }) => event.output.status === 'found',
              target: '#questions',
              actions: assign({ policy: ({ context, event }) => ({ ...context.policy, facts: event.output.status === 'found' ? event.output.facts : null }) }),
            },
            {
              guard: ({ context, event }) => event.output.status === 'mismatch' && context.lookupFails + 1 >= cfg.tries.lookup,
              target: '#handoff',
              actions: [assign({ lookupFails: ({ context }) => context.lookupFails + 1 }), toGeneral(p.orderLookupLimit)],
            },
            {
              guard: ({ event }) => event.output.status === 'mismatch',
              target: 'mismatch',
              actions: assign({ lookupFails: ({ context }) => context.lookupFails + 1 }),
            },
            {
              guard: ({ event }) => event.output.status === 'limited',
              target: '#handoff',
              actions: toGeneral(p.orderLookupLimit),
            },
            unavailable,
          ],
          onError: unavailable,
        },
      },
      mismatch: playingState({
        items: [prompt(p.orderMismatch)],
        done: 'nationalId',
        // barge-in: the caller may start keying the national ID again
        on: { DTMF: { target: 'nationalId', actions: 'queueKey' } },
      }),
    },
  });
}
