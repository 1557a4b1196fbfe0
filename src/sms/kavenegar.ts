/**
 * SMS through a Kavenegar-style HTTP gateway:
 *   POST {baseUrl}/v1/{apiKey}/sms/send.json   (application/x-www-form-urlencoded: receptor, message, sender)
 *   → { "return": { "status": 200, "message": "…" },
 *       "entries": [{ "messageid": 8792343, "status": 1, "statustext": "در صف ارسال", "receptor": "0912…", … }] }
 *
 * Mapping: entry status 1 (in queue) / 2 (scheduled) → queued; 4, 5 (handed to the operator) → sent;
 * 10 (delivered to the handset) → delivered; 6, 11, 13, 14, 100 → failed.
 * return.status 411 (bad receptor), 412 (bad sender), 413 (empty/too long message), 414 (too many
 * receptors) → failed (retrying cannot help); any other non-200 (bad key, no credit, gateway error),
 * a timeout or a network error → UnavailableError (the flow sends the caller to an agent).
 * Every send is also recorded in the store's SMS log when a store is given.
 *
 * With an idempotency key (SmsSendOptions.key) and a store, the SMS is stored (`pending`) before
 * the gateway is asked, and the gateway's answer is written onto that row after (the sent-mark).
 * A second send with the key sends nothing when the row holds an answer; when it does not (the
 * process died between the gateway's answer and the mark, or the gateway did not answer) it asks
 * again with the same `localid` form field, which Kavenegar documents as its guard against
 * sending one message twice (the fake gateway of the tests keeps one message per localid).
 *
 * Status by localid (statusByLocalIds, what ./reconcile.ts asks for rows left `pending`; sends nothing):
 *   POST {baseUrl}/v1/{apiKey}/sms/statuslocalmessageid.json   (localid: one or a comma-separated list)
 *   → { "return": { "status": 200, … }, "entries": [{ "messageid": 8792343, "localid": "…", "status": 10, "statustext": "…" }] }
 * Entry status 100: the gateway does not know the localid (it never took the message).
 */
import { createHash } from 'node:crypto';
import { UnavailableError, type SmsSender, type SmsSendOptions } from '../domain/ports.ts';
import type { Logger } from '../log/logger.ts';
import type { IvrStore } from '../store/db.ts';
import { markSmsAsync, recordSms, smsIntentAsync, type SmsIntent, type SmsStatus } from './outbox.ts';

type Intent = SmsIntent;

/**
 * Kavenegar's `localid` (a number) for an idempotency key: the same on every try and from every
 * process, distinct between installations sharing one gateway account. 52 bits of SHA-256.
 */
export function gatewayLocalId(installationId: string, key: string): string {
  return String(parseInt(createHash('sha256').update(`${installationId}:${key}`).digest('hex').slice(0, 13), 16));
}

export interface KavenegarOptions {
  /** e.g. https://api.kavenegar.com (without /v1) */
  baseUrl: string;
  apiKey: string;
  /** sender line number */
  sender: string;
  timeoutMs?: number;
  /** SMS log (optional) */
  store?: IvrStore;
  logger?: Logger;
  /** a send that failed, by kind: the gateway unreachable, refusing the request, or rejecting the message (/metrics) */
  onError?: (kind: 'unreachable' | 'refused' | 'rejected') => void;
}

const ENTRY_STATUS: Record<number, SmsStatus> = { 1: 'queued', 2: 'queued', 4: 'sent', 5: 'sent', 10: 'delivered', 6: 'failed', 11: 'failed', 13: 'failed', 14: 'failed', 100: 'failed' };
const REJECTED = new Set([411, 412, 413, 414]);
const RETURN_TEXT: Record<number, string> = {
  400: 'parameters incomplete',
  401: 'account disabled',
  402: 'operation failed',
  403: 'API key not valid',
  404: 'method not found',
  405: 'wrong HTTP method',
  407: 'no access to this information',
  411: 'receptor not valid',
  412: 'sender not valid',
  413: 'message empty or too long',
  414: 'too many receptors',
  417: 'date not valid',
  418: 'credit not sufficient',
  422: 'data contains invalid characters',
};

