/**
 * Test helpers for the switch: a real ari-client connection, raw HTTP, and waiting.
 */
import { createRequire } from 'node:module';
import WebSocket from 'ws';

const require = createRequire(import.meta.url);

type Json = Record<string, unknown>;

/** The part of ari-client 2.2.0 the tests use (it ships no types). */
export interface AriInstance {
  id: string;
  name?: string;
  on(event: string, cb: (e: Json, inst: AriInstance) => void): void;
  [op: string]: unknown;
}
export interface AriClient {
  on(event: string, cb: (e: Json, inst?: AriInstance) => void): void;
  start(apps: string | string[], subscribeAll?: boolean): Promise<void>;
  stop(): void;
  Playback(id?: string): AriInstance & { id: string };
  [resource: string]: unknown;
}
export const ariClient = require('ari-client') as {
  connect(url: string, user: string, pass: string): Promise<AriClient>;
};

/** ari-client prints swagger-client's deprecation notice on every connect; keep test output clean. */
export async function connectAri(url: string, user: string, pass: string): Promise<AriClient> {
  const orig = console.log;
  console.log = (...a: unknown[]) => {
    if (typeof a[0] === 'string' && a[0].includes('deprecated version of Swagger')) return;
    if (Array.isArray(a[0]) && String(a[0][0]).includes('deprecated version of Swagger')) return;
    orig(...a);
  };
  try {
    return await ariClient.connect(url, user, pass);
  } finally {
    console.log = orig;
  }
}

/** Calls an operation of ari-client's generated API, e.g. op(ari, 'channels', 'answer', {...}). */
export function op<T = unknown>(ari: AriClient, resource: string, name: string, params: Json = {}): Promise<T> {
  const r = ari[resource] as Record<string, (p: Json) => Promise<T>> | undefined;
  const f = r?.[name];
  if (!f) throw new Error(`ari-client has no ${resource}.${name}`);
  return f(params);
}

export interface HttpAnswer {
  status: number;
  body: unknown;
  ms: number;
}

/** Raw ARI request (Basic auth), answering status and parsed JSON body. */
export async function ari(
  base: string,
  method: string,
  path: string,
  query: Record<string, string | number | string[]> = {},
  auth: string | null = 'asterisk:asterisk',
  body?: unknown,
): Promise<HttpAnswer> {
  const url = new URL(`${base}/ari${path}`);
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) v.forEach((x) => url.searchParams.append(k, x));
    else url.searchParams.set(k, String(v));
  }
  const headers: Record<string, string> = {};
  if (auth !== null) headers.Authorization = `Basic ${Buffer.from(auth).toString('base64')}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const t0 = performance.now();
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown), ms: performance.now() - t0 };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `cond` holds; throws with `what()` after `timeoutMs`. */
export async function waitUntil(cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await sleep(2);
  }
}


/** A raw events WebSocket for one or more apps, collecting every event. */
export interface EventTap {
  events: Json[];
  ws: WebSocket;
  /** events of one type (optionally on a channel whose name ends with `half`) */
  of(type: string, half?: ';1' | ';2'): Json[];
  /** waits until an event matching `pred` exists; resolves with it */
  next(pred: (e: Json) => boolean, timeoutMs?: number): Promise<Json>;
  close(): Promise<void>;
}

export function tap(base: string, apps: string, opts: { auth?: string; subscribeAll?: boolean } = {}): Promise<EventTap> {
  const url = new URL(`${base.replace('http', 'ws')}/ari/events`);
  url.searchParams.set('app', apps);
  url.searchParams.set('api_key', opts.auth ?? 'asterisk:asterisk');
  if (opts.subscribeAll) url.searchParams.set('subscribeAll', 'true');
  const ws = new WebSocket(url);
  const events: Json[] = [];
  ws.on('message', (m) => events.push(JSON.parse(String(m)) as Json));
  const t: EventTap = {
    events,
    ws,
    of: (type, half) =>
      events.filter((e) => e.type === type && (half === undefined || String((e.channel as Json | undefined)?.name ?? '').endsWith(half))),
    next: async (pred, timeoutMs = 3000) => {
      await waitUntil(() => events.some(pred), timeoutMs, () => `an event; got ${events.map((e) => e.type).join(', ')}`);
      return events.find(pred) as Json;
    },
    close: () =>
      new Promise<void>((r) => {
        if (ws.readyState === ws.CLOSED) r();
        else {
          ws.once('close', () => r());
          ws.close();
        }
      }),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(t));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket refused: ${res.statusCode}`)));
  });
}
