/**
 * The service's metrics, exposed on GET /metrics by prom-client in the Prometheus text format.
 * One registry per service (never prom-client's global one): several services in one process
 * (tests, a second service on the same stack) each count their own calls.
 *
 * Cheap on the call path: what a call reports goes through one observer per call (`call()`, fed
 * with the call session's notes), and each count is a plain number in a cell cached per label set
 * (a node, a node and exit cause, a rule and outcome…), found with Map lookups, never by building
 * a label string per event. prom-client reads the cells when /metrics is scraped. Gauges that
 * describe a state (outbox depth, dependencies, the Quantum breaker) are read at scrape time too.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AriStats } from '../ari/client.ts';
import { LatencyHistogram } from '../ari/latency.ts';
import type { QuantumErrorKind } from '../quantum/http.ts';
import type { KavenegarOptions } from '../sms/kavenegar.ts';
import type { CallNote } from './call-recorder.ts';

/** How one listen at a node ended (ivr_node_exits_total{cause}). */
export type ExitCause =
  /** a key took the caller on to another node */
  | 'key'
  /** keys that the node did not accept (a key with no menu item, an invalid entry): asked again */
  | 'invalid'
  /** `*`: the node said again */
  | 'repeat'
  /** no key within the timeout: asked again */
  | 'no-input'
  /** the IVR moved on without a key */
  | 'next'
  /** the caller hung up here */
  | 'hangup'
  /** the call went to an agent from here (the caller's choice, a rule, tries used up, a failure) */
  | 'transfer'
  /** the IVR ended the call here (goodbye after an answer) */
  | 'end';

/** What a registration came to (ivr_registrations_total{result}). */
export type RegistrationResult = 'registered' | 'already-registered' | 'failed';
/** A failed SMS (ivr_sms_errors_total{kind}): gateway unreachable, the gateway refused the request, or it rejected the message. */
export type SmsErrorKind = NonNullable<KavenegarOptions['onError']> extends (kind: infer K) => void ? K : never;

/** The end of a call as the session returns it. */
type CallEndResult = { kind: 'transfer'; skill: string } | { kind: 'hangup'; reason: string };

interface Cell {
  n: number;
}

/**
 * A prom-client counter whose increments are plain numbers in cached cells: `cell(labels)` once
 * per label set, `cell.n++` per event; the counter is filled from the cells at scrape.
 */
class CellCounter<L extends string> {
  private readonly cells: { labels: Partial<Record<L, string>>; cell: Cell }[] = [];
  constructor(registry: Registry, name: string, help: string, labelNames: readonly L[]) {
    const cells = this.cells;
    new Counter<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const c of cells) this.inc(c.labels, c.cell.n);
      },
    });
  }
  cell(labels: Partial<Record<L, string>>): Cell {
    const cell = { n: 0 };
    this.cells.push({ labels, cell });
    return cell;
  }
}

/** cells of one label, by its value */
class CellsBy<L extends string> {
  private readonly byValue = new Map<string, Cell>();
  constructor(
    private readonly counter: CellCounter<L>,
    private readonly label: NoInfer<L>,
    private readonly fixed: Partial<Record<NoInfer<L>, string>> = {},
  ) {}
  get(value: string): Cell {
    let c = this.byValue.get(value);
    if (!c) {
      c = this.counter.cell({ ...this.fixed, [this.label]: value } as Partial<Record<L, string>>);
      this.byValue.set(value, c);
    }
    return c;
  }
}

/** one node's cells: entries, and exits by cause */
interface NodeCells {
  entries: Cell;
  exits: CellsBy<'node' | 'cause'>;
}

/** Counts for /metrics (Prometheus) and the service's state for /health. */
export class Metrics implements AriStats {
  /** this service's own registry (GET /metrics renders it) */
  readonly registry = new Registry();
  /** ARI event arrives → the REST request it causes leaves (GET /metrics/latency, read by `ivr-1699 bench`) */
  readonly eventToCommand = new LatencyHistogram();
  ariRequests = 0;
  ariEvents = 0;
  callsTotal = 0;
  callsActive = 0;
  callsRecovered = 0;
  flowErrors = 0;
  ariReconnects = 0;
  ariConnected = false;
  /** the service is stopping (SIGTERM): no new calls */
  stopping = false;
  /** the state of each dependency, for /health and /metrics (set by the stack; ARI is known here) */
  dependencies: () => DependencyReport = () => ({});
  /** requests waiting for delivery to Quantum, read at scrape (set by the stack when it has an outbox it can count) */
  outboxDepth: (() => { pending: number; failed: number } | Promise<{ pending: number; failed: number }>) | undefined;

