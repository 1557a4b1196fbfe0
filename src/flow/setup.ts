/**
 * The one `setup()` every part of the call flow is declared with: context, events, the injected
 * actors (src/flow/ports.ts), and the named actions, guards and delays. Each concept (menus, digit
 * entry, lookup, decide, services, hand-off) builds its states with `flowSetup.createStateConfig`,
 * so the whole call is one machine that tests `.provide()` fakes to and @xstate/graph can walk.
 */
import { assign, emit, enqueueActions, fromPromise, setup } from 'xstate';
import type { Decision, Facts, Question, RequestType, RequestUnit } from '../domain/decision.ts';
import type { SayItem } from '../domain/say.ts';
import type { Skill, Topic } from '../domain/skills.ts';
import type {
  CallInput,
  CallOutput,
  DecideInput,
  DecideOutput,
  FlowEvent,
  HangupInput,
  LookupOrderInput,
  LookupOrderOutput,
  PlayInput,
  QuestionsInput,
  ReadDigitsInput,
  ReadDigitsOutput,
  FlowCommand,
  SetVarsInput,
  QuestionsOutput,
  RegisterCustomerInput,
  RegisterCustomerOutput,
  RegisterInput,
  RegisterOutput,
  SendStoresInput,
  SendStoresOutput,
  TransferInput,
} from './ports.ts';
import type { Service } from './config.ts';
import { VALIDATORS, type EntryKind, type ReasonCode } from './validate.ts';
import { isTopicOrService, resumedRequest, resumePlan, type ResumePlan } from './resume.ts';
import type { FlowConfig } from './config.ts';

export type FlowOutput = CallOutput;

/** State of the current listen (menu or digit entry); reset when a menu or entry starts. */
export interface Listen {
  /** digits keyed so far in a digit entry */
  buf: string;
  /** failed tries of this menu / entry */
  tries: number;
  /** failed tries of a read-back confirmation */
  confirmTries: number;
  /** prompt explaining the last failure, played before the prompt is asked again */
  reason: string | null;
}

/** Values of the digit entries (./digit-entry.ts ENTRY_FIELD). */
export interface Entered {
  nationalId: string | null;
  orderNumber: string | null;
  areaCode: string | null;
  mobile: string | null;
}

export interface PolicyState {
  facts: Facts | null;
  questions: Question[];
  questionIndex: number;
  answers: Record<string, string>;
}

/**
 * The call's context. Keep it at most MAX_CONTEXT_FIELDS fields at the top level (group new ones
 * in a sub-object, like `entered` and `policy`): xstate copies the context with
 * `Object.assign({}, context, update)` at each assign, and V8 turns an object built that way with
 * 20 or more properties into a slow dictionary-mode object (measured on Node 20: a copy of the
 * 24-field context cost 13 µs, of 18 fields under 1 µs; every guard's read slower too).
 */
export interface FlowContext {
  callId: string;
  callerNumber: string;
  /** type-ahead: keys pressed while nothing was listening, in order */
  pending: string;
  /**
   * an entry just ended by itself at its maximum length: a `#` pressed right after it (callers
   * often end with # anyway) is dropped instead of reaching the next listen
   */
  swallowHash: boolean;
  listen: Listen;
  /** topic (during/after purchase) or service (before purchase) being handled */
  topic: Topic | Service | null;
  /** the skill that owns the topic: where a caller goes when a backend is unavailable */
  topicSkill: Skill;
  /** what the caller keyed in the digit entries (each null until its entry was valid) */
  entered: Entered;
  /** national ID / order number pairs that did not match in this call */
  lookupFails: number;
  /** the policy's facts about the order and the questions asked about it (./decide.ts) */
  policy: PolicyState;
  decision: Decision | null;
  rule: string | null;
  outcome: string | null;
  /** a request that was durably registered (number null: an SMS or a customer registration, no number) */
  request: { type: RequestType; unit: RequestUnit; number: string | null } | null;
  /** hand-off target */
  skill: Skill;
  /** what to say in the final announcement, before transfer-to-agent or goodbye */
  say: SayItem[];
  /** where a call adopted after a restart goes first (a new call: the welcome) */
  resume: ResumePlan;
}

