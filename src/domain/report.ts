/**
 * The admins' report over call records (pure: records in, figures out). `ivr-1699 report` prints
 * it as text, JSON or CSV; the web console (issue 13) imports `buildReport` and the types.
 *
 * Definitions (every count is of calls unless it says visits):
 * - self-service: the IVR answered and ended the call itself (hang-up `completed`), no agent.
 * - transfers: calls handed to a skill group, by skill, by reason (TRANSFER_REASONS) and both.
 * - other ends: caller hang-ups (drop-offs) and failed transfers; calls = selfService + transfers
 *   + callerHangups + otherEnds.
 * - per node: `visits` (arrivals at the node), `calls` reaching it, `repeats` (prompt played again),
 *   `repeatRate` = visits with at least one repeat / visits, `dropOffs` = calls whose caller hung up
 *   while at this node (`welcome` when before the first node), `dropOffRate` = dropOffs / calls,
 *   `avgMs` = mean time per visit.
 * - time to reach an agent: entry → transfer requested, over transferred calls.
 * - failures: by kind (FAILURE_KINDS), each occurrence counted.
 * - per hour / per day: in `timeZone` (default Asia/Tehran), by the call's entry time.
 */
import { isSelfService, type CallRecord } from './call-record.ts';

export interface ReportOptions {
  /** the range asked for (ISO instants; null = open) — shown in the report, not used to filter */
  from?: string | null;
  to?: string | null;
  /** IANA zone of the per-hour and per-day buckets; default Asia/Tehran */
  timeZone?: string;
}

export interface Percentiles {
  count: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  max: number | null;
}

export interface NodeFigures {
  node: string;
  visits: number;
  calls: number;
  repeats: number;
  repeatRate: number;
  dropOffs: number;
  dropOffRate: number;
  avgMs: number;
}

export interface PeriodFigures {
  /** YYYY-MM-DD (per day) or YYYY-MM-DDTHH (per hour), local to the report's time zone */
  period: string;
  calls: number;
  selfService: number;
  transfers: number;
  callerHangups: number;
}

export interface Report {
  from: string | null;
  to: string | null;
  timeZone: string;
  calls: number;
  selfService: number;
  /** selfService / calls (0 when there are no calls) */
  selfServiceRate: number;
  transfers: number;
  callerHangups: number;
  /** ends other than the three above (e.g. transfer-failed), by reason */
  otherEnds: Record<string, number>;
  transfersBySkill: Record<string, number>;
  transfersByReason: Record<string, number>;
  /** "skill / reason" → calls */
  transfersBySkillAndReason: Record<string, number>;
  timeToAgentMs: Percentiles;
  callDurationMs: Percentiles;
  /** "rule outcome" → calls, e.g. "A6 refund-registered" */
  outcomes: Record<string, number>;
  /** request type → calls that registered one */
  requests: Record<string, number>;
  /** topic or service → calls */
  topics: Record<string, number>;
  nodes: NodeFigures[];
  failures: Record<string, number>;
  perDay: PeriodFigures[];
  perHour: PeriodFigures[];
}

const inc = (m: Record<string, number>, k: string, n = 1) => {
  m[k] = (m[k] ?? 0) + n;
};
const ratio = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 10_000) / 10_000);

export function percentiles(values: number[]): Percentiles {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return { count: 0, mean: null, p50: null, p90: null, max: null };
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  return { count: s.length, mean: Math.round(s.reduce((a, b) => a + b, 0) / s.length), p50: at(50), p90: at(90), max: s[s.length - 1]! };
}

/** The node where a caller who hung up was (the last visited; `welcome` before any). */
export const dropOffNode = (r: CallRecord) => r.nodes.at(-1)?.node ?? 'welcome';

