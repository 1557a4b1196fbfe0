/**
 * Production adapter for Quantum (سامانه کوانتوم), the company's order and customer system, over its
 * REST API (the shape this project expects is documented in docs/data.md, "Quantum REST API"):
 *
 *   GET  {base}/customers/{nationalId}                        → 200 Customer | 404
 *   GET  {base}/customers/{nationalId}/orders/{orderNumber}   → 200 Order | 404 (no such pair)
 *   GET  {base}/products/{productCode}/stock                  → 200 { productCode, orderable } | 404
 *   GET  {base}/stores?areaCode=021                           → 200 { stores: Store[] }
 *   GET  {base}/customers/{nationalId}/bounced-cheques        → 200 { bouncedCheques: BouncedCheque[] }
 *   POST {base}/customers            { nationalId, mobile? }  → 201 { status: 'registered' } | 200/409 already registered
 *   POST {base}/ivr-requests         RegisteredRequest + installationId → 201 | 200 (same key seen before)
 *
 * Every call carries `Authorization: Bearer <token>`; every POST an `Idempotency-Key`. Bodies are
 * the data-file contract's shapes (src/domain/data-file.ts) and are validated on arrival.
 *
 * Resilience: each attempt has its own timeout (AbortSignal.timeout); timeouts, network errors,
 * 429 and 5xx are retried with exponential backoff (reads always; writes only because they carry an
 * idempotency key); a circuit breaker over whole calls refuses at once while Quantum is down. Any
 * such failure reaches the caller as UnavailableError, which the flow turns into "unavailable"
 * (bridge to an agent).
 */
import { z } from 'zod';
import { BouncedCheque, Customer, Order, Store } from '../domain/data-file.ts';
import { UnavailableError, type OrderData, type RegisteredRequest } from '../domain/ports.ts';
import type { Logger } from '../log/logger.ts';
import type { QuantumSettings } from '../store/config.ts';
import { PermanentDeliveryError, type QuantumRequestSink } from '../store/outbox.ts';
import { CircuitBreaker, type BreakerState } from './breaker.ts';

export interface QuantumHttpOptions {
  /** e.g. https://quantum.example/api/v1 */
  baseUrl: string;
  token?: string;
  /** per attempt (default 2000 ms) */
  timeoutMs?: number;
  /** extra attempts after a retryable failure (default 2) */
  retries?: number;
  /** first backoff, doubled each retry (default 200 ms) */
  retryBackoffMs?: number;
  /** consecutive failed calls that open the breaker (default 5) */
  breakerFailures?: number;
  /** open time before a trial call (default 30 s) */
  breakerOpenMs?: number;
  /** installation id sent with delivered requests */
  installationId?: string;
  /**
   * Where bounced cheques come from. Default: Quantum's endpoint. The finance unit's spreadsheet is
   * read locally (src/store/cheques-xlsx.ts), so the service normally passes the embedded store's.
   */
  bouncedCheques?: (nationalId: string) => Promise<BouncedCheque[]>;
  logger?: Logger;
  now?: () => number;
  /** each failed attempt by kind, and each call the open breaker refused (/metrics) */
  onError?: (kind: QuantumErrorKind) => void;
}

/** timeout, network, server (5xx, 408, 429), bad-answer (not the documented shape), refused (4xx), breaker-open */
export type QuantumErrorKind = 'timeout' | 'network' | 'server' | 'bad-answer' | 'refused' | 'breaker-open';

/** a failed attempt that retrying may fix, with its kind */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly kind: QuantumErrorKind,
  ) {
    super(message);
  }
}

