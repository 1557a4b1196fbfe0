/**
 * The built-in switch: an ARI server on loopback that imitates Asterisk 22 closely enough
 * for the real ari-client to use it as Asterisk (see docs/switch.md).
 *
 *   const sw = await startSwitch({ timeScale: 0.02, sounds: { 'ivr-1699': 'prompts' } });
 *   const ari = await client.connect(sw.url, sw.username, sw.password);
 */
import { EventEmitter } from 'node:events';
import { SwitchCore, type Transfer } from './core.ts';
import type { SentEvent } from './events.ts';
import { resolveSwitchOptions, type ResolvedSwitchOptions, type SwitchOptions } from './options.ts';
import { SwitchServer } from './server.ts';
import type { ChannelSnapshot } from './channels.ts';

export type { SwitchOptions, Transfer, ChannelSnapshot };
export type SwitchEvent = SentEvent['event'];

/** One Local call (both halves) as the switch sees it. */
export interface CallSnapshot {
  /** name without the `;1`/`;2` suffix, e.g. `Local/1699@ivr-inbound-00000000` */
  name: string;
  callerChannelId: string;
  ivrChannelId: string;
  /** where the ;2 half is in the dialplan */
  context: string;
  exten: string;
  state: string;
  /** the Stasis app the ;2 half is in, or null */
  app: string | null;
  /** variables of the ;2 half (names without `__`) */
  variables: Record<string, string>;
  /** media of the playback playing on the ;2 half, if any */
  playing: string | null;
}

export interface BuiltinSwitchEvents {
  /** every event the switch sends (delivered = false when the app had no WebSocket) */
  event: [event: SwitchEvent, info: SentEvent];
  transfer: [transfer: Transfer];
}

export class BuiltinSwitch extends EventEmitter<BuiltinSwitchEvents> {
  private core: SwitchCore;
  private server: SwitchServer;
  private _port: number;
  private started = false;

  /** @internal use startSwitch() */
  constructor(private readonly opts: ResolvedSwitchOptions) {
    super();
    this.setMaxListeners(0);
    this._port = opts.port;
    this.core = this.newCore();
    this.server = new SwitchServer(this.core, { username: opts.username, password: opts.password });
  }

  private newCore(): SwitchCore {
    const core = new SwitchCore(this.opts, this.opts.logger);
    core.on('event', (e: SwitchEvent, info: SentEvent) => this.emit('event', e, info));
    core.on('transfer', (t: Transfer) => this.emit('transfer', t));
    return core;
  }

  /** Base URL without `/ari`, e.g. `http://127.0.0.1:43117` (what ari-client.connect takes). */
  get url(): string {
    const host = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host;
    return `http://${host}:${this._port}`;
  }
  get port(): number {
    return this._port;
  }
  get username(): string {
    return this.opts.username;
  }
  get password(): string {
    return this.opts.password;
  }
  get timeScale(): number {
    return this.opts.timeScale;
  }
  get running(): boolean {
    return this.started;
  }

  /** Calls handed to skill queues so far (since the switch was created). */
  get transfers(): readonly Transfer[] {
    return this.core.transfers;
  }

  /** Live channels, as GET /ari/channels shows them. */
  get channels(): ChannelSnapshot[] {
    return [...this.core.channels.values()].filter((c) => c.alive).map((c) => c.snapshot());
  }

  /** Live Local calls (pairs of halves). */
  get calls(): CallSnapshot[] {
    const out: CallSnapshot[] = [];
    for (const c of this.core.channels.values()) {
      if (!c.alive || c.half !== 2 || !c.peer) continue;
      const pb = c.activePlayback();
      out.push({
        name: c.name.replace(/;2$/, ''),
        callerChannelId: c.peer.id,
        ivrChannelId: c.id,
        context: c.dialplan.context,
        exten: c.dialplan.exten,
        state: c.state,
        app: c.stasisApp,
        variables: Object.fromEntries(c.vars),
        playing: pb ? (pb.snapshot().media_uri ?? null) : null,
      });
    }
    return out;
  }

  /** Starts listening (again, on the same port after stop()). */
  async start(): Promise<void> {
    if (this.started) return;
    this.core.resume();
    this._port = await this.server.listen(this._port, this.opts.host);
    this.started = true;
    this.opts.logger?.info({ url: this.url }, 'switch: listening');
  }

  /** Closes every socket and connection; every call ends (without events). */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.core.shutdown();
    await this.server.close();
    // a fresh server and state for a later start(); transfers are kept
    const transfers = [...this.core.transfers];
    this.core.removeAllListeners();
    this.core = this.newCore();
    this.core.transfers.push(...transfers);
    this.server = new SwitchServer(this.core, { username: this.opts.username, password: this.opts.password });
    this.opts.logger?.info('switch: stopped');
  }

  /** stop() then start() on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Closes the events WebSockets server-side (all, or one app's); calls go on. Returns how many closed. */
  dropConnections(app?: string): number {
    return this.core.hub.drop(app);
  }
}

/** Starts the built-in switch; resolves once it listens. Throws on invalid options (message names the field). */
export async function startSwitch(opts: SwitchOptions = {}): Promise<BuiltinSwitch> {
  const sw = new BuiltinSwitch(resolveSwitchOptions(opts));
  await sw.start();
  return sw;
}
