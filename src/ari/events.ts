/**
 * ARI events as the adapter lets them through: validated with zod, so the flow never sees a
 * malformed event. Only the fields the IVR reads are declared; the rest pass through untouched.
 * Event types the project does not handle are passed on as `OtherEvent` (validated as far as
 * `type` goes) and ignored by the sessions.
 */
import { z } from 'zod';

export const AriChannel = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  state: z.string(),
  caller: z.looseObject({ name: z.string(), number: z.string() }).optional(),
  dialplan: z
    .looseObject({ context: z.string(), exten: z.string(), priority: z.number(), app_name: z.string().optional(), app_data: z.string().optional() })
    .optional(),
  language: z.string().optional(),
});
export type AriChannel = z.infer<typeof AriChannel>;

export const AriPlayback = z.looseObject({
  id: z.string().min(1),
  media_uri: z.string(),
  next_media_uri: z.string().optional(),
  target_uri: z.string(),
  state: z.string(),
  language: z.string().optional(),
});
export type AriPlayback = z.infer<typeof AriPlayback>;

const base = { timestamp: z.string().optional(), application: z.string().optional(), asterisk_id: z.string().optional() };

export const StasisStart = z.looseObject({ ...base, type: z.literal('StasisStart'), args: z.array(z.string()).default([]), channel: AriChannel, replace_channel: AriChannel.optional() });
export const StasisEnd = z.looseObject({ ...base, type: z.literal('StasisEnd'), channel: AriChannel });
export const ChannelDtmfReceived = z.looseObject({ ...base, type: z.literal('ChannelDtmfReceived'), digit: z.string().regex(/^[0-9A-D*#]$/), duration_ms: z.number().optional(), channel: AriChannel });
export const ChannelHangupRequest = z.looseObject({ ...base, type: z.literal('ChannelHangupRequest'), cause: z.number().optional(), soft: z.boolean().optional(), channel: AriChannel });
export const ChannelDestroyed = z.looseObject({ ...base, type: z.literal('ChannelDestroyed'), cause: z.number().optional(), cause_txt: z.string().optional(), channel: AriChannel });
export const ChannelStateChange = z.looseObject({ ...base, type: z.literal('ChannelStateChange'), channel: AriChannel });
export const ChannelVarset = z.looseObject({ ...base, type: z.literal('ChannelVarset'), variable: z.string(), value: z.string(), channel: AriChannel.optional() });
export const ChannelDialplan = z.looseObject({ ...base, type: z.literal('ChannelDialplan'), dialplan_app: z.string(), dialplan_app_data: z.string(), channel: AriChannel });
export const PlaybackStarted = z.looseObject({ ...base, type: z.literal('PlaybackStarted'), playback: AriPlayback });
export const PlaybackContinuing = z.looseObject({ ...base, type: z.literal('PlaybackContinuing'), playback: AriPlayback });
export const PlaybackFinished = z.looseObject({ ...base, type: z.literal('PlaybackFinished'), playback: AriPlayback });

export const KnownEvent = z.discriminatedUnion('type', [
  StasisStart,
  StasisEnd,
  ChannelDtmfReceived,
  ChannelHangupRequest,
  ChannelDestroyed,
  ChannelStateChange,
  ChannelVarset,
  ChannelDialplan,
  PlaybackStarted,
  PlaybackContinuing,
  PlaybackFinished,
]);
export type KnownEvent = z.infer<typeof KnownEvent>;
export type OtherEvent = { type: string; [k: string]: unknown };
export type AriEvent = KnownEvent | OtherEvent;

const KNOWN_TYPES: ReadonlySet<string> = new Set<string>(KnownEvent.options.map((o) => o.shape.type.value));

export type ParseResult = { ok: true; event: AriEvent; known: boolean } | { ok: false; error: string };

/** Parses one WebSocket message. Never throws. */
export function parseEvent(raw: string | Buffer): ParseResult {
  let obj: unknown;
  try {
    obj = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` };
  }
  if (!obj || typeof obj !== 'object' || typeof (obj as { type?: unknown }).type !== 'string') {
    return { ok: false, error: 'no event type' };
  }
  const type = (obj as { type: string }).type;
  if (!KNOWN_TYPES.has(type)) return { ok: true, event: obj as OtherEvent, known: false };
  // the common case in a few property checks; anything they do not vouch for goes through zod
  if (plainlyValid(type, obj as Rec)) return { ok: true, event: obj as KnownEvent, known: true };
  const r = KnownEvent.safeParse(obj);
  if (!r.success) {
    return { ok: false, error: `${type}: ${r.error.issues.map((i) => `${i.path.join('.') || '(event)'} ${i.message}`).join('; ')}` };
  }
  return { ok: true, event: r.data, known: true };
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const optStr = (v: unknown) => v === undefined || typeof v === 'string';
const optNum = (v: unknown) => v === undefined || typeof v === 'number';
const DIGIT = /^[0-9A-D*#]$/;

function channelOk(c: unknown): boolean {
  if (!isRec(c) || typeof c.id !== 'string' || c.id === '' || typeof c.name !== 'string' || typeof c.state !== 'string' || !optStr(c.language)) return false;
  const caller = c.caller;
  if (caller !== undefined && !(isRec(caller) && typeof caller.name === 'string' && typeof caller.number === 'string')) return false;
  const dp = c.dialplan;
  return dp === undefined || (isRec(dp) && typeof dp.context === 'string' && typeof dp.exten === 'string' && typeof dp.priority === 'number' && optStr(dp.app_name) && optStr(dp.app_data));
}

function playbackOk(p: unknown): boolean {
  return isRec(p) && typeof p.id === 'string' && p.id !== '' && typeof p.media_uri === 'string' && optStr(p.next_media_uri) && typeof p.target_uri === 'string' && typeof p.state === 'string' && optStr(p.language);
}

/**
 * A fast check that never accepts what the zod schemas above reject (a strict subset of them):
 * the hot path of every event skips zod, whose parse cost as much as JSON.parse itself.
 */
function plainlyValid(type: string, o: Rec): boolean {
  if (!optStr(o.timestamp) || !optStr(o.application) || !optStr(o.asterisk_id)) return false;
  switch (type) {
    case 'StasisStart':
      return Array.isArray(o.args) && o.args.every((a) => typeof a === 'string') && channelOk(o.channel) && (o.replace_channel === undefined || channelOk(o.replace_channel));
    case 'StasisEnd':
    case 'ChannelStateChange':
      return channelOk(o.channel);
    case 'ChannelDtmfReceived':
      return typeof o.digit === 'string' && DIGIT.test(o.digit) && optNum(o.duration_ms) && channelOk(o.channel);
    case 'ChannelHangupRequest':
      return optNum(o.cause) && (o.soft === undefined || typeof o.soft === 'boolean') && channelOk(o.channel);
    case 'ChannelDestroyed':
      return optNum(o.cause) && optStr(o.cause_txt) && channelOk(o.channel);
    case 'ChannelVarset':
      return typeof o.variable === 'string' && typeof o.value === 'string' && (o.channel === undefined || channelOk(o.channel));
    case 'ChannelDialplan':
      return typeof o.dialplan_app === 'string' && typeof o.dialplan_app_data === 'string' && channelOk(o.channel);
    case 'PlaybackStarted':
    case 'PlaybackContinuing':
    case 'PlaybackFinished':
      return playbackOk(o.playback);
    default:
      return false;
  }
}

/** The channel id an event is about (a playback's target channel for playback events). */
export function eventChannelId(ev: AriEvent): string | undefined {
  const ch = (ev as { channel?: { id?: unknown } }).channel;
  if (ch && typeof ch.id === 'string') return ch.id;
  const pb = (ev as { playback?: { target_uri?: unknown } }).playback;
  if (pb && typeof pb.target_uri === 'string' && pb.target_uri.startsWith('channel:')) return pb.target_uri.slice('channel:'.length);
  return undefined;
}
