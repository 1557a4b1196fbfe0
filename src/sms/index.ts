/**
 * The SMS sender the service uses: the Kavenegar-style gateway when SMS_GATEWAY_URL is set,
 * otherwise the local outbox table (admins read it with `ivr-1699 requests sms`).
 */
import type { Logger } from '../log/logger.ts';
import type { SmsSettings } from '../store/config.ts';
import type { IvrStore } from '../store/db.ts';
import { KavenegarSmsSender, type KavenegarOptions } from './kavenegar.ts';
import { LocalSmsOutbox } from './outbox.ts';

export { formatStoresSms, countSms, type StoresSms, type SmsCount } from './format.ts';
export { KavenegarSmsSender, type KavenegarOptions } from './kavenegar.ts';
export { LocalSmsOutbox, listSms, recordSms, type SmsRecord, type SmsStatus } from './outbox.ts';
export { reconcilePendingSms, describeReconcile, type ReconcileResult } from './reconcile.ts';

export function createSmsSender(
  settings: SmsSettings,
  store: IvrStore,
  logger?: Logger,
  onError?: KavenegarOptions['onError'],
): (KavenegarSmsSender & { readonly kind: 'gateway' }) | (LocalSmsOutbox & { readonly kind: 'outbox' }) {
  if (settings.gatewayUrl) {
    if (!settings.apiKey || !settings.sender) throw new Error('SMS_GATEWAY_URL is set: SMS_API_KEY and SMS_SENDER are required too');
    const s = new KavenegarSmsSender({
      baseUrl: settings.gatewayUrl,
      apiKey: settings.apiKey,
      sender: settings.sender,
      timeoutMs: settings.timeoutMs,
      store,
      ...(logger ? { logger } : {}),
      ...(onError ? { onError } : {}),
    });
    return Object.assign(s, { kind: 'gateway' as const });
  }
  return Object.assign(new LocalSmsOutbox(store), { kind: 'outbox' as const });
}
