/**
 * A real SIP softphone for the real-Asterisk tier: Debian's baresip, one process per phone, each
 * with a private config folder (config, accounts) under a scratch folder, all on loopback:
 *
 *   - the account registers with the Asterisk under test (user, password, its SIP port, UDP);
 *   - it sends a WAV file as its microphone (aufile: a tone, so the far end can tell who it hears)
 *     and plays what it receives into nothing (aubridge), while sndfile writes the decoded audio it
 *     receives to <dir>/rec/dump-…-dec.wav: what the person at the phone would hear;
 *   - ctrl_tcp (JSON in netstrings) takes the commands (dial, hangup, quit) and sends the events
 *     (CALL_ESTABLISHED, CALL_CLOSED, …); cons takes keys, which during a call baresip sends as
 *     RFC 4733 DTMF events (ctrl_tcp of baresip 1.0 has no DTMF command);
 *   - with `trace`, baresip prints every SIP message it sends and receives (-s): how the tests read
 *     the headers the phone actually got (baresip's events carry no display name nor headers).
 *
 * The README's "Testing from a SIP softphone" section is this, step for step.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { freeSipPort, freeTcpPort } from '../../src/asterisk/local.ts';

const MODULE_DIRS = ['/usr/lib/baresip/modules', '/usr/lib/x86_64-linux-gnu/baresip/modules', '/usr/local/lib/baresip/modules'];
const NEEDED = ['g711.so', 'aufile.so', 'aubridge.so', 'sndfile.so', 'account.so', 'menu.so', 'ctrl_tcp.so', 'cons.so'];

function findBaresip(): { modules: string } | { missing: string } {
  const r = spawnSync('baresip', ['-h'], { encoding: 'utf8', timeout: 5000 });
  if (r.error) return { missing: `baresip is not installed (apt-get install baresip): ${r.error.message}` };
  const modules = MODULE_DIRS.find((d) => existsSync(join(d, 'g711.so')));
  if (!modules) return { missing: `baresip's modules were not found in ${MODULE_DIRS.join(', ')}` };
  const lacking = NEEDED.filter((m) => !existsSync(join(modules, m)));
  if (lacking.length) return { missing: `baresip lacks the modules ${lacking.join(', ')} in ${modules}` };
  return { modules };
}

const found = findBaresip();
/** why SIP tests are skipped here, or undefined */
export const baresipMissing: string | undefined = 'missing' in found ? found.missing : undefined;

export interface BaresipEvent {
  type: string;
  class?: string;
  accountaor?: string;
  direction?: string;
  peeruri?: string;
  id?: string;
  param?: string;
  /** Date.now() when it arrived */
  at: number;
}

export interface SoftphoneOptions {
  /** the phone's private folder (created) */
  dir: string;
  /** the SIP account (user name) and its password */
  user: string;
  password: string;
  /** the Asterisk's SIP port on 127.0.0.1 */
  registrar: number;
  /** the WAV (8 kHz, 16 bit, mono) sent as the microphone; it must outlast the call (aufile hangs up at its end) */
  microphone: string;
  /** answer incoming calls at once */
  autoAnswer?: boolean;
  /** print SIP messages (readable with sipTrace()) */
  trace?: boolean;
}

/** Netstring framing of ctrl_tcp: `<length>:<JSON>,` */
function netstring(json: string): string {
  return `${Buffer.byteLength(json)}:${json},`;
}

export class Softphone {
  readonly events: BaresipEvent[] = [];
  private out = '';
  private buf = Buffer.alloc(0);
  private waiters: { test: (e: BaresipEvent) => boolean; resolve: (e: BaresipEvent) => void }[] = [];
  private responses: ((r: { ok: boolean; data: string }) => void)[] = [];
  private exited = false;

