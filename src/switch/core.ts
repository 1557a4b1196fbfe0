/**
 * The switch's state: channels, playbacks, bridges, apps, transfers, and the helpers every
 * part uses to find objects (with Asterisk's errors) and to send events.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { Clock } from './clock.ts';
import { Channel } from './channels.ts';
import { AriError, channelNotFound, invalidState, notInStasis } from './errors.ts';
import { EventHub, eventBody, type SentEvent } from './events.ts';
import type { Bridge } from './bridges.ts';
import type { Playback } from './playbacks.ts';
import type { ResolvedSwitchOptions } from './options.ts';
import { SoundLibrary } from './sounds.ts';

export const ASTERISK_VERSION = '22.10.1';

/** A call handed to a skill queue by `continue` (or by the failover of the dialplan). */
export interface Transfer {
  /** the channel that entered the agents context (the IVR's ;2 half) */
  channelId: string;
  /** the caller's ;1 half, when the call came over a Local channel */
  callerChannelId: string | null;
  skill: string;
  /** every channel variable at the moment of the transfer, names without the `__` prefix */
  variables: Record<string, string>;
  /** ISO-8601 time of the transfer */
  at: string;
}

export class SwitchCore extends EventEmitter {
  readonly channels = new Map<string, Channel>();
  readonly playbacks = new Map<string, Playback>();
  readonly bridges = new Map<string, Bridge>();
  readonly transfers: Transfer[] = [];
  readonly hub: EventHub;
  readonly clock: Clock;
  readonly sounds: SoundLibrary;
  readonly asteriskId = '02:fc:16:99:00:01';
  readonly startedAt = new Date();
  private uniqueCounter = 0;
  private localCounter = 0;

  constructor(
    readonly opts: ResolvedSwitchOptions,
    readonly log: Logger | undefined,
  ) {
    super();
    this.setMaxListeners(0);
    this.clock = new Clock(opts.timeScale);
    this.sounds = new SoundLibrary(opts.sounds, opts.sayItemMs);
    this.hub = new EventHub(this.asteriskId, (sent: SentEvent) => this.emit('event', sent.event, sent));
  }

  get running(): boolean {
    return this.hub.running;
  }

  nextUniqueId(): string {
    return `${Math.floor(Date.now() / 1000)}.${this.uniqueCounter++}`;
  }

  nextLocalSuffix(): string {
    return (this.localCounter++).toString(16).padStart(8, '0');
  }

  // ---- lookups with Asterisk's errors ----------------------------------------------------

  channel(id: string): Channel {
    const ch = this.channels.get(id);
    if (!ch || !ch.alive) throw channelNotFound();
    return ch;
  }

  /** A channel that is in a Stasis app (404, else 409) */
  control(id: string): Channel {
    const ch = this.channel(id);
    if (!ch.stasisApp || ch.hangingUp) throw notInStasis();
    return ch;
  }

  /** A controlled channel in a state that allows media and dialplan operations (else 412) */
  controlUsable(id: string): Channel {
    const ch = this.control(id);
    if (ch.state === 'Down' || ch.state === 'Ringing') throw invalidState();
    return ch;
  }

  // ---- events --------------------------------------------------------------------------

  /** Sends a channel event to every app subscribed to the channel. */
  channelEvent(type: string, ch: Channel, post: Record<string, unknown> = {}, pre: Record<string, unknown> = {}): void {
    const body = eventBody(type, { ...post, channel: ch.snapshot() }, pre);
    this.hub.deliver(ch.subscribers(this.hub.subscribeAllApps()), body);
  }

  /** Sends an event with fields in the exact order given (after type and timestamp). */
  sendTo(apps: Iterable<string>, type: string, post: Record<string, unknown>, pre: Record<string, unknown> = {}): void {
    this.hub.deliver([...apps, ...this.hub.subscribeAllApps()], eventBody(type, post, pre));
  }

  /** Sends an event to exactly these apps (StasisStart/StasisEnd go to the Stasis app only, even with subscribeAll). */
  sendOnly(apps: Iterable<string>, type: string, post: Record<string, unknown>): void {
    this.hub.deliver(apps, eventBody(type, post));
  }

  varsetEvent(ch: Channel, variable: string, value: string): void {
    this.channelEvent('ChannelVarset', ch, {}, { variable, value });
  }

  recordTransfer(t: Transfer): void {
    this.transfers.push(t);
    this.log?.info({ channelId: t.channelId, skill: t.skill }, 'switch: call transferred to skill queue');
    this.emit('transfer', t);
  }

  /** Stops everything: no more events, every timer cleared, every channel gone. */
  shutdown(): void {
    this.hub.running = false;
    this.hub.drop();
    for (const ch of this.channels.values()) {
      ch.alive = false;
      ch.queue.close(channelNotFound());
      ch.hangupSignal.abort();
      ch.exitStasis({ kind: 'hangup' });
    }
    this.channels.clear();
    for (const pb of this.playbacks.values()) pb.abort();
    this.playbacks.clear();
    this.bridges.clear();
    this.clock.clear();
  }

  resume(): void {
    this.hub.running = true;
  }
}

export { AriError };
