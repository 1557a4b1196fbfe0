/**
 * REST handlers, keyed `<resource>.<nickname>` as in the operation table. Each checks the
 * object (404 / 409 / 412 as Asterisk) at once; channel commands then run in the channel's
 * command queue, so their HTTP answer waits behind a running playback. GET requests and
 * DELETE /playbacks act at once.
 */
import { randomUUID } from 'node:crypto';
import { ASTERISK_VERSION, type SwitchCore } from './core.ts';
import { AriError, notInStasis, playbackNotFound } from './errors.ts';
import { answer, continueInDialplan, originate, sendDtmf } from './local-channels.ts';
import { ABSOLUTE_TIMEOUT, setAbsoluteTimeout } from './absolute-timeout.ts';
import { HANGUP_REASONS, SOFTHANGUP_EXPLICIT, hangupChannel } from './lifecycle.ts';
import { mediaList, queuePlayback } from './playbacks.ts';
import { bridge, createBridge, destroyBridge, joinBridge, leaveBridge } from './bridges.ts';
import { asteriskTime } from './clock.ts';
import type { Channel } from './channels.ts';
import { dialplanGlobals } from './dialplan.ts';

export interface RequestCtx {
  core: SwitchCore;
  path: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown> | null;
}

export interface Reply {
  status: number;
  body?: unknown;
}

export type Handler = (ctx: RequestCtx) => Promise<Reply> | Reply;

// ---- parameter access (query string first, then JSON body, as Asterisk merges them) ------

function str(ctx: RequestCtx, name: string): string | undefined {
  const q = ctx.query.get(name);
  if (q !== null) return q;
  const b = ctx.body?.[name];
  if (b === undefined || b === null) return undefined;
  return typeof b === 'string' ? b : String(b);
}

function list(ctx: RequestCtx, name: string): string[] {
  const out = ctx.query.getAll(name);
  const b = ctx.body?.[name];
  if (Array.isArray(b)) out.push(...b.map(String));
  else if (b !== undefined && b !== null) out.push(String(b));
  return out;
}

function int(ctx: RequestCtx, name: string, dflt: number): number {
  const v = str(ctx, name);
  if (v === undefined || v === '') return dflt;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : dflt;
}

function pathParam(ctx: RequestCtx, name: string): string {
  return ctx.path[name] ?? '';
}

const NO_CONTENT: Reply = { status: 204 };
const ok = (body: unknown): Reply => ({ status: 200, body });

function variablesParam(ctx: RequestCtx): Record<string, string> {
  const v = ctx.body?.variables;
  if (!v || typeof v !== 'object') return {};
  const inner = (v as Record<string, unknown>).variables;
  const obj = inner && typeof inner === 'object' ? (inner as Record<string, unknown>) : (v as Record<string, unknown>);
  const entries = Object.entries(obj);
  if (entries.some(([, val]) => typeof val !== 'string')) throw new AriError(400, "Only string values in the 'variables' object allowed");
  return Object.fromEntries(entries as [string, string][]);
}

// ---- handlers ----------------------------------------------------------------------------

function doOriginate(ctx: RequestCtx, channelId: string | undefined): Reply {
  const ch = originate(ctx.core, {
    endpoint: str(ctx, 'endpoint'),
    app: str(ctx, 'app'),
    appArgs: str(ctx, 'appArgs'),
    callerId: str(ctx, 'callerId'),
    channelId,
    otherChannelId: str(ctx, 'otherChannelId'),
    extension: str(ctx, 'extension'),
    variables: variablesParam(ctx),
  });
  return ok(ch.snapshot());
}

function doPlay(ctx: RequestCtx, playbackId: string | undefined): Reply {
  const ch = ctx.core.controlUsable(pathParam(ctx, 'channelId'));
  const media = mediaList(list(ctx, 'media'));
  if (media.length === 0) throw new AriError(400, 'media is required: give media=sound:<name> (comma-separated or repeated for a list)');
  if (int(ctx, 'skipms', 0) < 0) throw new AriError(400, 'skipms cannot be negative');
  if (int(ctx, 'offsetms', 0) < 0) throw new AriError(400, 'offsetms cannot be negative');
  const lang = str(ctx, 'lang') || ch.language;
  const pb = queuePlayback(ctx.core, ch, playbackId || randomUUID(), media, lang);
  return { status: 201, body: pb.snapshot() };
}