export function buildReport(records: readonly CallRecord[], o: ReportOptions = {}): Report {
  const timeZone = o.timeZone ?? 'Asia/Tehran';
  const local = localParts(timeZone);
  const r: Report = {
    from: o.from ?? null,
    to: o.to ?? null,
    timeZone,
    calls: records.length,
    selfService: 0,
    selfServiceRate: 0,
    transfers: 0,
    callerHangups: 0,
    otherEnds: {},
    transfersBySkill: {},
    transfersByReason: {},
    transfersBySkillAndReason: {},
    timeToAgentMs: percentiles([]),
    callDurationMs: percentiles([]),
    outcomes: {},
    requests: {},
    topics: {},
    nodes: [],
    failures: {},
    perDay: [],
    perHour: [],
  };
  const agentMs: number[] = [];
  const nodes = new Map<string, { visits: number; calls: number; repeated: number; repeats: number; dropOffs: number; ms: number }>();
  const days = new Map<string, PeriodFigures>();
  const hours = new Map<string, PeriodFigures>();
  for (const c of records) {
    const self = isSelfService(c);
    const transfer = c.end.kind === 'transfer';
    const hungUp = c.end.kind === 'hangup' && c.end.reason === 'caller-hangup';
    if (self) r.selfService++;
    else if (c.end.kind === 'transfer') {
      r.transfers++;
      inc(r.transfersBySkill, c.end.skill);
      inc(r.transfersByReason, c.end.reason);
      inc(r.transfersBySkillAndReason, `${c.end.skill} / ${c.end.reason}`);
      if (c.agentMs !== null) agentMs.push(c.agentMs);
    } else if (hungUp) r.callerHangups++;
    else inc(r.otherEnds, c.end.reason);
    if (c.rule) inc(r.outcomes, `${c.rule} ${c.outcome ?? ''}`.trim());
    if (c.request) inc(r.requests, c.request.type);
    if (c.topic) inc(r.topics, c.topic);
    for (const f of c.failures) inc(r.failures, f);
    const seen = new Set<string>();
    for (const v of c.nodes) {
      const n = nodes.get(v.node) ?? { visits: 0, calls: 0, repeated: 0, repeats: 0, dropOffs: 0, ms: 0 };
      n.visits++;
      n.repeats += v.repeats;
      if (v.repeats > 0) n.repeated++;
      n.ms += v.ms;
      if (!seen.has(v.node)) n.calls++;
      seen.add(v.node);
      nodes.set(v.node, n);
    }
    if (hungUp) {
      const at = dropOffNode(c);
      const n = nodes.get(at) ?? { visits: 0, calls: 0, repeated: 0, repeats: 0, dropOffs: 0, ms: 0 };
      if (c.nodes.length === 0) n.calls++; // hung up during the welcome: counted as reaching it
      n.dropOffs++;
      nodes.set(at, n);
    }
    const { day, hour } = local(new Date(c.startedAt));
    for (const [map, key] of [[days, day], [hours, hour]] as const) {
      const p = map.get(key) ?? { period: key, calls: 0, selfService: 0, transfers: 0, callerHangups: 0 };
      p.calls++;
      if (self) p.selfService++;
      if (transfer) p.transfers++;
      if (hungUp) p.callerHangups++;
      map.set(key, p);
    }
  }
  r.selfServiceRate = ratio(r.selfService, r.calls);
  r.timeToAgentMs = percentiles(agentMs);
  r.callDurationMs = percentiles(records.map((c) => c.durationMs));
  r.nodes = [...nodes.entries()]
    .map(([node, n]) => ({
      node,
      visits: n.visits,
      calls: n.calls,
      repeats: n.repeats,
      repeatRate: ratio(n.repeated, n.visits),
      dropOffs: n.dropOffs,
      dropOffRate: ratio(n.dropOffs, n.calls),
      avgMs: n.visits === 0 ? 0 : Math.round(n.ms / n.visits),
    }))
    .sort((a, b) => b.calls - a.calls || a.node.localeCompare(b.node));
  r.perDay = [...days.values()].sort((a, b) => a.period.localeCompare(b.period));
  r.perHour = [...hours.values()].sort((a, b) => a.period.localeCompare(b.period));
  return r;
}

