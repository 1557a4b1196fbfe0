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
