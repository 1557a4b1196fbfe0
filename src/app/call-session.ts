/**
 * One call's life in the service: answer, run the call machine with live actors, feed it the
 * channel's keys and hang-up, and make sure the caller ends at an answer or a human: if the
 * flow fails or runs past its limit, the caller goes to the general queue.
 */
import { createActor, type AnyStateMachine, type PromiseActorLogic } from 'xstate';
import type { CallChannel } from '../ari/channel.ts';
import { isNotFound } from '../ari/errors.ts';
import type { Logger } from '../log/logger.ts';
import type { CallRecord } from '../domain/call-record.ts';
import { defaultFlowConfig } from '../flow/config.ts';
import { collectedVars, type FlowContext } from '../flow/setup.ts';
import type { CallServices } from './actors.ts';
import { callActors, channelVarName, type CallStep } from './actors.ts';
import type { CallInput, FlowCommand, Player, SetVarsInput } from '../flow/ports.ts';
import { decodeIvrState, IVR_STATE, RESUME_VARIABLES, type ResumeVars } from '../flow/resume.ts';
import { Keypad } from '../flow/read-digits.ts';
import { runPlays } from '../flow/playback.ts';

/** each call's actor system → that call's actor implementations (see sharedMachine) */
const actorsOfCall = new WeakMap<object, Record<string, unknown>>();
const sharedMachines = new WeakMap<AnyStateMachine, AnyStateMachine>();

/**
 * The call machine with its actors provided once, not once per call: building a machine (xstate
 * formats every transition of every state) cost more CPU than the rest of a call's flow. Each
 * provided actor finds the implementation of its own call through the call's actor system.
 */
function sharedMachine(machine: AnyStateMachine, names: string[]): AnyStateMachine {
  let shared = sharedMachines.get(machine);
  if (!shared) {
    const actors: Record<string, unknown> = {};
    for (const name of names) actors[name] = callStepLogic(name);
    shared = machine.provide({ actors } as never);
    sharedMachines.set(machine, shared);
  }
  return shared;
}

/**
 * A call's implementations: the machine's steps (./actors.ts CallStep), `setVars` and the `play`
 * Player. The Player is required: a prompt state waits for its PLAY_DONE, so a call without one would
 * sit in its first prompt (an unbound step, by contrast, fails and the flow moves on).
 */
export type CallImpls = { setVars?: CallStep<void, SetVarsInput>; play: Player } & Record<string, CallStep<unknown, never> | Player | undefined>;

/**
 * Creates the call machine's actor for one call with that call's implementations (./actors.ts
 * callActors, or any functions of the same form). Not started: subscribe first, then `start()`.
 * `stopPlayback()` stops the prompt in progress when the session stops the actor itself.
 */
export function createCallActor(machine: AnyStateMachine, impls: CallImpls, input: CallInput, log?: Pick<Logger, 'error'>) {
  const { setVars, play, ...steps } = impls;
  const actor = createActor(sharedMachine(machine, Object.keys(steps)), { input });
  actorsOfCall.set(actor.system, steps);
  // the flow's commands (src/flow/ports.ts FlowCommand): sent, not waited for; the step logs its own failures
  if (setVars) actor.on('setVars', (c: Extract<FlowCommand, { type: 'setVars' }>) => void runCommand(setVars, { vars: c.vars }, log));
  const failed = (e: unknown) => log?.error({ err: e }, 'a prompt of the call flow could not be played');
  const plays = runPlays(actor, play, failed);
  return { actor, stopPlayback: plays.stop };
}

const NEVER_ABORTED = new AbortController().signal;
/** runs a command of the flow; a step that throws anyway (it should not) is logged, not an unhandled rejection */
function runCommand<I>(step: CallStep<void, I>, input: I, log: Pick<Logger, 'error'> | undefined): Promise<void> {
  const failed = (e: unknown) => log?.error({ err: e }, 'a command of the call flow failed');
  try {
    return Promise.resolve(step({ input, signal: NEVER_ABORTED })).catch(failed);
  } catch (e) {
    failed(e);
    return Promise.resolve();
  }
}

