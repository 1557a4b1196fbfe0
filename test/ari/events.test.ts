import { describe, expect, it } from 'vitest';
import { eventChannelId, parseEvent } from '../../src/ari/events.ts';

const channel = { id: '1.3', name: 'Local/1699@ivr-inbound-00000001;2', state: 'Up', caller: { name: '', number: '09121234567' } };

describe('ARI event validation', () => {
  it('accepts the events the IVR reads and keeps unknown fields', () => {
    const r = parseEvent(JSON.stringify({ type: 'ChannelDtmfReceived', digit: '5', duration_ms: 100, channel, extra: 1 }));
    expect(r.ok && r.known).toBe(true);
    if (r.ok) {
      expect((r.event as { digit: string }).digit).toBe('5');
      expect((r.event as unknown as { extra: number }).extra).toBe(1);
      expect(eventChannelId(r.event)).toBe('1.3');
    }
  });
  it('passes unknown event types on as unknown, never throws', () => {
    const r = parseEvent('{"type":"BrandNewEvent","foo":1}');
    expect(r).toMatchObject({ ok: true, known: false });
  });
  it('rejects malformed events with a reason', () => {
    expect(parseEvent('not json')).toMatchObject({ ok: false });
    expect(parseEvent('[1,2]')).toMatchObject({ ok: false, error: 'no event type' });
    const bad = parseEvent(JSON.stringify({ type: 'ChannelDtmfReceived', digit: 'xx', channel }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/digit/);
    const noChannel = parseEvent(JSON.stringify({ type: 'StasisStart', args: [] }));
    expect(noChannel.ok).toBe(false);
  });
  it('finds the channel of a playback event from its target', () => {
    const r = parseEvent(JSON.stringify({ type: 'PlaybackFinished', playback: { id: 'p', media_uri: 'sound:x', target_uri: 'channel:9.9', state: 'done' } }));
    expect(r.ok && eventChannelId(r.event)).toBe('9.9');
  });
});

describe('the fast check agrees with the zod schemas', () => {
  it('accepts and rejects as zod does, on every field of every known event', async () => {
    const { KnownEvent } = await import('../../src/ari/events.ts');
    const playback = { id: 'p', media_uri: 'sound:x', target_uri: 'channel:1.3', state: 'playing', language: 'fa' };
    const chan = { ...channel, dialplan: { context: 'c', exten: '1699', priority: 2, app_name: 'Stasis', app_data: 'ivr' }, language: 'fa' };
    const goods: Record<string, unknown>[] = [
      { type: 'StasisStart', args: ['inbound'], channel: chan, replace_channel: chan, timestamp: 't', application: 'a', asterisk_id: 'x' },
      { type: 'StasisEnd', channel: chan },
      { type: 'ChannelDtmfReceived', digit: '#', duration_ms: 80, channel: chan },
      { type: 'ChannelHangupRequest', cause: 16, soft: true, channel: chan },
      { type: 'ChannelDestroyed', cause: 16, cause_txt: 'Normal', channel: chan },
      { type: 'ChannelStateChange', channel: chan },
      { type: 'ChannelVarset', variable: 'V', value: '1' },
      { type: 'ChannelDialplan', dialplan_app: 'Queue', dialplan_app_data: 'q', channel: chan },
      { type: 'PlaybackStarted', playback },
      { type: 'PlaybackContinuing', playback: { ...playback, next_media_uri: 'sound:y' } },
      { type: 'PlaybackFinished', playback },
    ];
    // every good event, then each of its fields (and nested fields) broken in turn
    const broken = (v: unknown): unknown[] => (typeof v === 'string' ? [1, null, ''] : typeof v === 'number' ? ['1', null] : typeof v === 'boolean' ? ['yes'] : Array.isArray(v) ? [[1], 'x'] : [null, 'x', []]);
    const variants: unknown[] = [];
    const mutate = (o: Record<string, unknown>, set: (x: Record<string, unknown>) => void) => {
      for (const k of Object.keys(o)) {
        if (k === 'type') continue;
        for (const b of broken(o[k])) set({ ...o, [k]: b });
        const { [k]: _gone, ...without } = o;
        set(without);
        if (o[k] && typeof o[k] === 'object' && !Array.isArray(o[k])) mutate(o[k] as Record<string, unknown>, (inner) => set({ ...o, [k]: inner }));
      }
    };
    for (const g of goods) {
      variants.push(g);
      mutate(g, (x) => variants.push(x));
    }
    expect(variants.length).toBeGreaterThan(300);
    for (const v of variants) {
      const zodOk = KnownEvent.safeParse(v).success;
      const r = parseEvent(JSON.stringify(v));
      expect(r.ok, JSON.stringify(v)).toBe(zodOk);
    }
  });
});
