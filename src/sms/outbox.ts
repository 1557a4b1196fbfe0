/**
 * The local SMS outbox: with no gateway configured, SMS are written to the store's `sms` table
 * (status `queued`) where an admin reads them (`ivr-1699 requests sms`). The gateway sender also
 * records every SMS it sends here (channel `gateway`), so there is one log of SMS for both cases.
 */
import type { SmsSender } from '../domain/ports.ts';
import { retryWhileBusy } from '../store/busy.ts';
import type { IvrStore } from '../store/db.ts';
import { countSms } from './format.ts';

export type SmsStatus = 'queued' | 'sent' | 'delivered' | 'failed';

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

  async send(to: string, text: string): Promise<{ id: string; status: 'queued' }> {
    const id = await retryWhileBusy(() => recordSms(this.store, { receptor: to, text, channel: 'outbox', status: 'queued' }, this.now()), {
      waitMs: this.store.writeWaitMs,
      what: 'queue the SMS',
      stats: this.store.writeStats,
    });
    return { id, status: 'queued' };
  }
}
