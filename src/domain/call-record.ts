/**
 * The durable record every call leaves (issue 12): when it entered, who called (masked), each node
 * it visited with the time spent there, the keys and repeats, the rule and outcome, the request
 * registered, and where the call went and why. Written by the service (src/app/call-recorder.ts),
 * kept in the store (src/store/call-records.ts), summed up by src/domain/report.ts.
 *
 * Nothing here may hold what the logs may not: the caller number is masked, and the keys keyed
 * into the national-ID and mobile entries are stored as `x` (their count and the # / * remain).
 */

/** Why a call was handed to an agent. */
export const TRANSFER_REASONS = [
  /** the caller chose an agent in a menu (the 0 key of the default tree) */
  'caller-choice',
  /** a policy rule sends the case to a skill (Decision.transfer) */
  'rule',
  /** a before-purchase item that ends with an agent (sale plans, product advice, no store in the area) */
  'service',
  /** no key / wrong key / wrong entry, tries used up */
  'too-many-tries',
  /** national ID and order number did not match too often (per call or per calling number) */
  'lookup-limit',
  /** Quantum, the store or the SMS gateway could not answer */
  'backend-unavailable',
  /** the flow failed: the fail-safe sent the caller to the general queue */
  'flow-error',
  /** the call stayed longer than the maximum time in the IVR */
  'max-call-time',
  /** the service was stopping and the call's grace period ran out */
  'service-stopping',
] as const;
export type TransferReason = (typeof TRANSFER_REASONS)[number];

/** Things that went wrong during a call (a call may have several, and the same one more than once). */
export const FAILURE_KINDS = [
  'playback-failed',
  'order-lookup-unavailable',
  'order-mismatch',
  'order-lookup-limited',
  'register-unavailable',
  'customer-registration-unavailable',
  'sms-unavailable',
  /** the SMS gateway refused the number or the message for good: the caller was told it was not sent */
  'sms-rejected',
  'transfer-failed',
  'flow-error',
  'max-call-time',
  'service-stopping',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** One visit to a node (a menu, an entry, a question, a confirmation: the IVR_NODE values). */
export interface NodeVisit {
  node: string;
  /** milliseconds after the call entered the IVR */
  atMs: number;
  /** time spent at the node until the next node or the end of the call */
  ms: number;
  /** keys pressed while at the node, in order ('x' for each digit of a national ID or mobile) */
  keys: string;
  /** times the node's prompt was played again (`*`, a wrong or no key, a failed entry) */
  repeats: number;
}

export type CallEnd =
  | { kind: 'transfer'; skill: string; reason: TransferReason }
  /** completed: the IVR answered and hung up; caller-hangup; transfer-failed; abandoned (the service dropped it) */
  | { kind: 'hangup'; reason: string };

export interface CallRecord {
  callId: string;
  /** ISO instant the call entered the IVR (wall clock) */
  startedAt: string;
  durationMs: number;
  /** masked caller number ('' when withheld) */
  caller: string;
  /** picked up again after a reconnect or a restart of the service */
  recovered: boolean;
  /** the topic or before-purchase service chosen, if any */
  topic: string | null;
  nodes: NodeVisit[];
  rule: string | null;
  outcome: string | null;
  request: { type: string; unit: string; number: string | null } | null;
  end: CallEnd;
  /** entry → the transfer to an agent was requested (transfers only) */
  agentMs: number | null;
  failures: FailureKind[];
}

/** An ended call with no agent that the IVR completed: the self-service count. */
export const isSelfService = (r: CallRecord) => r.end.kind === 'hangup' && r.end.reason === 'completed';
