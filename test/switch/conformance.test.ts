/**
 * Conformance: every scenario recorded on a real Asterisk 22 (fixtures/*.json, converted
 * from the ARI traces by convert-traces.ts) is replayed against the built-in switch — the
 * requests over raw HTTP (exact statuses and bodies), the events through the real
 * ari-client — and the switch must answer and send events like Asterisk did: same types,
 * same order, same fields an IVR reads, same key order on the wire.
 *
 * Order: the IVR app's events must match exactly. The caller app's events are compared per
 * channel half (;1 and ;2 each in exact order), because Asterisk interleaves the two halves
 * differently from run to run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startSwitch, type BuiltinSwitch } from '../../src/switch/index.ts';
import { expectedEvent, type ExpectedEvent, type Fixture, type Step } from './convert-traces.ts';
import { ari, connectAri, sleep, waitUntil, type AriClient, type HttpAnswer } from './helpers.ts';

/**
 * Time scale of the replay. Where Asterisk's recording has two things only ~50 ms apart
 * (the stop of pb-s4a and the arrival of `#`, both timed by the client), the replay runs in
 * real time so that this margin stays above the jitter of a loaded CI machine.
 */
const DEFAULT_SCALE = 0.1;
const SCALE_FOR: Record<string, number> = { 'dtmf-sequence-while-playing-queue': 1 };
const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixtures = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(fixturesDir, f), 'utf8')) as Fixture);

type Json = Record<string, unknown>;

/** The same projection the converter applied to the recorded events: the converter's own function. */
const project = expectedEvent;

/** caller app: one stream per half (Playback events belong to the half they play on: ;2) */
function streams(events: ExpectedEvent[]): Record<string, ExpectedEvent[]> {
  const out: Record<string, ExpectedEvent[]> = {};
  for (const e of events) (out[e.half ?? ';2'] ??= []).push(e);
  return out;
}

const RESPONSE_KEYS = ['id', 'name', 'state', 'caller', 'dialplan', 'language', 'media_uri', 'next_media_uri', 'target_uri', 'value', 'channel_ids', 'bridge_ids', 'message'];

function pick(body: unknown, isPlay: boolean): unknown {
  if (Array.isArray(body)) return body.map((b) => pick(b, isPlay));
  if (!body || typeof body !== 'object') return body;
  const o = body as Json;
  const keys = RESPONSE_KEYS.filter((k) => k in o && !(isPlay && k === 'state'));
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}

let sw: BuiltinSwitch | undefined;
const clients: AriClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) {
    try {
      c.stop();
    } catch {
      // already stopped
    }
  }
  await sw?.stop();
  sw = undefined;
});

