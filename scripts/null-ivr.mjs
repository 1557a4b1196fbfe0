// The floor for issue 14's CPU target: the least a Node ARI controller can do for the bench's refund
// call ("3 4 0499370899# 1403001234# 1") on a real Asterisk, run in place of `ivr-1699 serve` by
// `ivr-1699 bench --asterisk HOME --service-script scripts/null-ivr.mjs`.
//
// It receives the same events (the same ARI event filter) and sends the same REST requests, in the
// same order, as the service did for that call (traced at 528c89b: per call 37 events and 24
// requests of the channel plus 5 playback stops): answer, 9 prompts each set up by the IVR_STATE
// variable the test caller keys on, a playback stop at every barge-in, the TIMEOUT(absolute) watchdog
// pushed as the service pushes it, hang-up. What it leaves out is everything the service decides:
// no flow engine, no policy, no store, no SMS, no logs, no metrics, no validation of events, one
// shared timer. The REST client and the WebSocket are the service's own (dist/ari/rest.js, ws).
// NULL_IVR_TRANSPORT=websocket sends the same requests over the events WebSocket instead of HTTP
// (ARI's REST over WebSocket: RESTRequest / RESTResponse messages, Asterisk 20.14, 21.9, 22.4 and
// later), to measure what that transport would save (docs/performance.md "Session 9": nothing).
// Not a product: the script is fixed to that one call and answers /health and /metrics/latency
// only as far as the bench asks.
//
//   npm run build && npx ivr-1699 bench --asterisk /opt/ast/asterisk-22.10.1 --steps 20 --burst --json \
//     --service-script scripts/null-ivr.mjs
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

// the compiled adapter (npm install builds dist/; `npm run build` after a change)
const [{ AriRest }, { operationSpec }, { STASIS_APP_EVENTS }] = await Promise.all([import('../dist/ari/rest.js'), import('../dist/ari/operations.js'), import('../dist/ari/stasis-app.js')]).catch((e) => {
  process.stderr.write(`null-ivr: dist/ is missing or broken (run npm run build): ${e.message}\n`);
  process.exit(2);
});

const base = process.env.ARI_URL ?? 'http://127.0.0.1:8088';
const username = process.env.ARI_USERNAME ?? 'ivr';
const password = process.env.ARI_PASSWORD ?? '';
const app = process.env.ARI_APP ?? 'ivr-1699';
const rest = new AriRest({ base, username, password });
const op = (r, o) => operationSpec(r, o);
const SET = op('channels', 'setChannelVar');
const ANSWER = op('channels', 'answer');
const PLAY = op('channels', 'playWithId');
const STOP = op('playbacks', 'stop');
const HANGUP = op('channels', 'hangup');
const FILTER = op('applications', 'filter');
let requests = 0;
let events = 0;
// NULL_IVR_TRANSPORT (see the head of this file); the path, query and body are split as
// dist/ari/rest.js does for HTTP, without its checks (this script's requests are fixed)
const overWs = process.env.NULL_IVR_TRANSPORT === 'websocket';
const pendingWs = new Map();
let wsSerial = 0;
function wsCall(spec, params) {
  let uri = '';
  for (let i = 0; i < spec.segments.length; i++) {
    const seg = spec.segments[i];
    uri += i % 2 === 0 ? seg : encodeURIComponent(String(params[seg]));
  }
  uri = uri.replace(/^\/?(ari\/)?/, '');
  let query = '';
  let body;
  for (const k in params) {
    const v = params[k];
    if (v === undefined) continue;
    if (spec.query.has(k)) query += (query ? '&' : '?') + k + '=' + encodeURIComponent(Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v));
    else if (k === spec.wholeBody) body = v;
    else if (spec.body.has(k)) (body ??= {})[k] = v;
  }
  const id = String(++wsSerial);
  const msg = { type: 'RESTRequest', request_id: id, method: spec.method, uri: uri + query };
  if (body !== undefined) {
    msg.content_type = 'application/json';
    msg.message_body = JSON.stringify(body);
  }
  return new Promise((resolve, reject) => {
    // the same 10 s as the HTTP path; an answer that never comes fails the request, as there
    const timer = setTimeout(() => pendingWs.delete(id) && reject(new Error(`${spec.name}: no RESTResponse in 10 s`)), 10_000);
    pendingWs.set(id, { resolve, reject, timer });
    ws.send(JSON.stringify(msg));
  });
}
const call = (spec, params) => {
  requests++;
  return overWs ? wsCall(spec, params) : rest.call(spec, params, 10_000);
};