  private readonly outcomes: { transfer: CellsBy<'kind' | 'skill' | 'reason'>; hangup: CellsBy<'kind' | 'skill' | 'reason'> };
  private readonly nodeEntries: CellCounter<'node'>;
  private readonly nodeExits: CellCounter<'node' | 'cause'>;
  private readonly nodes = new Map<string, NodeCells>();
  private readonly decisionCounter: CellCounter<'rule' | 'outcome'>;
  private readonly decisions = new Map<string, CellsBy<'rule' | 'outcome'>>();
  private readonly failures: CellsBy<'kind'>;
  private readonly registrations: CellsBy<'result'>;
  private readonly quantumErrors: CellsBy<'kind'>;
  private readonly smsErrors: CellsBy<'kind'>;
  private readonly smsReconciledCells: CellsBy<'status'>;
  private readonly playbackFailures: Cell;
  private readonly callDuration: Histogram;
  private readonly answerLatency: Histogram;
  private defaultsOn = false;

  constructor() {
    const r = this.registry;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const m = this;
    const plain = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers: [r],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [r],
        collect() {
          this.set(read());
        },
      });
    plain('ivr_calls_total', 'Calls that entered the IVR.', () => m.callsTotal);
    gauge('ivr_calls_active', 'Calls in the IVR now.', () => m.callsActive);
    plain('ivr_calls_recovered_total', 'Calls picked up again after an ARI reconnect or a restart.', () => m.callsRecovered);
    plain('ivr_flow_errors_total', 'Calls whose flow failed and were sent to the general queue.', () => m.flowErrors);
    gauge('ivr_ari_connected', '1 when the ARI events WebSocket is up.', () => (m.ariConnected ? 1 : 0));
    plain('ivr_ari_reconnects_total', 'ARI WebSocket reconnections.', () => m.ariReconnects);
    plain('ivr_ari_requests_total', 'ARI REST requests sent.', () => m.ariRequests);
    plain('ivr_ari_events_total', 'ARI events received.', () => m.ariEvents);

    const outcomes = new CellCounter(r, 'ivr_call_outcomes_total', 'How calls ended: transfer (by skill) or hangup (by reason).', ['kind', 'skill', 'reason']);
    this.outcomes = { transfer: new CellsBy(outcomes, 'skill', { kind: 'transfer' }), hangup: new CellsBy(outcomes, 'reason', { kind: 'hangup' }) };
    this.nodeEntries = new CellCounter(r, 'ivr_node_entries_total', 'Times the IVR started listening at a node (IVR_NODE): every prompt of a menu, entry or question, re-asks included.', ['node']);
    this.nodeExits = new CellCounter(
      r,
      'ivr_node_exits_total',
      'How each listen at a node ended: key (on to another node), invalid, repeat (*), no-input (asked again), next (moved on without a key), hangup (the caller hung up), transfer (to an agent), end (the IVR ended the call).',
      ['node', 'cause'],
    );
    this.decisionCounter = new CellCounter(r, 'ivr_decisions_total', 'Decisions of the rules: the rule and its outcome.', ['rule', 'outcome']);
    this.failures = new CellsBy(new CellCounter(r, 'ivr_call_failures_total', 'What went wrong in calls, by kind (a backend unavailable, an order lookup mismatched or limited).', ['kind']), 'kind');
    this.playbackFailures = new CellCounter(r, 'ivr_playback_failures_total', 'Prompts that failed to play (a missing recording?).', []).cell({});
    this.registrations = new CellsBy(new CellCounter(r, 'ivr_registrations_total', 'Requests the callers\' decisions asked for: registered, already-registered (announced again), failed (could not be stored: the caller was told and sent to the skill).', ['result']), 'result');
    for (const result of ['registered', 'already-registered', 'failed']) this.registrations.get(result);
    this.quantumErrors = new CellsBy(new CellCounter(r, 'ivr_quantum_errors_total', 'Failed attempts to reach Quantum: timeout, network, server (5xx, 408, 429), bad-answer, refused (4xx), breaker-open (refused at once while the breaker is open).', ['kind']), 'kind');
    this.smsErrors = new CellsBy(new CellCounter(r, 'ivr_sms_errors_total', 'SMS that failed: unreachable (gateway down or no answer), refused (the gateway refused the request), rejected (the gateway rejected the message).', ['kind']), 'kind');
    this.smsReconciledCells = new CellsBy(new CellCounter(r, 'ivr_sms_reconciled_total', 'SMS left pending that the reconciliation marked from the gateway\'s status lookup, by the status written: queued, sent, delivered, failed (failed includes those the gateway never took).', ['status']), 'status');
    this.callDuration = new Histogram({
      name: 'ivr_call_duration_seconds',
      help: 'Time in the IVR, from the call entering the application to its end (transfer or hangup).',
      buckets: [5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600],
      registers: [r],
    });
    this.answerLatency = new Histogram({
      name: 'ivr_answer_latency_seconds',
      help: 'From StasisStart to the first prompt started on the channel (Asterisk accepted the playback).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [r],
    });

    new Gauge({
      name: 'ivr_dependency_up',
      help: '1 when the dependency works (ari, store, quantum, sms).',
      labelNames: ['dependency', 'state'],
      registers: [r],
      collect() {
        this.reset();
        for (const [name, d] of Object.entries(m.health().dependencies)) this.set({ dependency: name, state: d.state }, d.ok ? 1 : 0);
      },
    });
    new Counter({
      name: 'ivr_store_errors_total',
      help: 'Writes to the store that failed: busy (locked by another process longer than the write wait) or failed (full disk, I/O).',
      labelNames: ['kind'],
      registers: [r],
      collect() {
        this.reset();
        const store = m.dependencies().store?.counters;
        if (!store) return;
        this.inc({ kind: 'busy' }, store.busy ?? 0);
        this.inc({ kind: 'failed' }, store.failed ?? 0);
      },
    });
    new Gauge({
      name: 'ivr_quantum_breaker_state',
      help: 'The circuit breaker in front of Quantum: 1 for its current state (absent without Quantum).',
      labelNames: ['state'],
      registers: [r],
      collect() {
        this.reset();
        const breaker = m.dependencies().quantum?.state;
        if (breaker !== 'closed' && breaker !== 'open' && breaker !== 'half-open') return;
        for (const st of ['closed', 'half-open', 'open']) this.set({ state: st }, st === breaker ? 1 : 0);
      },
    });
    new Gauge({
      name: 'ivr_outbox_requests',
      help: 'Registered requests not delivered to Quantum: pending (waiting or retrying) and failed (given up; `requests retry` puts them back); in the shared PostgreSQL for a cluster.',
      labelNames: ['status'],
      registers: [r],
      async collect() {
        this.reset();
        if (!m.outboxDepth) return;
        try {
          const d = await m.outboxDepth();
          this.set({ status: 'pending' }, d.pending);
          this.set({ status: 'failed' }, d.failed);
        } catch {
          // the store cannot be read now: no depth in this scrape (ivr_dependency_up says why), the rest still served
        }
      },
    });
  }

  /** a call ended (also for calls that never entered the flow: a call refused while stopping) */
  outcome(kind: string, detail: string): void {
    const by = kind === 'transfer' ? this.outcomes.transfer : this.outcomes.hangup;
    by.get(detail).n++;
  }

  registration(result: RegistrationResult): void {
    this.registrations.get(result).n++;
  }

  /** registrations that failed (the store's or PostgreSQL's write failed) */
  get registrationsFailed(): number {
    return this.registrations.get('failed').n;
  }

  quantumError(kind: QuantumErrorKind): void {
    this.quantumErrors.get(kind).n++;
  }

  smsError(kind: SmsErrorKind): void {
    this.smsErrors.get(kind).n++;
  }

  /** SMS rows the reconciliation marked (src/sms/reconcile.ts), by the status written */
  smsReconciled(counts: { queued: number; sent: number; delivered: number; failed: number }): void {
    for (const status of ['queued', 'sent', 'delivered', 'failed'] as const) if (counts[status]) this.smsReconciledCells.get(status).n += counts[status];
  }

  /**
   * One call's observer: `note` hears the call session's notes (nodes, keys, failures, the
   * decision), `answered` the first prompt started, `end` the call's end. Recovered calls did not
   * start here: no answer latency.
   */
  call(): CallObserver {
    return new CallObserver(this, performance.now());
  }

  /** @internal the cells of a node */
  nodeCells(node: string): NodeCells {
    let c = this.nodes.get(node);
    if (!c) {
      c = { entries: this.nodeEntries.cell({ node }), exits: new CellsBy(this.nodeExits, 'cause', { node }) };
      this.nodes.set(node, c);
    }
    return c;
  }

  /** @internal */
  decision(rule: string, outcome: string): void {
    let by = this.decisions.get(rule);
    if (!by) {
      by = new CellsBy(this.decisionCounter, 'outcome', { rule });
      this.decisions.set(rule, by);
    }
    by.get(outcome).n++;
  }

  /** @internal */
  failure(kind: string): void {
    this.failures.get(kind).n++;
  }

  /** @internal */
  playbackFailed(): void {
    this.playbackFailures.n++;
  }

  /** @internal */
  observeCall(seconds: number, answerSeconds: number | undefined): void {
    this.callDuration.observe(seconds);
    if (answerSeconds !== undefined) this.answerLatency.observe(answerSeconds);
  }

  /** ARI plus what the stack reports: every dependency with ok or not and its state */
  health(): { status: 'ok' | 'degraded' | 'ari-disconnected' | 'stopping'; httpStatus: number; dependencies: DependencyReport } {
    const deps: DependencyReport = { ari: { ok: this.ariConnected, state: this.ariConnected ? 'connected' : 'disconnected' }, ...this.dependencies() };
    const failing = Object.values(deps).some((d) => !d.ok);
    // 503 only when the service cannot take calls; a failing backend still lets callers reach an agent: 200 "degraded"
    if (this.stopping) return { status: 'stopping', httpStatus: 503, dependencies: deps };
    if (!this.ariConnected) return { status: 'ari-disconnected', httpStatus: 503, dependencies: deps };
    return { status: failing ? 'degraded' : 'ok', httpStatus: 200, dependencies: deps };
  }

  /**
   * The Prometheus text. Process metrics (prom-client's default metrics, prefixed `ivr_`) start at
   * the first scrape: a service nobody scrapes (tests, the bench) runs no event-loop monitor.
   */
  async render(): Promise<string> {
    if (!this.defaultsOn) {
      this.defaultsOn = true;
      collectDefaultMetrics({ register: this.registry, prefix: 'ivr_' });
    }
    return this.registry.metrics();
  }
}

