/**
 * Ports: what the call flow needs from the outside world, as interfaces. Adapters implement them
 * (src/store, src/quantum, src/sms, src/ari); tests implement them with in-memory fakes.
 */
import type { BouncedCheque, Customer, Order, Store } from './data-file.ts';
import type { EarlierRequest, RequestType, RequestUnit } from './decision.ts';

/** Read side of Quantum (the company's order and customer system), plus customer registration. */
export interface OrderData {
  findCustomer(nationalId: string): Promise<Customer | null>;
  /** the order with this number that belongs to this national ID; null when there is no such pair */
  findOrder(nationalId: string, orderNumber: string): Promise<Order | null>;
  /** orderable stock of a product; null when the product is unknown */
  orderableStock(productCode: string): Promise<number | null>;
  storesByArea(areaCode: string): Promise<Store[]>;
  bouncedCheques(nationalId: string): Promise<BouncedCheque[]>;
  registerCustomer(c: { nationalId: string; mobile?: string }): Promise<'registered' | 'already-registered'>;
}

/** Thrown by adapters when the backing system cannot answer now (timeout, circuit open, down). */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}

export interface NewRequest {
  /**
   * idempotency: one request per (callId, topic, orderNumber). The service passes the Asterisk
   * channel id, which survives a restart of the service (the call, not the process).
   */
  callId: string;
  topic: string;
  type: RequestType;
  unit: RequestUnit;
  nationalId?: string;
  orderNumber?: string;
  callerNumber?: string;
  rule?: string;
  outcome?: string;
  /** free details for the unit (no need to repeat the fields above) */
  details?: Record<string, unknown>;
}

export interface RegisteredRequest extends NewRequest {
  /** the number read back to the caller, e.g. R-000123 */
  number: string;
  createdAt: string;
  status: 'pending' | 'delivered' | 'failed';
  /** set when this call had registered the same request before (a retry, or a caller adopted after a restart) */
  alreadyRegistered?: boolean;
}

/** Durable local register of the IVR's requests; delivers to Quantum through an outbox. */
export interface RequestRegistry {
  /** resolves only once the request is durably stored; a second call with the same callId+topic+order returns the first */
  register(r: NewRequest): Promise<RegisteredRequest>;
  /** a caller's earlier requests (on this order), oldest first; with `units`, only those of these units (what the rules read) */
  earlierRequests(nationalId: string, orderNumber?: string, units?: readonly RequestUnit[]): Promise<EarlierRequest[]>;
  /**
   * the last request stored for this call (callId as registered: the Asterisk channel id), or null;
   * a restarted service announces it to an adopted caller instead of registering again
   */
  forCall?(callId: string): Promise<RegisteredRequest | null>;
}

export interface SmsSendOptions {
  /**
   * idempotency: one SMS per key, whatever happens in between (a retry, a restart of the service
   * after the gateway answered). The service passes Asterisk channel + topic + area code + mobile.
   */
  key?: string;
}

export interface SmsSender {
  /** queue an SMS; resolves when accepted by the gateway or the local outbox (`pending`: the gateway's answer is unknown) */
  send(to: string, text: string, opts?: SmsSendOptions): Promise<{ id: string; status: 'pending' | 'queued' | 'sent' | 'delivered' | 'failed' }>;
}