function localParts(timeZone: string): (d: Date) => { day: string; hour: string } {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
  return (d) => {
    const p = Object.fromEntries(fmt.formatToParts(d).map((x) => [x.type, x.value]));
    const day = `${p.year}-${p.month}-${p.day}`;
    return { day, hour: `${day}T${p.hour}` };
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const ms = (x: number | null) => (x === null ? '–' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x} ms`);
const table = (m: Record<string, number>) =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, v]) => `    ${k.padEnd(40)} ${v}`);

/** The report as text for a terminal. */
export function reportText(r: Report): string {
  const out = [
    `ivr-1699 report: ${r.from ?? 'beginning'} → ${r.to ?? 'now'} (periods in ${r.timeZone})`,
    `  calls            ${r.calls}`,
    `  self-service     ${r.selfService} (${pct(r.selfServiceRate)}): ended with an answer, no agent`,
    `  transfers        ${r.transfers}`,
    `  caller hang-ups  ${r.callerHangups}`,
    ...Object.entries(r.otherEnds).map(([k, v]) => `  ${k.padEnd(16)} ${v}`),
    `  call duration    mean ${ms(r.callDurationMs.mean)}, p50 ${ms(r.callDurationMs.p50)}, p90 ${ms(r.callDurationMs.p90)}, max ${ms(r.callDurationMs.max)}`,
    `  time to an agent mean ${ms(r.timeToAgentMs.mean)}, p50 ${ms(r.timeToAgentMs.p50)}, p90 ${ms(r.timeToAgentMs.p90)}, max ${ms(r.timeToAgentMs.max)} (${r.timeToAgentMs.count} transfers)`,
    '  transfers by skill',
    ...table(r.transfersBySkill),
    '  transfers by reason',
    ...table(r.transfersByReason),
    '  rules and outcomes',
    ...table(r.outcomes),
    '  requests registered',
    ...table(r.requests),
    '  failures',
    ...(Object.keys(r.failures).length ? table(r.failures) : ['    none']),
    `  nodes            ${'calls'.padStart(6)} ${'visits'.padStart(7)} ${'repeat'.padStart(7)} ${'drop-off'.padStart(9)} ${'avg time'.padStart(9)}`,
    ...r.nodes.map((n) => `    ${n.node.padEnd(28)} ${String(n.calls).padStart(6)} ${String(n.visits).padStart(7)} ${pct(n.repeatRate).padStart(7)} ${`${n.dropOffs} ${pct(n.dropOffRate)}`.padStart(9)} ${ms(n.avgMs).padStart(9)}`),
    `  per day          calls  self  transfers  hang-ups`,
    ...r.perDay.map((p) => `    ${p.period.padEnd(14)} ${String(p.calls).padStart(5)} ${String(p.selfService).padStart(5)} ${String(p.transfers).padStart(10)} ${String(p.callerHangups).padStart(9)}`),
    `  per hour`,
    ...r.perHour.map((p) => `    ${p.period.padEnd(14)} ${String(p.calls).padStart(5)} ${String(p.selfService).padStart(5)} ${String(p.transfers).padStart(10)} ${String(p.callerHangups).padStart(9)}`),
  ];
  return out.join('\n') + '\n';
}

/** The report as CSV, one figure a row: `section,key,metric,value` (quoted where needed). */
export function reportCsv(r: Report): string {
  const rows: (string | number)[][] = [['section', 'key', 'metric', 'value']];
  const add = (section: string, key: string, metric: string, value: string | number | null) => rows.push([section, key, metric, value ?? '']);
  add('summary', '', 'from', r.from ?? '');
  add('summary', '', 'to', r.to ?? '');
  for (const k of ['calls', 'selfService', 'selfServiceRate', 'transfers', 'callerHangups'] as const) add('summary', '', k, r[k]);
  for (const [k, v] of Object.entries(r.otherEnds)) add('ends', k, 'calls', v);
  for (const [name, p] of [['timeToAgentMs', r.timeToAgentMs], ['callDurationMs', r.callDurationMs]] as const) {
    for (const [m, v] of Object.entries(p)) add(name, '', m, v);
  }
  for (const [k, v] of Object.entries(r.transfersBySkill)) add('transfersBySkill', k, 'calls', v);
  for (const [k, v] of Object.entries(r.transfersByReason)) add('transfersByReason', k, 'calls', v);
  for (const [k, v] of Object.entries(r.transfersBySkillAndReason)) add('transfersBySkillAndReason', k, 'calls', v);
  for (const [k, v] of Object.entries(r.outcomes)) add('outcomes', k, 'calls', v);
  for (const [k, v] of Object.entries(r.requests)) add('requests', k, 'calls', v);
  for (const [k, v] of Object.entries(r.topics)) add('topics', k, 'calls', v);
  for (const [k, v] of Object.entries(r.failures)) add('failures', k, 'count', v);
  for (const n of r.nodes) for (const m of ['calls', 'visits', 'repeats', 'repeatRate', 'dropOffs', 'dropOffRate', 'avgMs'] as const) add('node', n.node, m, n[m]);
  for (const [section, list] of [['perDay', r.perDay], ['perHour', r.perHour]] as const) {
    for (const p of list) for (const m of ['calls', 'selfService', 'transfers', 'callerHangups'] as const) add(section, p.period, m, p[m]);
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
