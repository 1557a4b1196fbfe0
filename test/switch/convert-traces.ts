/**
 * One-off converter: turns the recorded Asterisk 22 ARI traces (JSON lines) into the
 * project's own conformance fixtures under test/switch/fixtures/. Run once, commit the output:
 *
 *   npx tsx test/switch/convert-traces.ts /work/shared/ari-traces
 *
 * A fixture holds, per scenario: the steps to replay in order (requests with channel ids
 * replaced by `{caller}` / `{ivr}`, WebSocket close/open), what each step waits for (the
 * responses and the number of events per app that preceded it in the recording) and the
 * gap after that; the expected HTTP status and answer fields; the expected events per app
 * with the fields an IVR reads; and the order of the keys of each event type on the wire.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Json = Record<string, unknown>;
/** one line of a trace (JSON lines): what was sent, answered or received, `t` ms from the scenario's start */
export interface TraceLine {
  t: number;
  dir: 'request' | 'response' | 'event' | 'ws-open' | 'ws-closed';
  side?: 'caller' | 'ivr';
  ws?: string;
  method?: string;
  path?: string;
  query?: Json;
  status?: number;
  body?: unknown;
  event?: Json;
}

export interface ExpectedEvent {
  type: string;
  half?: ';1' | ';2';
  state?: string;
  /** where the channel is in the dialplan: `context,exten,priority app(data)` */
  at?: string;
  language?: string;
  callerNumber?: string;
  args?: string[];
  digit?: string;
  variable?: string;
  value?: string;
  cause?: number;
  soft?: boolean;
  dialstatus?: string;
  playback?: { state: string; media_uri: string; next_media_uri?: string };
  dialplan?: { context: string; exten: string; priority: number; app: string; data: string };
}

export type Step =
  | {
      kind: 'request';
      /** when it was sent in the recording (ms from the scenario's start) */
      t: number;
      id: number;
      side: 'caller' | 'ivr';
      method: string;
      path: string;
      query: Record<string, string | number>;
      waitFor: { responses: number[]; events: Record<string, number> };
      gapMs: number;
      expect: { status: number; body?: Json | Json[] | null };
      /** how long Asterisk took to answer (ms) */
      tookMs: number;
    }
  | { kind: 'ws-open' | 'ws-closed'; t: number; app: string; waitFor: { responses: number[]; events: Record<string, number> }; gapMs: number };

export interface Fixture {
  scenario: string;
  source: string;
  /** switch options that reproduce the recording's dialplan */
  switchOptions: Json;
  apps: { ivr: string; caller: string; connectedAtStart: string[] };
  steps: Step[];
  events: Record<string, ExpectedEvent[]>;
  /** the key lists (in wire order) each event type was seen with */
  keyOrder: Record<string, string[][]>;
  channelKeyOrder: string[];
  /** the key lists (in wire order) playback snapshots were seen with */
  playbackKeyOrders: string[][];
}

function half(name: unknown): ';1' | ';2' | undefined {
  if (typeof name !== 'string') return undefined;
  return name.endsWith(';1') ? ';1' : name.endsWith(';2') ? ';2' : undefined;
}

/** What of a recorded (or observed) event the conformance test compares; used on both sides. */
export function expectedEvent(e: Json): ExpectedEvent {
  const ch = e.channel as Json | undefined;
  const peer = e.peer as Json | undefined;
  const pb = e.playback as Json | undefined;
  const out: ExpectedEvent = { type: String(e.type) };
  const h = half(ch?.name ?? peer?.name);
  if (h) out.half = h;
  const snap = ch ?? peer;
  if (snap) {
    out.state = String(snap.state);
    const dp = snap.dialplan as Json;
    out.at = `${String(dp.context)},${String(dp.exten)},${String(dp.priority)} ${String(dp.app_name)}(${String(dp.app_data)})`;
    out.language = String(snap.language);
    out.callerNumber = String((snap.caller as Json).number);
  }
  if (Array.isArray(e.args)) out.args = e.args.map(String);
  if (e.digit !== undefined) out.digit = String(e.digit);
  if (e.variable !== undefined) out.variable = String(e.variable);
  if (e.value !== undefined) out.value = String(e.value);
  if (e.cause !== undefined) out.cause = Number(e.cause);
  if (e.soft !== undefined) out.soft = Boolean(e.soft);
  if (e.dialstatus !== undefined) out.dialstatus = String(e.dialstatus);
  if (pb) {
    out.playback = { state: String(pb.state), media_uri: String(pb.media_uri) };
    if (pb.next_media_uri !== undefined) out.playback.next_media_uri = String(pb.next_media_uri);
  }
  if (e.type === 'ChannelDialplan' && ch) {
    const dp = ch.dialplan as Json;
    out.dialplan = {
      context: String(dp.context),
      exten: String(dp.exten),
      priority: Number(dp.priority),
      app: String(e.dialplan_app),
      data: String(e.dialplan_app_data),
    };
  }
  return out;
}

export function convert(file: string): Fixture {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as TraceLine);
  return convertTrace(basename(file, '.jsonl'), lines, `Recorded on a real Asterisk 22.10.1 (ARI over loopback, Local channels): ${basename(file)}`);
}

