/**
 * SIP end to end on the real Asterisk: softphones (baresip, test/asterisk/softphone.ts) register
 * with the accounts of dialplan/pjsip.conf, call 1699 and key by RFC 4733 DTMF, pacing their keys
 * by what they hear; what they hear is recorded and measured (test/asterisk/audio.ts). Three calls
 * run side by side in one Asterisk with the service connected:
 *
 *   A  tester-01 keys the A4 seed item (after purchase, product problem, mismatch): the IVR refers
 *      it to sales-expert, whose agent agent-2005 is registered and answers automatically; the
 *      agent's phone receives the screen-pop (caller name "<topic> <order>", X-IVR-* headers) and
 *      both phones hear each other (each sends a tone of its own).
 *   B  tester-02 asks for sales (1 1); no sales nor general agent is registered: the queue refuses
 *      the call at once (JOINEMPTY), so does the general queue, and the caller leaves a message in
 *      the sales voicemail box.
 *   C  tester-03 asks for product advice (1 2); agent-2004 is registered but never answers: after
 *      SKILL_QUEUE_WAIT (shortened through the entrypoint's ASTERISK_SKILL_QUEUE_WAIT) the call
 *      overflows to the general queue (empty) and ends in the product-advice voicemail box.
 *
 * The prompts Asterisk plays (PlaybackStarted/Finished of the callers' channels, through an ARI
 * subscription to their endpoints) are the yardstick: while a prompt plays the phone must hear
 * about as much sound as the prompt file holds, and no quiet on the line may last longer than the
 * IVR's own longest timeout.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalAsterisk } from '../../src/asterisk/local.ts';
import { loadConfig } from '../../src/config/load.ts';
import { FRAME_MS, Listener, readWav, loudFrames, stretches } from './audio.ts';
import { asteriskMissing, PROJECT_ROOT, startAsterisk, startAsteriskHarness, tierTitle, type AsteriskHarness } from './harness.ts';
import { baresipMissing, Softphone } from './softphone.ts';

const skip = asteriskMissing ?? baresipMissing;
const title = baresipMissing && !asteriskMissing ? `SIP end to end — skipped: ${baresipMissing}` : tierTitle('SIP end to end: softphones on the real Asterisk');

const timeouts = loadConfig({ env: {}, cwd: '/' }).flow.timeouts;
/** the longest the IVR itself waits for a key: no quiet on the line may be longer */
const IVR_LONGEST_WAIT_S = Math.max(timeouts.firstDigitMs, timeouts.menuMs, timeouts.interDigitMs) / 1000;
const SKILL_QUEUE_WAIT_S = 6;

/** A tone of `hz` as a phone's microphone (8 kHz, 16 bit, mono), long enough for any call here. */
function toneWav(path: string, hz: number, seconds = 150): string {
  const n = 8000 * seconds;
  const b = Buffer.alloc(44 + 2 * n);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + 2 * n, 4);
  b.write('WAVEfmt ', 8, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(16000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000)), 44 + 2 * i);
  writeFileSync(path, b);
  return path;
}

/** The main frequency of a stretch of PCM, from its zero crossings (enough to tell two tones apart). */
function frequency(samples: Int16Array, rate: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 !== samples[i]! < 0) crossings++;
  return crossings / 2 / (samples.length / rate);
}

/** Seconds of sound in the prompt file's first `seconds` (all of it by default). */
function promptSound(name: string, seconds = Infinity): number {
  const { samples, rate } = readWav(readFileSync(join(PROJECT_ROOT, 'prompts/fa', `${name}.wav`)));
  const frames = loudFrames(samples, rate).slice(0, Math.floor((seconds * 1000) / FRAME_MS));
  return (frames.filter(Boolean).length * FRAME_MS) / 1000;
}
function promptLength(name: string): number {
  const { samples, rate } = readWav(readFileSync(join(PROJECT_ROOT, 'prompts/fa', `${name}.wav`)));
  return samples.length / rate;
}

interface Played {
  prompt: string;
  /** seconds since the caller's call was answered */
  from: number;
  to?: number;
}

/** What the caller's phone does: wait (for quiet after a prompt, or a number of seconds into one), then key. */
type Step = { after: 'pause' | number; keys: string };

interface CallResult {
  listener: Listener;
  played: Played[];
  answeredAt: number;
}

