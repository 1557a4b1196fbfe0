/**
 * Whether a replay (replay.ts) answered and sent events like the recording it replayed.
 */
import { expect } from 'vitest';
import { expectedEvent, type ExpectedEvent, type Fixture } from './convert-traces.ts';
import type { Replay } from './replay.ts';

type Json = Record<string, unknown>;

/** caller app: one stream per half (Playback events belong to the half they play on: ;2) */
function streams(events: ExpectedEvent[]): Record<string, ExpectedEvent[]> {
  const out: Record<string, ExpectedEvent[]> = {};
  for (const e of events) (out[e.half ?? ';2'] ??= []).push(e);
  for (const list of Object.values(out)) settleRacingPair(list);
  return out;
}

/**
 * Asterisk sends a half's ChannelHangupRequest and the Dial that ends with it from two threads at
 * the same moment, in either order from run to run (app-not-connected recorded afresh in CI:
 * Dial first; the committed recording: the hang-up request first). Such an adjacent pair, at the
 * same dialplan place, is compared in one order; every other event keeps its place.
 */
function settleRacingPair(list: ExpectedEvent[]): void {
  for (let i = 0; i + 1 < list.length; i++) {
    const a = list[i] as unknown as Json;
    const b = list[i + 1] as unknown as Json;
    if (a.type === 'Dial' && b.type === 'ChannelHangupRequest' && a.at === b.at) [list[i], list[i + 1]] = [list[i + 1]!, list[i]!];
  }
}

const RESPONSE_KEYS = ['id', 'name', 'state', 'caller', 'dialplan', 'language', 'media_uri', 'next_media_uri', 'target_uri', 'value', 'channel_ids', 'bridge_ids', 'message'];

function pick(body: unknown, isPlay: boolean): unknown {
  if (Array.isArray(body)) return body.map((b) => pick(b, isPlay));
  if (!body || typeof body !== 'object') return body;
  const o = body as Json;
  // a play answer's state and position in the media list depend on the moment (checked apart)
  const keys = RESPONSE_KEYS.filter((k) => k in o && !(isPlay && (k === 'state' || k === 'media_uri' || k === 'next_media_uri')));
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}

/**
 * The replay answered and sent events like the recording: HTTP statuses and answer fields, the
 * IVR app's events in exact order (the fields an IVR reads, the converter's own projection), the
 * caller app's events per channel half (;1 and ;2 each in exact order: Asterisk interleaves the two
 * halves differently from run to run), and the wire shape (key order, timestamp, application).
 */
export function expectLikeRecording(fx: Fixture, r: Replay, scale: number): void {
  for (const step of fx.steps) {
    if (step.kind !== 'request') continue;
    const got = r.answers.get(step.id);
    const label = `${fx.scenario}: ${step.method} ${step.path} ${JSON.stringify(step.query)}`;
    expect(got?.status, label).toBe(step.expect.status);
    const isPlay = /\/play(\/|$)/.test(step.path) && step.method === 'POST';
    const gotBody = r.unfill(got?.body ?? null);
    // a list of channels comes in the order of Asterisk's container (;2 before ;1 in some runs): compared as a set
    const unordered = (b: unknown) => (Array.isArray(b) ? [...b].sort((x, y) => String((x as Json)?.name).localeCompare(String((y as Json)?.name))) : b);
    expect(unordered(pick(gotBody, isPlay)), label).toEqual(unordered(pick(step.expect.body ?? null, isPlay)));
    if (isPlay && step.expect.status === 201) {
      // Asterisk answers with the playback as it is at that moment: the first file of the list, or a
      // later one when the earlier ones already failed (a missing file). Here: the same position,
      // or an earlier one.
      const list = String(step.query.media ?? '').split(',');
      const at = (b: unknown) => {
        const o = (b ?? {}) as Json;
        const i = list.indexOf(String(o.media_uri));
        return i >= 0 && (o.next_media_uri ?? undefined) === list[i + 1] ? i : -1;
      };
      const recorded = at(step.expect.body);
      expect(recorded, `${label}: the recorded answer names a file of the list`).toBeGreaterThanOrEqual(0);
      expect(at(gotBody), `${label}: media_uri/next_media_uri ${JSON.stringify(gotBody)} at the recorded position ${recorded} of the list or before`).toBeGreaterThanOrEqual(0);
      expect(at(gotBody), label).toBeLessThanOrEqual(recorded);
    }
    if (step.tookMs > 1000) {
      // a command that waited behind a playback on Asterisk waits here too (scaled)
      expect(got?.ms ?? 0, `${label} waits behind the playback`).toBeGreaterThan(step.tookMs * scale * 0.6);
    }
  }

  const ivrGot = (r.raw[fx.apps.ivr] ?? []).map(expectedEvent);
  expect(ivrGot, `${fx.scenario}: ${fx.apps.ivr} events`).toEqual(fx.events[fx.apps.ivr] ?? []);
  const callerGot = (r.raw[fx.apps.caller] ?? []).map(expectedEvent);
  expect(streams(callerGot), `${fx.scenario}: ${fx.apps.caller} events per half`).toEqual(streams(fx.events[fx.apps.caller] ?? []));

  for (const [app, list] of Object.entries(r.raw)) {
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
}