function bridgeChannels(ctx: RequestCtx): Channel[] {
  const ids = list(ctx, 'channel').flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean);
  if (ids.length === 0) throw new AriError(400, 'Missing parameter channel');
  return ids.map((id) => {
    const ch = ctx.core.channels.get(id);
    if (!ch || !ch.alive) throw new AriError(400, 'Channel not found');
    if (!ch.stasisApp) throw new AriError(422, 'Channel not in Stasis application');
    return ch;
  });
}

export const HANDLERS: Record<string, Handler> = {
  // asterisk
  'asterisk.getInfo': (ctx) => {
    const all: Record<string, unknown> = {
      build: { os: 'Linux', kernel: '', options: 'ivr-1699 built-in switch', machine: process.arch, date: '', user: 'ivr-1699' },
      system: { version: ASTERISK_VERSION, entity_id: ctx.core.asteriskId },
      config: { name: 'ivr-1699-switch', default_language: 'en', setid: { user: '', group: '' } },
      status: { startup_time: asteriskTime(ctx.core.startedAt), last_reload_time: asteriskTime(ctx.core.startedAt) },
    };
    const only = list(ctx, 'only').flatMap((o) => o.split(',')).filter(Boolean);
    return ok(only.length ? Object.fromEntries(Object.entries(all).filter(([k]) => only.includes(k))) : all);
  },
  // as Asterisk: an unset global reads as an empty value
  'asterisk.getGlobalVar': (ctx) => {
    const variable = str(ctx, 'variable');
    if (!variable) throw new AriError(400, 'Variable name is required');
    return ok({ value: dialplanGlobals(ctx.core)[variable] ?? '' });
  },
  'asterisk.ping': (ctx) => ok({ asterisk_id: ctx.core.asteriskId, ping: 'pong', timestamp: asteriskTime() }),

  // channels
  'channels.list': (ctx) => ok([...ctx.core.channels.values()].filter((c) => c.alive).map((c) => c.snapshot())),
  'channels.originate': (ctx) => doOriginate(ctx, str(ctx, 'channelId')),
  'channels.originateWithId': (ctx) => doOriginate(ctx, pathParam(ctx, 'channelId')),
  'channels.get': (ctx) => ok(ctx.core.channel(pathParam(ctx, 'channelId')).snapshot()),
  'channels.hangup': (ctx) => {
    const ch = ctx.core.channel(pathParam(ctx, 'channelId'));
    const code = str(ctx, 'reason_code');
    const reason = str(ctx, 'reason');
    let cause: number;
    if (code !== undefined && code !== '') {
      cause = Number.parseInt(code, 10);
      if (!Number.isFinite(cause)) throw new AriError(400, 'Invalid reason for hangup provided');
    } else if (reason === undefined || reason === '') {
      cause = 16;
    } else {
      const c = HANGUP_REASONS[reason];
      if (c === undefined) throw new AriError(400, 'Invalid reason for hangup provided');
      cause = c;
    }
    if (!ch.hangingUp) hangupChannel(ctx.core, ch, { requestCause: SOFTHANGUP_EXPLICIT, soft: true, cause });
    return NO_CONTENT;
  },
  'channels.continueInDialplan': async (ctx) => {
    const ch = ctx.core.controlUsable(pathParam(ctx, 'channelId'));
    const context = str(ctx, 'context') ?? '';
    const extension = str(ctx, 'extension') ?? '';
    const label = str(ctx, 'label') ?? '';
    const priorityArg = int(ctx, 'priority', 0);
    const target = {
      context: context || ch.dialplan.context,
      exten: context ? extension || 's' : extension || ch.dialplan.exten,
      priority: 1,
    };
    if (label !== '') {
      const n = Number.parseInt(label, 10);
      if (!Number.isFinite(n)) throw new AriError(404, 'Requested label can not be found');
      if (n === 0) throw new AriError(400, 'Requested priority is illegal');
      target.priority = n;
    } else if (priorityArg) {
      target.priority = priorityArg;
    } else if (!context && !extension) {
      target.priority = ch.dialplan.priority + 1;
    }
    await continueInDialplan(ctx.core, ch, target);
    return NO_CONTENT;
  },
  'channels.answer': async (ctx) => {
    const ch = ctx.core.controlUsable(pathParam(ctx, 'channelId'));
    await answer(ctx.core, ch);
    return NO_CONTENT;
  },
  'channels.ring': async (ctx) => {
    const ch = ctx.core.controlUsable(pathParam(ctx, 'channelId'));
    await ch.queue.run(() => undefined);
    return NO_CONTENT;
  },
  'channels.ringStop': async (ctx) => {
    const ch = ctx.core.controlUsable(pathParam(ctx, 'channelId'));
    await ch.queue.run(() => undefined);
    return NO_CONTENT;
  },
  'channels.startMoh': async (ctx) => {
    const ch = ctx.core.controlUsable(pathParam(ctx, 'channelId'));
    await ch.queue.run(() => undefined);
    return NO_CONTENT;
  },
  'channels.stopMoh': async (ctx) => {
    const ch = ctx.core.controlUsable(pathParam(ctx, 'channelId'));
    await ch.queue.run(() => undefined);
    return NO_CONTENT;
  },
  'channels.sendDTMF': (ctx) => {
    const ch = ctx.core.controlUsable(pathParam(ctx, 'channelId'));
    const dtmf = str(ctx, 'dtmf');
    if (!dtmf) throw new AriError(400, 'DTMF is required');
    sendDtmf(ctx.core, ch, dtmf, {
      before: Math.max(0, int(ctx, 'before', 0)),
      between: Math.max(0, int(ctx, 'between', 100)),
      duration: Math.max(0, int(ctx, 'duration', 100)),
      after: Math.max(0, int(ctx, 'after', 0)),
    });
    return NO_CONTENT;
  },
  'channels.play': (ctx) => doPlay(ctx, str(ctx, 'playbackId')),
  'channels.playWithId': (ctx) => doPlay(ctx, pathParam(ctx, 'playbackId')),
  'channels.getChannelVar': (ctx) => {
    // as Asterisk: any live channel (in Stasis or not), read at once
    const variable = str(ctx, 'variable');
    if (!variable) throw new AriError(400, 'Variable name is required');
    const ch = ctx.core.channels.get(pathParam(ctx, 'channelId'));
    if (!ch || !ch.alive) throw new AriError(404, 'Provided channel was not found');
    const value = ch.getVar(variable);
    if (value === undefined) {
      if (variable.endsWith(')')) throw new AriError(500, 'Unable to read provided function');
      throw new AriError(404, 'Provided variable was not found');
    }
    return ok({ value });
  },
  'channels.setChannelVar': async (ctx) => {
    const variable = str(ctx, 'variable');
    if (!variable) throw new AriError(400, 'Variable name is required');
    const value = str(ctx, 'value') ?? '';
    const ch = ctx.core.control(pathParam(ctx, 'channelId'));
    await ch.queue.run(() => {
      if (!ch.stasisApp) throw notInStasis();
      if (variable === ABSOLUTE_TIMEOUT) setAbsoluteTimeout(ctx.core, ch, value);
      else ch.setVar(variable, value);
      if (!variable.includes('(')) ctx.core.varsetEvent(ch, variable, value);
    });
    return NO_CONTENT;
  },

  // bridges
  'bridges.list': (ctx) => ok([...ctx.core.bridges.values()].map((b) => b.snapshot())),
  'bridges.create': (ctx) => ok(createBridge(ctx.core, str(ctx, 'bridgeId') || randomUUID(), str(ctx, 'type'), str(ctx, 'name')).snapshot()),
  'bridges.createWithId': (ctx) => ok(createBridge(ctx.core, pathParam(ctx, 'bridgeId'), str(ctx, 'type'), str(ctx, 'name')).snapshot()),
  'bridges.get': (ctx) => ok(bridge(ctx.core, pathParam(ctx, 'bridgeId')).snapshot()),
  'bridges.destroy': (ctx) => {
    destroyBridge(ctx.core, bridge(ctx.core, pathParam(ctx, 'bridgeId')));
    return NO_CONTENT;
  },
  'bridges.addChannel': async (ctx) => {
    const b = bridge(ctx.core, pathParam(ctx, 'bridgeId'));
    const chans = bridgeChannels(ctx);
    await Promise.all(chans.map((ch) => ch.queue.run(() => joinBridge(ctx.core, b, ch))));
    return NO_CONTENT;
  },
  'bridges.removeChannel': async (ctx) => {
    const b = bridge(ctx.core, pathParam(ctx, 'bridgeId'));
    const chans = bridgeChannels(ctx);
    const stranger = chans.find((c) => c.bridge !== b);
    if (stranger) throw new AriError(422, 'Channel not in this bridge');
    await Promise.all(chans.map((ch) => ch.queue.run(() => leaveBridge(ctx.core, b, ch))));
    return NO_CONTENT;
  },

  // playbacks
  'playbacks.get': (ctx) => {
    const pb = ctx.core.playbacks.get(pathParam(ctx, 'playbackId'));
    if (!pb) throw playbackNotFound();
    return ok(pb.snapshot());
  },
  'playbacks.stop': (ctx) => {
    const pb = ctx.core.playbacks.get(pathParam(ctx, 'playbackId'));
    if (!pb) throw playbackNotFound();
    pb.stop();
    return NO_CONTENT;
  },

  // applications
  'applications.list': (ctx) => ok([...ctx.core.hub.apps.keys()].map((name) => applicationSnapshot(ctx.core, name))),
  'applications.get': (ctx) => {
    const name = pathParam(ctx, 'applicationName');
    if (!ctx.core.hub.apps.has(name)) throw new AriError(404, "Application not found");
    return ok(applicationSnapshot(ctx.core, name));
  },

  'applications.filter': (ctx) => {
    const name = pathParam(ctx, 'applicationName');
    const app = ctx.core.hub.apps.get(name);
    if (!app) throw new AriError(404, 'Application not found');
    // as Asterisk: the body is the filter itself; a list not given keeps its value, no body clears both
    const b = ctx.body ?? {};
    const types = (key: 'allowed' | 'disallowed'): Set<string> | undefined => {
      const v = b[key];
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || v.some((e) => !e || typeof e !== 'object' || typeof (e as { type?: unknown }).type !== 'string')) {
        throw new AriError(400, `Invalid format for '${key}': an array of objects with a 'type'`);
      }
      return new Set(v.map((e) => (e as { type: string }).type));
    };
    const allowed = ctx.body ? types('allowed') : new Set<string>();
    const disallowed = ctx.body ? types('disallowed') : new Set<string>();
    if (allowed) app.allowed = allowed;
    if (disallowed) app.disallowed = disallowed;
    return ok(applicationSnapshot(ctx.core, name));
  },

  // events (a plain GET without the WebSocket upgrade)
  'events.eventWebsocket': () => {
    throw new AriError(400, 'GET /ari/events must be a WebSocket upgrade');
  },
};

export function applicationSnapshot(core: SwitchCore, name: string): Record<string, unknown> {
  const channelIds = [...core.channels.values()].filter((c) => c.alive && c.subscribers().includes(name)).map((c) => c.id);
  const bridgeIds = [...core.bridges.values()].filter((b) => b.apps.has(name)).map((b) => b.id);
  const app = core.hub.apps.get(name);
  return {
    name,
    channel_ids: channelIds,
    bridge_ids: bridgeIds,
    endpoint_ids: [],
    device_names: [],
    events_allowed: [...(app?.allowed ?? [])].map((type) => ({ type })),
    events_disallowed: [...(app?.disallowed ?? [])].map((type) => ({ type })),
  };
}