function returnText(code: number): string {
  return `status ${code}${RETURN_TEXT[code] ? ` (${RETURN_TEXT[code]})` : ''}`;
}

export function mapKavenegarStatus(code: number): SmsStatus {
  return ENTRY_STATUS[code] ?? 'queued';
}

/** What the gateway knows of one message, asked by its localid (statusByLocalIds). */
export interface GatewayMessageStatus {
  localid: string;
  /** the gateway's entry status (1, 2, 4, 5, 6, 10, 11, 13, 14; 100: unknown localid) */
  code: number;
  /** the entry status as the SMS log keeps it (mapKavenegarStatus) */
  status: SmsStatus;
  messageId?: string;
  statusText?: string;
}

/** The entry status of a localid the gateway does not know: it never took that message. */
export const UNKNOWN_LOCALID = 100;

type Answer = { return?: { status?: number; message?: string }; entries?: { messageid?: number | string; localid?: number | string; status?: number; statustext?: string }[] | null };

/** No answer from the gateway (timeout, network error): `why` says which. */
class Unreachable extends Error {}

export class KavenegarSmsSender implements SmsSender {
  private readonly base: string;
  private readonly url: string;
  private readonly timeoutMs: number;

  constructor(private readonly opts: KavenegarOptions) {
    this.base = `${opts.baseUrl.replace(/\/+$/, '')}/v1/${encodeURIComponent(opts.apiKey)}/sms`;
    this.url = `${this.base}/send.json`;
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  /** One form POST to the gateway: its return status and answer; throws Unreachable without an answer. */
  private async post(url: string, fields: Record<string, string>): Promise<{ code: number; ok: boolean; json: Answer | undefined }> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
        body: new URLSearchParams(fields),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new Unreachable((e as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (e as Error).message);
    }
    let json: Answer | undefined;
    try {
      json = (await res.json()) as Answer;
    } catch {
      json = undefined;
    }
    return { code: json?.return?.status ?? res.status, ok: res.ok, json };
  }

  /**
   * What the gateway knows of the messages sent under these localids (at most a few hundred per
   * call: they travel in one form field). Sends nothing. A localid the answer leaves out is absent
   * from the map. Throws UnavailableError when the gateway does not answer or refuses the request.
   */
  async statusByLocalIds(localids: readonly string[]): Promise<Map<string, GatewayMessageStatus>> {
    const out = new Map<string, GatewayMessageStatus>();
    if (!localids.length) return out;
    let r: Awaited<ReturnType<KavenegarSmsSender['post']>>;
    try {
      r = await this.post(`${this.base}/statuslocalmessageid.json`, { localid: localids.join(',') });
    } catch (e) {
      if (!(e instanceof Unreachable)) throw e;
      throw new UnavailableError(`SMS gateway unavailable: ${e.message}`);
    }
    if (r.code !== 200 || !r.ok) throw new UnavailableError(`SMS gateway refused the status lookup: ${returnText(r.code)}`);
    const asked = new Set(localids);
    for (const e of r.json?.entries ?? []) {
      const localid = e.localid !== undefined ? String(e.localid) : undefined;
      if (localid === undefined || !asked.has(localid) || typeof e.status !== 'number') continue;
      out.set(localid, {
        localid,
        code: e.status,
        status: mapKavenegarStatus(e.status),
        ...(e.status !== UNKNOWN_LOCALID && e.messageid !== undefined && e.messageid !== null ? { messageId: String(e.messageid) } : {}),
        ...(e.statustext ? { statusText: e.statustext } : {}),
      });
    }
    return out;
  }

