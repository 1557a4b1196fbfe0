/**
 * Channels: the state Asterisk shows in a Channel snapshot, channel variables, the
 * channel's command queue (commands wait behind a running playback), and which apps
 * receive the channel's events.
 */
import { AriError } from './errors.ts';
import { asteriskTime } from './clock.ts';
import type { Bridge } from './bridges.ts';
import type { Playback } from './playbacks.ts';

export type ChannelState = 'Down' | 'Ring' | 'Ringing' | 'Up';

export interface CallerId {
  name: string;
  number: string;
}

export interface DialplanCep {
  context: string;
  exten: string;
  priority: number;
  app_name: string;
  app_data: string;
}

export interface ChannelSnapshot {
  id: string;
  name: string;
  state: ChannelState;
  protocol_id: string;
  caller: CallerId;
  connected: CallerId;
  accountcode: string;
  dialplan: DialplanCep;
  creationtime: string;
  language: string;
}

export type StasisExit =
  | { kind: 'continue'; context: string; exten: string; priority: number }
  | { kind: 'hangup' };

/**
 * Commands run one at a time, in order. A playback is a command too, so a command sent
 * while a prompt plays runs (and is answered) only when the prompt ends.
 */
export class CommandQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private closedWith: AriError | null = null;

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.tail.then(
      () => {
        if (this.closedWith) throw this.closedWith;
        return fn();
      },
      () => {
        if (this.closedWith) throw this.closedWith;
        return fn();
      },
    );
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Commands still waiting fail with `err` when their turn comes. */
  close(err: AriError): void {
    this.closedWith = err;
  }

  reopen(): void {
    this.closedWith = null;
  }
}

export class Channel {
  state: ChannelState;
  caller: CallerId;
  connected: CallerId;
  dialplan: DialplanCep;
  language: string;
  readonly creationtime = asteriskTime();
  /** variables by name without the inheritance prefix (`__X` is stored as X) */
  readonly vars = new Map<string, string>();

  /** apps subscribed for the channel's whole life (the app that originated it) */
  readonly originApps = new Set<string>();
  /** the Stasis app the channel is in, if any */
  stasisApp: string | null = null;
  stasisArgs: string[] = [];
  private stasisExitResolve: ((e: StasisExit) => void) | null = null;

  queue = new CommandQueue();
  /** playbacks created on this channel, in order (queued ones included) */
  readonly playbacks: Playback[] = [];
  bridge: Bridge | null = null;

  alive = true;
  hangingUp = false;
  answered = false;
  /** aborted when the channel is hung up (wakes Wait, playbacks, DTMF) */
  readonly hangupSignal = new AbortController();
  /** switch-clock time (Date.now()) before which this channel's DTMF sender is busy */
  dtmfFreeAt = 0;
  /** DTMF being sent on this channel, one digit after the other (sendDtmf) */
  dtmfChain: Promise<void> = Promise.resolve();

  /** Local channel pair */
  peer: Channel | null = null;
  half: 1 | 2 | null = null;
  /** true when this channel runs dialplan (the ;2 half) */
  hasPbx = false;
  /** the app an originated ;1 half enters once answered, and its Stasis app data */
  pendingApp: string | null = null;
  pendingAppData = '';
  /** Gosub frames: where Return() goes and the ARGn of the subroutine */
  readonly frames: { ret: { context: string; exten: string; priority: number }; args: string[] }[] = [];
  /** what the originator dialed (`1699@ivr-inbound`), for Dial events */
  dialstring = '';

  constructor(
    readonly id: string,
    readonly name: string,
    init: { state: ChannelState; caller: CallerId; dialplan: DialplanCep; language: string },
  ) {
    this.state = init.state;
    this.caller = { ...init.caller };
    this.connected = { ...init.caller };
    this.dialplan = { ...init.dialplan };
    this.language = init.language;
  }

  snapshot(): ChannelSnapshot {
    return {
      id: this.id,
      name: this.name,
      state: this.state,
      protocol_id: '',
      caller: { ...this.caller },
      connected: { ...this.connected },
      accountcode: '',
      dialplan: { ...this.dialplan },
      creationtime: this.creationtime,
      language: this.language,
    };
  }

