/**
 * Entering and leaving Stasis, hanging up and destroying channels — with the event order
 * real Asterisk shows for a Local channel pair (see the recorded traces):
 *
 * - hanging up ;1 (the caller):  HangupRequest ;1 → StasisEnd ;1 → Varset ;1 → HangupRequest ;2
 *   → Destroyed ;1 → [PlaybackFinished failed] → StasisEnd ;2 → Varset ;2 → HangupRequest ;2 (soft)
 *   → Destroyed ;2
 * - hanging up ;2 (the IVR):  HangupRequest ;2 → [PlaybackFinished failed] → StasisEnd ;2 → Varset ;2
 *   → HangupRequest ;2 (soft) → HangupRequest ;1 → StasisEnd ;1 → Varset ;1 → Destroyed ;2 → Destroyed ;1
 *   (an unanswered ;1 gets `Dial NOANSWER` before its ChannelDestroyed).
 */
import type { Channel } from './channels.ts';
import type { SwitchCore } from './core.ts';
import { channelNotFound } from './errors.ts';
import { leaveBridge } from './bridges.ts';

export const CAUSE_TEXT: Record<number, string> = {
  1: 'Unallocated (unassigned) number',
  16: 'Normal Clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'User alerting, no answer',
  21: 'Call Rejected',
  26: 'Answered elsewhere',
  34: 'Circuit/channel congestion',
};

/** ARI `DELETE /channels/{id}?reason=` → hangup cause */
export const HANGUP_REASONS: Record<string, number> = {
  normal: 16,
  busy: 17,
  congestion: 34,
  no_answer: 19,
  answered_elsewhere: 26,
};

/** Asterisk's AST_SOFTHANGUP_EXPLICIT: the `cause` a ChannelHangupRequest shows for an ARI hangup */
export const SOFTHANGUP_EXPLICIT = 32;

export function enterStasis(core: SwitchCore, ch: Channel, app: string, args: string[]): void {
  ch.stasisApp = app;
  ch.stasisArgs = args;
  ch.queue.reopen();
  core.sendOnly([app], 'StasisStart', { args, channel: ch.snapshot() });
}

/**
 * Answers a channel now (inside a command or a dialplan step). Answering the ;2 half of a
 * Local pair answers the originator's ;1 half, which then enters its Stasis app.
 */
export function answerNow(core: SwitchCore, ch: Channel): void {
  if (ch.state === 'Up' || !ch.alive || ch.hangingUp) return;
  ch.state = 'Up';
  ch.answered = true;
  core.channelEvent('ChannelStateChange', ch);
  const peer = ch.peer;
  if (ch.half === 2 && peer && peer.alive && !peer.hangingUp && !peer.answered) answerOriginator(core, peer);
}

function answerOriginator(core: SwitchCore, c1: Channel): void {
  c1.state = 'Up';
  c1.answered = true;
  core.channelEvent('ChannelStateChange', c1);
  dialEvent(core, c1, 'ANSWER', c1.dialstring);
  const app = c1.pendingApp;
  if (!app) return;
  c1.setDialplan({ app_name: 'Stasis', app_data: c1.pendingAppData });
  c1.setVar('STASISSTATUS', '');
  core.varsetEvent(c1, 'STASISSTATUS', '');
  if (!core.hub.isActive(app)) {
    c1.setVar('STASISSTATUS', 'FAILED');
    core.varsetEvent(c1, 'STASISSTATUS', 'FAILED');
    hangupChannel(core, c1, { requestCause: 16, soft: true, cause: 16 });
    return;
  }
  enterStasis(core, c1, app, c1.stasisArgs);
}

/** Dial event about `peer` (the ;1 half) to the apps of that half. */
export function dialEvent(core: SwitchCore, peer: Channel, dialstatus: string, dialstring: string): void {
  core.sendTo(peer.subscribers(), 'Dial', { dialstatus, forward: '', dialstring, peer: peer.snapshot() });
}

/**
 * The channel is being hung up while (maybe) in Stasis: its playback fails, it leaves
 * its bridge and its Stasis app. Returns whether it was in Stasis.
 */
function leaveOnHangup(core: SwitchCore, ch: Channel): boolean {
  ch.queue.close(channelNotFound());
  for (const pb of [...ch.playbacks]) pb.failOnHangup();
  if (ch.bridge) leaveBridge(core, ch.bridge, ch);
  const app = ch.stasisApp;
  if (!app) return false;
  core.sendOnly([app], 'StasisEnd', { channel: ch.snapshot() });
  ch.stasisApp = null;
  ch.setVar('STASISSTATUS', 'SUCCESS');
  core.varsetEvent(ch, 'STASISSTATUS', 'SUCCESS');
  ch.exitStasis({ kind: 'hangup' });
  return true;
}

function hangupRequest(core: SwitchCore, ch: Channel, cause: number, soft: boolean): void {
  core.channelEvent('ChannelHangupRequest', ch, {}, soft ? { cause, soft: true } : { cause });
}

function destroy(core: SwitchCore, ch: Channel, cause: number): void {
  ch.alive = false;
  if (ch.half === 1) ch.setDialplan({ app_name: 'AppDial2', app_data: '(Outgoing Line)' });
  else if (ch.hasPbx) ch.setDialplan({ app_name: '', app_data: '' });
  core.channelEvent('ChannelDestroyed', ch, { cause, cause_txt: CAUSE_TEXT[cause] ?? 'Unknown' });
  core.channels.delete(ch.id);
  ch.hangupSignal.abort();
  core.log?.debug({ channel: ch.id, cause }, 'switch: channel destroyed');
}

export interface HangupOptions {
  /** cause shown in this channel's ChannelHangupRequest */
  requestCause: number;
  /** whether that request is a soft hangup (ARI DELETE, dialplan Hangup) */
  soft: boolean;
  /** cause of the channel's ChannelDestroyed and of the request sent to the other half */
  cause: number;
}

/** Hangs up a channel and, for a Local pair, its other half. */
export function hangupChannel(core: SwitchCore, x: Channel, o: HangupOptions): void {
  if (!x.alive || x.hangingUp) return;
  x.hangingUp = true;
  const y = x.peer && x.peer.alive && !x.peer.hangingUp ? x.peer : null;
  if (y) y.hangingUp = true;

  hangupRequest(core, x, o.requestCause, o.soft);
  x.hangupSignal.abort();
  const xWasInStasis = leaveOnHangup(core, x);
  if (x.hasPbx && xWasInStasis) hangupRequest(core, x, 16, true);
  if (y) {
    hangupRequest(core, y, o.cause, false);
    y.hangupSignal.abort();
  }
  if (x.half !== 2) {
    destroy(core, x, o.cause);
    if (y) {
      const yWasInStasis = leaveOnHangup(core, y);
      if (y.hasPbx && yWasInStasis) hangupRequest(core, y, 16, true);
      destroy(core, y, 16);
    }
  } else {
    if (y) leaveOnHangup(core, y);
    destroy(core, x, o.cause);
    if (y) {
      if (!y.answered) dialEvent(core, y, 'NOANSWER', y.dialstring);
      destroy(core, y, 16);
    }
  }
}
