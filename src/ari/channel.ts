/**
 * One channel in the Stasis application, from StasisStart until it leaves (StasisEnd) or is
 * destroyed. Commands are serialised in the order they are issued, and a playback still running
 * is stopped before any command that Asterisk would otherwise hold behind it in the channel's
 * command queue (variables, continue, hangup, bridge operations, answer).
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/logger.ts';
import type { AriClient } from './client.ts';
import { AriNotFoundError, isNotFound } from './errors.ts';
import type { AriChannel, AriEvent } from './events.ts';
import type { AriOperationName, AriResource } from './operations.ts';

export type PlayStatus = 'done' | 'stopped' | 'failed' | 'gone';

export interface PlayHandle {
  id: string;
  /** settles when the playback ends: done, stopped (by us), failed (Asterisk could not play it: missing media), gone (channel left or hanging up) */
  finished: Promise<PlayStatus>;
  /** stops it (no-op when already finished); resolves once it has finished */
  stop(): Promise<void>;
}

const NO_PLAYBACKS: readonly Pending[] = [];

interface Pending {
  id: string;
  resolve: (s: PlayStatus) => void;
  settled: boolean;
  stopping: boolean;
  /** the play request went out (until then a stop only drops it: nothing was heard) */
  sent: boolean;
  finished: Promise<PlayStatus>;
}

/** how long a prompt may run over its expected length (start delay, rounding) before the watchdog must allow for it (s) */
const PROMPT_MARGIN_S = 3;

const bareName = (variable: string) => variable.replace(/^_{1,2}/, '');
const NONE: ReadonlySet<string> = new Set();

export class CallChannel extends EventEmitter {
  readonly id: string;
  readonly name: string;
  readonly callerNumber: string;
  private chain: Promise<unknown> = Promise.resolve();
  private playbacks = new Map<string, Pending>();
  /** Asterisk announced a hang-up of this channel (ChannelHangupRequest): it is on its way out */
  private hangingUp = false;
  private _gone = false;
  private _inStasis = true;
  private watchdogInFlight = false;
  /** the watchdog's length (s) once pushWatchdog ran: a prompt that may outlast the deadline first moves it (see play()) */
  private watchdogSeconds = 0;
  /** a watchdog push waiting for the playing prompt to end (seconds; 0: none) */
  private watchdogDue = 0;
  /**
   * when the watchdog fires at the earliest (this.now() ms; 0: not known yet): the sending time of
   * the last push Asterisk acknowledged plus its seconds. Asterisk applied it after the sending, so
   * the real deadline is never earlier than this.
   */
  private watchdogDeadline = 0;
  /** the deadline was moved past the end of the playing prompt: it is pulled back when the prompt ends */
  private watchdogExtended = false;
  /** arrival of the event being handled (performance.now()) and the client's turn then: see req() */
  private eventAt?: number;
  private eventTurn = -1;
  /**
   * when the channel entered the application (this.now() ms), from its StasisStart: the event's
   * arrival, or Asterisk's timestamp of it when that is earlier (an event delivered late); absent
   * for a channel found by a recovery, whose entry time is unknown
   */
  enteredAt?: number;
  /** variables known to hold these values on the channel (name without the `_`/`__` inheritance prefix) */
  private readonly known = new Map<string, string>();

  constructor(
    private readonly client: AriClient,
    channel: AriChannel,
    private readonly log: Logger,
    private readonly stopWaitMs = 2000,
    private readonly now: () => number = () => performance.now(),
  ) {
    super();
    this.setMaxListeners(0);
    this.id = channel.id;
    this.name = channel.name;
    this.callerNumber = channel.caller?.number ?? '';
  }

  get gone(): boolean {
    return this._gone;
  }
  get inStasis(): boolean {
    return this._inStasis;
  }

  /** An event about this channel arrived at `at` (performance.now()): the next command it causes is timed. */
  noteEvent(at: number): void {
    this.eventAt = at;
    this.eventTurn = this.client.turn;
  }