export type FlowActorName =
  | 'readDigits'
  | 'transfer'
  | 'hangup'
  | 'lookupOrder'
  | 'questions'
  | 'decide'
  | 'register'
  | 'registerCustomer'
  | 'sendStores';

export class MissingActorError extends Error {
  override name = 'MissingActorError';
  constructor(actor: FlowActorName) {
    super(`call flow actor '${actor}' has no implementation: bind it with machine.provide({ actors: { ${actor}: fromPromise(…) } })`);
  }
}

const unbound = <O, I>(name: FlowActorName) =>
  fromPromise<O, I>(async () => {
    throw new MissingActorError(name);
  });

/** see FlowContext: V8 keeps a copy made by Object.assign with at most 19 properties out of dictionary mode */
export const MAX_CONTEXT_FIELDS = 19;

/** keys kept ahead of the listens; more are dropped (a caller drumming on the keypad during a lookup) */
export const MAX_TYPE_AHEAD = 32;

export const initialListen = (): Listen => ({ buf: '', tries: 0, confirmTries: 0, reason: null });

const digitOf = (e: { type: string; digit?: unknown }) => (e.type === 'DTMF' && typeof e.digit === 'string' ? e.digit : '');

export const flowSetup = setup({
  types: {
    context: {} as FlowContext,
    events: {} as FlowEvent,
    input: {} as CallInput,
    output: {} as FlowOutput,
    emitted: {} as FlowCommand,
  },
  actors: {
    readDigits: unbound<ReadDigitsOutput, ReadDigitsInput>('readDigits'),
    transfer: unbound<void, TransferInput>('transfer'),
    hangup: unbound<void, HangupInput>('hangup'),
    lookupOrder: unbound<LookupOrderOutput, LookupOrderInput>('lookupOrder'),
    questions: unbound<QuestionsOutput, QuestionsInput>('questions'),
    decide: unbound<DecideOutput, DecideInput>('decide'),
    register: unbound<RegisterOutput, RegisterInput>('register'),
    registerCustomer: unbound<RegisterCustomerOutput, RegisterCustomerInput>('registerCustomer'),
    sendStores: unbound<SendStoresOutput, SendStoresInput>('sendStores'),
  },
  delays: {
    /** replaced from FlowConfig.timeouts by createCallMachine */
    firstDigit: 5000,
    interDigit: 3000,
    menuTimeout: 5000,
    /** after a last announcement with a value: the chance to press * to hear it again */
    repeatWindow: 4000,
  },
  guards: {
    /** where an adopted call resumes (./resume.ts) */
    resumeIs: ({ context }, p: { kind: ResumePlan['kind'] }) => context.resume.kind === p.kind,
    resumeAtMenu: ({ context }, p: { menu: string }) => context.resume.kind === 'menu' && context.resume.menu === p.menu,
    hasPending: ({ context }) => context.pending.length > 0,
    /** the # right after an entry that ended at its maximum length */
    isSwallowedHash: ({ context, event }) => context.swallowHash && digitOf(event) === '#',
    isKey: ({ event }, p: { key: string }) => digitOf(event) === p.key,
    isDigit: ({ event }) => /^[0-9]$/.test(digitOf(event)),
    /** a key of the phone pad other than * (A–D are ignored by the flow) */
    isDigitOrHash: ({ event }) => /^[0-9#]$/.test(digitOf(event)),
    /** a digit that makes the entry reach its maximum length */
    digitFills: ({ context, event }, p: { max: number }) =>
      /^[0-9]$/.test(digitOf(event)) && context.listen.buf.length + 1 >= p.max,
    triesExhausted: ({ context }, p: { max: number }) => context.listen.tries >= p.max,
    confirmTriesExhausted: ({ context }, p: { max: number }) => context.listen.confirmTries >= p.max,
    bufEmpty: ({ context }) => context.listen.buf.length === 0,
    /** the last announcement carries something to note (a request number, an amount, a date, a count …) */
    sayHasValue: ({ context }) => sayHasValue(context.say),
    /** how the reading of an entry's digits ended (./read-digits.ts) */
    readEnded: ({ event }, p: { end: ReadDigitsOutput['end'] }) => readOutput(event)?.end === p.end,
    entryValid: ({ context }, p: { kind: EntryKind; min: number }) =>
      context.listen.buf.length >= p.min && VALIDATORS[p.kind](context.listen.buf) === null,
  },
  actions: {
    /** an adopted call with a registered request hears its number again before goodbye / the agent */
    resumeAnnouncement: assign(({ context }, p: { requestRegistered: string }) => ({
      say: requestAnnouncement(context, p.requestRegistered),
    })),
    /** a key pressed while nothing listens: kept for the next listen (type-ahead, at most MAX_TYPE_AHEAD keys) */
    queueKey: assign(({ context, event }) => ({
      pending:
        (context.swallowHash && digitOf(event) === '#') || context.pending.length >= MAX_TYPE_AHEAD
          ? context.pending
          : context.pending + digitOf(event),
      swallowHash: false,
    })),
    armSwallow: assign({ swallowHash: true }),
    clearSwallow: assign({ swallowHash: false }),
    /** hand the type-ahead keys to the listen that starts now, in order */
    drainPending: enqueueActions(({ context, enqueue }) => {
      const keys = [...context.pending];
      enqueue.assign({ pending: '' });
      for (const digit of keys) enqueue.raise({ type: 'DTMF', digit });
    }),
    /**
     * what the reading of an entry's digits gave: the entry's value, and the type-ahead: the keys it
     * did not use first, then the keys that reached the machine meanwhile (after the given ones)
     */
    takeRead: assign(({ context, event }) => {
      const r = readOutput(event);
      if (!r) return {};
      return { listen: { ...context.listen, buf: r.buf }, pending: r.rest + context.pending.slice(r.given), swallowHash: false };
    }),
    /** puts variables on the channel: a command the flow does not wait for (./ports.ts FlowCommand) */
    setVars: emit((_, p: SetVarsInput) => ({ type: 'setVars' as const, vars: p.vars })),
    /** starts a prompt state's playback; its end comes back as PLAY_DONE (./playing.ts) */
    play: emit((_, p: PlayInput) => ({ type: 'play' as const, items: p.items })),
    /** stops the playback of the prompt state being left (no PLAY_DONE follows) */
    stopPlay: emit({ type: 'stopPlay' as const }),
    resetListen: assign({ listen: () => initialListen() }),
    resetConfirmTries: assign({ listen: ({ context }) => ({ ...context.listen, confirmTries: 0, reason: null }) }),
    appendDigit: assign({
      listen: ({ context, event }) => ({ ...context.listen, buf: context.listen.buf + digitOf(event) }),
      swallowHash: false,
    }),
    clearEntry: assign({ listen: ({ context }) => ({ ...context.listen, buf: '', reason: null }) }),
    clearReason: assign({ listen: ({ context }) => ({ ...context.listen, reason: null }) }),
    countTry: assign({
      listen: ({ context }, p: { reason: string | null }) => ({ ...context.listen, buf: '', tries: context.listen.tries + 1, reason: p.reason }),
    }),
    countConfirmTry: assign({
      listen: ({ context }, p: { reason: string | null }) => ({ ...context.listen, confirmTries: context.listen.confirmTries + 1, reason: p.reason }),
    }),
    /** a failed validation: one try used, the reason's explanation prompt is played next */
    countInvalid: assign({
      listen: ({ context }, p: { kind: EntryKind; reasons: Record<ReasonCode, string> }) => {
        const buf = context.listen.buf;
        const code = VALIDATORS[p.kind](buf) ?? lengthReason(p.kind);
        return { ...context.listen, buf: '', tries: context.listen.tries + 1, reason: p.reasons[code] };
      },
    }),
    storeEntry: assign(({ context }, p: { field: keyof Entered }) => ({
      entered: { ...context.entered, [p.field]: context.listen.buf },
    })),
    /** go to an agent: `owning` = the skill that owns the topic; `say` = prompts before transfer-to-agent */
    toAgent: assign(({ context }, p: { skill: Skill | 'owning'; say: string[] }) => ({
      skill: p.skill === 'owning' ? context.topicSkill : p.skill,
      say: p.say.map((name): SayItem => ({ kind: 'prompt', name })),
    })),
    /**
     * the request store could not register: nothing is claimed, the decision is not announced, and
     * the agent's screen says so (IVR_OUTCOME=registration-failed, not the decision's outcome)
     */
    registerUnavailable: assign(({ context }, p: { say: string[] }) => ({
      outcome: REGISTRATION_FAILED,
      skill: context.decision?.transfer ?? context.topicSkill,
      say: p.say.map((name): SayItem => ({ kind: 'prompt', name })),
    })),
    fallbackToGeneral: assign({ skill: 'general' as Skill }),
    chooseTopic: assign((_, p: { topic: Topic | Service; skill: Skill }) => ({ topic: p.topic, topicSkill: p.skill })),
  },
});

/** the output of a readDigits step's done event (undefined for any other event) */
function readOutput(event: { type: string }): ReadDigitsOutput | undefined {
  const out = (event as { output?: unknown }).output;
  return out && typeof out === 'object' && typeof (out as ReadDigitsOutput).end === 'string' ? (out as ReadDigitsOutput) : undefined;
}

/** A value shorter than the entry's minimum but otherwise well-formed is still the wrong length. */
function lengthReason(kind: EntryKind): ReasonCode {
  switch (kind) {
    case 'national-id':
      return 'nid-wrong-length';
    case 'order-number':
      return 'order-wrong-length';
    case 'area-code':
      return 'area-wrong-length';
    case 'mobile':
      return 'mobile-wrong-length';
  }
}

/** IVR_OUTCOME when the decision asked for a request that could not be stored */
export const REGISTRATION_FAILED = 'registration-failed';

/** IVR_OUTCOME when the SMS gateway refused the nearest-stores SMS for good (the caller was told it was not sent) */
export const SMS_REJECTED = 'sms-rejected';

export const prompt = (name: string): SayItem => ({ kind: 'prompt', name });

/** "request registered" and the request's number, as a caller writes it down (nothing without a number) */
export function requestAnnouncement(c: Pick<FlowContext, 'request'>, requestRegistered: string): SayItem[] {
  return c.request?.number ? [prompt(requestRegistered), { kind: 'identifier', value: c.request.number, format: 'request-number' }] : [];
}

/** True when an announcement says a value (not only prompts): the caller may want to hear it again. */
export const sayHasValue = (items: readonly SayItem[]): boolean => items.some((i) => i.kind !== 'prompt');

/** IVR_* variables from what the call has collected so far (only the ones known). */
export function collectedVars(c: FlowContext): Record<string, string> {
  const v: Record<string, string> = {};
  if (c.topic) v.IVR_TOPIC = c.topic;
  if (c.entered.nationalId) v.IVR_NATIONAL_ID = c.entered.nationalId;
  if (c.entered.orderNumber) v.IVR_ORDER_NUMBER = c.entered.orderNumber;
  if (c.rule) v.IVR_RULE = c.rule;
  if (c.outcome) v.IVR_OUTCOME = c.outcome;
  if (c.request) {
    v.IVR_REQUEST_TYPE = c.request.type;
    v.IVR_REQUEST_UNIT = c.request.unit;
    if (c.request.number) v.IVR_REQUEST_NUMBER = c.request.number;
  }
  return v;
}

export function initialContext(input: CallInput, cfg?: Pick<FlowConfig, 'menus' | 'owningSkills'>): FlowContext {
  const base = newCallContext(input);
  const r = input.resume;
  if (!r || !cfg) return base;
  // a call adopted after a restart: what its channel carries, and where it goes first
  const plan = resumePlan(r, cfg);
  const topic = isTopicOrService(r.topic) ? r.topic : null;
  return {
    ...base,
    topic,
    topicSkill: topic ? (cfg.owningSkills[topic] ?? 'general') : 'general',
    entered: { ...base.entered, nationalId: r.nationalId || null, orderNumber: r.orderNumber || null },
    rule: r.rule || null,
    outcome: r.outcome || null,
    request: resumedRequest(r),
    skill: plan.kind === 'handoff' ? plan.skill : 'general',
    resume: plan,
  };
}

function newCallContext(input: CallInput): FlowContext {
  return {
    callId: input.callId,
    callerNumber: input.callerNumber,
    pending: '',
    swallowHash: false,
    listen: initialListen(),
    topic: null,
    topicSkill: 'general',
    entered: { nationalId: null, orderNumber: null, areaCode: null, mobile: null },
    lookupFails: 0,
    policy: { facts: null, questions: [], questionIndex: 0, answers: {} },
    decision: null,
    rule: null,
    outcome: null,
    request: null,
    skill: 'general',
    say: [],
    resume: { kind: 'welcome' },
  };
}
