/**
 * The call flow's actors (src/flow/ports.ts) implemented for one live call: telephony through
 * the channel, data through the order-data port, decisions through the policy engine,
 * registrations through the durable request registry.
 */
import type { CallChannel } from '../ari/channel.ts';
import { isNotFound } from '../ari/errors.ts';
import type { RoutingConfig } from '../config/routing.ts';
import type { Decision, Facts, Question } from '../domain/decision.ts';
import type { Store } from '../domain/data-file.ts';
import { UnavailableError, type OrderData, type RequestRegistry, type SmsSender } from '../domain/ports.ts';
import type { SayItem } from '../domain/say.ts';
import type { Skill, Topic } from '../domain/skills.ts';
import type {
  DecideInput,
  HangupInput,
  LookupOrderInput,
  LookupOrderOutput,
  PlayInput,
  PlayOutput,
  Playback,
  Player,
  QuestionsInput,
  RegisterCustomerInput,
  RegisterCustomerOutput,
  RegisterInput,
  RegisterOutput,
  SendStoresInput,
  SendStoresOutput,
  SetVarsInput,
  TransferInput,
} from '../flow/ports.ts';
import type { Logger } from '../log/logger.ts';
import { EARLIER_REQUEST_UNITS } from '../policy/index.ts';
import { maskNationalId } from '../log/mask.ts';
import type { CallNote } from './call-recorder.ts';
import { encodeIvrState, IVR_STATE, resumeVarsOf, stateVariables, type ResumeVars } from '../flow/resume.ts';
import type { Clock } from './clock.ts';
import { Keypad, readDigits } from '../flow/read-digits.ts';

/** What every call shares: built once by the service. */
export interface CallServices {
  routing: RoutingConfig;
  language: string;
  /** SayItems → media URIs (sound:…) of one playback */
  media(items: SayItem[]): string[];
  /** how long those media play (s), for the watchdog; absent: unknown */
  mediaSeconds?(media: string[]): number;
  orderData: OrderData;
  registry: RequestRegistry;
  sms: SmsSender;
  /** text of the nearest-stores SMS */
  storesSms(stores: Store[]): { text: string; included: number };
  questionsFor(topic: Topic, facts: Facts): Question[];
  decide(topic: Topic, facts: Facts, now: Date): Decision;
  /** failed national-ID/order lookups per calling number (across calls) */
  guard: LookupLimiter;
  clock: Clock;
}

export interface LookupLimiter {
  allowed(callerNumber: string): boolean;
  /** counts a failed try; a promise settles once it is counted (or could not be) */
  failed(callerNumber: string): void | Promise<void>;
}

/**
 * Everything the rules look at for a national ID and its order (found with findOrder): the one
 * way the live IVR and `ivr-1699 decide` gather the facts.
 */
export async function factsOf(
  svc: Pick<CallServices, 'orderData' | 'registry'>,
  nationalId: string,
  order: NonNullable<Awaited<ReturnType<OrderData['findOrder']>>>,
  orderNumber: string,
  answers: Record<string, string> = {},
): Promise<Facts> {
  const [customer, orderable, bouncedCheques, earlierRequests] = await Promise.all([
    svc.orderData.findCustomer(nationalId),
    order.productCode ? svc.orderData.orderableStock(order.productCode) : Promise.resolve(null),
    svc.orderData.bouncedCheques(nationalId),
    svc.registry.earlierRequests(nationalId, orderNumber, EARLIER_REQUEST_UNITS),
  ]);
  const stock = order.productCode && orderable !== null ? { productCode: order.productCode, orderable } : null;
  return { customer, order, stock, bouncedCheques, earlierRequests, answers: { ...answers } };
}

/** The IVR_* variables of the flow that go to the agent's channel get Asterisk's inheritance prefix. */
export function channelVarName(name: string): string {
  return name.startsWith('IVR_') && name !== 'IVR_NODE' && name !== IVR_STATE ? `__${name}` : name;
}

/**
 * The flow's variables as the channel carries them: one IVR_STATE (src/flow/resume.ts) with every
 * value known so far, re-sent at each listen even when unchanged (each ChannelVarset with the
 * listen flag tells an observer — the test caller, a supervisor's tool — that the IVR listens
 * again), otherwise sent only when it changed; and, at a hand-off to an agent (IVR_SKILL), the
 * individual `__IVR_*` variables that the dialplan and the agent's screen read, after IVR_STATE.
 */