const STEP_DONE = 'ivr.step.done';
const STEP_FAILED = 'ivr.step.failed';
/** the abort reason of a step the flow stopped (a key barged in, the caller hung up, the state was left) */
const STOPPED_BY_FLOW = 'stopped by the call flow';
/** the AbortController of a running step, made only when the step asked for its signal */
const stepControllers = new WeakMap<object, AbortController>();
type StepSnapshot = { status: 'active' | 'done' | 'error' | 'stopped'; output: unknown; error: unknown; input: unknown };

/**
 * A call step (./actors.ts CallStep) as xstate actor logic: what `fromPromise` does (output or
 * error to the parent; stopped when the state is left), minus its costs per invocation: the
 * AbortController is made only when the step reads `signal` (readDigits does; the backends do
 * not), and a stop aborts it with a constant reason, not a new DOMException (which captures a
 * stack). A refund call invokes 8 steps (its prompts and variables are commands, not steps).
 */
function callStepLogic(name: string) {
  const logic = {
    config: name,
    transition: (state: StepSnapshot, event: { type: string; data?: unknown }, scope: { self: object }): StepSnapshot => {
      if (state.status !== 'active') return state;
      switch (event.type) {
        case STEP_DONE:
          return { ...state, status: 'done', output: event.data, input: undefined };
        case STEP_FAILED:
          return { ...state, status: 'error', error: event.data, input: undefined };
        case 'xstate.stop': {
          const controller = stepControllers.get(scope.self);
          if (controller) {
            stepControllers.delete(scope.self);
            controller.abort(STOPPED_BY_FLOW);
          }
          return { ...state, status: 'stopped', input: undefined };
        }
        default:
          return state;
      }
    },
    start: (state: StepSnapshot, { self, system }: { self: { getSnapshot(): { status: string }; send(e: unknown): void }; system: object }) => {
      if (state.status !== 'active') return;
      const impl = actorsOfCall.get(system)?.[name] as CallStep<unknown, unknown> | undefined;
      let result: Promise<unknown>;
      try {
        if (!impl) throw new Error(`no ${name} actor for this call`);
        result = Promise.resolve(
          impl({
            input: state.input,
            get signal() {
              let c = stepControllers.get(self);
              if (!c) stepControllers.set(self, (c = new AbortController()));
              return c.signal;
            },
          }),
        );
      } catch (e) {
        result = Promise.reject(e);
      }
      const settle = (type: string, data: unknown) => {
        if (self.getSnapshot().status !== 'active') return;
        stepControllers.delete(self);
        self.send({ type, data });
      };
      result.then(
        (data) => settle(STEP_DONE, data),
        (err) => settle(STEP_FAILED, err),
      );
    },
    getInitialSnapshot: (_: unknown, input: unknown): StepSnapshot => ({ status: 'active', output: undefined, error: undefined, input }),
    getPersistedSnapshot: (s: StepSnapshot) => s,
    restoreSnapshot: (s: StepSnapshot) => s,
  };
  return logic as unknown as PromiseActorLogic<unknown, unknown>;
}

/**
 * What an adopted channel carries: its IVR_STATE (src/flow/resume.ts), or, on a channel without one
 * (set by an older version of the service), IVR_NODE and the collected IVR_* values one by one.
 * A variable that cannot be read counts as not set.
 */
export async function readResumeVars(channel: CallChannel, log: Logger): Promise<ResumeVars> {
  const out: ResumeVars = {};
  let unread = 0;
  // one after the other, each tried up to 3 times: a restarted service adopts all its calls at once,
  // and a read lost to a busy Asterisk must not send a caller back to the welcome. IVR_STATE first
  // (one read); the individual variables only for a call that has none (set by an older version)
  let variables: [string, keyof ResumeVars | typeof IVR_STATE][] = [[IVR_STATE, IVR_STATE]];
  for (let i = 0; i < variables.length; i++) {
    const [variable, field] = variables[i]!;
    for (let attempt = 1; ; attempt++) {
      try {
        const v = await channel.getVariable(variable);
        const state = field === IVR_STATE && v ? decodeIvrState(v) : undefined;
        if (state) Object.assign(out, state.vars);
        else if (field === IVR_STATE) variables = variables.concat(Object.entries(RESUME_VARIABLES));
        else if (v) out[field] = v;
        break;
      } catch (e) {
        if (attempt < 3) {
          await new Promise((r) => setTimeout(r, 200 * attempt));
          continue;
        }
        unread++;
        log.warn({ err: e, variable }, 'could not read a variable of an adopted call');
        break;
      }
    }
  }
  // a call adopted at all has been in the IVR: when its node cannot be read, the main menu, not the welcome
  if (unread && !out.node) out.node = 'main-menu';
  return out;
}
import { CallRecorder, type CallNote, type ReasonPrompts } from './call-recorder.ts';
import { WatchdogTicker } from './watchdog-ticker.ts';