describe('conformance with the recorded Asterisk 22 traces', () => {
  it('has a fixture for every recorded scenario', () => {
    expect(fixtures.map((f) => f.scenario)).toEqual([
      'answer-play-dtmf-stop-continue',
      'app-not-connected',
      'caller-hangs-up-during-playback',
      'commands-wait-behind-playback',
      'dtmf-sequence-while-playing-queue',
      'ivr-app-reconnects-mid-call',
      'missing-sound-and-lists',
    ]);
  });

  for (const fx of fixtures) {
    it(`replays ${fx.scenario}`, async () => {
      const SCALE = SCALE_FOR[fx.scenario] ?? DEFAULT_SCALE;
      sw = await startSwitch({ ...(fx.switchOptions as object), timeScale: SCALE });
      const base = sw.url;
      const apps = [fx.apps.ivr, fx.apps.caller];
      const raw: Record<string, Json[]> = Object.fromEntries(apps.map((a) => [a, []]));
      const conn: Record<string, AriClient> = {};
      for (const app of apps) {
        const c = await connectAri(base, sw.username, sw.password);
        clients.push(c);
        c.on('*', (e) => raw[app]?.push(e));
        conn[app] = c;
        if (fx.apps.connectedAtStart.includes(app)) await c.start(app);
      }

      const ids: Record<string, string> = {};
      const findIds = () => {
        for (const list of Object.values(raw)) {
          for (const e of list) {
            for (const c of [e.channel, e.peer] as (Json | undefined)[]) {
              const n = c?.name as string | undefined;
              if (n?.endsWith(';1')) ids['{caller}'] = String(c?.id);
              if (n?.endsWith(';2')) ids['{ivr}'] = String(c?.id);
            }
          }
        }
      };
      const fill = (s: string) => {
        findIds();
        return s.replace(/\{caller\}|\{ivr\}/g, (m) => ids[m] ?? m);
      };
      const unfill = (v: unknown): unknown => {
        if (typeof v === 'string') {
          let s = v;
          for (const [sym, id] of Object.entries(ids)) s = s.split(id).join(sym);
          return s.replace(/-[0-9a-f]{8};([12])$/, '-*;$1');
        }
        if (Array.isArray(v)) return v.map(unfill);
        if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unfill(x)]));
        return v;
      };

      const answers = new Map<number, HttpAnswer>();
      const inflight: Promise<void>[] = [];
      const describeWait = (s: Step) => () =>
        `${JSON.stringify(s.waitFor)} before ${s.kind === 'request' ? `${s.method} ${s.path}` : `${s.kind} ${s.app}`}; ` +
        `got responses ${JSON.stringify([...answers.keys()])}, events ${JSON.stringify(Object.fromEntries(Object.entries(raw).map(([a, l]) => [a, l.map((e) => e.type)])))}`;

      // each step goes at its recorded time (scaled) from the start, once what preceded it in the
      // recording has happened here too (and a moment after that); absolute times keep the
      // replay's own delays from adding up
      const t0 = performance.now();
      for (const step of fx.steps) {
        await waitUntil(
          () => step.waitFor.responses.every((id) => answers.has(id)) && Object.entries(step.waitFor.events).every(([a, n]) => (raw[a]?.length ?? 0) >= n),
          5000,
          describeWait(step),
        );
        const due = t0 + step.t * SCALE - performance.now();
        await sleep(Math.max(due, Math.min(step.gapMs * SCALE, 5)));
        if (step.kind === 'request') {
          const query = Object.fromEntries(Object.entries(step.query).map(([k, v]) => [k, typeof v === 'string' ? fill(v) : v]));
          const p = ari(base, step.method, fill(step.path), query).then((a) => {
            answers.set(step.id, a);
            if (step.id === 0 && a.body && typeof a.body === 'object') ids['{caller}'] = String((a.body as Json).id);
          });
          inflight.push(p);
        } else if (step.kind === 'ws-closed') {
          conn[step.app]?.stop();
        } else {
          await conn[step.app]?.start(step.app);
        }
      }
      await Promise.all(inflight);
      const expectedCount = (a: string) => fx.events[a]?.length ?? 0;
      await waitUntil(
        () => apps.every((a) => (raw[a]?.length ?? 0) >= expectedCount(a)),
        5000,
        () => `all events: ${JSON.stringify(Object.fromEntries(Object.entries(raw).map(([a, l]) => [a, `${l.length}/${expectedCount(a)}`])))}`,
      );
      await sleep(100); // nothing more may come

      // HTTP answers
      for (const step of fx.steps) {
        if (step.kind !== 'request') continue;
        const got = answers.get(step.id);
        const label = `${step.method} ${step.path} ${JSON.stringify(step.query)}`;
        expect(got?.status, label).toBe(step.expect.status);
        const isPlay = step.path.includes('/play');
        expect(pick(unfill(got?.body ?? null), isPlay), label).toEqual(pick(step.expect.body ?? null, isPlay));
        if (step.tookMs > 1000) {
          // a command that waited behind a playback on Asterisk waits here too (scaled)
          expect(got?.ms ?? 0, `${label} waits behind the playback`).toBeGreaterThan(step.tookMs * SCALE * 0.6);
        }
      }

      // events, as the IVR reads them
      const ivrGot = (raw[fx.apps.ivr] ?? []).map(project);
      expect(ivrGot, `${fx.apps.ivr} events`).toEqual(fx.events[fx.apps.ivr] ?? []);
      const callerGot = (raw[fx.apps.caller] ?? []).map(project);
      expect(streams(callerGot), `${fx.apps.caller} events per half`).toEqual(streams(fx.events[fx.apps.caller] ?? []));

      // wire shape: key order, timestamp, asterisk_id, application
      for (const [app, list] of Object.entries(raw)) {
        for (const e of list) {
          const variants = fx.keyOrder[String(e.type)];
          if (variants) expect(variants.map((v) => v.join(',')), `${String(e.type)} key order`).toContain(Object.keys(e).join(','));
          expect(e.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
          expect(e.application).toBe(app);
          expect(typeof e.asterisk_id).toBe('string');
          if (e.channel) expect(Object.keys(e.channel as Json)).toEqual(fx.channelKeyOrder);
          if (e.playback) {
            expect(fx.playbackKeyOrders.map((v) => v.join(',')), 'playback key order').toContain(Object.keys(e.playback as Json).join(','));
          }
        }
      }
    });
  }
});