export function channelVars(state: ResumeVars, vars: Readonly<Record<string, string>>): { vars: Record<string, string>; always: ReadonlySet<string> } {
  Object.assign(state, resumeVarsOf(vars));
  const listening = vars.IVR_NODE !== undefined;
  const out: Record<string, string> = { [IVR_STATE]: encodeIvrState(state, listening) };
  if (vars.IVR_SKILL !== undefined) {
    for (const [k, v] of Object.entries(stateVariables(state))) if (k !== 'IVR_NODE') out[channelVarName(k)] = v;
  }
  return { vars: out, always: listening ? RESENT : NO_NAMES };
}
const RESENT: ReadonlySet<string> = new Set([IVR_STATE]);
const NO_NAMES: ReadonlySet<string> = new Set();

/**
 * One actor's implementation for one call: a plain async function. The machine's actors are
 * xstate promise actors built once (call-session.ts sharedMachine) that call these; a logic object
 * per actor per call (fromPromise: eleven per call, each with its closures) was garbage and memory.
 */
export type CallStep<O, I> = (args: { input: I; signal: AbortSignal }) => Promise<O>;
const callStep = <O, I>(fn: CallStep<O, I>): CallStep<O, I> => fn;

/**
 * `note` hears what the call's record and metrics need (nodes, failed playbacks, backend failures,
 * the transfer): see src/app/call-recorder.ts.
 */
