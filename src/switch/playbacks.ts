/**
 * Playbacks: a list of media played one after the other inside the channel's command
 * queue, with Asterisk's events (PlaybackStarted / PlaybackContinuing / PlaybackFinished),
 * states and quirks (a missing file fails at once; say-back media cannot be stopped).
 */
import type { Channel } from './channels.ts';
import type { SwitchCore } from './core.ts';
import { AriError } from './errors.ts';

export type PlaybackState = 'queued' | 'playing' | 'continuing' | 'done' | 'failed' | 'canceled';

export interface PlaybackSnapshot {
  id: string;
  media_uri: string;
  next_media_uri?: string;
  target_uri: string;
  language: string;
  state: PlaybackState;
}

export class Playback {
  state: PlaybackState = 'queued';
  private index = 0;
  private stoppable = true;
  private stopRequested = false;
  private readonly stopCtl = new AbortController();
  private finished = false;

  constructor(
    private readonly core: SwitchCore,
    readonly id: string,
    readonly media: string[],
    readonly language: string,
    readonly channel: Channel,
  ) {}

  snapshot(): PlaybackSnapshot {
    const next = this.media[this.index + 1];
    return {
      id: this.id,
      media_uri: this.media[this.index] ?? '',
      ...(next !== undefined ? { next_media_uri: next } : {}),
      target_uri: `channel:${this.channel.id}`,
      language: this.language,
      state: this.state,
    };
  }

  private send(type: string): void {
    this.core.sendTo(this.channel.subscribers(), type, { playback: this.snapshot() });
  }

  /** Plays the whole list; runs as a command of the channel's queue. */
  async run(): Promise<void> {
    if (this.state === 'canceled' || this.finished) return;
    if (!this.channel.alive || this.channel.hangingUp) {
      this.finish();
      return;
    }
    let lastFailed = false;
    for (let i = 0; i < this.media.length; i++) {
      if (i > 0) {
        this.index = i - 1;
        this.state = 'continuing';
        this.send('PlaybackContinuing');
      }
      this.index = i;
      this.state = 'playing';
      this.send('PlaybackStarted');
      const uri = this.media[i] ?? '';
      const info = this.core.sounds.media(uri, this.language);
      this.stoppable = info.stoppable;
      if (info.kind === 'missing') {
        this.core.log?.warn({ uri, language: this.language, channel: this.channel.id }, 'switch: media not found');
        lastFailed = true;
        continue;
      }
      lastFailed = false;
      const played = await this.core.clock.sleep(info.durationMs, this.stopCtl.signal, this.channel.hangupSignal.signal);
      if (this.finished) return;
      if (!played) {
        if (this.stopRequested) {
          this.state = 'done';
          this.send('PlaybackFinished');
          this.finish();
        }
        // otherwise the channel hung up: failOnHangup() has reported it
        return;
      }
    }
    this.state = lastFailed ? 'failed' : 'done';
    this.send('PlaybackFinished');
    this.finish();
  }

  /** DELETE /playbacks/{id} */
  stop(): void {
    if (this.state === 'queued') {
      // a queued playback is cancelled: it never starts and sends no event (as Asterisk)
      this.state = 'canceled';
      this.finish();
      return;
    }
    if (this.state === 'playing' || this.state === 'continuing') {
      if (!this.stoppable) throw new AriError(500, 'Could not stop playback');
      this.stopRequested = true;
      this.stopCtl.abort();
    }
  }

  /** The channel hung up: a playing playback fails, a queued one vanishes. */
  failOnHangup(): void {
    if (this.finished) return;
    if (this.state === 'playing' || this.state === 'continuing') {
      this.state = 'failed';
      this.send('PlaybackFinished');
    } else {
      this.state = 'canceled';
    }
    this.finish();
  }

  /** Ends without any event (switch stopping). */
  abort(): void {
    this.finished = true;
    this.stopCtl.abort();
  }

  private finish(): void {
    this.finished = true;
    this.core.playbacks.delete(this.id);
    const list = this.channel.playbacks;
    const at = list.indexOf(this);
    if (at >= 0) list.splice(at, 1);
  }
}

/** Splits `media` given as a comma-separated list and/or repeated parameters. */
export function mediaList(values: string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((m) => m.trim()).filter((m) => m !== '');
}

/** POST /channels/{id}/play[/{playbackId}]: queues the playback and answers at once. */
export function queuePlayback(core: SwitchCore, ch: Channel, id: string, media: string[], language: string): Playback {
  if (core.playbacks.has(id)) throw new AriError(409, `Playback with id '${id}' already exists`);
  const pb = new Playback(core, id, media, language, ch);
  core.playbacks.set(id, pb);
  ch.playbacks.push(pb);
  void ch.queue.run(() => pb.run()).catch(() => pb.failOnHangup());
  return pb;
}
