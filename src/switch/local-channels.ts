/**
 * Local channels: `POST /channels?endpoint=Local/<exten>@<context>&app=A` creates a pair.
 * The ;1 half is the originator's (it enters app A once the call is answered); the ;2 half
 * runs the switch's dialplan. Answering one half answers the other, DTMF keyed on one half
 * is received on the other, and hanging up either half hangs up both.
 */
import { Channel, type CallerId } from './channels.ts';
import type { SwitchCore } from './core.ts';
import { AriError, invalidState, notInStasis } from './errors.ts';
import { runPbx, type DialplanTarget } from './dialplan.ts';
import { answerNow, dialEvent } from './lifecycle.ts';
import { leaveBridge } from './bridges.ts';

export interface OriginateParams {
  endpoint?: string;
  app?: string;
  appArgs?: string;
  callerId?: string;
  channelId?: string;
  otherChannelId?: string;
  extension?: string;
  variables?: Record<string, string>;
}

/** `"Name" <0912…>`, `Name <0912…>` or `0912…` */
export function parseCallerId(s: string | undefined): CallerId {
  if (!s) return { name: '', number: '' };
  const m = /^\s*(?:"([^"]*)"|([^<]*?))\s*<([^>]*)>\s*$/.exec(s);
  if (m) return { name: (m[1] ?? m[2] ?? '').trim(), number: (m[3] ?? '').trim() };
  return { name: '', number: s.trim() };
}

