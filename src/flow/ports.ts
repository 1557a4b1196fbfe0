/**
 * The call flow's contract with the outside (src/app adapts it to ARI and the stores).
 *
 * The call machine (src/flow) is declared with `setup({ actors, ... })` using the actor names and
 * input/output types below; the running service replaces them with `machine.provide({ actors })`,
 * tests with fakes. Nothing in src/flow does I/O.
 *
 * Events the machine receives from the channel:
 *   { type: 'DTMF', digit }  a key ('0'-'9', '*', '#', also 'A'-'D' which the flow ignores); while an
 *                           entry's digits are read (the `readDigits` step), keys go to the call's
 *                           Keypad instead (./read-digits.ts): send a key with `keypad.press(digit)`
 *                           first, as a DTMF event only when it returns false
 *   { type: 'HANGUP' }       the caller hung up (or the channel left the app)
 *   { type: 'PLAY_DONE' }    the playback the flow last started (its `play` command) ended by itself:
 *                           played to the end, or could not play; never for one the flow stopped
 *                           (`stopPlay`) or one a newer `play` replaced (./playback.ts runPlays)
 *
 * Ordering guarantee of the adapter: actions on one channel run in the order the machine starts
 * them, and a playback still running is stopped before a variable, transfer or hangup is sent
 * (on a real Asterisk those would otherwise wait behind the prompt).
 */
import type { SayItem } from '../domain/say.ts';
import type { Decision, Facts, Question } from '../domain/decision.ts';
import type { NewRequest } from '../domain/ports.ts';
import type { Skill, Topic } from '../domain/skills.ts';
import type { ResumeVars } from './resume.ts';

export type FlowEvent = { type: 'DTMF'; digit: string } | { type: 'HANGUP' } | { type: 'PLAY_DONE' };

/** Machine input: one call. */
export interface CallInput {
  callId: string;
  /** caller ID number as the switch gives it ('' when withheld) */
  callerNumber: string;
  /** a call adopted after a restart of the service: what its channel carries (./resume.ts) */
  resume?: ResumeVars;
}

/**
 * Machine output (snapshot.output once status is 'done'): the caller was handed to a skill group,
 * or the call ended. `transfer-failed`: the transfer to the skill and the fallback to `general`
 * both failed (the adapter should hang up or park the caller).
 */
export type CallOutput =
  | { kind: 'transfer'; skill: Skill }
  | { kind: 'hangup'; reason: 'completed' | 'caller-hangup' | 'transfer-failed' };

/** `play` (a command): plays the items as one playback; `stopPlay` stops it (a key barged in, the state was left). */
export interface PlayInput { items: SayItem[] }
export interface PlayOutput { status: 'done' | 'stopped' | 'failed' }

/** One playback as the adapter runs it: `finished` settles when it ends, `stop()` ends it early. */
export interface Playback {
  finished: PromiseLike<PlayOutput['status']>;
  stop(): void;
}
/** What the adapter gives the flow to play prompts with (./playback.ts runPlays drives it). */
export type Player = (input: PlayInput) => Playback;

/**
 * `readDigits`: reads the rest of a digit entry from the call's keypad (Asterisk's Read(); the
 * rules and the implementation: ./read-digits.ts). While it runs, keys go to it, not to the machine.
 */
export type { ReadDigitsInput, ReadDigitsOutput } from './read-digits.ts';

/** `setVars`: sets channel variables (names without the `__` prefix; the adapter adds it for IVR_*). */
export interface SetVarsInput { vars: Record<string, string> }

/**
 * What the machine emits (`actor.on(type, …)`) instead of invoking a step: a command it does not
 * wait for. `setVars` puts what the call has collected (IVR_NODE, IVR_STATE …) on the channel; the
 * flow goes on at once, and the adapter's command order (above) keeps the variables ahead of the
 * next prompt or transfer on the wire. A failure is the adapter's to log: it never changed the flow
 * (a variable that did not stick must not stall the caller).
 *
 * `play` starts a prompt's playback when a prompt state is entered and `stopPlay` stops it when the
 * state is left (a key barged in, the caller hung up); the end of a playback that was not stopped
 * comes back as the PLAY_DONE event. ./playback.ts runPlays is that loop for any Player.
 */
export type FlowCommand = ({ type: 'setVars' } & SetVarsInput) | ({ type: 'play' } & PlayInput) | { type: 'stopPlay' };

/** `transfer`: hands the caller to a skill group (continue into the agents context). Ends the flow. */
export interface TransferInput { skill: Skill }

/** `hangup`: the flow ends the call after a completed announcement. */
export interface HangupInput { reason: 'completed' }

/** `lookupOrder`: checks that national ID and order number belong together and gathers the facts. */
export interface LookupOrderInput { nationalId: string; orderNumber: string; callerNumber: string; topic: Topic }
export type LookupOrderOutput =
  | { status: 'found'; facts: Facts }
  /** no such pair (a failed try; never says whether the order exists for someone else) */
  | { status: 'mismatch' }
  /** too many failed tries from this calling number: go to an agent */
  | { status: 'limited' }
  | { status: 'unavailable' };

/** `questions`: what the rules still need to ask the caller for this topic (src/policy questionsFor). */
export interface QuestionsInput { topic: Topic; facts: Facts }
export type QuestionsOutput = Question[];

/** `decide`: the policy engine. */
export interface DecideInput { topic: Topic; facts: Facts }
export type DecideOutput = Decision;

/** `register`: durable registration of a request (idempotent per callId + topic). */
export interface RegisterInput { request: NewRequest }
export type RegisterOutput = { status: 'registered'; number: string } | { status: 'unavailable' };

/** `registerCustomer` (before purchase 4). */
export interface RegisterCustomerInput { nationalId: string; mobile?: string }
export type RegisterCustomerOutput = { status: 'registered' | 'already-registered' | 'unavailable' };

/** `sendStores` (before purchase 3): SMS of the stores of an area code to a mobile. */
export interface SendStoresInput { areaCode: string; mobile: string; callId: string }
/** `rejected`: the gateway refused the number or the message for good (retrying cannot help); nothing was sent */
export type SendStoresOutput = { status: 'sent'; count: number } | { status: 'no-stores' } | { status: 'rejected' } | { status: 'unavailable' };
