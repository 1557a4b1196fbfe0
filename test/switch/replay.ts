/**
 * Replays a recorded scenario (a conformance fixture's steps) against an ARI server — the built-in
 * switch, or a real Asterisk when recording fixtures afresh — and checks a replay against the
 * recording (replay-check.ts). One home for both uses: test/switch/conformance.test.ts (the switch
 * against the fixtures) and the recorder (record.ts: a live Asterisk driven through the same
 * steps, its answers and events written as a trace, then converted into fixtures).
 *
 * The requests go over raw HTTP (exact statuses and bodies), the events come through the real
 * ari-client, one connection per application.
 */
import type { Fixture, Step, TraceLine } from './convert-traces.ts';
import { ari, connectAri, sleep, waitUntil, type AriClient, type HttpAnswer } from './helpers.ts';

type Json = Record<string, unknown>;

/**
 * Time scale of a replay on the switch. Where Asterisk's recording has two things only ~50 ms apart
 * (the stop of pb-s4a and the arrival of `#`, both timed by the client), the replay runs in
 * real time so that this margin stays above the jitter of a loaded CI machine.
 */
export function replayScale(scenario: string): number {
  return scenario === 'dtmf-sequence-while-playing-queue' ? 1 : 0.1;
}

export interface AriTarget {
  url: string;
  username: string;
  password: string;
}

export interface Replay {
  /** events per application, as ari-client handed them over (wire key order) */
  raw: Record<string, Json[]>;
  /** answers by step id */
  answers: Map<number, HttpAnswer>;
  /** the channel ids behind {caller} and {ivr} */
  ids: Record<string, string>;
  /** what happened, in the trace format of /work/shared/ari-traces (one object a line) */
  trace: TraceLine[];
  /** symbolic ids back in: real channel ids → {caller}/{ivr}, Local channel suffix → * */
  unfill(v: unknown): unknown;
}

/**
 * Runs the steps of `fx` against `target`: each step at its recorded time (scaled) from the start,
 * once what preceded it in the recording has happened here too (the responses and the number of
 * events per application) and a moment after that; absolute times keep the replay's own delays
 * from adding up. Resolves once every request is answered and at least as many events as recorded
 * arrived (then 100 ms more: nothing more may come). Closes its connections.
 */
export async function replay(fx: Fixture, target: AriTarget, scale: number, o: { waitMs?: number; settleMs?: number } = {}): Promise<Replay> {
  const waitMs = o.waitMs ?? 5000;
  const base = target.url;
  const auth = `${target.username}:${target.password}`;
  const apps = [fx.apps.ivr, fx.apps.caller];
  const raw: Record<string, Json[]> = Object.fromEntries(apps.map((a) => [a, []]));
  const conn: Record<string, AriClient> = {};
  const trace: TraceLine[] = [];
  const t0 = performance.now();
  const now = () => Math.round(performance.now() - t0);
  try {
    for (const app of apps) {
      const c = await connectAri(base, target.username, target.password);
      c.on('*', (e) => {
        raw[app]?.push(e);
        trace.push({ t: now(), dir: 'event', ws: app, event: e });
      });
      conn[app] = c;
      if (fx.apps.connectedAtStart.includes(app)) {
        await c.start(app);
        trace.push({ t: now(), dir: 'ws-open', ws: app });
      }
    }

    const ids: Record<string, string> = {};
    const findIds = () => {
      for (const list of Object.values(raw)) {
        for (const e of list) {
          for (const c of [e.channel, e.peer] as (Json | undefined)[]) {
            const n = c?.name as string | undefined;
            if (n?.endsWith(';1')) ids['{caller}'] = String(c?.id);
            if (n?.endsWith(';2')) ids['{ivr}'] = String(c?.id);
          }
        }
      }
    };
    const fill = (s: string) => {
      findIds();
      return s.replace(/\{caller\}|\{ivr\}/g, (m) => ids[m] ?? m);
    };
    const unfill = (v: unknown): unknown => {
      if (typeof v === 'string') {
        let s = v;
        for (const [sym, id] of Object.entries(ids)) s = s.split(id).join(sym);
        return s.replace(/-[0-9a-f]{8};([12])$/, '-*;$1');
      }
      if (Array.isArray(v)) return v.map(unfill);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unfill(x)]));
      return v;
    };

    const answers = new Map<number, HttpAnswer>();
    const inflight: Promise<void>[] = [];
    const describeWait = (s: Step) => () =>
      `${JSON.stringify(s.waitFor)} before ${s.kind === 'request' ? `${s.method} ${s.path}` : `${s.kind} ${s.app}`}; ` +
      `got responses ${JSON.stringify([...answers.keys()])}, events ${JSON.stringify(Object.fromEntries(Object.entries(raw).map(([a, l]) => [a, l.map((e) => e.type)])))}`;

    for (const step of fx.steps) {
      await waitUntil(
        () => step.waitFor.responses.every((id) => answers.has(id)) && Object.entries(step.waitFor.events).every(([a, n]) => (raw[a]?.length ?? 0) >= n),
        waitMs,
        describeWait(step),
      );
      const due = t0 + step.t * scale - performance.now();
      await sleep(Math.max(due, Math.min(step.gapMs * scale, 5)));
      if (step.kind === 'request') {
        const query = Object.fromEntries(Object.entries(step.query).map(([k, v]) => [k, typeof v === 'string' ? fill(v) : v]));
        const path = fill(step.path);
        trace.push({ t: now(), dir: 'request', side: step.side, method: step.method, path, query });
        const p = ari(base, step.method, path, query, auth).then((a) => {
          answers.set(step.id, a);
          trace.push({ t: now(), dir: 'response', side: step.side, method: step.method, path, status: a.status, body: a.body });
          if (step.id === 0 && a.body && typeof a.body === 'object') ids['{caller}'] = String((a.body as Json).id);
        });
        inflight.push(p);
      } else if (step.kind === 'ws-closed') {
        conn[step.app]?.stop();
        trace.push({ t: now(), dir: 'ws-closed', ws: step.app });
      } else {
        await conn[step.app]?.start(step.app);
        trace.push({ t: now(), dir: 'ws-open', ws: step.app });
      }
    }
    await Promise.all(inflight);
    const expectedCount = (a: string) => fx.events[a]?.length ?? 0;
    await waitUntil(
      () => apps.every((a) => (raw[a]?.length ?? 0) >= expectedCount(a)),
      waitMs,
      () => `all events: ${JSON.stringify(Object.fromEntries(Object.entries(raw).map(([a, l]) => [a, `${l.length}/${expectedCount(a)}`])))}`,
    );
    await sleep(o.settleMs ?? 100); // nothing more may come
    return { raw, answers, ids, trace: [...trace].sort((a, b) => a.t - b.t), unfill };
  } finally {
    for (const c of Object.values(conn)) {
      try {
        c.stop();
      } catch {
        // already stopped
      }
    }
  }
}
