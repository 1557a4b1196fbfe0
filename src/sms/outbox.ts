/**
 * The local SMS outbox: with no gateway configured, SMS are written to the store's `sms` table
 * (status `queued`) where an admin reads them (`ivr-1699 requests sms`). The gateway sender also
 * records every SMS it sends here (channel `gateway`), so there is one log of SMS for both cases.
 *
 * Once per key: an SMS sent with an idempotency key (the service's: Asterisk channel, topic, area
 * code and mobile) is a row of this table before anything leaves — the intent, committed — and a
 * second send with that key (a retry; a caller adopted by a service restarted after the gateway
 * answered but before the answer was written) finds it: the local outbox queues nothing new, the
 * gateway sender sends nothing when the row holds the gateway's answer and otherwise asks again
 * with the same `localid`, which the gateway uses to keep one message (docs/operations.md).
 */
import type { SmsSender, SmsSendOptions } from '../domain/ports.ts';
import type { IvrStore } from '../store/db.ts';
import type { RunResult } from '../store/writer.ts';
import { countSms } from './format.ts';

/** `pending`: the intent is stored, the gateway's answer is not (not asked yet, no answer, or the process died before writing it) */
export type SmsStatus = 'pending' | 'queued' | 'sent' | 'delivered' | 'failed';

export interface SmsRecord {
  id: string;
  receptor: string;
  text: string;
  parts: number;
  createdAt: string;
  channel: 'outbox' | 'gateway';
  status: SmsStatus;
  gatewayId: string | null;
  error: string | null;
}

export function formatSmsId(seq: number): string {
  return `S-${String(seq).padStart(6, '0')}`;
}

interface Row {
  seq: number;
  receptor: string;
  text: string;
  parts: number;
  created_at: string;
  channel: 'outbox' | 'gateway';
  status: SmsStatus;
  gateway_id: string | null;
  error: string | null;
  idem_key: string | null;
}

/** Appends one SMS to the store's log; returns its local id (S-000001). */
export function recordSms(
  store: IvrStore,
  sms: { receptor: string; text: string; channel: 'outbox' | 'gateway'; status: SmsStatus; gatewayId?: string; error?: string },
  now: Date = new Date(),
): string {
  const st = recordStatement(sms, now);
  return formatSmsId(Number(store.stmt(st.sql).run(...st.params).lastInsertRowid));
}

