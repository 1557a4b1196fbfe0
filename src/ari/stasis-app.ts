/**
 * The Stasis application: turns the event stream into one CallChannel per call, routes each
 * event to its channel, ends channels that leave, and recovers after the WebSocket reconnects
 * (Asterisk sends no new StasisStart for calls already in the app: we ask GET /applications/{app}).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../log/logger.ts';
import type { AriClient } from './client.ts';
import { CallChannel } from './channel.ts';
import { isNotFound } from './errors.ts';
import { AriChannel, eventChannelId, type AriEvent } from './events.ts';

export interface StasisAppEvents {
  /** a new call entered the application */
  call: [channel: CallChannel, args: string[]];
  /** a call found in the application after a reconnect that this process has no session for */
  recovered: [channel: CallChannel];
}

/**
 * The event types the application acts on (CallChannel.handle and StasisStart): the service's
 * ARI connection asks Asterisk for these only (AriClientOptions.eventTypes). Playback progress,
 * variable echoes and state changes were about two thirds of a call's events, each parsed for nothing.
 */
export const STASIS_APP_EVENTS: readonly string[] = ['StasisStart', 'StasisEnd', 'ChannelDestroyed', 'ChannelDtmfReceived', 'ChannelHangupRequest', 'PlaybackFinished'];

/**
 * slack for the step between arming the watchdog and Stasis() (µs to ms normally; a loaded Asterisk
 * may take longer) and the timestamp's rounding (ms): a deadline counted from the entry must never
 * be later than the real one, or a prompt started near it could outlast it
 */
const ENTRY_SLACK_MS = 3000;

/**
 * When a channel entered Stasis (performance.now() ms): its StasisStart's arrival `at`, or
 * Asterisk's timestamp of the event when that says earlier (an event that waited in a queue), less
 * three seconds of slack. Never later than the real entry, so a deadline counted from it is never later
 * than the real one (CallChannel.assumeWatchdog).
 */
export function enteredAt(at: number, timestamp: string | undefined, wallNow = Date.now()): number {
  const stamped = timestamp ? Date.parse(timestamp) : NaN;
  const age = Number.isFinite(stamped) ? Math.max(0, wallNow - stamped) : 0;
  return at - age - ENTRY_SLACK_MS;
}

export class StasisApp extends EventEmitter<StasisAppEvents> {
  private channels = new Map<string, CallChannel>();

  constructor(
    private readonly client: AriClient,
    readonly app: string,
    private readonly log: Logger,
  ) {
    super();
    client.on('event', (ev, _known, at) => this.onEvent(ev, at));
    client.on('reconnected', () => {
      void this.recover().catch((e) => this.log.error({ err: e }, 'recovery after reconnect failed'));
    });
  }

  get activeCalls(): number {
    return this.channels.size;
  }

  private onEvent(ev: AriEvent, at?: number): void {
    if (ev.type === 'StasisStart') {
      const app = (ev as { application?: string }).application;
      if (app && app !== this.app) return;
      const s = ev as { channel: AriChannel; args: string[] };
      if (this.channels.has(s.channel.id)) return;
      const ch = this.track(s.channel);
      if (at !== undefined) {
        ch.noteEvent(at);
        ch.enteredAt = enteredAt(at, (ev as { timestamp?: string }).timestamp);
      }
      this.emit('call', ch, s.args ?? []);
      return;
    }
    const id = eventChannelId(ev);
    if (!id) return;
    const ch = this.channels.get(id);
    if (ch) ch.handle(ev, at);
  }

  private track(channel: AriChannel): CallChannel {
    const ch = new CallChannel(this.client, channel, this.log.child({ channelId: channel.id }));
    this.channels.set(channel.id, ch);
    ch.once('end', () => this.channels.delete(channel.id));
    return ch;
  }

  /** After a reconnect: end sessions whose channel is gone, settle lost playback events, adopt orphans. */
  async recover(when: 'start' | 'reconnect' = 'reconnect'): Promise<void> {
    // only a channel this process had before it asked can be missing from the answer because it
    // left: one whose StasisStart came while the question was on its way may have entered after
    // Asterisk listed the application (a caller arriving as the service starts or reconnects); its
    // session goes on (it would otherwise end as lost, its caller never answered, until the watchdog)
    const asked = new Set(this.channels.keys());
    const info = await this.client.request<{ channel_ids?: string[] }>('applications', 'get', { applicationName: this.app });
    const live = new Set(info?.channel_ids ?? []);
    let ended = 0;
    let adopted = 0;
    for (const [id, ch] of this.channels) {
      if (!live.has(id)) {
        if (!asked.has(id)) continue;
        ch.end('lost');
        ended++;
      } else {
        await ch.probe();
      }
    }
    for (const id of live) {
      if (this.channels.has(id)) continue;
      try {
        const raw = await this.client.request('channels', 'get', { channelId: id });
        // its StasisStart arrived meanwhile (a service starting while calls come in), or another
        // recovery took it: it has its session already, a second one would play over it
        if (this.channels.has(id)) continue;
        const parsed = AriChannel.safeParse(raw);
        if (!parsed.success) continue;
        const ch = this.track(parsed.data);
        // never answered: no earlier process got as far as the welcome (or its StasisStart is
        // still on its way, and will be ignored): a new call. Answered: adopted, it resumes.
        if (parsed.data.state === 'Up') {
          adopted++;
          this.emit('recovered', ch);
        } else this.emit('call', ch, []);
      } catch (e) {
        if (!isNotFound(e)) this.log.warn({ err: e }, 'could not read a channel found after reconnect');
      }
    }
    this.log.info({ live: live.size, ended, adopted }, when === 'start' ? 'calls found in the application at start' : 'recovered calls after reconnect');
  }
}