export type CallResult = { kind: 'transfer'; skill: string } | { kind: 'hangup'; reason: string };

export interface CallSessionOptions {
  machine: AnyStateMachine;
  services: CallServices;
  channel: CallChannel;
  callId: string;
  log: Logger;
  /** the longest a caller may stay in the IVR before going to an agent */
  maxCallMs: number;
  /** the channel is already answered (a call recovered after a reconnect) */
  answered?: boolean;
  /**
   * keep the dialplan's watchdog (TIMEOUT(absolute)) pushed forward to `seconds`, looked at every
   * `everyMs`, while the call is in the IVR; absent: no pushes. `ticker`: the service's one timer for
   * all its calls (its seconds and everyMs are used); absent: a timer of this call's own
   */
  watchdog?: { seconds: number; everyMs: number; ticker?: WatchdogTicker };
  /**
   * aborted when the service stops and this call's grace period is over: the caller goes to the
   * general queue (an agent) instead of being left in silence, and every timer of the call is cleared
   */
  abort?: AbortSignal;
  /** aborted when the service drops its calls without a word (a simulated crash): timers cleared, channel untouched */
  drop?: AbortSignal;
  /** a call adopted after a restart: what its channel carries (src/flow/resume.ts) */
  resume?: ResumeVars;
  /** receives the call's record when it ends (src/domain/call-record.ts) */
  onRecord?: (record: CallRecord) => void;
  /** hears the call's nodes, keys and failures as they happen (metrics) */
  onNote?: (n: CallNote) => void;
  /** prompt names that tell why a caller went to an agent; default: the default flow's */
  reasonPrompts?: ReasonPrompts;
}

let defaultReasonPrompts: ReasonPrompts | undefined;

const MAX_TIME = 'call exceeded the maximum time in the IVR';
type FailSafeKind = 'flow-error' | 'max-call-time' | 'service-stopping';

export async function runCallSession(o: CallSessionOptions): Promise<CallResult> {
  const { channel, log } = o;
  log.info({ caller: channel.callerNumber }, 'call entered the IVR');
  // first push at once (an adopted call's deadline may be close), then on the service's shared
  // ticker (./watchdog-ticker.ts) until the session ends
  const ticker = o.watchdog ? (o.watchdog.ticker ?? new WatchdogTicker(o.watchdog.seconds, o.watchdog.everyMs)) : undefined;
  ticker?.add(channel);
  try {
    return await runSession(o);
  } finally {
    ticker?.remove(channel);
  }
}

