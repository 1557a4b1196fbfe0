/**
 * Test harness: runs the call machine with fake actors under vitest fake timers and drives it like
 * the spec's `--keys` caller: each group is keyed when IVR_NODE is next set; `w` keys nothing (the
 * IVR's timeout acts); `h` hangs up. A prompt takes `promptMs` of fake time unless a key stops it
 * (the prompts are the machine's `play` commands, run by the service's own runPlays).
 */
import { vi } from 'vitest';
import { createActor, fromPromise, type AnyActorRef } from 'xstate';
import { Keypad, readDigits, type ReadDigitsInput, type ReadDigitsOutput } from '../../src/flow/read-digits.ts';
import type { Decision, Facts, Question } from '../../src/domain/decision.ts';
import type { SayItem } from '../../src/domain/say.ts';
import { createCallMachine } from '../../src/flow/call-machine.ts';
import { runPlays } from '../../src/flow/playback.ts';
import type {
  DecideInput,
  FlowCommand,
  Player,
  LookupOrderInput,
  LookupOrderOutput,
  QuestionsInput,
  RegisterCustomerInput,
  RegisterCustomerOutput,
  RegisterInput,
  RegisterOutput,
  SendStoresInput,
  SendStoresOutput,
  TransferInput,
} from '../../src/flow/ports.ts';
import type { FlowOutput } from '../../src/flow/setup.ts';
import type { ResumeVars } from '../../src/flow/resume.ts';

export interface Backends {
  lookupOrder?: (i: LookupOrderInput) => LookupOrderOutput | Promise<LookupOrderOutput>;
  questions?: (i: QuestionsInput) => Question[];
  decide?: (i: DecideInput) => Decision;
  register?: (i: RegisterInput) => RegisterOutput;
  registerCustomer?: (i: RegisterCustomerInput) => RegisterCustomerOutput;
  sendStores?: (i: SendStoresInput) => SendStoresOutput;
  /** the transfer actor rejects for these skills */
  transferFails?: string[];
}

export interface Trace {
  /** every actor call in order: `play welcome`, `vars IVR_NODE=main-menu`, `transfer sales`, `hangup` … */
  log: string[];
  /** prompt names in the order playback started (items of kind prompt only) */
  prompts: string[];
  /** every item played, in order */
  items: SayItem[];
  /** IVR_NODE values in the order they were set */
  nodes: string[];
  /** last value of every variable set */
  vars: Record<string, string>;
  stopped: number;
  output: FlowOutput | undefined;
  registered: RegisterInput[];
  lookups: LookupOrderInput[];
  decideInputs: DecideInput[];
  questionInputs: QuestionsInput[];
  customers: RegisterCustomerInput[];
  sms: SendStoresInput[];
}

export const emptyFacts = (): Facts => ({ customer: null, order: null, stock: null, bouncedCheques: [], earlierRequests: [], answers: {} });

/**
 * A call's keypad as the service runs it (src/app/call-session.ts): `actors` is the real reader of
 * an entry's digits (src/flow/read-digits.ts) on that keypad; `press` sends a key to it while it
 * reads, otherwise to the machine as a DTMF event.
 */
export function keyed(keypad = new Keypad()) {
  return {
    keypad,
    readDigits: fromPromise<ReadDigitsOutput, ReadDigitsInput>(({ input, signal }) => readDigits(keypad)({ input, signal })),
    press(actor: Pick<AnyActorRef, 'send'>, digit: string) {
      if (!keypad.press(digit)) actor.send({ type: 'DTMF', digit });
    },
  };
}

/**
 * A fake Player (src/flow/ports.ts): each playback goes into the trace (`play …` in the log, its
 * prompts and items) and takes `promptMs` of (fake) time unless the flow stops it (`stopped`).
 */
export function fakePlayer(t: Pick<Trace, 'log' | 'prompts' | 'items' | 'stopped'>, promptMs: number): Player {
  return ({ items }) => {
    t.log.push(`play ${items.map((i) => (i.kind === 'prompt' ? i.name : `${i.kind === 'identifier' ? i.format : i.kind}:${String(i.value)}`)).join(' ')}`);
    t.prompts.push(...items.flatMap((i) => (i.kind === 'prompt' ? [i.name] : [])));
    t.items.push(...items);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let end: (s: 'done' | 'stopped') => void = () => {};
    const finished = new Promise<'done' | 'stopped'>((resolve) => {
      end = resolve;
      timer = setTimeout(() => resolve('done'), promptMs);
    });
    return {
      finished,
      stop: () => {
        clearTimeout(timer);
        t.stopped++;
        end('stopped');
      },
    };
  };
}

/**
 * The machine's commands (src/flow/ports.ts FlowCommand) as the service runs them: `setVars` into
 * the trace (`vars …` in the log, IVR_NODE values in `nodes`), `play` / `stopPlay` through
 * runPlays with a fakePlayer of `promptMs`. Call before start().
 */