const S = (names) => names.map((n) => `sound:ivr-1699/${n}`).join(',');
const NID = '0 4 9 pause/group 9 3 7 0 8 9 pause/group 9'.split(' ').map((d) => (d.includes('/') ? d : `digit/${d}`));
const ANSWER_MEDIA = (n) => S(['refund-credit-balance', 'num/300-o', 'num/50', 'num/1000', 'word/toman', 'refund-credit-registered', 'request-registered', `num/${n}`, 'star-to-repeat']);
const done = '|refund|0499370899|1403001234|A6|refund-registered|refund-request|follow-up';
// each step: variables set one after the other, then one playback; `keys`: the caller's keys that end
// the step (1, or 10 digits ended by the length, its # swallowed); `wait`: ms before the step's prompt
const STEPS = [
  { vars: [], media: () => S(['welcome']) },
  { vars: [['IVR_STATE', 'L|main-menu|||||||||']], media: () => S(['main-menu']), keys: 1 },
  { vars: [['IVR_STATE', 'L|menu-after|||||||||'], ['TIMEOUT(absolute)', '43']], media: () => S(['menu-after']), keys: 1 },
  { vars: [['IVR_STATE', 'L|national-id|refund||||||||'], ['TIMEOUT(absolute)', '30']], media: () => S(['enter-national-id']), keys: 10 },
  { vars: [], media: () => S(['you-entered', ...NID]) },
  { vars: [['IVR_STATE', 'L|order-number|refund|0499370899|||||||']], media: () => S(['enter-order-number']), keys: 10 },
  { vars: [['IVR_STATE', 'L|question-refund-wallet|refund|0499370899|1403001234||||||']], media: () => S(['refund-ask-wallet']), keys: 1 },
  { vars: (c) => [['IVR_STATE', `-|question-refund-wallet${done}|R-${c.n}|`], ['TIMEOUT(absolute)', '30']], media: (c) => ANSWER_MEDIA(c.n) },
  { vars: (c) => [['IVR_STATE', `L|hear-again${done}|R-${c.n}|`]], wait: 4000, media: () => S(['goodbye']) },
];

const calls = new Map();
let serial = 0;

