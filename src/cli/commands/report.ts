/**
 * `ivr-1699 report [--from D] [--to D] [--json|--csv] [--db PATH]`: the admins' report over the
 * call records in the store (figures defined in src/domain/report.ts).
 */
import { loadConfig } from '../../config/load.ts';
import { buildReport, reportCsv, reportText } from '../../domain/report.ts';
import { CallRecordStore } from '../../store/call-records.ts';
import { openStore } from '../../store/db.ts';
import { parseOptions, UsageError } from '../usage-error.ts';

export const summary = 'report over the call records: self-service, transfers, drop-off per node, failures, per hour/day';

const HELP = `usage: ivr-1699 report [--from WHEN] [--to WHEN] [--json | --csv] [--db PATH]

  --from WHEN  first call to count: a day (2026-11-25, from its start) or an ISO instant
  --to WHEN    last: a day (2026-11-25, to its end) or an ISO instant (exclusive)
               days are in the policy time zone (policy.timeZone, default Asia/Tehran)
  --json       the whole report as one JSON object
  --csv        one figure a row: section,key,metric,value
  --db PATH    the store to read (default: the configured store, IVR_DB)

Calls are counted by the time they entered the IVR. Self-service: the IVR answered and ended the
call itself, no agent. Records older than data.records.retentionDays (IVR_RECORDS_RETENTION_DAYS,
default 365) are deleted by the running service.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseOptions({
    args: argv,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (values.json && values.csv) throw new UsageError('--json or --csv, not both');
  const cfg = loadConfig();
  const tz = cfg.policy.timeZone;
  const from = values.from !== undefined ? parseWhen(values.from, '--from', tz, 'start') : undefined;
  const to = values.to !== undefined ? parseWhen(values.to, '--to', tz, 'end') : undefined;
  if (from && to && from >= to) throw new UsageError(`--from must be before --to (got ${from.toISOString()} and ${to.toISOString()})`);
  // read-only use: never seeds demo data
  const store = openStore(values.db ?? cfg.data.store.dbPath, { synchronous: cfg.data.store.synchronous });
  try {
    const records = new CallRecordStore(store).list({ ...(from ? { from } : {}), ...(to ? { to } : {}) });
    const report = buildReport(records, { from: from?.toISOString() ?? null, to: to?.toISOString() ?? null, timeZone: tz });
    process.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : values.csv ? reportCsv(report) : reportText(report));
    return 0;
  } finally {
    store.close();
  }
}

/** A day (YYYY-MM-DD, its start or the start of the next day in `tz`) or an ISO instant. */
export function parseWhen(v: string, name: string, tz: string, edge: 'start' | 'end'): Date {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (day) {
    const [y, m, d] = day.slice(1).map(Number) as [number, number, number];
    const utc = Date.UTC(y, m - 1, d + (edge === 'end' ? 1 : 0));
    if (Number.isNaN(utc) || new Date(Date.UTC(y, m - 1, d)).getUTCDate() !== d) throw new UsageError(`${name}: no such day "${v}"`);
    return new Date(utc - zoneOffsetMs(tz, new Date(utc)));
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v)) {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return new Date(t);
  }
  throw new UsageError(`${name}: a day like 2026-11-25 or an ISO instant like 2026-11-25T10:00:00+03:30 (got "${v}")`);
}

/** Offset of `tz` from UTC at that instant, in ms (Asia/Tehran: +3.5 h). */
function zoneOffsetMs(tz: string, at: Date): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(at)
      .map((x) => [x.type, Number(x.value)]),
  ) as Record<string, number>;
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(at.getTime() / 1000) * 1000;
}