  async send(to: string, text: string, opts: SmsSendOptions = {}): Promise<{ id: string; status: SmsStatus }> {
    const store = this.opts.store;
    const key = opts.key;
    // with a key: the intent is committed before the gateway is asked (./outbox.ts); one already
    // answered is not sent again, one without an answer is asked again under the same localid
    let intent: Intent | undefined;
    if (key !== undefined && store) {
      intent = await smsIntentAsync(store, { key, receptor: to, text, channel: 'gateway', status: 'pending' }, 'store the SMS before sending it');
      if (!intent.created && intent.status !== 'pending') {
        this.opts.logger?.info({ sms: intent.id, status: intent.status }, 'SMS already sent for this call: not sent again');
        return { id: intent.gatewayId ?? intent.id, status: intent.status };
      }
      if (!intent.created) this.opts.logger?.info({ sms: intent.id }, 'SMS stored without the gateway\'s answer: asked again under the same localid');
    }
    const fields: Record<string, string> = { receptor: to, message: text, sender: this.opts.sender };
    if (key !== undefined && store) fields.localid = gatewayLocalId(store.installationId, key);
    let r: Awaited<ReturnType<KavenegarSmsSender['post']>>;
    try {
      r = await this.post(this.url, fields);
    } catch (e) {
      if (!(e instanceof Unreachable)) throw e;
      const why = e.message;
      this.opts.logger?.warn({ error: why }, 'SMS gateway unreachable');
      // the gateway may have taken it: the intent stays pending (a retry asks again under the same localid)
      this.record(to, text, intent, 'pending', undefined, why);
      this.opts.onError?.('unreachable');
      throw new UnavailableError(`SMS gateway unavailable: ${why}`);
    }
    const { code, json } = r;
    if (code !== 200 || !r.ok) {
      const why = returnText(code);
      if (REJECTED.has(code)) {
        const id = this.record(to, text, intent, 'failed', undefined, why);
        this.opts.logger?.warn({ status: code, to }, 'SMS rejected by the gateway');
        this.opts.onError?.('rejected');
        return { id, status: 'failed' };
      }
      this.opts.logger?.warn({ status: code }, 'SMS gateway refused the request');
      if (intent) this.record(to, text, intent, 'pending', undefined, why);
      this.opts.onError?.('refused');
      throw new UnavailableError(`SMS gateway refused: ${why}`);
    }
    const entry = json?.entries?.[0];
    const status = entry?.status !== undefined ? mapKavenegarStatus(entry.status) : 'queued';
    const gatewayId = entry?.messageid !== undefined ? String(entry.messageid) : undefined;
    const localId = this.record(to, text, intent, status, gatewayId);
    // the gateway's message id when it gave one (what its delivery reports refer to), else ours
    return { id: gatewayId ?? localId, status };
  }

  /**
   * Writes the SMS log (when a store is given): the gateway's answer onto the stored intent (the
   * sent-mark), or a new row for an SMS sent without a key. Returns the local id, or '' without a store.
   */
  private record(to: string, text: string, intent: Intent | undefined, status: SmsStatus, gatewayId?: string, error?: string): string {
    const store = this.opts.store;
    if (!store) return '';
    if (intent) {
      const seq = intent.seq;
      const couldNot = (e: unknown) => {
        // the gateway has answered; the caller is told what it said. The row stays pending: a retry
        // asks the gateway again under the same localid, which keeps one message.
        this.opts.logger?.warn({ err: e, sms: intent.id }, 'could not write the gateway\'s answer to the SMS log');
      };
      // on the store's writer thread when it has one (the caller does not wait for that commit), else at once
      void markSmsAsync(store, seq, { status, ...(gatewayId ? { gatewayId } : {}), error: error ?? null }).catch(couldNot);
      return intent.id;
    }
    return recordSms(store, { receptor: to, text, channel: 'gateway', status, ...(gatewayId ? { gatewayId } : {}), ...(error ? { error } : {}) });
  }
}
