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

  outcome(kind: string, detail: string): void {
    const k = `${kind}|${detail}`;
    this.outcomes.set(k, (this.outcomes.get(k) ?? 0) + 1);
  }

  render(): string {
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
    for (const [k, v] of this.outcomes) {
      const [kind, detail] = k.split('|');
      lines.push(`ivr_call_outcomes_total{kind="${kind}",${kind === 'transfer' ? 'skill' : 'reason'}="${detail}"} ${v}`);
    }
    return lines.join('\n') + '\n';
  }
}