  /** Fed by the application dispatcher with every event about this channel. */
  handle(ev: AriEvent, at?: number): void {
    if (at !== undefined) this.noteEvent(at);
    switch (ev.type) {
      case 'ChannelDtmfReceived':
        this.emit('dtmf', (ev as { digit: string }).digit);
        break;
      case 'PlaybackFinished': {
        const pb = (ev as { playback: { id: string; state: string } }).playback;
        const p = this.playbacks.get(pb.id);
        // Asterisk ends a prompt cut short by the caller's hang-up as 'failed' (as a missing file):
        // after a hang-up request that is the caller leaving, not a prompt Asterisk could not play
        if (p) this.settle(p, p.stopping ? 'stopped' : pb.state !== 'failed' ? 'done' : this.hangingUp ? 'gone' : 'failed');
        break;
      }
      case 'ChannelHangupRequest':
        this.hangingUp = true;
        this.emit('hangup-request');
        break;
      case 'StasisEnd':
        this._inStasis = false;
        this.end('left');
        break;
      case 'ChannelDestroyed':
        this.end('destroyed');
        break;
    }
  }

  /** The channel left the application or was destroyed: end everything that waits on it. */
  end(why: 'left' | 'destroyed' | 'lost'): void {
    if (this._gone) return;
    this._gone = true;
    for (const p of this.playbacks.values()) this.settle(p, 'gone');
    this.emit('end', why);
    this.removeAllListeners('dtmf');
    this.removeAllListeners('hangup-request');
  }

  answer(): Promise<void> {
    return this.command('answer', () => this.req('channels', 'answer', { channelId: this.id }));
  }

  /**
   * Sets channel variables one by one, in order. A variable this channel already holds with the
   * same value (set earlier, or read with getVariable) is not sent again, except those named in
   * `always` (bare names: a marker whose every ChannelVarset counts, like IVR_STATE at a listen); nothing to
   * send = no command at all (a playing prompt is not stopped for nothing).
   */
  setVariables(vars: Record<string, string>, always: ReadonlySet<string> = NONE): Promise<void> {
    const changed = Object.entries(vars).filter(([variable, value]) => always.has(bareName(variable)) || this.known.get(bareName(variable)) !== value);
    if (changed.length === 0) return Promise.resolve();
    return this.command('setVariables', async () => {
      for (const [variable, value] of changed) {
        await this.req('channels', 'setChannelVar', { channelId: this.id, variable, value });
        this.known.set(bareName(variable), value);
        this.emit('variable', variable, value);
      }
    });
  }

  getVariable(variable: string): Promise<string | undefined> {
    return this.req<{ value?: string }>('channels', 'getChannelVar', { channelId: this.id, variable })
      .then((r) => {
        if (r?.value !== undefined) this.known.set(bareName(variable), r.value);
        return r?.value;
      })
      .catch((e) => {
        if (isNotFound(e)) return undefined;
        throw e;
      });
  }

  /**
   * Pushes the dialplan's watchdog forward: TIMEOUT(absolute) = `seconds` from now. Sent outside
   * the command chain and without stopping a prompt. While a prompt plays, Asterisk would hold the
   * request behind it (and a held request keeps one of the few HTTP sessions Asterisk allows busy
   * for seconds: at a thousand calls that starves every other command), so a push due during a
   * prompt goes when that prompt ends — when Asterisk would have applied it anyway (a long prompt
   * moved the deadline past its end before it started, see play()).
   * At most one in flight; a channel that left or is gone is not an error. A push is only sent
   * once less than half the watchdog is left of the deadline (the caller's session calls this
   * every few seconds): pushing sooner would not shorten a crash's silence — the deadline is never
   * more than the watchdog away from the last push — and cost a request each time.
   */
  pushWatchdog(seconds: number, promptEnded = false): void {
    this.watchdogSeconds = seconds;
    if (this._gone || this.watchdogInFlight) return;
    if (!promptEnded && this.watchdogDeadline !== 0 && !this.watchdogExtended && this.watchdogDeadline - this.now() > (seconds * 1000) / 2) return;
    if (this.playbacks.size > 0 && !promptEnded) {
      this.watchdogDue = seconds;
      return;
    }
    this.watchdogDue = 0;
    this.watchdogInFlight = true;
    // in the channel's order: it reaches Asterisk before a prompt queued after it, not behind it
    this.enqueue(() => (this._gone ? Promise.resolve() : this.setWatchdog(seconds)))
      .catch((e: unknown) => {
        if (!this._gone && !isNotFound(e) && (e as { status?: number }).status !== 409) this.log.warn({ err: e }, 'could not push the watchdog forward');
      })
      .finally(() => (this.watchdogInFlight = false));
  }