/** an HTTP answer that retrying will not change (4xx other than 408/429) */
class HttpRefusal extends Error {
  override name = 'HttpRefusal';
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`);
  }
}

const StockAnswer = z.object({ productCode: z.string().optional(), orderable: z.number().int().nonnegative() });
const StoresAnswer = z.object({ stores: z.array(Store) });
const ChequesAnswer = z.object({ bouncedCheques: z.array(BouncedCheque) });
const RegisterAnswer = z.object({ status: z.enum(['registered', 'already-registered']) });

export class QuantumHttpClient implements OrderData, QuantumRequestSink {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly breaker: CircuitBreaker;
  private readonly log: Logger | undefined;

  constructor(private readonly opts: QuantumHttpOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.retries = opts.retries ?? 2;
    this.backoffMs = opts.retryBackoffMs ?? 200;
    this.log = opts.logger;
    this.breaker = new CircuitBreaker({
      failureThreshold: opts.breakerFailures ?? 5,
      openMs: opts.breakerOpenMs ?? 30_000,
      ...(opts.now ? { now: opts.now } : {}),
      onStateChange: (from, to) => this.log?.warn({ from, to }, 'Quantum circuit breaker changed state'),
    });
  }

  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  async findCustomer(nationalId: string): Promise<Customer | null> {
    const body = await this.get(`/customers/${enc(nationalId)}`);
    return body === null ? null : this.parse(Customer, body, 'customer');
  }

  async findOrder(nationalId: string, orderNumber: string): Promise<Order | null> {
    const body = await this.get(`/customers/${enc(nationalId)}/orders/${enc(orderNumber)}`);
    if (body === null) return null;
    const order = this.parse(Order, body, 'order');
    // never trust a pair Quantum did not match: the order must be this customer's
    return order.nationalId === nationalId && order.orderNumber === orderNumber ? order : null;
  }

  async orderableStock(productCode: string): Promise<number | null> {
    const body = await this.get(`/products/${enc(productCode)}/stock`);
    return body === null ? null : this.parse(StockAnswer, body, 'stock').orderable;
  }

  async storesByArea(areaCode: string): Promise<Store[]> {
    const body = await this.get(`/stores?areaCode=${enc(areaCode)}`);
    return body === null ? [] : this.parse(StoresAnswer, body, 'stores').stores;
  }

  async bouncedCheques(nationalId: string): Promise<BouncedCheque[]> {
    if (this.opts.bouncedCheques) return this.opts.bouncedCheques(nationalId);
    const body = await this.get(`/customers/${enc(nationalId)}/bounced-cheques`);
    return body === null ? [] : this.parse(ChequesAnswer, body, 'bounced cheques').bouncedCheques;
  }

  async registerCustomer(c: { nationalId: string; mobile?: string }): Promise<'registered' | 'already-registered'> {
    try {
      const body = await this.post('/customers', c, `customer-registration:${c.nationalId}`);
      return this.parse(RegisterAnswer, body, 'customer registration').status;
    } catch (e) {
      if (e instanceof HttpRefusal && e.status === 409) return 'already-registered';
      if (e instanceof HttpRefusal) throw new UnavailableError(`Quantum refused the customer registration: ${e.message}`);
      throw e;
    }
  }

  /** QuantumRequestSink: delivers one registered request (the outbox calls this) */
  async deliver(req: RegisteredRequest, idempotencyKey: string): Promise<void> {
    try {
      await this.post('/ivr-requests', { ...req, installationId: this.opts.installationId ?? null }, idempotencyKey);
    } catch (e) {
      if (e instanceof HttpRefusal && e.status !== 401 && e.status !== 403) throw new PermanentDeliveryError(`Quantum refused request ${req.number}: ${e.message}`);
      if (e instanceof HttpRefusal) throw new UnavailableError(`Quantum refused request ${req.number}: ${e.message}`);
      throw e;
    }
  }

  // -------------------------------------------------------------------------------------------

  private parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
    const r = schema.safeParse(body);
    if (!r.success) {
      this.opts.onError?.('bad-answer');
      const first = r.error.issues[0];
      throw new UnavailableError(`Quantum answered an unexpected ${what}: ${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'}`);
    }
    return r.data;
  }

  /** GET; null on 404 */
  private get(path: string): Promise<unknown | null> {
    return this.call('GET', path, undefined, undefined).then(
      (r) => (r.status === 404 ? null : r.body),
      (e: unknown) => {
        if (e instanceof HttpRefusal) throw new UnavailableError(`Quantum refused GET ${redactPath(path.split('?')[0]!)}: HTTP ${e.status}`);
        throw e;
      },
    );
  }

  private post(path: string, body: unknown, idempotencyKey: string): Promise<unknown> {
    return this.call('POST', path, body, idempotencyKey).then((r) => {
      if (r.status === 404) throw new HttpRefusal(404, 'not found');
      return r.body;
    });
  }

  private async call(method: 'GET' | 'POST', path: string, body: unknown, idempotencyKey: string | undefined): Promise<{ status: number; body: unknown }> {
    // a refusal (4xx) means Quantum is up: it does not count against the breaker
    let ran = false;
    return this.breaker
      .call(
        () => {
          ran = true;
          return this.withRetries(method, path, body, idempotencyKey);
        },
        (e) => !(e instanceof HttpRefusal),
      )
      .catch((e: unknown) => {
        if (!ran) this.opts.onError?.('breaker-open');
        throw e;
      });
  }

  private async withRetries(method: string, path: string, body: unknown, idempotencyKey: string | undefined): Promise<{ status: number; body: unknown }> {
    let lastError = '';
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) await sleep(this.backoffMs * 2 ** (attempt - 1) * (1 + Math.random() * 0.25));
      try {
        return await this.once(method, path, body, idempotencyKey);
      } catch (e) {
        if (e instanceof HttpRefusal) {
          // 409: already there (a customer registered before), not a failure
          if (e.status !== 409) this.opts.onError?.('refused');
          throw e;
        }
        this.opts.onError?.(e instanceof AttemptError ? e.kind : 'network');
        lastError = e instanceof Error ? e.message : String(e);
        this.log?.warn({ method, path: redactPath(path), attempt: attempt + 1, error: lastError }, 'Quantum call failed');
      }
    }
    throw new UnavailableError(`Quantum unavailable: ${method} ${redactPath(path)} failed ${this.retries + 1} time(s), last: ${lastError}`);
  }

  private async once(method: string, path: string, body: unknown, idempotencyKey: string | undefined): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const err = e as Error;
      if (err.name === 'TimeoutError' || err.name === 'AbortError') throw new AttemptError(`no answer within ${this.timeoutMs} ms`, 'timeout');
      throw new AttemptError(`network error: ${err.message}${(err as { cause?: Error }).cause ? ` (${(err as { cause?: Error }).cause?.message})` : ''}`, 'network');
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw new AttemptError(`answer cut off: ${(e as Error).message}`, 'network');
    }
    if (res.status === 404 && method === 'GET') {
      // Quantum's own "no such customer/order/product" is a JSON body with an `error`; a 404 without
      // it (a proxy's page, a wrong QUANTUM_URL, Quantum being redeployed) says nothing about the
      // caller's keys: it is Quantum being unavailable, never a mismatch that locks a caller out
      if (isQuantumNotFound(res.headers.get('content-type'), text)) return { status: 404, body: null };
      throw new AttemptError(`HTTP 404 that is not Quantum's not-found answer (${res.headers.get('content-type') ?? 'no content type'}): is QUANTUM_URL right?`, 'bad-answer');
    }
    if (res.status === 408 || res.status === 429 || res.status >= 500) throw new AttemptError(`HTTP ${res.status}`, 'server');
    if (res.status >= 400) throw new HttpRefusal(res.status, text);
    if (res.status === 204 || text === '') return { status: res.status, body: null };
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      throw new AttemptError(`HTTP ${res.status} with a body that is not JSON`, 'bad-answer');
    }
  }
}

