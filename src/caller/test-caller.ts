/**
 * A black-box caller over real ARI: originates Local/<exten>@<context> as its own Stasis app,
 * keys DTMF on its half (;1) and watches the IVR's half (;2), whose ChannelVarset, ChannelDialplan
 * and Playback events Asterisk sends to the app that dialed it. Works the same against the
 * built-in switch and a real Asterisk running dialplan/ with the service connected.
 */
import { decodeIvrState, IVR_STATE, stateVariables } from '../flow/resume.ts';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { AriClient } from '../ari/client.ts';
import { eventChannelId, type AriEvent } from '../ari/events.ts';
import { isNotFound } from '../ari/errors.ts';
import type { KeyGroup } from './keys.ts';
import type { CallReport } from './report.ts';

export interface PlaceCallOptions {
  /** the caller's Stasis app (the client must be connected with it) */
  app: string;
  context: string;
  extension: string;
  callerId: string;
  /** undefined: interactive (keys come from `sendKeys`) */
  keys?: KeyGroup[];
  /**
   * Instead of a script in order: what this caller keys whenever the IVR listens at a node (by
   * IVR_NODE), as a person answers what they are asked — again when the IVR asks again (a repeated
   * prompt, a call picked up by a restarted service). A node not listed: nothing (the IVR's timeout acts).
   */
  keysByNode?: Record<string, KeyGroup>;
  agentsContext: string;
  /** media prefix stripped from prompt names, e.g. ivr-1699 */
  mediaPrefix: string;
  /** gives up (hangs up, reason 'timeout') after this long */
  timeoutMs: number;
  /** pause between DTMF digits of one group (ms) */
  betweenMs?: number;
  /** many calls on one connection: events reach this call through the router (by channel id) instead of one listener per call */
  router?: CallEventRouter;
  /** hang up as soon as this prompt starts playing (a caller who hangs up during an announcement) */
  hangupAtPrompt?: string;
}

/**
 * Hands each event of a caller connection to the one call whose channel it is about (its own
 * half or the IVR's half, whose id the caller chooses at originate): one lookup per event instead
 * of every call looking at every event (which grows with the square of the calls at once).
 */
export class CallEventRouter {
  private calls = new Map<string, (ev: AriEvent) => void>();
  constructor(client: AriClient) {
    client.on('event', (ev) => {
      const id = eventChannelId(ev);
      if (id !== undefined) this.calls.get(id)?.(ev);
    });
  }
  add(ids: string[], fn: (ev: AriEvent) => void): void {
    for (const id of ids) this.calls.set(id, fn);
  }
  remove(ids: string[]): void {
    for (const id of ids) this.calls.delete(id);
  }
}

export interface CallObserver {
  prompt?(name: string): void;
  /** a playback of the IVR ended (done, stopped or failed) */
  promptEnded?(name: string): void;
  listening?(node: string): void;
  variable?(name: string, value: string): void;
}

const IVR_PREFIX = /^_{0,2}(IVR_[A-Z_]+)$/;