  /**
   * The dialplan armed TIMEOUT(absolute) = `seconds` right before Stasis(), at `armedAt` (this.now()
   * ms) at the latest: the deadline is known without a push of our own, so the first push is sent
   * only when pushWatchdog's rule asks for it (less than half the watchdog left), not at once. Only
   * for a channel whose StasisStart this process received; no effect once a push was acknowledged.
   */
  assumeWatchdog(seconds: number, armedAt: number): void {
    if (this.watchdogDeadline === 0 && seconds > 0) this.watchdogDeadline = armedAt + seconds * 1000;
  }

  /** Sets TIMEOUT(absolute) to `seconds` from now and notes the deadline once Asterisk acknowledged it. */
  private async setWatchdog(seconds: number): Promise<void> {
    const sentAt = this.now();
    await this.req('channels', 'setChannelVar', { channelId: this.id, variable: 'TIMEOUT(absolute)', value: String(seconds) }, Math.max(5000, seconds * 1000));
    this.watchdogDeadline = sentAt + seconds * 1000;
    this.watchdogExtended = seconds > this.watchdogSeconds;
  }

  /** Leaves the application into the dialplan (a transfer to an agents-context extension). */
  continueTo(context: string, extension: string, priority = 1): Promise<void> {
    return this.command('continue', () => this.req('channels', 'continueInDialplan', { channelId: this.id, context, extension, priority }));
  }

  hangup(reason = 'normal'): Promise<void> {
    return this.command('hangup', () => this.req('channels', 'hangup', { channelId: this.id, reason }));
  }

  /**
   * Starts one playback of the media list (each `sound:…`); returns at once with a handle.
   * Keys pressed meanwhile come as 'dtmf' events; stop() it for barge-in.
   */
  play(media: string[], lang?: string, expectedSeconds?: number): PlayHandle {
    const id = randomUUID();
    let resolve!: (s: PlayStatus) => void;
    const finished = new Promise<PlayStatus>((r) => (resolve = r));
    const p: Pending = { id, resolve, settled: false, stopping: false, sent: false, finished };
    this.playbacks.set(id, p);
    if (this._gone) this.settle(p, 'gone');
    const start = this.enqueue(async () => {
      if (p.settled) return;
      // A playback holds every later command (a watchdog push too) until it ends, so a prompt that
      // may outlast the deadline first moves it. The deadline is a crash's longest silence, so it
      // moves no further than needed: a prompt that fits in the watchdog gets a plain push (the
      // silence after a crash right then is the watchdog's); only a prompt longer than that moves
      // it past its end, by half the watchdog, and the end of that prompt pulls it back.
      const w = this.watchdogSeconds;
      if (w && expectedSeconds !== undefined) {
        const need = expectedSeconds + PROMPT_MARGIN_S;
        if (this.watchdogDeadline === 0 || this.watchdogDeadline - this.now() < need * 1000) {
          const value = need <= w ? w : Math.ceil(expectedSeconds) + Math.max(PROMPT_MARGIN_S, Math.ceil(w / 2));
          await this.setWatchdog(value).catch((e: unknown) => {
            if (!isNotFound(e)) this.log.warn({ err: e }, 'could not move the watchdog before a prompt');
          });
        }
      }
      // stopped while the watchdog moved: never sent
      if (p.settled) return;
      p.sent = true;
      try {
        await this.req('channels', 'playWithId', { channelId: this.id, playbackId: id, media: media.join(','), ...(lang ? { lang } : {}) });
        // Asterisk started it (the service's answer latency: StasisStart → the first 'playing')
        this.emit('playing', id);
      } catch (e) {
        // a channel hanging up (or out of Stasis: 409) cannot play: the caller left, nothing failed
        if (isNotFound(e) || this.hangingUp || this._gone) this.settle(p, 'gone');
        else {
          this.log.warn({ err: e }, 'play failed');
          this.settle(p, 'failed');
        }
      }
    });
    return {
      id,
      finished,
      stop: async () => {
        // a prompt stopped before its request went out (a key typed ahead, right after the flow
        // asked for it) is dropped from the channel's queue: the caller hears nothing of it
        if (!p.sent) {
          this.settle(p, 'stopped');
          return;
        }
        await start;
        await this.stopPlayback(p);
      },
    };
  }