describe.skipIf(skip)(title, () => {
  let ast: LocalAsterisk;
  let h: AsteriskHarness;
  let scratch: string;
  const phones: Softphone[] = [];
  /** prompts played per caller endpoint (tester-01 …), on the wall clock */
  const playbacks = new Map<string, { prompt: string; at: number; kind: 'start' | 'end' }[]>();
  const channelEndpoint = new Map<string, string>();
  let tones: { caller: string; agent: string };

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'ivr-sip-'));
    tones = { caller: toneWav(join(scratch, 'caller-440.wav'), 440), agent: toneWav(join(scratch, 'agent-880.wav'), 880) };
    ast = await startAsterisk({ env: { ASTERISK_SKILL_QUEUE_WAIT: String(SKILL_QUEUE_WAIT_S), ASTERISK_GENERAL_QUEUE_WAIT: '5' } });
    h = await startAsteriskHarness({ asterisk: ast });
    h.client.on('event', (ev) => {
      const e = ev as { type: string; channel?: { id: string; name: string }; playback?: { target_uri: string; media_uri: string } };
      if (e.channel) {
        const m = /^PJSIP\/(tester-\d+)-/.exec(e.channel.name);
        if (m) channelEndpoint.set(e.channel.id, m[1]!);
      }
      // a list of media is one playback: Started for each item, Continuing when an item ends, Finished after the last
      if ((e.type === 'PlaybackStarted' || e.type === 'PlaybackContinuing' || e.type === 'PlaybackFinished') && e.playback) {
        const endpoint = channelEndpoint.get(e.playback.target_uri.replace(/^channel:/, ''));
        if (!endpoint) return;
        const list = playbacks.get(endpoint) ?? [];
        list.push({ prompt: e.playback.media_uri.replace(/^sound:ivr-1699\//, ''), at: Date.now(), kind: e.type === 'PlaybackStarted' ? 'start' : 'end' });
        playbacks.set(endpoint, list);
      }
    });
    for (const t of ['tester-01', 'tester-02', 'tester-03']) await h.client.request('applications', 'subscribe', { applicationName: h.app, eventSource: `endpoint:PJSIP/${t}` });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(phones.map((p) => p.stop().catch(() => undefined)));
    await h?.close();
    await ast?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  async function phone(user: string, microphone: string, o: { autoAnswer?: boolean; trace?: boolean } = {}): Promise<Softphone> {
    const p = await Softphone.start({ dir: join(scratch, user), user, password: ast.sipPassword, registrar: ast.sipPort, microphone, ...o });
    phones.push(p);
    return p;
  }

  /** Dials 1699 and keys the steps, listening; returns when the last keys are sent. */
  async function call(caller: Softphone, steps: Step[]): Promise<CallResult> {
    const established = await caller.dial('1699');
    const listener = new Listener(() => caller.recording());
    listener.start(established.at);
    for (const s of steps) {
      if (s.after === 'pause') await listener.pause(1000);
      else await new Promise((r) => setTimeout(r, (s.after as number) * 1000));
      await caller.keys(s.keys);
    }
    return { listener, played: [], answeredAt: established.at };
  }

  function played(user: string, answeredAt: number): Played[] {
    const out: Played[] = [];
    for (const p of playbacks.get(user) ?? []) {
      if (p.kind === 'start') out.push({ prompt: p.prompt, from: (p.at - answeredAt) / 1000 });
      else {
        const open = [...out].reverse().find((o) => o.prompt === p.prompt && o.to === undefined);
        if (open) open.to = (p.at - answeredAt) / 1000;
      }
    }
    return out;
  }

  /**
   * Every prompt that played: the sound heard while it played matches the sound of the part of
   * the file that had time to play (20 ms frames; ±0.4 s and 10 %). Returns the seconds heard.
   */
  function expectPromptsHeard(frames: boolean[], list: Played[]): { heard: number; expected: number } {
    let heard = 0;
    let expected = 0;
    for (const p of list) {
      expect(p.to, `${p.prompt} finished: ${JSON.stringify(list)}`).toBeDefined();
      // a prompt may start a little before the phone reports the call answered: from 0 then
      const a = Math.max(0, Math.round((p.from * 1000) / FRAME_MS));
      const b = Math.max(0, Math.round((p.to! * 1000) / FRAME_MS));
      const got = (frames.slice(a, b).filter(Boolean).length * FRAME_MS) / 1000;
      const want = promptSound(p.prompt, Math.min(p.to! - p.from, promptLength(p.prompt)));
      expect(Math.abs(got - want), `${p.prompt} (${(p.to! - p.from).toFixed(1)} s): heard ${got} s of sound, the file has ${want} s; heard (# = sound, per 0.5 s): ${timeline(frames)}`).toBeLessThanOrEqual(0.4 + 0.1 * want);
      heard += got;
      expected += want;
    }
    return { heard, expected };
  }

  /** One character per 0.5 s: # mostly sound, . mostly quiet. */
  function timeline(frames: boolean[]): string {
    let out = '';
    for (let i = 0; i < frames.length; i += 25) out += frames.slice(i, i + 25).filter(Boolean).length > 12 ? '#' : '.';
    return out;
  }

  function longestQuiet(frames: boolean[], untilS = Infinity): number {
    return Math.max(0, ...stretches(frames.slice(0, Math.floor((untilS * 1000) / FRAME_MS))).filter((s) => !s.loud).map((s) => s.to - s.from));
  }

  it.concurrent(
    'A: a seed item keyed by RFC 4733 reaches the skill agent with the screen-pop; prompts heard in full, no long quiet, two-way audio',
    async () => {
      const agent = await phone('agent-2005', tones.agent, { autoAnswer: true, trace: true });
      const caller = await phone('tester-01', tones.caller);
      const r = await call(caller, [
        { after: 8, keys: '3' }, // during main-menu: after purchase
        { after: 3, keys: '3' }, // during menu-after: product problem
        { after: 3, keys: '0014636417#' }, // during enter-national-id
        { after: 3, keys: '1405001640#' }, // during the read-back of the ID
        { after: 3, keys: '1' }, // during problem-ask-kind: mismatch
      ]);
      const answered = await agent.event('CALL_ESTABLISHED', 40_000).catch((e: Error) => {
        throw new Error(`${e.message}\nprompts played: ${JSON.stringify(played('tester-01', r.answeredAt))}\nAsterisk:\n${ast.consoleLog().split('\n').slice(-40).join('\n')}\nservice:\n${h.logs.slice(-30).join('\n')}`);
      });
      const bridgedAt = (answered.at - r.answeredAt) / 1000;
      await new Promise((res) => setTimeout(res, 3000));
      await caller.hangup();
      r.listener.stop();

      // the screen-pop the agent's phone received
      const invite = agent.received('INVITE')[0];
      expect(invite, agent.output()).toBeDefined();
      expect(invite).toMatch(/^From: "product-problem 1405001640" <sip:tester-01@/m);
      const header = (name: string) => new RegExp(`^${name}: *(.*?)\\r?$`, 'm').exec(invite!)?.[1];
      expect(header('X-IVR-Skill')).toBe('sales-expert');
      expect(header('X-IVR-Topic')).toBe('product-problem');
      expect(header('X-IVR-Order-Number')).toBe('1405001640');
      expect(header('X-IVR-Rule')).toBe('A4');
      expect(header('X-IVR-Outcome')).toBe('mismatch-referred');
      expect(header('X-IVR-Request')).toMatch(/^referral sales-expert \S+$/);
      expect(invite).not.toContain('0014636417'); // the national ID never goes out whole

      // what the caller heard in the IVR
      const list = played('tester-01', r.answeredAt);
      expect(list.map((p) => p.prompt)).toEqual(expect.arrayContaining(['welcome', 'main-menu', 'menu-after', 'enter-national-id', 'you-entered', 'problem-ask-kind', 'problem-mismatch-referred', 'transfer-to-agent']));
      const { heard, expected } = expectPromptsHeard(r.listener.frames, list);
      const quiet = longestQuiet(r.listener.frames, bridgedAt);
      expect(quiet).toBeLessThanOrEqual(IVR_LONGEST_WAIT_S);

      // two-way audio once bridged: the caller hears the agent's 880 Hz, the agent the caller's 440 Hz
      const tail = (file: string) => {
        const { samples, rate } = readWav(readFileSync(file));
        return frequency(samples.subarray(samples.length - 2 * rate, samples.length - rate / 2), rate);
      };
      expect(tail(caller.recording()!)).toBeCloseTo(880, -1);
      expect(tail(agent.recording()!)).toBeCloseTo(440, -1);
      console.log(
        `SIP A: tester-01 → sales-expert, answered by agent-2005 at ${bridgedAt.toFixed(1)} s; ${list.length} prompts, ${heard.toFixed(1)} s of sound heard (files: ${expected.toFixed(1)} s); longest quiet ${quiet.toFixed(2)} s (IVR timeout ${IVR_LONGEST_WAIT_S} s)\n  heard (# = sound, per 0.5 s): ${timeline(r.listener.frames)}\n  prompts: ${list.map((p) => `${p.prompt} ${p.from.toFixed(1)}-${p.to?.toFixed(1)}`).join(', ')}`,
      );
    },
    120_000,
  );

  /** Caller waits for the voicemail beep, speaks (its tone) for 7 s, hangs up; returns the message's .txt. */
  async function leaveMessage(caller: Softphone, r: CallResult, box: string): Promise<{ txt: string; seconds: number; quiet: number; heard: number }> {
    await r.listener.pause(2500, 60_000); // the voicemail prompt and beep, then the quiet of the recording
    const recordingFrom = r.listener.now() - 2.5;
    await new Promise((res) => setTimeout(res, 5000));
    await caller.hangup();
    r.listener.stop();
    const inbox = join(ast.scratch, 'spool/voicemail/ivr-1699', box, 'INBOX');
    for (let i = 0; i < 50 && !(existsSync(inbox) && readdirSync(inbox).some((f) => f.endsWith('.txt'))); i++) await new Promise((res) => setTimeout(res, 100));
    expect(existsSync(inbox), `no ${inbox}; Asterisk said:\n${ast.consoleLog().split('\n').slice(-30).join('\n')}`).toBe(true);
    const txt = readdirSync(inbox).find((f) => f.endsWith('.txt'));
    expect(txt).toBeDefined();
    const wav = readWav(readFileSync(join(inbox, txt!.replace(/\.txt$/, '.wav'))));
    const list = played(caller.o.user, r.answeredAt);
    const { heard } = expectPromptsHeard(r.listener.frames, list);
    return { txt: readFileSync(join(inbox, txt!), 'utf8'), seconds: wav.samples.length / wav.rate, quiet: longestQuiet(r.listener.frames, recordingFrom), heard };
  }

  it.concurrent(
    'B: no agent registered → the skill queue and the general queue refuse at once → voicemail of the skill',
    async () => {
      const caller = await phone('tester-02', tones.caller);
      const r = await call(caller, [
        { after: 8, keys: '1' }, // during main-menu: before purchase
        { after: 3, keys: '1' }, // during menu-before: sale plans → sales
      ]);
      const m = await leaveMessage(caller, r, 'sales');
      expect(m.txt).toMatch(/^callerid=.*sale-plans.*tester-02/m); // "<topic> <order>" as the caller's name
      expect(m.seconds).toBeGreaterThanOrEqual(4);
      expect(m.quiet).toBeLessThanOrEqual(IVR_LONGEST_WAIT_S);
      const log = ast.consoleLog();
      expect(log).toMatch(/queue sales gave up \(QUEUESTATUS=JOINEMPTY\).*overflow to general/);
      expect(log).toMatch(/general queue gave up too \(QUEUESTATUS=JOINEMPTY\) - voicemail of sales/);
      console.log(`SIP B: tester-02 → sales (no agent) → general (no agent) → voicemail sales, message of ${m.seconds.toFixed(1)} s; ${m.heard.toFixed(1)} s of prompts heard; longest quiet before the beep ${m.quiet.toFixed(2)} s`);
    },
    120_000,
  );

  it.concurrent(
    `C: the skill's agent rings without answering → after SKILL_QUEUE_WAIT (${SKILL_QUEUE_WAIT_S} s here) the general queue → voicemail of the skill`,
    async () => {
      const agent = await phone('agent-2004', tones.agent, { trace: true });
      const caller = await phone('tester-03', tones.caller);
      const r = await call(caller, [
        { after: 8, keys: '1' }, // before purchase
        { after: 3, keys: '2' }, // product advice
      ]);
      const m = await leaveMessage(caller, r, 'product-advice');
      expect(m.txt).toMatch(/^callerid=.*product-advice.*tester-03/m);
      expect(m.seconds).toBeGreaterThanOrEqual(4);
      expect(m.quiet).toBeLessThanOrEqual(IVR_LONGEST_WAIT_S);
      expect(agent.received('INVITE').length).toBeGreaterThanOrEqual(1); // it rang
      expect(agent.received('INVITE')[0]).toMatch(/^X-IVR-Skill: product-advice\r?$/m);
      expect(agent.events.some((e) => e.type === 'CALL_ESTABLISHED')).toBe(false);
      const log = ast.consoleLog();
      expect(log).toMatch(/queue product-advice gave up \(QUEUESTATUS=TIMEOUT\).*overflow to general/);
      expect(log).toMatch(/general queue gave up too \(QUEUESTATUS=JOINEMPTY\) - voicemail of product-advice/);
      console.log(`SIP C: tester-03 → product-advice (agent-2004 rings, no answer) → general → voicemail product-advice, message of ${m.seconds.toFixed(1)} s; longest quiet before the beep ${m.quiet.toFixed(2)} s`);
    },
    120_000,
  );
});