async function runSession(o: CallSessionOptions): Promise<CallResult> {
  const { channel, log } = o;
  const input = { callId: o.callId, callerNumber: channel.callerNumber, ...(o.resume ? { resume: o.resume } : {}) };
  const recorder = new CallRecorder(o.callId, channel.callerNumber, o.reasonPrompts ?? (defaultReasonPrompts ??= defaultFlowConfig().prompts), !!o.answered);
  const note = (n: CallNote) => {
    recorder.note(n);
    o.onNote?.(n);
  };
  const record = (r: CallResult, context?: FlowContext, failSafe?: FailSafeKind) => {
    if (!o.onRecord) return;
    try {
      o.onRecord(recorder.finish(r, context, failSafe));
    } catch (e) {
      log.error({ err: e }, 'could not record the call');
    }
  };
  if (!o.answered) {
    try {
      await channel.answer();
    } catch (e) {
      if (isNotFound(e)) {
        const r: CallResult = { kind: 'hangup', reason: 'caller-hangup' };
        record(r);
        return r;
      }
      log.error({ err: e }, 'answer failed');
    }
  }
  // the caller's keys: to the reader of an entry's digits while one reads, otherwise to the machine
  const keypad = new Keypad();
  const { actor, stopPlayback } = createCallActor(o.machine, callActors(o.services, channel, o.callId, log, note, o.resume, keypad), input, log);

  return await new Promise<CallResult>((resolve) => {
    let settled = false;
    const finish = (r: CallResult, failSafe?: FailSafeKind) => {
      if (settled) return;
      settled = true;
      clearTimeout(limit);
      o.abort?.removeEventListener('abort', onAbort);
      o.drop?.removeEventListener('abort', onDrop);
      channel.off('dtmf', onDtmf);
      record(r, actor.getSnapshot().context as FlowContext | undefined, failSafe);
      resolve(r);
    };
    // set while the fail-safe sends the caller to the general queue: the session ends when the
    // caller is there (or gone), not before. Stopping the actor fires its `complete` at once
    // (xstate), which must not end the session as "completed": the service would then close ARI
    // while the continue to the general queue is still on its way (the caller left in Stasis()
    // until the watchdog, seen after SIGTERM on a real Asterisk).
    let failingSafe = false;
    const failSafe = async (why: string, err?: unknown) => {
      if (settled || failingSafe) return;
      failingSafe = true;
      if (o.abort?.aborted) log.warn({ why }, 'sending the caller to the general queue');
      else log.error({ err, why }, 'call flow failed: sending the caller to the general queue');
      actor.stop();
      stopPlayback();
      note({ type: 'transfer', skill: 'general' });
      if (!channel.gone) {
        const general = o.services.routing.skills.general!;
        const toGeneral = () => channel.continueTo(o.services.routing.agentsContext, general.extension, 1);
        // what was collected goes to the agent's screen too (the flow sets it at its own hand-offs only)
        const context = actor.getSnapshot().context as FlowContext | undefined;
        const vars: Record<string, string> = {};
        for (const [k, v] of Object.entries(context ? collectedVars(context) : {})) vars[channelVarName(k)] = v;
        await channel
          .setVariables({ ...vars, __IVR_OUTCOME: o.abort?.aborted ? 'ivr-stopped' : 'ivr-error', __IVR_SKILL: 'general' })
          .catch((e) => {
            // the variables are for the agent's screen; the caller's way out matters more
            if (!isNotFound(e)) log.warn({ err: e }, 'fail-safe: could not set the outcome variables');
          })
          .then(toGeneral)
          // once more when it did not get through (a timeout under load); a channel gone is no error
          .catch((e) => (isNotFound(e) ? undefined : toGeneral()))
          .catch((e) => {
            if (!isNotFound(e)) log.error({ err: e }, 'fail-safe transfer failed');
          });
      }
      finish({ kind: 'transfer', skill: 'general' }, why === MAX_TIME ? 'max-call-time' : o.abort?.aborted ? 'service-stopping' : 'flow-error');
    };
    const send = (ev: { type: 'DTMF'; digit: string } | { type: 'HANGUP' }) => {
      if (!settled && actor.getSnapshot().status === 'active') actor.send(ev);
    };
    const onDtmf = (digit: string) => {
      note({ type: 'key', digit });
      if (settled || !keypad.press(digit)) send({ type: 'DTMF', digit });
    };
    channel.on('dtmf', onDtmf);
    channel.once('end', () => send({ type: 'HANGUP' }));
    channel.once('hangup-request', () => send({ type: 'HANGUP' }));
    const limit = setTimeout(() => void failSafe(MAX_TIME), o.maxCallMs);
    const onAbort = () => void failSafe('the service is stopping and the grace period is over');
    if (o.abort?.aborted) onAbort();
    else o.abort?.addEventListener('abort', onAbort, { once: true });
    const onDrop = () => {
      failingSafe = true;
      actor.stop();
      finish({ kind: 'hangup', reason: 'abandoned' });
    };
    o.drop?.addEventListener('abort', onDrop, { once: true });
    actor.subscribe({
      complete: () => {
        if (failingSafe) return;
        const out = actor.getSnapshot().output as CallResult | undefined;
        const r: CallResult = out ?? { kind: 'hangup', reason: 'completed' };
        log.info({ outcome: r }, 'call left the IVR');
        finish(r);
      },
      error: (err) => void failSafe('flow error', err),
    });
    actor.start();
    if (channel.gone) send({ type: 'HANGUP' });
  });
}