/** One call's metrics: which node it listens at, and whether keys came since (how the listen ends). */
export class CallObserver {
  private node: NodeCells | undefined;
  private keys = 0;
  private lastKey = '';
  private answerSeconds: number | undefined;

  constructor(
    private readonly m: Metrics,
    private readonly t0: number,
  ) {}

  /** the first prompt of the call started */
  answered(): void {
    this.answerSeconds ??= (performance.now() - this.t0) / 1000;
  }

  note(n: CallNote): void {
    switch (n.type) {
      case 'node': {
        const next = this.m.nodeCells(n.node);
        const cur = this.node;
        if (cur) {
          const cause: ExitCause = cur === next ? (this.keys === 0 ? 'no-input' : this.lastKey === '*' ? 'repeat' : 'invalid') : this.keys === 0 ? 'next' : 'key';
          cur.exits.get(cause).n++;
        }
        next.entries.n++;
        this.node = next;
        this.keys = 0;
        this.lastKey = '';
        break;
      }
      case 'key':
        this.keys++;
        this.lastKey = n.digit;
        break;
      case 'playback-failed':
        this.m.playbackFailed();
        break;
      case 'failure':
        this.m.failure(n.kind);
        break;
      case 'decision':
        this.m.decision(n.rule, n.outcome);
        break;
    }
  }

  /** the call ended: the last node's exit, the call's duration and answer latency */
  end(r: CallEndResult): void {
    if (this.node) this.node.exits.get(r.kind === 'transfer' ? 'transfer' : r.reason === 'caller-hangup' ? 'hangup' : 'end').n++;
    this.node = undefined;
    this.m.observeCall((performance.now() - this.t0) / 1000, this.answerSeconds);
  }
}

/** One dependency as /health shows it. */
export interface DependencyHealth {
  ok: boolean;
  /** e.g. connected, ok, locked, failing, closed, open, half-open, embedded, local-outbox */
  state: string;
  detail?: string;
  /** numbers behind it (for /metrics) */
  counters?: Record<string, number>;
}
export type DependencyReport = Record<string, DependencyHealth>;