/** A 404 that Quantum itself gave: JSON with an `error` field (docs/data.md, Quantum REST API). */
function isQuantumNotFound(contentType: string | null, text: string): boolean {
  if (!contentType?.toLowerCase().includes('json')) return false;
  try {
    const b = JSON.parse(text) as unknown;
    return typeof b === 'object' && b !== null && typeof (b as { error?: unknown }).error === 'string';
  } catch {
    return false;
  }
}

/** Builds the client from the settings (null when QUANTUM_URL is not set). */
export function createQuantumClient(
  s: QuantumSettings,
  extra: Pick<QuantumHttpOptions, 'installationId' | 'bouncedCheques' | 'logger' | 'onError'> = {},
): QuantumHttpClient | null {
  if (!s.url) return null;
  return new QuantumHttpClient({
    baseUrl: s.url,
    ...(s.token ? { token: s.token } : {}),
    timeoutMs: s.timeoutMs,
    retries: s.retries,
    retryBackoffMs: s.retryBackoffMs,
    breakerFailures: s.breakerFailures,
    breakerOpenMs: s.breakerOpenMs,
    ...extra,
  });
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

/** paths carry national IDs: keep them out of logs whole */
function redactPath(path: string): string {
  return path.replace(/\d{10}/g, (m) => '******' + m.slice(-4));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
