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
import { retryWhileBusy } from '../store/busy.ts';
import type { IvrStore } from '../store/db.ts';
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
  const res = store.db
    .prepare(`INSERT INTO sms (receptor, text, parts, created_at, channel, status, gateway_id, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(sms.receptor, sms.text, countSms(sms.text).parts, now.toISOString(), sms.channel, sms.status, sms.gatewayId ?? null, sms.error ?? null);
  return formatSmsId(Number(res.lastInsertRowid));
}

/**
 * The SMS stored under `key` — written now (`created: true`) with `status`, or the one a previous
 * send with that key stored (whatever its status). Committed when it returns.
 */
export function smsIntent(
  store: IvrStore,
  sms: { key: string; receptor: string; text: string; channel: 'outbox' | 'gateway'; status: SmsStatus },
  now: Date = new Date(),
): { seq: number; id: string; status: SmsStatus; gatewayId: string | null; created: boolean } {
  const res = store.db
    .prepare(
      `INSERT INTO sms (receptor, text, parts, created_at, channel, status, idem_key) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(idem_key) WHERE idem_key IS NOT NULL DO NOTHING`,
    )
    .run(sms.receptor, sms.text, countSms(sms.text).parts, now.toISOString(), sms.channel, sms.status, sms.key);
  const row = store.db.prepare(`SELECT seq, status, gateway_id FROM sms WHERE idem_key = ?`).get(sms.key) as Pick<Row, 'seq' | 'status' | 'gateway_id'>;
  return { seq: row.seq, id: formatSmsId(row.seq), status: row.status, gatewayId: row.gateway_id, created: res.changes === 1 };
}

/**
 * Writes the gateway's answer to a stored SMS (the sent-mark). `onlyIfPending`: only while the row
 * is still `pending` (the reconciliation's mark must not overwrite a sender's). True when written.
 */
export function markSms(store: IvrStore, seq: number, m: { status: SmsStatus; gatewayId?: string; error?: string | null }, o: { onlyIfPending?: boolean } = {}): boolean {
  const sql = `UPDATE sms SET status = ?, gateway_id = coalesce(?, gateway_id), error = ? WHERE seq = ?${o.onlyIfPending ? ` AND status = 'pending'` : ''}`;
  return store.db.prepare(sql).run(m.status, m.gatewayId ?? null, m.error ?? null, seq).changes === 1;
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
    const id = await retryWhileBusy(
      () =>
        key === undefined
          ? recordSms(this.store, { receptor: to, text, channel: 'outbox', status: 'queued' }, this.now())
          : smsIntent(this.store, { key, receptor: to, text, channel: 'outbox', status: 'queued' }, this.now()).id,
      { waitMs: this.store.writeWaitMs, what: 'queue the SMS', stats: this.store.writeStats },
    );
    return { id, status: 'queued' };
  }
}