function recordStatement(
  sms: { receptor: string; text: string; channel: 'outbox' | 'gateway'; status: SmsStatus; gatewayId?: string; error?: string },
  now: Date,
): { sql: string; params: unknown[] } {
  return {
    sql: `INSERT INTO sms (receptor, text, parts, created_at, channel, status, gateway_id, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    params: [sms.receptor, sms.text, countSms(sms.text).parts, now.toISOString(), sms.channel, sms.status, sms.gatewayId ?? null, sms.error ?? null],
  };
}

/**
 * The SMS stored under `key` — written now (`created: true`) with `status`, or the one a previous
 * send with that key stored (whatever its status). Committed when it returns.
 */
export function smsIntent(
  store: IvrStore,
  sms: { key: string; receptor: string; text: string; channel: 'outbox' | 'gateway'; status: SmsStatus },
  now: Date = new Date(),
): SmsIntent {
  const [insert, select] = intentStatements(sms, now);
  const res = store.stmt(insert!.sql).run(...insert!.params);
  return intentOf(store.stmt(select!.sql).get(...select!.params) as IntentRow, res.changes === 1);
}

/** smsIntent() for a running service, through the store's write path (IvrStore.write: its writer thread when it has one) */
export async function smsIntentAsync(
  store: IvrStore,
  sms: { key: string; receptor: string; text: string; channel: 'outbox' | 'gateway'; status: SmsStatus },
  what: string,
  now: Date = new Date(),
): Promise<SmsIntent> {
  const [res, row] = await store.write(intentStatements(sms, now).map((s, i) => ({ ...s, get: i === 1 })), what);
  return intentOf(row as unknown as IntentRow, (res as RunResult).changes === 1);
}

export interface SmsIntent {
  seq: number;
  id: string;
  status: SmsStatus;
  gatewayId: string | null;
  created: boolean;
}
type IntentRow = Pick<Row, 'seq' | 'status' | 'gateway_id'>;

function intentStatements(sms: { key: string; receptor: string; text: string; channel: 'outbox' | 'gateway'; status: SmsStatus }, now: Date): { sql: string; params: unknown[] }[] {
  return [
    {
      sql: `INSERT INTO sms (receptor, text, parts, created_at, channel, status, idem_key) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(idem_key) WHERE idem_key IS NOT NULL DO NOTHING`,
      params: [sms.receptor, sms.text, countSms(sms.text).parts, now.toISOString(), sms.channel, sms.status, sms.key],
    },
    { sql: `SELECT seq, status, gateway_id FROM sms WHERE idem_key = ?`, params: [sms.key] },
  ];
}

function intentOf(row: IntentRow, created: boolean): SmsIntent {
  return { seq: row.seq, id: formatSmsId(row.seq), status: row.status, gatewayId: row.gateway_id, created };
}

/**
 * Writes the gateway's answer to a stored SMS (the sent-mark). `onlyIfPending`: only while the row
 * is still `pending` (the reconciliation's mark must not overwrite a sender's). True when written.
 */
export function markSms(store: IvrStore, seq: number, m: { status: SmsStatus; gatewayId?: string; error?: string | null }, o: { onlyIfPending?: boolean } = {}): boolean {
  const st = markStatement(seq, m, o);
  return store.stmt(st.sql).run(...st.params).changes === 1;
}

/** markSms() through the store's write path (IvrStore.write: its writer thread when it has one); resolves once committed */
export async function markSmsAsync(
  store: IvrStore,
  seq: number,
  m: { status: SmsStatus; gatewayId?: string; error?: string | null },
  o: { onlyIfPending?: boolean; what?: string } = {},
): Promise<boolean> {
  const [res] = await store.write([markStatement(seq, m, o)], o.what ?? 'write the gateway\'s answer to the SMS log');
  return (res as RunResult).changes === 1;
}

function markStatement(seq: number, m: { status: SmsStatus; gatewayId?: string; error?: string | null }, o: { onlyIfPending?: boolean }): { sql: string; params: unknown[] } {
  const sql = `UPDATE sms SET status = ?, gateway_id = coalesce(?, gateway_id), error = ? WHERE seq = ?${o.onlyIfPending ? ` AND status = 'pending'` : ''}`;
  return { sql, params: [m.status, m.gatewayId ?? null, m.error ?? null, seq] };
}

/** SMS of the log, newest first. */
export function listSms(store: IvrStore, opts: { status?: SmsStatus; limit?: number } = {}): SmsRecord[] {
  const limit = opts.limit ?? -1;
  const rows = (
    opts.status
      ? store.db.prepare(`SELECT * FROM sms WHERE status = ? ORDER BY seq DESC LIMIT ?`).all(opts.status, limit)
      : store.db.prepare(`SELECT * FROM sms ORDER BY seq DESC LIMIT ?`).all(limit)
  ) as Row[];
  return rows.map((r) => ({
    id: formatSmsId(r.seq),
    receptor: r.receptor,
    text: r.text,
    parts: r.parts,
    createdAt: r.created_at,
    channel: r.channel,
    status: r.status,
    gatewayId: r.gateway_id,
    error: r.error,
  }));
}

/** SmsSender that only queues into the local outbox table (no gateway configured). */
export class LocalSmsOutbox implements SmsSender {
  constructor(
    private readonly store: IvrStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(to: string, text: string, opts: SmsSendOptions = {}): Promise<{ id: string; status: 'queued' }> {
    const key = opts.key;
    const id =
      key === undefined
        ? formatSmsId(((await this.store.write([recordStatement({ receptor: to, text, channel: 'outbox', status: 'queued' }, this.now())], 'queue the SMS'))[0] as RunResult).lastInsertRowid)
        : (await smsIntentAsync(this.store, { key, receptor: to, text, channel: 'outbox', status: 'queued' }, 'queue the SMS', this.now())).id;
    return { id, status: 'queued' };
  }
}