export function callActors(svc: CallServices, channel: CallChannel, callId: string, log: Logger, note: (n: CallNote) => void = () => {}, resumed: ResumeVars = {}, keypad: Keypad = new Keypad()) {
  /** what IVR_STATE carries: an adopted call starts from what its channel carried */
  const state: ResumeVars = { ...resumed };
  const unavailable = (what: string, e: unknown, kind?: Extract<CallNote, { type: 'failure' }>['kind']) => {
    log.warn({ err: e, what }, 'backend unavailable');
    if (kind) note({ type: 'failure', kind });
  };

  return {
    // the flow's `play` command (src/flow/playback.ts runPlays): one playback; stop() when the flow moves on
    play: ((input: PlayInput): Playback => {
      const media = svc.media(input.items);
      if (media.length === 0 || channel.gone) return { finished: Promise.resolve('stopped'), stop: () => {} };
      const h = channel.play(media, svc.language, svc.mediaSeconds?.(media));
      return {
        finished: h.finished.then((st): PlayOutput['status'] => {
          if (st === 'failed') {
            log.warn({ media }, 'playback failed (missing prompt?)');
            note({ type: 'playback-failed' });
          }
          return st === 'gone' ? 'stopped' : st;
        }),
        stop: () => void h.stop().catch(() => undefined),
      };
    }) satisfies Player,

    // the rest of a digit entry, read from the call's keypad (src/app/call-session.ts routes the keys to it)
    readDigits: callStep(readDigits(keypad)),

    setVars: callStep<void, SetVarsInput>(async ({ input }) => {
      const { vars, always } = channelVars(state, input.vars);
      if (input.vars.IVR_NODE !== undefined) note({ type: 'node', node: input.vars.IVR_NODE, ...(state.topic ? { topic: state.topic } : {}) });
      try {
        await channel.setVariables(vars, always);
      } catch (e) {
        // a variable that did not stick must not stall the caller; a gone channel ends the call anyway
        if (!isNotFound(e)) log.warn({ err: e }, 'could not set channel variables');
      }
    }),

    transfer: callStep<void, TransferInput>(async ({ input }) => {
      const route = svc.routing.skills[input.skill] ?? svc.routing.skills.general!;
      log.info({ skill: input.skill, extension: route.extension }, 'transfer to skill group');
      note({ type: 'transfer', skill: input.skill });
      try {
        await channel.continueTo(svc.routing.agentsContext, route.extension, 1);
      } catch (e) {
        if (isNotFound(e)) return;
        log.error({ err: e, skill: input.skill }, 'transfer failed, trying the general queue');
        const general = svc.routing.skills.general!;
        await channel.continueTo(svc.routing.agentsContext, general.extension, 1);
      }
    }),

    hangup: callStep<void, HangupInput>(async ({ input }) => {
      log.info({ reason: input.reason }, 'IVR ends the call');
      await channel.hangup('normal').catch((e) => {
        if (!isNotFound(e)) throw e;
      });
    }),

    lookupOrder: callStep<LookupOrderOutput, LookupOrderInput>(async ({ input }) => {
      const caller = input.callerNumber;
      if (!svc.guard.allowed(caller)) {
        log.warn('order lookups limited for this calling number');
        note({ type: 'failure', kind: 'order-lookup-limited' });
        return { status: 'limited' };
      }
      try {
        const order = await svc.orderData.findOrder(input.nationalId, input.orderNumber);
        if (!order) {
          await svc.guard.failed(caller);
          note({ type: 'failure', kind: 'order-mismatch' });
          log.info({ nationalId: maskNationalId(input.nationalId) }, 'national ID and order number do not match');
          return svc.guard.allowed(caller) ? { status: 'mismatch' } : { status: 'limited' };
        }
        return { status: 'found', facts: await factsOf(svc, input.nationalId, order, input.orderNumber) };
      } catch (e) {
        unavailable('order lookup', e, 'order-lookup-unavailable');
        return { status: 'unavailable' };
      }
    }),

    questions: callStep<Question[], QuestionsInput>(async ({ input }) => svc.questionsFor(input.topic, input.facts)),

    decide: callStep<Decision, DecideInput>(async ({ input }) => {
      const d = svc.decide(input.topic, input.facts, svc.clock.now());
      log.info({ topic: input.topic, rule: d.rule, outcome: d.outcome, transfer: d.transfer, reason: d.reason }, 'decision');
      note({ type: 'decision', topic: input.topic, rule: d.rule, outcome: d.outcome });
      return d;
    }),

    register: callStep<RegisterOutput, RegisterInput>(async ({ input }) => {
      try {
        // keyed on the Asterisk channel, not this process's call id: a caller adopted by a restarted
        // service who reaches the same registration hears the request already stored, never a second one
        const r = await svc.registry.register({ ...input.request, callId: channel.id });
        if (r.alreadyRegistered) log.info({ type: r.type, unit: r.unit, number: r.number }, 'request already registered for this call: announced again, not registered twice');
        else log.info({ type: r.type, unit: r.unit, number: r.number }, 'request registered');
        return { status: 'registered', number: r.number };
      } catch (e) {
        unavailable('register request', e, 'register-unavailable');
        return { status: 'unavailable' };
      }
    }),

    registerCustomer: callStep<RegisterCustomerOutput, RegisterCustomerInput>(async ({ input }) => {
      try {
        const status = await svc.orderData.registerCustomer(input);
        log.info({ status }, 'customer registration');
        return { status };
      } catch (e) {
        unavailable('register customer', e, 'customer-registration-unavailable');
        return { status: 'unavailable' };
      }
    }),

    sendStores: callStep<SendStoresOutput, SendStoresInput>(async ({ input }) => {
      try {
        const stores = await svc.orderData.storesByArea(input.areaCode);
        if (stores.length === 0) return { status: 'no-stores' };
        const sms = svc.storesSms(stores);
        // once per call (the Asterisk channel, which outlives a restart of the service), area and mobile:
        // a retry after a restart finds the SMS stored and does not send it again (src/sms/outbox.ts)
        const sent = await svc.sms.send(input.mobile, sms.text, { key: `${channel.id}:nearest-stores:${input.areaCode}:${input.mobile}` });
        if (sent.status === 'failed') {
          // refused for good (bad number, message refused): the caller must not hear "sent"
          log.warn({ areaCode: input.areaCode, sms: sent.id }, 'stores SMS rejected by the gateway: the caller is told, then the owning skill');
          note({ type: 'failure', kind: 'sms-rejected' });
          return { status: 'rejected' };
        }
        // the gateway's answer unknown: not announced as sent (the caller goes to an agent)
        if (sent.status === 'pending') throw new UnavailableError('SMS gateway: no answer for this SMS');
        await svc.registry.register({ callId: channel.id, topic: 'nearest-stores', type: 'sms', unit: 'sms', callerNumber: input.mobile, details: { areaCode: input.areaCode, stores: sms.included } });
        log.info({ areaCode: input.areaCode, count: sms.included }, 'nearest stores sent by SMS');
        return { status: 'sent', count: sms.included };
      } catch (e) {
        unavailable('send stores SMS', e, 'sms-unavailable');
        return { status: 'unavailable' };
      }
    }),
  };
}

export type CallActors = ReturnType<typeof callActors>;
export type { Skill };