class Call {
  constructor(id) {
    this.id = id;
    this.n = String(++serial).padStart(6, '0');
    this.step = 0;
    this.playing = null; // playback id while a prompt plays
    this.stopping = false;
    this.keys = 0; // keys still wanted by the step
    this.advanceWhenQuiet = false;
    this.swallowHash = false; // the # after an entry ended by its length (as the service's armSwallow)
    this.pushedAt = Date.now();
    this.queue = Promise.resolve();
    this.gone = false;
  }
  send(spec, params) {
    this.queue = this.queue.then(() => (this.gone ? undefined : call(spec, params).catch(() => undefined)));
    return this.queue;
  }
  start() {
    // the dialplan armed TIMEOUT(absolute) before Stasis(): no push at once (as the service since bd6914a)
    this.send(ANSWER, { channelId: this.id });
    this.run();
  }
  run() {
    const st = STEPS[this.step];
    if (!st) {
      this.send(HANGUP, { channelId: this.id, reason: 'normal' });
      return;
    }
    const vars = typeof st.vars === 'function' ? st.vars(this) : st.vars;
    for (const [variable, value] of vars) {
      if (variable === 'TIMEOUT(absolute)') this.pushedAt = Date.now();
      this.send(SET, { channelId: this.id, variable, value });
    }
    this.keys = st.keys ?? 0;
    const play = () => {
      const pb = randomUUID();
      this.playing = pb;
      this.send(PLAY, { channelId: this.id, playbackId: pb, media: st.media(this), lang: 'fa' });
    };
    if (st.wait) setTimeout(play, st.wait);
    else play();
  }
  next() {
    this.step++;
    this.advanceWhenQuiet = false;
    this.run();
  }
  onFinished(pb) {
    if (pb !== this.playing) return;
    this.playing = null;
    this.stopping = false;
    // a prompt without keys ends its step; a step whose keys are in waits for its stopped prompt
    if (this.keys === 0 && !this.advanceWhenQuiet && !STEPS[this.step].keys) this.next();
    else if (this.advanceWhenQuiet) this.next();
  }
  onDtmf(digit) {
    if (digit === '#' && this.swallowHash) {
      this.swallowHash = false;
      return;
    }
    if (this.keys === 0) return; // not listening (the # after a full entry)
    if (this.playing && !this.stopping) {
      this.stopping = true;
      this.send(STOP, { playbackId: this.playing });
    }
    if (--this.keys > 0) return;
    if (STEPS[this.step].keys > 1) this.swallowHash = true;
    if (this.playing) this.advanceWhenQuiet = true;
    else this.next();
  }
}

// one timer for every call's watchdog: pushed again when the last push is 15 s old (as the service)
setInterval(() => {
  const now = Date.now();
  for (const c of calls.values()) {
    if (!c.playing && now - c.pushedAt > 15_000) {
      c.pushedAt = now;
      c.send(SET, { channelId: c.id, variable: 'TIMEOUT(absolute)', value: '30' });
    }
  }
}, 5000).unref();

const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ari/events?app=${encodeURIComponent(app)}&api_key=${encodeURIComponent(`${username}:${password}`)}`);
ws.on('message', (data) => {
  const e = JSON.parse(data.toString('utf8'));
  if (e.type === 'RESTResponse') {
    const p = pendingWs.get(e.request_id);
    pendingWs.delete(e.request_id);
    if (!p) return;
    clearTimeout(p.timer);
    if (e.status_code >= 300) p.reject(new Error(`${e.status_code} ${e.reason_phrase} ${e.uri} ${e.message_body ?? ''}`));
    else p.resolve(e.message_body);
    return;
  }
  events++;
  switch (e.type) {
    case 'StasisStart': {
      const c = new Call(e.channel.id);
      calls.set(c.id, c);
      c.start();
      break;
    }
    case 'ChannelDtmfReceived':
      calls.get(e.channel.id)?.onDtmf(e.digit);
      break;
    case 'PlaybackFinished': {
      const id = e.playback.target_uri.replace(/^channel:/, '');
      calls.get(id)?.onFinished(e.playback.id);
      break;
    }
    case 'ChannelHangupRequest':
    case 'StasisEnd':
    case 'ChannelDestroyed': {
      const c = calls.get(e.channel.id);
      if (c) {
        c.gone = true;
        calls.delete(c.id);
      }
      break;
    }
  }
});
const ready = new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
await ready;
await call(FILTER, { applicationName: app, filter: { allowed: [...STASIS_APP_EVENTS, ...(overWs ? ['RESTResponse'] : [])].map((type) => ({ type })), disallowed: [] } });

const empty = { count: 0, sumMs: 0, maxMs: 0, buckets: [] };
createServer((req, res) => {
  const url = (req.url ?? '/').split('?')[0];
  res.writeHead(200, { 'content-type': 'application/json' });
  if (url === '/metrics/latency') res.end(JSON.stringify({ runtime: 'null-ivr', pid: process.pid, activeCalls: calls.size, ariRequests: requests, ariEvents: events, eventToCommand: empty }));
  else res.end('{"status":"ok"}');
}).listen(Number(process.env.HTTP_PORT ?? 8080), process.env.HTTP_HOST ?? '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
