/**
 * Builds one call's record (src/domain/call-record.ts) from what the call session sees: the nodes
 * the flow announces (IVR_NODE), the keys of the channel, what the actors report (playbacks,
 * backends, the transfer) and, at the end, the flow's own context (topic, rule, outcome, request,
 * the skill and what was said before it — which tells why the caller went to an agent).
 */
import type { CallEnd, CallRecord, FailureKind, NodeVisit, TransferReason } from '../domain/call-record.ts';
import { SERVICES, type PromptsSpec } from '../flow/config.ts';
import type { FlowContext } from '../flow/setup.ts';
import { maskPhone } from '../log/mask.ts';

/** What the actors and the session tell the recorder while a call runs. */
export type CallNote =
  /** the IVR listens at a node; `topic` is the call's topic so far (the console's live calls) */
  | { type: 'node'; node: string; topic?: string }
  | { type: 'key'; digit: string }
  | { type: 'playback-failed' }
  | { type: 'failure'; kind: FailureKind }
  | { type: 'transfer'; skill: string }
  /** the rules decided (metrics; the record takes rule and outcome from the flow's context) */
  | { type: 'decision'; topic: string; rule: string; outcome: string };

/** Prompt names that tell why a caller was sent to an agent (FlowConfig.prompts). */
export type ReasonPrompts = Pick<PromptsSpec, 'systemUnavailable' | 'tooManyTries' | 'orderLookupLimit'>;

/** Nodes whose digits are personal data: stored as x. */
const MASKED_NODES = new Set(['national-id', 'mobile']);

export class CallRecorder {
  private readonly t0 = performance.now();
  private readonly startedAt = new Date();
  private readonly nodes: (NodeVisit & { t: number })[] = [];
  private readonly failures: FailureKind[] = [];
  private transferAt: number | null = null;

  constructor(
    private readonly callId: string,
    private readonly callerNumber: string,
    private readonly prompts: ReasonPrompts,
    private readonly recovered = false,
  ) {}

  note(n: CallNote): void {
    const now = performance.now();
    const cur = this.nodes.at(-1);
    switch (n.type) {
      case 'node':
        if (cur && cur.node === n.node) cur.repeats++;
        else this.nodes.push({ node: n.node, atMs: Math.round(now - this.t0), t: now, ms: 0, keys: '', repeats: 0 });
        break;
      case 'key':
        if (cur) cur.keys += MASKED_NODES.has(cur.node) && /[0-9]/.test(n.digit) ? 'x' : n.digit;
        break;
      case 'playback-failed':
        this.failures.push('playback-failed');
        break;
      case 'failure':
        this.failures.push(n.kind);
        break;
      case 'transfer':
        this.transferAt ??= now;
        break;
    }
  }

  /**
   * The record of the ended call. `context` is the flow's last context (absent when the flow
   * never started); `failSafe` names why the session sent the caller to the general queue itself.
   */
  finish(result: { kind: 'transfer'; skill: string } | { kind: 'hangup'; reason: string }, context?: FlowContext, failSafe?: 'flow-error' | 'max-call-time' | 'service-stopping'): CallRecord {
    const end = performance.now();
    const visits: NodeVisit[] = this.nodes.map((v, i) => {
      const next = this.nodes[i + 1]?.t ?? end;
      return { node: v.node, atMs: v.atMs, ms: Math.round(next - v.t), keys: v.keys, repeats: v.repeats };
    });
    if (failSafe) this.failures.push(failSafe);
    if (result.kind === 'hangup' && result.reason === 'transfer-failed') this.failures.push('transfer-failed');
    let callEnd: CallEnd;
    if (result.kind === 'transfer') {
      callEnd = { kind: 'transfer', skill: result.skill, reason: failSafe ?? this.transferReason(context) };
      this.transferAt ??= end;
    } else callEnd = { kind: 'hangup', reason: result.reason };
    return {
      callId: this.callId,
      startedAt: this.startedAt.toISOString(),
      durationMs: Math.round(end - this.t0),
      caller: this.callerNumber ? maskPhone(this.callerNumber) : '',
      recovered: this.recovered,
      topic: context?.topic ?? null,
      nodes: visits,
      rule: context?.rule ?? null,
      outcome: context?.outcome ?? null,
      request: context?.request ? { ...context.request } : null,
      end: callEnd,
      agentMs: callEnd.kind === 'transfer' && this.transferAt !== null ? Math.round(this.transferAt - this.t0) : null,
      failures: [...this.failures],
    };
  }

  private transferReason(c: FlowContext | undefined): TransferReason {
    if (!c) return 'flow-error';
    const said = new Set(c.say.map((s) => (s.kind === 'prompt' ? s.name : '')));
    if (said.has(this.prompts.systemUnavailable)) return 'backend-unavailable';
    if (said.has(this.prompts.orderLookupLimit)) return 'lookup-limit';
    if (said.has(this.prompts.tooManyTries)) return 'too-many-tries';
    if (c.decision?.transfer) return 'rule';
    if (c.topic && (SERVICES as readonly string[]).includes(c.topic)) return 'service';
    return 'caller-choice';
  }
}