export function traceCommands<A extends Pick<AnyActorRef, 'on' | 'send' | 'getSnapshot'>>(
  actor: A,
  t: Pick<Trace, 'log' | 'vars' | 'nodes' | 'prompts' | 'items' | 'stopped'>,
  promptMs: number,
): A {
  actor.on('setVars', ({ vars }: Extract<FlowCommand, { type: 'setVars' }>) => {
    t.log.push(`vars ${Object.entries(vars).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    Object.assign(t.vars, vars);
    if (vars.IVR_NODE !== undefined) t.nodes.push(vars.IVR_NODE);
  });
  runPlays(actor, fakePlayer(t, promptMs));
  return actor;
}

/** the machine's steps (prompts are commands: traceCommands) */
export function fakeActors(b: Backends, t: Trace, keypad = new Keypad()) {
  let reqNo = 0;
  return {
    readDigits: keyed(keypad).readDigits,
    transfer: fromPromise<void, TransferInput>(async ({ input }) => {
      t.log.push(`transfer ${input.skill}`);
      if (b.transferFails?.includes(input.skill)) throw new Error(`queue ${input.skill} is not there`);
    }),
    hangup: fromPromise<void, { reason: 'completed' }>(async ({ input }) => {
      t.log.push(`hangup ${input.reason}`);
    }),
    lookupOrder: fromPromise<LookupOrderOutput, LookupOrderInput>(async ({ input }) => {
      t.lookups.push(input);
      t.log.push(`lookupOrder ${input.topic}`);
      if (!b.lookupOrder) throw new Error('lookupOrder not expected');
      return b.lookupOrder(input);
    }),
    questions: fromPromise<Question[], QuestionsInput>(async ({ input }) => {
      t.questionInputs.push(input);
      t.log.push(`questions ${input.topic}`);
      return b.questions ? b.questions(input) : [];
    }),
    decide: fromPromise<Decision, DecideInput>(async ({ input }) => {
      t.decideInputs.push(input);
      t.log.push(`decide ${input.topic}`);
      if (!b.decide) throw new Error('decide not expected');
      return b.decide(input);
    }),
    register: fromPromise<RegisterOutput, RegisterInput>(async ({ input }) => {
      t.registered.push(input);
      t.log.push(`register ${input.request.type} ${input.request.unit}`);
      return b.register ? b.register(input) : { status: 'registered', number: `R-${String(++reqNo).padStart(6, '0')}` };
    }),
    registerCustomer: fromPromise<RegisterCustomerOutput, RegisterCustomerInput>(async ({ input }) => {
      t.customers.push(input);
      t.log.push('registerCustomer');
      return b.registerCustomer ? b.registerCustomer(input) : { status: 'registered' };
    }),
    sendStores: fromPromise<SendStoresOutput, SendStoresInput>(async ({ input }) => {
      t.sms.push(input);
      t.log.push(`sendStores ${input.areaCode}`);
      return b.sendStores ? b.sendStores(input) : { status: 'sent', count: 3 };
    }),
  };
}

export interface RunOptions {
  keys: string;
  callerNumber?: string;
  backends?: Backends;
  config?: unknown;
  promptMs?: number;
  /** key the group only after the prompt of the listen finished (no barge-in) */
  afterPrompt?: boolean;
  /** a call adopted after a restart (src/flow/resume.ts) */
  resume?: ResumeVars;
}

export const newTrace = (): Trace => ({
  log: [],
  prompts: [],
  items: [],
  nodes: [],
  vars: {},
  stopped: 0,
  output: undefined,
  registered: [],
  lookups: [],
  decideInputs: [],
  questionInputs: [],
  customers: [],
  sms: [],
});

/** Runs one call to its end (must be called with vi.useFakeTimers() active). */
export async function runCall(o: RunOptions): Promise<Trace> {
  const t = newTrace();
  const keys = keyed();
  const machine = createCallMachine(o.config ?? {}).provide({ actors: fakeActors(o.backends ?? {}, t, keys.keypad) });
  const actor = traceCommands(createActor(machine, { input: { callId: 'call-1', callerNumber: o.callerNumber ?? '02188776655', ...(o.resume ? { resume: o.resume } : {}) } }), t, o.promptMs ?? 2000);
  const groups = o.keys.split(/\s+/).filter(Boolean);
  let used = 0;
  let seen = 0;
  actor.start();
  for (let i = 0; i < 5000 && actor.getSnapshot().status === 'active'; i++) {
    await vi.advanceTimersByTimeAsync(0);
    if (t.nodes.length > seen && used < groups.length) {
      seen = t.nodes.length;
      if (o.afterPrompt) await vi.advanceTimersByTimeAsync(o.promptMs ?? 2000);
      const g = groups[used++]!;
      if (g === 'h') actor.send({ type: 'HANGUP' });
      else if (g !== 'w') for (const digit of g) keys.press(actor, digit);
      continue;
    }
    if (t.nodes.length > seen) seen = t.nodes.length;
    await vi.advanceTimersToNextTimerAsync();
  }
  const snap = actor.getSnapshot();
  if (snap.status !== 'done') throw new Error(`call did not end: ${JSON.stringify(snap.value)}\n${t.log.join('\n')}`);
  t.output = snap.output;
  actor.stop();
  return t;
}

export function decision(d: Partial<Decision> & Pick<Decision, 'rule' | 'outcome'>): Decision {
  return { say: [{ kind: 'prompt', name: `${d.rule.toLowerCase()}-${d.outcome}` }], request: null, transfer: null, reason: 'test', ...d };
}
