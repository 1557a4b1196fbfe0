/**
 * `ivr-1699 requests …`: the requests the IVR registered, their delivery to Quantum, and the SMS log.
 *   requests list [--status pending|delivered|failed] [--limit N] [--json] [--db PATH]
 *   requests retry (NUMBER | --failed) [--db PATH]
 *   requests sms [--status pending|queued|sent|delivered|failed] [--limit N] [--json] [--db PATH]
 *   requests sms --reconcile [--older-than-minutes N] [--json] [--db PATH]
 * Text output masks personal data (national IDs, phone numbers); --json is for programs and shows
 * the stored values whole.
 */
import { parseOptions, UsageError } from '../usage-error.ts';
import { maskNationalId, maskPhone } from '../../log/mask.ts';
import { readDataSettings } from '../../store/config.ts';
import { openConfiguredStore } from '../../store/index.ts';
import { parseRequestNumber, SqliteRequestRegistry, type RequestStatus } from '../../store/requests.ts';
import { listSms, type SmsStatus } from '../../sms/outbox.ts';
import { KavenegarSmsSender } from '../../sms/kavenegar.ts';
import { DEFAULT_RECONCILE_GRACE_MS, describeReconcile, reconcilePendingSms } from '../../sms/reconcile.ts';
import type { IvrStore } from '../../store/db.ts';

export const summary = 'registered requests and their delivery to Quantum; the SMS outbox';

const HELP = `usage:
  ivr-1699 requests list [--status pending|delivered|failed] [--limit N] [--json] [--db PATH]
  ivr-1699 requests retry (NUMBER | --failed) [--db PATH]    put failed requests back in the outbox
  ivr-1699 requests sms [--status pending|queued|sent|delivered|failed] [--limit N] [--json] [--db PATH]
  ivr-1699 requests sms --reconcile [--older-than-minutes N] [--json] [--db PATH]
      ask the SMS gateway (SMS_GATEWAY_URL) what became of the SMS left pending for more than N
      minutes (default 2) and write its answer; sends nothing. Exit 1 when the gateway could not be asked.
Text output masks national IDs and phone numbers; --json prints the stored records.
`;

const REQUEST_STATUSES = ['pending', 'delivered', 'failed'] as const;
const SMS_STATUSES = ['pending', 'queued', 'sent', 'delivered', 'failed'] as const;