  private async stopPlayback(p: Pending): Promise<void> {
    if (p.settled) return;
    if (p.stopping) {
      // already being stopped (a barge-in stops the prompt, and the next command of the flow stops
      // whatever still plays): one DELETE per playback; this one waits for the same end
      await p.finished;
      return;
    }
    p.stopping = true;
    try {
      await this.req('playbacks', 'stop', { playbackId: p.id });
    } catch (e) {
      if (isNotFound(e)) {
        this.settle(p, 'stopped'); // already over
        return;
      }
      this.log.warn({ err: e }, 'could not stop playback');
    }
    // wait for PlaybackFinished; if the event never comes (e.g. the WebSocket was down), ask
    const t = setTimeout(() => void this.probe(p), this.stopWaitMs);
    await p.finished;
    clearTimeout(t);
  }

  /** Asks Asterisk whether a playback still exists (after a reconnect, events may have been lost). */
  async probe(p?: Pending): Promise<void> {
    const list = p ? [p] : [...this.playbacks.values()];
    for (const pb of list) {
      if (pb.settled) continue;
      try {
        await this.req('playbacks', 'get', { playbackId: pb.id });
      } catch (e) {
        if (isNotFound(e)) this.settle(pb, pb.stopping ? 'stopped' : 'done');
      }
    }
  }

  /**
   * Every REST request of this channel goes through here. The first one sent while the event
   * that caused it is still being handled (same turn of the event loop: a command that follows
   * from a timer or from a REST answer is not caused by the event) records the event→command
   * latency: from the event's arrival to the request leaving.
   */
  private req<T = unknown>(resource: AriResource, operation: AriOperationName, params: Record<string, unknown>, timeoutMs?: number): Promise<T> {
    let onSent: (() => void) | undefined;
    if (this.eventAt !== undefined) {
      if (this.eventTurn === this.client.turn) {
        const at = this.eventAt;
        onSent = () => this.client.recordEventToCommand(performance.now() - at);
      }
      this.eventAt = undefined;
    }
    return this.client.request<T>(resource, operation, params, timeoutMs, onSent);
  }

  private settle(p: Pending, s: PlayStatus): void {
    if (p.settled) return;
    p.settled = true;
    this.playbacks.delete(p.id);
    if (this.watchdogDue || (this.watchdogExtended && this.playbacks.size === 0)) this.pushWatchdog(this.watchdogDue || this.watchdogSeconds, true);
    p.resolve(s);
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * A command that Asterisk would hold behind a playback: stop playbacks first. 404 = gone. Only
   * the playbacks asked for before the command: one asked for after it (the flow sets a variable
   * and plays the next prompt without waiting in between) starts after it, in the channel's order.
   */
  private command(name: string, fn: () => Promise<unknown>): Promise<void> {
    const ahead = this.playbacks.size === 0 ? NO_PLAYBACKS : [...this.playbacks.values()];
    return this.enqueue(async () => {
      if (this._gone) throw new AriNotFoundError(`${name}: channel has left`, name, 404);
      if (ahead.length > 0) await Promise.all(ahead.map((p) => this.stopPlayback(p)));
      await fn();
    }) as Promise<void>;
  }
}