export class TestCall extends EventEmitter {
  private localId?: string;
  private remoteName?: string;
  private remoteId?: string;
  private answered = false;
  private pendingKeys: KeyGroup[] = [];
  private weHungUp = false;
  private done = false;
  private readonly report: CallReport = { prompts: [], decisions: [], requests: [], variables: {}, nodes: [], outcome: { kind: 'hangup', reason: 'unknown' }, durationMs: 0 };
  private started = 0;
  private resolveDone!: (r: CallReport) => void;
  readonly finished: Promise<CallReport>;
  private listener = (ev: AriEvent) => this.onEvent(ev);
  /** after our WebSocket reconnects, events of the gap are lost: ask whether our channel still exists */
  private onReconnect = () => {
    if (!this.localId || this.done) return;
    this.client.request('channels', 'get', { channelId: this.localId }).catch((e) => {
      if (isNotFound(e)) this.finish({ kind: 'hangup', reason: 'lost' }, false);
    });
  };
  private timer?: NodeJS.Timeout;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: AriClient,
    private readonly opts: PlaceCallOptions,
    private readonly observer: CallObserver = {},
  ) {
    super();
    this.finished = new Promise((r) => (this.resolveDone = r));
  }

  async start(): Promise<CallReport> {
    this.started = Date.now();
    const channelId = `caller-${randomUUID()}`;
    const otherChannelId = `${channelId}-ivr`;
    this.localId = channelId;
    this.remoteId = otherChannelId;
    if (this.opts.router) this.opts.router.add([channelId, otherChannelId], this.listener);
    else this.client.on('event', this.listener);
    this.client.on('reconnected', this.onReconnect);
    this.timer = setTimeout(() => this.finish({ kind: 'hangup', reason: 'timeout' }, true), this.opts.timeoutMs);
    try {
      const ch = await this.client.request<{ id: string; name: string }>('channels', 'originate', {
        endpoint: `Local/${this.opts.extension}@${this.opts.context}`,
        app: this.opts.app,
        appArgs: 'test-call',
        callerId: this.opts.callerId,
        channelId,
        otherChannelId,
      });
      this.localId = ch.id;
      if (this.opts.router && ch.id !== channelId) this.opts.router.add([ch.id], this.listener);
      this.remoteName = ch.name.replace(/;1$/, ';2');
    } catch (e) {
      this.unlisten(channelId, otherChannelId);
      clearTimeout(this.timer);
      throw e;
    }
    return this.finished;
  }

  /** Interactive mode: key these digits now ('h' hangs up). */
  sendKeys(digits: string): void {
    if (digits === 'h') this.act({ kind: 'hangup' });
    else this.act({ kind: 'dtmf', digits });
  }

  private isRemote(ev: AriEvent): boolean {
    const ch = (ev as { channel?: { id?: string; name?: string } }).channel;
    if (ch?.name && this.remoteName && ch.name === this.remoteName) {
      this.remoteId = ch.id;
      return true;
    }
    if (ch?.id && ch.id === this.remoteId) return true;
    const pb = (ev as { playback?: { target_uri?: string } }).playback;
    return !!pb && !!this.remoteId && pb.target_uri === `channel:${this.remoteId}`;
  }

  private isLocal(ev: AriEvent): boolean {
    const ch = (ev as { channel?: { id?: string } }).channel;
    return !!ch && ch.id === this.localId;
  }

  private onEvent(ev: AriEvent): void {
    if (this.done) return;
    if (this.isLocal(ev)) {
      if (ev.type === 'StasisStart') {
        this.answered = true;
        const waiting = this.pendingKeys.splice(0);
        for (const g of waiting) this.act(g);
      } else if (ev.type === 'ChannelHangupRequest' || ev.type === 'ChannelDestroyed' || ev.type === 'StasisEnd') {
        this.finish({ kind: 'hangup', reason: this.weHungUp ? 'caller-hangup' : 'completed' }, false);
      }
      return;
    }
    if (!this.isRemote(ev)) return;
    switch (ev.type) {
      case 'PlaybackStarted': {
        const uri = (ev as { playback: { media_uri: string } }).playback.media_uri;
        const name = this.promptName(uri);
        this.report.prompts.push(name);
        this.observer.prompt?.(name);
        if (name === this.opts.hangupAtPrompt) this.act({ kind: 'hangup' });
        break;
      }
      case 'PlaybackFinished':
        this.observer.promptEnded?.(this.promptName((ev as { playback: { media_uri: string } }).playback.media_uri));
        break;
      case 'ChannelVarset': {
        const { variable, value } = ev as { variable: string; value: string };
        const m = IVR_PREFIX.exec(variable);
        if (!m) break;
        if (m[1] === IVR_STATE) {
          // one variable for all (src/flow/resume.ts): the values that changed, then the listen it marks
          const state = decodeIvrState(value);
          if (!state) break;
          const { IVR_NODE: node, ...values } = stateVariables(state.vars);
          for (const [name, v] of Object.entries(values)) if (this.report.variables[name] !== v) this.onVariable(name, v);
          if (state.listening && node) this.onVariable('IVR_NODE', node);
        } else if (m[1] === 'IVR_NODE' || this.report.variables[m[1]!] !== value) this.onVariable(m[1]!, value); // a hand-off repeats IVR_STATE's values one by one
        break;
      }
      case 'ChannelDialplan': {
        const dp = (ev as { channel: { dialplan?: { context: string; exten: string } } }).channel.dialplan;
        if (dp && dp.context === this.opts.agentsContext) this.finish({ kind: 'transfer', skill: dp.exten }, true);
        break;
      }
      case 'ChannelDestroyed':
        // the IVR's half is gone before ours reported it: the IVR ended the call
        this.finish({ kind: 'hangup', reason: this.weHungUp ? 'caller-hangup' : 'completed' }, true);
        break;
    }
  }

  private onVariable(name: string, value: string): void {
    this.report.variables[name] = value;
    this.observer.variable?.(name, value);
    if (name === 'IVR_OUTCOME' && this.report.variables.IVR_RULE) this.report.decisions.push({ rule: this.report.variables.IVR_RULE ?? '', outcome: value });
    if (name === 'IVR_REQUEST_NUMBER' && value) {
      this.report.requests.push({ type: this.report.variables.IVR_REQUEST_TYPE ?? '', unit: this.report.variables.IVR_REQUEST_UNIT ?? '', number: value });
    }
    if (name === 'IVR_NODE') {
      this.report.nodes.push(value);
      this.observer.listening?.(value);
      if (this.opts.keysByNode) {
        const g = this.opts.keysByNode[value];
        if (g) this.act(g);
      } else this.nextGroup();
    }
  }

  private promptName(uri: string): string {
    const noScheme = uri.replace(/^[a-z]+:/, '');
    const prefix = `${this.opts.mediaPrefix}/`;
    return noScheme.startsWith(prefix) ? noScheme.slice(prefix.length) : noScheme;
  }

  private nextGroup(): void {
    if (!this.opts.keys) return; // interactive
    const g = this.opts.keys.shift();
    if (!g) return; // script exhausted: let the IVR's timeouts act
    this.act(g);
  }

  private act(g: KeyGroup): void {
    if (!this.answered) {
      this.pendingKeys.push(g);
      return;
    }
    this.queue = this.queue.then(async () => {
      if (this.done || !this.localId) return;
      try {
        if (g.kind === 'dtmf') {
          await this.client.request('channels', 'sendDTMF', { channelId: this.localId, dtmf: g.digits, between: this.opts.betweenMs ?? 100, duration: 100 });
        } else if (g.kind === 'hangup') {
          this.weHungUp = true;
          await this.client.request('channels', 'hangup', { channelId: this.localId });
        }
      } catch (e) {
        if (!isNotFound(e)) this.emit('warning', e);
      }
    });
  }

  private unlisten(...ids: (string | undefined)[]): void {
    if (this.opts.router) this.opts.router.remove(ids.filter((x): x is string => !!x));
    else this.client.off('event', this.listener);
    this.client.off('reconnected', this.onReconnect);
  }

  private finish(outcome: CallReport['outcome'], hangUpOurHalf: boolean): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.report.outcome = outcome;
    this.report.durationMs = Date.now() - this.started;
    this.unlisten(this.localId, this.remoteId);
    if (hangUpOurHalf && this.localId) {
      this.client.request('channels', 'hangup', { channelId: this.localId }).catch(() => undefined);
    }
    this.resolveDone(this.report);
  }
}
