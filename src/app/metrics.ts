import type { AriStats } from '../ari/client.ts';
import { LatencyHistogram } from '../ari/latency.ts';

/** Counters for /metrics (Prometheus text format). Tiny on purpose: a handful of numbers. */
export class Metrics implements AriStats {
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
  outcomes = new Map<string, number>();
  /** requests a caller's decision asked for that could not be stored (the caller went to the skill) */
  registrationsFailed = 0;
  /** the state of each dependency, for /health and /metrics (set by the stack; ARI is known here) */
  dependencies: () => DependencyReport = () => ({});

  outcome(kind: string, detail: string): void {
    const k = `${kind}|${detail}`;
    this.outcomes.set(k, (this.outcomes.get(k) ?? 0) + 1);
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

  render(): string {
    const deps = this.health().dependencies;
    const lines = [
      '# HELP ivr_calls_total Calls that entered the IVR.',
      '# TYPE ivr_calls_total counter',
      `ivr_calls_total ${this.callsTotal}`,
      '# HELP ivr_calls_active Calls in the IVR now.',
      '# TYPE ivr_calls_active gauge',
      `ivr_calls_active ${this.callsActive}`,
      '# HELP ivr_calls_recovered_total Calls picked up again after an ARI reconnect.',
      '# TYPE ivr_calls_recovered_total counter',
      `ivr_calls_recovered_total ${this.callsRecovered}`,
      '# HELP ivr_flow_errors_total Calls whose flow failed and were sent to the general queue.',
      '# TYPE ivr_flow_errors_total counter',
      `ivr_flow_errors_total ${this.flowErrors}`,
      '# HELP ivr_ari_connected 1 when the ARI events WebSocket is up.',
      '# TYPE ivr_ari_connected gauge',
      `ivr_ari_connected ${this.ariConnected ? 1 : 0}`,
      '# HELP ivr_ari_reconnects_total ARI WebSocket reconnections.',
      '# TYPE ivr_ari_reconnects_total counter',
      `ivr_ari_reconnects_total ${this.ariReconnects}`,
      '# HELP ivr_call_outcomes_total How calls ended: transfer (by skill) or hangup (by reason).',
      '# TYPE ivr_call_outcomes_total counter',
    ];
    lines.push(
      '# HELP ivr_registrations_failed_total Requests a decision asked for that could not be stored (the caller was told and sent to the skill).',
      '# TYPE ivr_registrations_failed_total counter',
      `ivr_registrations_failed_total ${this.registrationsFailed}`,
      '# HELP ivr_dependency_up 1 when the dependency works (ari, store, quantum, sms).',
      '# TYPE ivr_dependency_up gauge',
      ...Object.entries(deps).map(([name, d]) => `ivr_dependency_up{dependency="${name}",state="${d.state}"} ${d.ok ? 1 : 0}`),
    );
    const store = deps.store?.counters;
    if (store) {
      lines.push(
        '# HELP ivr_store_errors_total Writes to the store that failed: busy (locked by another process longer than the write wait) or failed (full disk, I/O).',
        '# TYPE ivr_store_errors_total counter',
        `ivr_store_errors_total{kind="busy"} ${store.busy ?? 0}`,
        `ivr_store_errors_total{kind="failed"} ${store.failed ?? 0}`,
      );
    }
    const breaker = deps.quantum?.state;
    if (breaker === 'closed' || breaker === 'open' || breaker === 'half-open') {
      lines.push(
        '# HELP ivr_quantum_breaker_state The circuit breaker in front of Quantum: 1 for its current state.',
        '# TYPE ivr_quantum_breaker_state gauge',
        ...['closed', 'half-open', 'open'].map((st) => `ivr_quantum_breaker_state{state="${st}"} ${st === breaker ? 1 : 0}`),
      );
    }
    for (const [k, v] of this.outcomes) {
      const [kind, detail] = k.split('|');
      lines.push(`ivr_call_outcomes_total{kind="${kind}",${kind === 'transfer' ? 'skill' : 'reason'}="${detail}"} ${v}`);
    }
    return lines.join('\n') + '\n';
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
