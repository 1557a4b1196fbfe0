/**
 * The console's test phone: places a call into the IVR through the same ARI the service uses (the
 * built-in switch or Asterisk) with the project's black-box test caller (src/caller), keys what the
 * tester presses, and streams what ARI shows the caller — prompts, IVR_NODE, the IVR_* variables,
 * the outcome — to the browser.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { AriClient } from '../ari/client.ts';
import { TestCall } from '../caller/test-caller.ts';
import type { CallReport } from '../caller/report.ts';
import type { Logger } from '../log/logger.ts';
import { SOUND_FOLDER } from '../speech/compose.ts';
import { HttpError } from './http.ts';

export interface PhoneEvent {
  seq: number;
  at: number;
  type: 'prompt' | 'node' | 'variable' | 'outcome' | 'error';
  name?: string;
  value?: string;
  text?: string;
  report?: CallReport;
}

export interface TestPhoneOptions {
  ari: { url: () => string; username: string; password: string };
  entry: { context: string; extension: string };
  agentsContext: string;
  logger: Logger;
  /** Persian text of a prompt, for the transcript */
  promptText?: (name: string) => string | undefined;
  /** a call gives up after this long; default 10 minutes */
  timeoutMs?: number;
}

interface PhoneCall {
  id: string;
  user: string;
  call: TestCall;
  events: PhoneEvent[];
  emitter: EventEmitter;
  done: boolean;
}

const KEYS = /^[0-9*#]{1,32}$/;
const CALLER = /^\+?\d{3,15}$/;

export class TestPhone {
  private client?: Promise<AriClient>;
  private readonly calls = new Map<string, PhoneCall>();
  readonly app = `ivr-1699-console-${process.pid}`;

  constructor(private readonly o: TestPhoneOptions) {}

  private connect(): Promise<AriClient> {
    this.client ??= AriClient.connect({ url: this.o.ari.url(), username: this.o.ari.username, password: this.o.ari.password, app: this.app, logger: this.o.logger, connectTimeoutMs: 5000 }).catch((e) => {
      this.client = undefined;
      throw new HttpError(502, `the test phone cannot reach ARI: ${(e as Error).message}`);
    });
    return this.client;
  }

  async place(user: string, callerId: string): Promise<{ id: string }> {
    if (!CALLER.test(callerId)) throw new HttpError(400, `'${callerId}' is not a phone number (3–15 digits)`);
    const client = await this.connect();
    const id = randomUUID();
    const events: PhoneEvent[] = [];
    const emitter = new EventEmitter();
    let seq = 0;
    const push = (e: Omit<PhoneEvent, 'seq' | 'at'>) => {
      const ev = { seq: ++seq, at: Date.now(), ...e };
      events.push(ev);
      emitter.emit('event', ev);
    };
    const call = new TestCall(
      client,
      {
        app: this.app,
        context: this.o.entry.context,
        extension: this.o.entry.extension,
        callerId,
        agentsContext: this.o.agentsContext,
        mediaPrefix: SOUND_FOLDER,
        timeoutMs: this.o.timeoutMs ?? 10 * 60_000,
      },
      {
        prompt: (name) => push({ type: 'prompt', name, ...(this.o.promptText?.(name) ? { text: this.o.promptText(name) } : {}) }),
        listening: (node) => push({ type: 'node', name: node }),
        variable: (name, value) => push({ type: 'variable', name, value }),
      },
    );
    const pc: PhoneCall = { id, user, call, events, emitter, done: false };
    this.calls.set(id, pc);
    call.on('warning', (e: Error) => push({ type: 'error', text: e.message }));
    call
      .start()
      .then((report) => push({ type: 'outcome', report }))
      .catch((e: Error) => push({ type: 'error', text: `the call could not be placed: ${e.message}` }))
      .finally(() => {
        pc.done = true;
        // kept a while so that a page opened late still shows the whole call
        setTimeout(() => this.calls.delete(id), 10 * 60_000).unref();
      });
    return { id };
  }

  private get(id: string): PhoneCall {
    const c = this.calls.get(id);
    if (!c) throw new HttpError(404, 'no such test call (it ended more than 10 minutes ago, or the service restarted)');
    return c;
  }

  keys(id: string, keys: string): void {
    const c = this.get(id);
    if (c.done) throw new HttpError(409, 'the call has ended');
    if (keys !== 'h' && !KEYS.test(keys)) throw new HttpError(400, `keys are 0-9 * # (got '${keys}')`);
    c.call.sendKeys(keys);
  }

  /** Every event so far, then each new one, until `stop()` is called. */
  subscribe(id: string, on: (e: PhoneEvent) => void): () => void {
    const c = this.get(id);
    for (const e of c.events) on(e);
    c.emitter.on('event', on);
    return () => c.emitter.off('event', on);
  }

  async close(): Promise<void> {
    for (const c of this.calls.values()) if (!c.done) c.call.sendKeys('h');
    const client = await this.client?.catch(() => undefined);
    await client?.close();
  }
}