  private constructor(
    readonly o: SoftphoneOptions,
    private readonly child: ChildProcess,
    private readonly ctrl: Socket,
    private readonly consPort: number,
    early: string,
  ) {
    this.out = early;
    child.stdout!.removeAllListeners('data');
    child.stderr!.removeAllListeners('data');
    child.stdout!.on('data', (d: Buffer) => (this.out += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (this.out += d.toString('utf8')));
    child.once('exit', () => (this.exited = true));
    ctrl.on('data', (d: Buffer) => this.onCtrl(d));
  }

  /**
   * Writes the config, starts baresip and waits until its account is registered. Ports are
   * picked free, but baresip binds without SO_REUSEADDR: a port with connections in TIME_WAIT
   * makes it exit at once (EADDRINUSE), so it is tried again with other ports.
   */
  static async start(o: SoftphoneOptions): Promise<Softphone> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await Softphone.startOnce(o);
      } catch (e) {
        if (!(e instanceof PortTaken) || attempt === 5) throw e;
      }
    }
  }

  private static async startOnce(o: SoftphoneOptions): Promise<Softphone> {
    if ('missing' in found) throw new Error(found.missing);
    mkdirSync(join(o.dir, 'rec'), { recursive: true });
    const [sip, ctrlPort, consPort] = [await freeSipPort(), await freeTcpPort(), await freeTcpPort()];
    writeFileSync(
      join(o.dir, 'config'),
      [
        'poll_method epoll',
        `sip_listen 127.0.0.1:${sip}`,
        `audio_source aufile,${o.microphone}`,
        'audio_player aubridge,nowhere',
        'audio_alert aubridge,nowhere',
        `module_path ${found.modules}`,
        ...['g711.so', 'aufile.so', 'aubridge.so', 'sndfile.so', 'cons.so'].map((m) => `module ${m}`),
        'module_tmp account.so',
        'module_app menu.so',
        'module_app ctrl_tcp.so',
        `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
        `cons_listen 127.0.0.1:${consPort}`,
        `snd_path ${join(o.dir, 'rec')}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(o.dir, 'accounts'),
      `<sip:${o.user}@127.0.0.1:${o.registrar};transport=udp>;auth_pass=${o.password};regint=600;audio_codecs=PCMU;mwi=no;answermode=${o.autoAnswer ? 'auto' : 'manual'}\n`,
    );
    // -t: quits on its own after 10 minutes should the test process die without stopping it
    const child = spawn('baresip', [...(o.trace ? ['-s'] : []), '-t', '600', '-f', o.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let early = '';
    child.stdout.on('data', (d: Buffer) => (early += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (early += d.toString('utf8')));
    let ctrl: Socket | undefined;
    const deadline = Date.now() + 10_000;
    while (!ctrl) {
      if (child.exitCode !== null) {
        if (/Address already in use/.test(early)) throw new PortTaken();
        throw new Error(`baresip (${o.user}) exited with ${child.exitCode}:\n${uncolour(early)}`);
      }
      ctrl = await new Promise<Socket | undefined>((res) => {
        const s = connect(ctrlPort, '127.0.0.1');
        s.once('connect', () => res(s));
        s.once('error', () => res(undefined));
      });
      if (!ctrl) {
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`baresip (${o.user}) did not open its control port ${ctrlPort}:\n${uncolour(early)}`);
        }
        await sleep(100);
      }
    }
    const phone = new Softphone(o, child, ctrl, consPort, early);
    while (!/\bOK\b/.test((await phone.command('reginfo')).data)) {
      if (Date.now() > deadline) {
        await phone.stop();
        throw new Error(`${o.user} did not register with 127.0.0.1:${o.registrar}:\n${phone.output()}`);
      }
      await sleep(200);
    }
    return phone;
  }

  private onCtrl(d: Buffer) {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const colon = this.buf.indexOf(':');
      if (colon < 0) return;
      const len = Number(this.buf.subarray(0, colon).toString());
      if (this.buf.length < colon + 1 + len + 1) return;
      const msg = JSON.parse(this.buf.subarray(colon + 1, colon + 1 + len).toString('utf8')) as Record<string, unknown>;
      this.buf = this.buf.subarray(colon + 1 + len + 1);
      if (msg.event) {
        const ev = { ...(msg as unknown as BaresipEvent), at: Date.now() };
        this.events.push(ev);
        this.waiters = this.waiters.filter((w) => (w.test(ev) ? (w.resolve(ev), false) : true));
      } else if (msg.response) {
        this.responses.shift()?.({ ok: msg.ok === true, data: uncolour(String(msg.data ?? '')) });
      }
    }
  }

  /** A ctrl_tcp command (`dial 1699`, `hangup`, `reginfo`, …): baresip's answer. */
  command(line: string): Promise<{ ok: boolean; data: string }> {
    const [command, ...params] = line.split(' ');
    return new Promise((resolve) => {
      this.responses.push(resolve);
      this.ctrl.write(netstring(JSON.stringify({ command, params: params.join(' '), token: command })));
    });
  }

  /** The first event of this type (already seen or still to come). */
  event(type: string, timeoutMs = 30_000): Promise<BaresipEvent> {
    const seen = this.events.find((e) => e.type === type);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.o.user}: no ${type} within ${timeoutMs} ms; events: ${this.events.map((e) => e.type).join(' ')}`)), timeoutMs);
      this.waiters.push({
        test: (e) => e.type === type,
        resolve: (e) => {
          clearTimeout(t);
          resolve(e);
        },
      });
    });
  }

  /** Dials and waits until the call is answered. */
  async dial(number: string, timeoutMs = 15_000): Promise<BaresipEvent> {
    await this.command(`dial ${number}`);
    return this.event('CALL_ESTABLISHED', timeoutMs);
  }

  /**
   * Keys pressed at the phone: during a call each of 0-9 * # goes out as an RFC 4733 DTMF event.
   * Each key is held `holdMs`, then released (baresip's key-release code 0x04: without it the
   * event would only end with the next key), `gapMs` apart.
   */
  async keys(digits: string, holdMs = 120, gapMs = 80): Promise<void> {
    const s = await new Promise<Socket>((resolve, reject) => {
      const c = connect(this.consPort, '127.0.0.1', () => resolve(c));
      c.once('error', reject);
    });
    for (const d of digits) {
      s.write(d);
      await sleep(holdMs);
      s.write('\x04');
      await sleep(gapMs);
    }
    s.end();
  }

  async hangup(): Promise<void> {
    await this.command('hangup');
  }

  /** The WAV of what the phone received in its (only) call, or undefined before the call has audio. */
  recording(): string | undefined {
    const f = readdirSync(join(this.o.dir, 'rec'))
      .filter((n) => n.endsWith('-dec.wav'))
      .sort()
      .pop();
    return f && join(this.o.dir, 'rec', f);
  }

  /** Everything baresip printed (with `trace`: the SIP messages), without colour codes. */
  output(): string {
    return uncolour(this.out);
  }

  /** The SIP requests of this method the phone received, each as its text (start line and headers). */
  received(method: string): string[] {
    return this.output()
      .split(/\n(?=(?:UDP|TCP) \S+ -> \S+\n)/)
      .filter((m) => new RegExp(`^(?:UDP|TCP) 127\\.0\\.0\\.1:${this.o.registrar} -> \\S+\\n${method} `).test(m))
      .map((m) => m.split(/\r?\n\r?\n/)[0] ?? m);
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      await Promise.race([this.command('quit'), sleep(2000)]);
      for (let i = 0; i < 30 && !this.exited; i++) await sleep(100);
      if (!this.exited) this.child.kill('SIGKILL');
    }
    this.ctrl.destroy();
  }
}

class PortTaken extends Error {}

const uncolour = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}