function parse(rest: string[]) {
  return parseOptions({
    args: rest,
    options: {
      db: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      failed: { type: 'boolean' },
      reconcile: { type: 'boolean' },
      'older-than-minutes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
}

function openFor(db: string | undefined): IvrStore {
  const s = readDataSettings(process.env);
  return openConfiguredStore({ ...s.store, ...(db ? { dbPath: db } : {}) });
}

/** When Quantum is not configured nothing delivers requests: say so where it matters. */
function noQuantumHint(): string {
  return readDataSettings(process.env).quantum.url
    ? ''
    : 'note: QUANTUM_URL is not set, so the outbox does not run: pending requests wait until Quantum is configured and the service restarted\n';
}

function limitOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--limit must be a whole number ≥ 1 (got "${v}")`);
  return Number(v);
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    process.stdout.write(HELP);
    return sub ? 0 : 2;
  }
  const { values, positionals } = parse(rest);
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.reconcile && sub !== 'sms') throw new UsageError('--reconcile goes with requests sms');
  if (values['older-than-minutes'] !== undefined && !values.reconcile) throw new UsageError('--older-than-minutes goes with requests sms --reconcile');
  if (sub === 'list') {
    const status = values.status;
    if (status !== undefined && !(REQUEST_STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(`--status must be one of ${REQUEST_STATUSES.join(', ')} (got "${status}")`);
    }
    const limit = limitOf(values.limit);
    const store = openFor(values.db);
    try {
      const reg = new SqliteRequestRegistry(store);
      const rows = reg.list({ ...(status ? { status: status as RequestStatus } : {}), ...(limit ? { limit } : {}) });
      if (values.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return 0;
      }
      const c = reg.counts();
      const lines = rows.map((r) =>
        [
          r.number.padEnd(9),
          r.createdAt.slice(0, 19).replace('T', ' '),
          r.status.padEnd(9),
          `${r.type}→${r.unit}`.padEnd(34),
          `topic=${r.topic}`,
          r.rule ? `rule=${r.rule}/${r.outcome ?? '-'}` : '',
          r.nationalId ? `nid=${maskNationalId(r.nationalId)}` : '',
          r.orderNumber ? `order=${r.orderNumber}` : '',
          r.callerNumber ? `caller=${maskPhone(r.callerNumber)}` : '',
          r.status !== 'delivered' && r.attempts ? `tries=${r.attempts}` : '',
          r.lastError && r.status !== 'delivered' ? `error="${r.lastError.slice(0, 80)}"` : '',
        ]
          .filter(Boolean)
          .join('  '),
      );
      lines.push(`${rows.length} shown; in store: ${c.pending} pending, ${c.delivered} delivered, ${c.failed} failed`);
      const hint = c.pending ? noQuantumHint() : '';
      if (hint) lines.push(hint.trimEnd());
      process.stdout.write(lines.join('\n') + '\n');
      return 0;
    } finally {
      store.close();
    }
  }
  if (sub === 'retry') {
    if (!values.failed && positionals.length !== 1) throw new UsageError('give one request number (e.g. R-000123) or --failed for all failed requests');
    const store = openFor(values.db);
    try {
      const reg = new SqliteRequestRegistry(store);
      const hint = noQuantumHint();
      if (values.failed) {
        const n = reg.retryFailed();
        process.stdout.write(n ? `${n} failed request(s) put back in the outbox\n` : 'no failed request to put back\n');
        if (hint) process.stderr.write(hint);
        return 0;
      }
      const number = positionals[0]!;
      if (!parseRequestNumber(number)) throw new UsageError(`'${number}' is not a request number; e.g. R-000123`);
      const r = reg.get(number);
      if (!r) {
        process.stderr.write(`${number}: no such request in ${store.path}\n`);
        return 1;
      }
      if (r.status !== 'failed') {
        const why =
          r.status === 'delivered'
            ? `was delivered to Quantum${r.deliveredAt ? ` at ${r.deliveredAt}` : ''}`
            : `is pending: the outbox is still delivering it (tries ${r.attempts}${r.lastError ? `, last error "${r.lastError.slice(0, 80)}"` : ''})`;
        process.stderr.write(`${r.number} ${why}; only failed requests are put back\n`);
        if (hint && r.status === 'pending') process.stderr.write(hint);
        return 1;
      }
      reg.retryFailed(number);
      process.stdout.write(`${r.number} put back in the outbox\n`);
      if (hint) process.stderr.write(hint);
      return 0;
    } finally {
      store.close();
    }
  }
  if (sub === 'sms' && values.reconcile) {
    if (values.status !== undefined || values.limit !== undefined) throw new UsageError('--reconcile looks at the pending SMS: --status and --limit do not apply');
    const minutes = values['older-than-minutes'];
    if (minutes !== undefined && !/^\d+$/.test(minutes)) throw new UsageError(`--older-than-minutes must be a whole number ≥ 0 (got "${minutes}")`);
    const sms = readDataSettings(process.env).sms;
    if (!sms.gatewayUrl || !sms.apiKey || !sms.sender) {
      process.stderr.write('SMS_GATEWAY_URL (with SMS_API_KEY and SMS_SENDER) is not set: there is no gateway to ask; SMS of the local outbox are never pending\n');
      return 1;
    }
    const store = openFor(values.db);
    try {
      const gateway = new KavenegarSmsSender({ baseUrl: sms.gatewayUrl, apiKey: sms.apiKey, sender: sms.sender, timeoutMs: sms.timeoutMs, store });
      const r = await reconcilePendingSms(store, gateway, { olderThanMs: minutes === undefined ? DEFAULT_RECONCILE_GRACE_MS : Number(minutes) * 60_000 });
      process.stdout.write(values.json ? JSON.stringify(r, null, 2) + '\n' : describeReconcile(r) + '\n');
      return r.unavailable ? 1 : 0;
    } finally {
      store.close();
    }
  }
  if (sub === 'sms') {
    const status = values.status;
    if (status !== undefined && !(SMS_STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(`--status must be one of ${SMS_STATUSES.join(', ')} (got "${status}")`);
    }
    const limit = limitOf(values.limit);
    const store = openFor(values.db);
    try {
      const rows = listSms(store, { ...(status ? { status: status as SmsStatus } : {}), ...(limit ? { limit } : {}) });
      if (values.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return 0;
      }
      const out: string[] = [];
      for (const r of rows) {
        out.push(`${r.id}  ${r.createdAt.slice(0, 19).replace('T', ' ')}  ${r.status.padEnd(9)} ${r.channel.padEnd(7)} to=${maskPhone(r.receptor)}  parts=${r.parts}${r.error ? `  error="${r.error}"` : ''}`);
        for (const line of r.text.split('\n')) out.push(`    ${line}`);
      }
      out.push(`${rows.length} SMS shown`);
      process.stdout.write(out.join('\n') + '\n');
      return 0;
    } finally {
      store.close();
    }
  }
  throw new UsageError(`unknown subcommand '${sub}': use list, retry or sms (see ivr-1699 requests --help)`);
}