/** A trace (the lines of one scenario, in time order) → the project's fixture. */
export function convertTrace(scenario: string, lines: TraceLine[], source: string): Fixture {
  // channel ids → symbols, from the names of the halves
  const ids = new Map<string, string>();
  const noteChannel = (c: unknown) => {
    const o = c as Json | undefined;
    if (!o || typeof o.id !== 'string') return;
    const h = half(o.name);
    if (h) ids.set(o.id, h === ';1' ? '{caller}' : '{ivr}');
  };
  for (const l of lines) {
    if (l.event) {
      noteChannel(l.event.channel);
      noteChannel(l.event.peer);
    }
    if (l.dir === 'response') {
      if (Array.isArray(l.body)) l.body.forEach(noteChannel);
      else noteChannel(l.body);
    }
  }
  const symbolize = (s: string): string => {
    let out = s;
    for (const [id, sym] of ids) out = out.split(id).join(sym);
    return out;
  };
  const symbolizeDeep = (v: unknown): unknown => {
    if (typeof v === 'string') return symbolize(v).replace(/-[0-9a-f]{8};([12])$/, '-*;$1');
    if (Array.isArray(v)) return v.map(symbolizeDeep);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, symbolizeDeep(x)]));
    return v;
  };

  const connectedAtStart = new Set<string>();
  const firstRequest = lines.findIndex((l) => l.dir === 'request');
  lines.forEach((l, i) => {
    if (l.dir === 'ws-open' && i < firstRequest && l.ws) connectedAtStart.add(l.ws);
  });
  for (const l of lines) if (l.dir === 'event' && l.ws && !lines.some((x) => x.dir === 'ws-open')) connectedAtStart.add(l.ws);

  const events: Record<string, ExpectedEvent[]> = {};
  const keyOrder: Record<string, string[][]> = {};
  let channelKeyOrder: string[] = [];
  const playbackKeyOrders: string[][] = [];
  const steps: Step[] = [];
  const counts: Record<string, number> = {};
  const answered: number[] = [];
  const pending = new Map<string, number[]>(); // side+method+path → request ids waiting for a response
  let reqId = 0;
  let prevT = 0;

  lines.forEach((l, i) => {
    const gapMs = Math.max(0, l.t - prevT);
    const waitFor = () => ({ responses: [...answered], events: { ...counts } });
    if (l.dir === 'event' && l.ws && l.event) {
      const e = l.event;
      (events[l.ws] ??= []).push(expectedEvent(e));
      counts[l.ws] = (counts[l.ws] ?? 0) + 1;
      const variants = (keyOrder[String(e.type)] ??= []);
      const keys = Object.keys(e);
      if (!variants.some((v) => v.join(',') === keys.join(','))) variants.push(keys);
      if (e.channel && channelKeyOrder.length === 0) channelKeyOrder = Object.keys(e.channel as Json);
      if (e.playback) {
        const pk = Object.keys(e.playback as Json);
        if (!playbackKeyOrders.some((v) => v.join(',') === pk.join(','))) playbackKeyOrders.push(pk);
      }
    } else if (l.dir === 'request' && l.side && l.method && l.path) {
      const id = reqId++;
      const key = `${l.side} ${l.method} ${l.path}`;
      pending.set(key, [...(pending.get(key) ?? []), id]);
      // find the matching response (first later response with same side/method/path)
      const resp = lines.slice(i + 1).find((r) => r.dir === 'response' && r.side === l.side && r.method === l.method && r.path === l.path);
      if (!resp) throw new Error(`${scenario}: request without response at line ${i + 1}`);
      const query: Record<string, string | number> = {};
      for (const [k, v] of Object.entries(l.query ?? {})) query[k] = typeof v === 'number' ? v : symbolize(String(v));
      steps.push({
        kind: 'request',
        t: l.t,
        id,
        side: l.side,
        method: l.method,
        path: symbolize(l.path),
        query,
        waitFor: waitFor(),
        gapMs,
        expect: { status: resp.status ?? 0, body: symbolizeDeep(resp.body ?? null) as Json | Json[] | null },
        tookMs: resp.t - l.t,
      });
    } else if (l.dir === 'response' && l.side && l.method && l.path) {
      const key = `${l.side} ${l.method} ${l.path}`;
      const q = pending.get(key) ?? [];
      const id = q.shift();
      if (id !== undefined) answered.push(id);
    } else if ((l.dir === 'ws-open' || l.dir === 'ws-closed') && l.ws) {
      if (!(l.dir === 'ws-open' && i < firstRequest)) steps.push({ kind: l.dir, t: l.t, app: l.ws, waitFor: waitFor(), gapMs });
    }
    prevT = l.t;
  });

  return {
    scenario,
    source,
    switchOptions: { dialplanStyle: 'recorded', entryContext: 'default', language: 'en', queueHoldMs: 2000, ivrApp: 'ivr-1699' },
    apps: { ivr: 'ivr-1699', caller: 'caller-sim', connectedAtStart: [...connectedAtStart].sort() },
    steps,
    events,
    keyOrder,
    channelKeyOrder,
    playbackKeyOrders,
  };
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const src = process.argv[2] ?? '/work/shared/ari-traces';
  const out = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(src).filter((n) => n.endsWith('.jsonl')).sort()) {
    const fx = convert(join(src, f));
    writeFileSync(join(out, `${fx.scenario}.json`), `${JSON.stringify(fx, null, 1)}\n`);
    console.log(`${fx.scenario}: ${fx.steps.length} steps, ${Object.entries(fx.events).map(([a, e]) => `${a} ${e.length} events`).join(', ')}`);
  }
}
