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
 */
import { UnavailableError, type SmsSender } from '../domain/ports.ts';
import type { Logger } from '../log/logger.ts';
import type { IvrStore } from '../store/db.ts';
import { recordSms, type SmsStatus } from './outbox.ts';

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

export function mapKavenegarStatus(code: number): SmsStatus {
  return ENTRY_STATUS[code] ?? 'queued';
}

export class KavenegarSmsSender implements SmsSender {
  private readonly url: string;
  private readonly timeoutMs: number;

  constructor(private readonly opts: KavenegarOptions) {
    this.url = `${opts.baseUrl.replace(/\/+$/, '')}/v1/${encodeURIComponent(opts.apiKey)}/sms/send.json`;
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  async send(to: string, text: string): Promise<{ id: string; status: SmsStatus }> {
    const body = new URLSearchParams({ receptor: to, message: text, sender: this.opts.sender });
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const why = (e as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (e as Error).message;
      this.opts.logger?.warn({ error: why }, 'SMS gateway unreachable');
      throw new UnavailableError(`SMS gateway unavailable: ${why}`);
    }
    let json: { return?: { status?: number; message?: string }; entries?: { messageid?: number | string; status?: number }[] } | undefined;
    try {
      json = (await res.json()) as typeof json;
    } catch {
      json = undefined;
    }
    const code = json?.return?.status ?? res.status;
    if (code !== 200 || !res.ok) {
      const why = `status ${code}${RETURN_TEXT[code] ? ` (${RETURN_TEXT[code]})` : ''}`;
      if (REJECTED.has(code)) {
        const id = this.record(to, text, 'failed', undefined, why);
        this.opts.logger?.warn({ status: code, to }, 'SMS rejected by the gateway');
        return { id, status: 'failed' };
      }
      this.opts.logger?.warn({ status: code }, 'SMS gateway refused the request');
      throw new UnavailableError(`SMS gateway refused: ${why}`);
    }
    const entry = json?.entries?.[0];
    const status = entry?.status !== undefined ? mapKavenegarStatus(entry.status) : 'queued';
    const gatewayId = entry?.messageid !== undefined ? String(entry.messageid) : undefined;
    const localId = this.record(to, text, status, gatewayId);
    // the gateway's message id when it gave one (what its delivery reports refer to), else ours
    return { id: gatewayId ?? localId, status };
  }

  /** writes the SMS log (when a store is given); returns the local id, or '' without a store */
  private record(to: string, text: string, status: SmsStatus, gatewayId?: string, error?: string): string {
    if (!this.opts.store) return '';
    return recordSms(this.opts.store, {
      receptor: to,
      text,
      channel: 'gateway',
      status,
      ...(gatewayId ? { gatewayId } : {}),
      ...(error ? { error } : {}),
    });
  }
}