export function originate(core: SwitchCore, p: OriginateParams): Channel {
  if (p.channelId && p.channelId.length > 127) throw new AriError(400, 'Uniqueid length exceeds maximum of 127');
  if (p.otherChannelId && p.otherChannelId.length > 127) throw new AriError(400, 'Uniqueid length exceeds maximum of 127');
  if (!p.endpoint) throw new AriError(400, 'Endpoint must be specified');
  const slash = p.endpoint.indexOf('/');
  if (slash <= 0 || slash === p.endpoint.length - 1) throw new AriError(400, 'Invalid endpoint specified');
  const tech = p.endpoint.slice(0, slash);
  if (!p.app) {
    if (p.extension) {
      throw new AriError(400, 'The built-in switch originates into a Stasis application only: give app=<your ARI app>');
    }
    throw new AriError(400, 'Application or extension must be specified');
  }
  if (tech.toLowerCase() !== 'local') {
    throw new AriError(400, `Endpoint technology '${tech}' is not available on the built-in switch; use Local/<exten>@<context>`);
  }
  const m = /^([^@/]+)@([^/]+?)(?:\/n)?$/.exec(p.endpoint.slice(slash + 1));
  if (!m) throw new AriError(400, `Invalid endpoint specified: '${p.endpoint}' (expected Local/<exten>@<context>)`);
  const exten = m[1] ?? '';
  const context = m[2] ?? '';
  for (const id of [p.channelId, p.otherChannelId]) {
    if (id && core.channels.has(id)) throw new AriError(409, 'Channel with given unique ID already exists');
  }
  if (p.channelId && p.channelId === p.otherChannelId) throw new AriError(409, 'Channel with given unique ID already exists');

  const app = p.app;
  const appArgs = p.appArgs ?? '';
  const caller = parseCallerId(p.callerId);
  const base = `Local/${exten}@${context}-${core.nextLocalSuffix()}`;
  const id1 = p.channelId || core.nextUniqueId();
  const id2 = p.otherChannelId || core.nextUniqueId();
  const c1 = new Channel(id1, `${base};1`, {
    state: 'Down',
    caller,
    dialplan: { context, exten, priority: 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' },
    language: 'en',
  });
  const c2 = new Channel(id2, `${base};2`, {
    state: 'Ring',
    caller,
    dialplan: { context, exten, priority: 1, app_name: '', app_data: '' },
    language: 'en',
  });
  c1.half = 1;
  c2.half = 2;
  c1.peer = c2;
  c2.peer = c1;
  c1.dialstring = `${exten}@${context}`;
  c1.originApps.add(app);
  c2.originApps.add(app);
  c1.stasisArgs = appArgs === '' ? [] : appArgs.split(',');
  c1.pendingApp = app;
  c1.pendingAppData = appArgs === '' ? app : `${app},${appArgs}`;
  for (const [k, v] of Object.entries(p.variables ?? {})) {
    c1.setVar(k, String(v));
    if (k.startsWith('_')) c2.setVar(k, String(v));
  }
  core.channels.set(c1.id, c1);
  core.channels.set(c2.id, c2);
  core.log?.debug({ channel: c1.id, other: c2.id, endpoint: p.endpoint, app }, 'switch: originate');

  // the HTTP answer goes out first; the call then proceeds
  setImmediate(() => {
    if (!core.running || !c1.alive) return;
    if (p.callerId) {
      core.channelEvent('ChannelCallerId', c2, {
        caller_presentation: 0,
        caller_presentation_txt: 'Presentation Allowed, Not Screened',
      });
      core.channelEvent('ChannelConnectedLine', c2);
    }
    dialEvent(core, c1, '', c1.dialstring);
    runPbx(core, c2, { context, exten, priority: 1 }).catch((err: unknown) => core.log?.error({ err, channel: c2.id }, 'switch: dialplan failed'));
  });
  return c1;
}

/** Answer (a channel command). Answering ;2 answers the originator's ;1, which enters its app. */
export async function answer(core: SwitchCore, ch: Channel): Promise<void> {
  await ch.queue.run(() => answerNow(core, ch));
}

export interface DtmfParams {
  before: number;
  between: number;
  duration: number;
  after: number;
}

const DTMF_DIGIT = /^[0-9A-D*#]$/i;
/** time from the end of a key to its ChannelDtmfReceived on the other half (Local channel latency) */
const DTMF_LATENCY_MS = 100;

/**
 * Keys DTMF on `ch`; each digit arrives as ChannelDtmfReceived on the other half when it
 * ends (≈200 ms after it is sent; quick sequences one by one ≈250 ms apart, as recorded).
 */
export function sendDtmf(core: SwitchCore, ch: Channel, dtmf: string, p: DtmfParams): void {
  const scale = core.opts.timeScale;
  const target = ch.peer;
  let t = Math.max(Date.now(), ch.dtmfFreeAt) + p.before * scale;
  const digits: { digit: string; at: number }[] = [];
  for (const c of dtmf) {
    if (c === 'w' || c === 'W' || c === ',') {
      t += 500 * scale;
      continue;
    }
    if (!DTMF_DIGIT.test(c)) continue;
    const emitAt = t + (p.duration + DTMF_LATENCY_MS) * scale;
    digits.push({ digit: c.toUpperCase(), at: emitAt });
    t = emitAt + p.between * scale;
  }
  ch.dtmfFreeAt = t + p.after * scale;
  if (!target) return;
  // One digit after the other on one chain per channel: independent timers (one per digit) fire out
  // of order when the event loop lags (seen: "…089#9" for "…0899#" at the start of a burst), and a
  // caller's digits never arrive reordered on a real line.
  ch.dtmfChain = ch.dtmfChain.then(async () => {
    for (const d of digits) {
      const wait = (d.at - Date.now()) / scale;
      if (wait > 0 && !(await core.clock.sleep(wait, target.hangupSignal.signal))) return;
      if (!target.alive || target.hangingUp || !core.running) return;
      core.channelEvent('ChannelDtmfReceived', target, { digit: d.digit, duration_ms: p.duration });
    }
  });
}

/** POST /channels/{id}/continue: leaves Stasis (StasisEnd, not a hangup) and goes on in the dialplan. */
export async function continueInDialplan(core: SwitchCore, ch: Channel, target: DialplanTarget): Promise<void> {
  await ch.queue.run(() => {
    if (!ch.alive || ch.hangingUp) throw notInStasis();
    const app = ch.stasisApp;
    if (!app) throw notInStasis();
    if (ch.state === 'Down' || ch.state === 'Ringing') throw invalidState();
    if (ch.bridge) leaveBridge(core, ch.bridge, ch);
    core.sendOnly([app], 'StasisEnd', { channel: ch.snapshot() });
    ch.stasisApp = null;
    ch.queue.close(notInStasis());
    core.log?.debug({ channel: ch.id, ...target }, 'switch: continue in dialplan');
    if (ch.hasPbx) {
      ch.exitStasis({ kind: 'continue', ...target });
    } else {
      // an originated channel had no dialplan: it starts one at the target
      setImmediate(() => {
        if (!ch.alive || ch.hangingUp) return;
        ch.setVar('STASISSTATUS', 'SUCCESS');
        core.varsetEvent(ch, 'STASISSTATUS', 'SUCCESS');
        runPbx(core, ch, target).catch((err: unknown) => core.log?.error({ err, channel: ch.id }, 'switch: dialplan failed'));
      });
    }
  });
}