  setDialplan(patch: Partial<DialplanCep>): void {
    this.dialplan = { ...this.dialplan, ...patch };
  }

  /** Apps that receive this channel's events (Stasis events excepted: those go to the Stasis app only). */
  subscribers(extra: Iterable<string> = []): string[] {
    const s = new Set<string>(this.originApps);
    if (this.stasisApp) s.add(this.stasisApp);
    if (this.bridge) for (const a of this.bridge.apps) s.add(a);
    for (const a of extra) s.add(a);
    return [...s];
  }

  // ---- variables -------------------------------------------------------------------------

  static varKey(name: string): string {
    return name.replace(/^_{1,2}/, '');
  }

  getVar(name: string): string | undefined {
    const fn = /^(\w+)\((.*)\)$/.exec(name);
    if (fn) {
      const [, func = '', arg = ''] = fn;
      if (func === 'CHANNEL' && arg === 'language') return this.language;
      if (func === 'CHANNEL' && arg === 'name') return this.name;
      if (func === 'CHANNEL' && arg === 'uniqueid') return this.id;
      if (func === 'CALLERID' && (arg === 'num' || arg === 'number')) return this.caller.number;
      if (func === 'CALLERID' && arg === 'name') return this.caller.name;
      return undefined;
    }
    const arg = /^ARG(\d+)$/.exec(name);
    if (arg && this.frames.length > 0) return this.frames[this.frames.length - 1]?.args[Number(arg[1]) - 1] ?? '';
    if (name === 'EXTEN') return this.dialplan.exten;
    if (name === 'CONTEXT') return this.dialplan.context;
    if (name === 'PRIORITY') return String(this.dialplan.priority);
    if (name === 'UNIQUEID') return this.id;
    return this.vars.get(Channel.varKey(name));
  }

  /** Sets a variable (or CHANNEL(language)); returns false for a read-only function. */
  setVar(name: string, value: string): void {
    if (name === 'CHANNEL(language)') {
      this.language = value;
      return;
    }
    this.vars.set(Channel.varKey(name), value);
  }

  /**
   * Expands `${VAR}` and `${VAR:offset[:length]}` (Asterisk substrings: `${X:-4}` is the last
   * four characters) the way dialplan application data is expanded.
   */
  expand(template: string, globals: Readonly<Record<string, string>> = {}): string {
    return template.replace(/\$\{([^}:]+?)(?::(-?\d+)(?::(-?\d+))?)?\}/g, (_m, v: string, off?: string, len?: string) => {
      // CUT(<variable>,<delimiter>,<field>) as Asterisk's func_cut, one field (counted from 1)
      const cut = /^CUT\((\w+),(.),(\d+)\)$/.exec(v);
      const value = cut ? ((this.getVar(cut[1]!) ?? globals[cut[1]!] ?? '').split(cut[2]!)[Number(cut[3]) - 1] ?? '') : (this.getVar(v) ?? globals[v] ?? '');
      if (off === undefined) return value;
      let start = Number(off);
      if (start < 0) start = Math.max(0, value.length + start);
      const rest = value.slice(start);
      if (len === undefined) return rest;
      const n = Number(len);
      return n >= 0 ? rest.slice(0, n) : rest.slice(0, Math.max(0, rest.length + n));
    });
  }

  // ---- Stasis ----------------------------------------------------------------------------

  /** Resolves when the channel leaves Stasis (continue or hangup). */
  waitStasisExit(): Promise<StasisExit> {
    return new Promise((resolve) => {
      this.stasisExitResolve = resolve;
    });
  }

  exitStasis(e: StasisExit): void {
    const r = this.stasisExitResolve;
    this.stasisExitResolve = null;
    r?.(e);
  }

  /** The playback currently playing (not queued), if any. */
  activePlayback(): Playback | undefined {
    return this.playbacks.find((p) => p.state === 'playing' || p.state === 'continuing');
  }
}
