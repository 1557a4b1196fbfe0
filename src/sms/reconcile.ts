/**
 * Reconciliation of SMS left `pending`: an SMS sent with an idempotency key is stored (`pending`)
 * before the gateway is asked, and the gateway's answer is written onto it. A row stays `pending`
 * when the process died between the gateway's answer and that mark, or the gateway did not answer
 * (timeout, unreachable, refused: the caller was sent to an agent). This asks the gateway what
 * became of each such row by its `localid` (the same one the send used) and writes the answer —
 * it never sends anything.
 *
 * - Only gateway rows with a key, `pending` for longer than `olderThanMs` (default 2 minutes: an
 *   SMS being sent right now is not touched), in batches of `batchSize` localids per request.
 * - Known to the gateway: its status (queued/sent/delivered/failed) and message id are written.
 * - Unknown to the gateway (entry status 100): `failed`, "the gateway never took it".
 * - Left out of the answer: stays `pending` (the next run asks again).
 * - Gateway unreachable or refusing: the rows stay `pending`, the result says why (`unavailable`),
 *   the next run tries again.
 * A row is only written while still `pending`, so a sender's own mark is never overwritten.
 */
import type { Logger } from '../log/logger.ts';
import { maskPhone } from '../log/mask.ts';
import type { IvrStore } from '../store/db.ts';
import { gatewayLocalId, UNKNOWN_LOCALID, type GatewayMessageStatus } from './kavenegar.ts';
import { formatSmsId, markSmsAsync, type SmsStatus } from './outbox.ts';

/** The gateway's status lookup by localid (KavenegarSmsSender.statusByLocalIds). */
export interface SmsStatusLookup {
  statusByLocalIds(localids: readonly string[]): Promise<Map<string, GatewayMessageStatus>>;
}

export const DEFAULT_RECONCILE_GRACE_MS = 2 * 60_000;
export const DEFAULT_RECONCILE_BATCH = 100;
export const NEVER_TAKEN = 'the gateway never took it (status lookup by localid)';

export interface ReconcileOptions {
  /** only rows stored at least this long ago (default 2 minutes) */
  olderThanMs?: number;
  now?: Date;
  /** localids per status request (default 100) */
  batchSize?: number;
  logger?: Logger;
  /** stops between batches (the service is stopping) */
  signal?: AbortSignal;
}

export interface ReconcileResult {
  /** pending rows old enough to ask about */
  checked: number;
  queued: number;
  sent: number;
  delivered: number;
  /** failed by the gateway's status, or never taken by it */
  failed: number;
  /** of `failed`: unknown to the gateway (entry status 100) */
  neverTaken: number;
  /** still pending after the run (the gateway did not answer for them, left them out, or the store was locked) */
  pending: number;
  /** pending rows younger than the grace period (not asked about) */
  tooRecent: number;
  /** pending rows without an idempotency key (sent before keys existed): no localid to ask about */
  noKey: number;
  /** why the gateway could not be asked (unreachable, refused); the rows not asked stay pending */
  unavailable?: string;
}

interface PendingRow {
  seq: number;
  idem_key: string | null;
  receptor: string;
  created_at: string;
}

export async function reconcilePendingSms(store: IvrStore, gateway: SmsStatusLookup, o: ReconcileOptions = {}): Promise<ReconcileResult> {
  const now = o.now ?? new Date();
  const cutoff = new Date(now.getTime() - (o.olderThanMs ?? DEFAULT_RECONCILE_GRACE_MS)).toISOString();
  const batchSize = Math.max(1, o.batchSize ?? DEFAULT_RECONCILE_BATCH);
  const rows = store.db.prepare(`SELECT seq, idem_key, receptor, created_at FROM sms WHERE channel = 'gateway' AND status = 'pending' ORDER BY seq`).all() as PendingRow[];
  const due = rows.filter((r) => r.idem_key !== null && r.created_at <= cutoff);
  const res: ReconcileResult = {
    checked: due.length,
    queued: 0,
    sent: 0,
    delivered: 0,
    failed: 0,
    neverTaken: 0,
    pending: due.length,
    tooRecent: rows.filter((r) => r.idem_key !== null && r.created_at > cutoff).length,
    noKey: rows.filter((r) => r.idem_key === null).length,
  };
  for (let i = 0; i < due.length; i += batchSize) {
    if (o.signal?.aborted) break;
    const batch = due.slice(i, i + batchSize).map((r) => ({ row: r, localid: gatewayLocalId(store.installationId, r.idem_key!) }));
    let answer: Map<string, GatewayMessageStatus>;
    try {
      answer = await gateway.statusByLocalIds(batch.map((b) => b.localid));
    } catch (e) {
      res.unavailable = (e as Error).message;
      o.logger?.warn({ error: res.unavailable, stillPending: due.length - i }, 'SMS reconciliation: the gateway could not be asked; the rows stay pending');
      break;
    }
    for (const { row, localid } of batch) {
      const a = answer.get(localid);
      if (!a) continue;
      const status: SmsStatus = a.code === UNKNOWN_LOCALID ? 'failed' : a.status;
      if (status === 'pending') continue;
      const error = a.code === UNKNOWN_LOCALID ? NEVER_TAKEN : status === 'failed' ? `status ${a.code}${a.statusText ? ` (${a.statusText})` : ''} (status lookup by localid)` : null;
      let written: boolean;
      try {
        written = await markSmsAsync(store, row.seq, { status, ...(a.messageId ? { gatewayId: a.messageId } : {}), error }, { onlyIfPending: true, what: 'write the reconciled SMS status' });
      } catch (e) {
        o.logger?.warn({ err: e, sms: formatSmsId(row.seq) }, 'SMS reconciliation: could not write the status; the row stays pending');
        continue;
      }
      if (!written) {
        // a sender marked it meanwhile: that answer stands
        res.checked--;
        res.pending--;
        continue;
      }
      res.pending--;
      res[status]++;
      if (a.code === UNKNOWN_LOCALID) res.neverTaken++;
      o.logger?.info({ sms: formatSmsId(row.seq), to: maskPhone(row.receptor), status, gatewayStatus: a.code, ...(a.messageId ? { gatewayId: a.messageId } : {}) }, 'SMS reconciled from the gateway');
    }
  }
  return res;
}

/** One line for an admin: what a run found. */
export function describeReconcile(r: ReconcileResult): string {
  const parts = [
    `${r.checked} pending SMS checked`,
    `${r.queued} queued, ${r.sent} sent, ${r.delivered} delivered, ${r.failed} failed${r.neverTaken ? ` (${r.neverTaken} never taken by the gateway)` : ''}`,
    `${r.pending} still pending`,
  ];
  if (r.tooRecent) parts.push(`${r.tooRecent} too recent to check`);
  if (r.noKey) parts.push(`${r.noKey} without a key (cannot be looked up)`);
  return parts.join('; ') + (r.unavailable ? `\ngateway not asked: ${r.unavailable}` : '');
}
