/**
 * docker/cluster/kamailio.cfg running for real: Kamailio with two fake Asterisks (UDP sockets on
 * 127.0.0.2 and 127.0.0.3 that answer like an Asterisk would), a phone (a UDP socket on 127.0.0.1)
 * and the subscriber table in a throw-away PostgreSQL filled by docker/cluster/postgres/*.
 * Checks dispatching, failover, REGISTER digest auth, and calls from an Asterisk to a registered
 * phone. Skipped, with the reason, without kamailio or the PostgreSQL server binaries.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalPostgres, pgSkipReason, startLocalPostgres } from './local-postgres.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cluster = join(root, 'docker', 'cluster');
const hasKamailio = spawnSync('kamailio', ['-v'], { encoding: 'utf8' }).status === 0;
const skipReason = !hasKamailio ? 'kamailio is not installed (apt-get install kamailio kamailio-postgres-modules)' : pgSkipReason;
const PASSWORD = 'lab-password-123';

/** A free TCP port on 127.0.0.1 (Kamailio listens on it for UDP and TCP, PostgreSQL on another). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

interface Sip {
  first: string;
  headers: [string, string][];
  get(name: string): string | undefined;
  all(name: string): string[];
}
function parse(text: string): Sip {
  const [head = ''] = text.split('\r\n\r\n');
  const [first = '', ...lines] = head.split('\r\n');
  const headers = lines.map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as [string, string];
  });
  return {
    first,
    headers,
    get: (n) => headers.find(([k]) => k === n.toLowerCase())?.[1],
    all: (n) => headers.filter(([k]) => k === n.toLowerCase()).map(([, v]) => v),
  };
}

/** A UDP SIP endpoint that collects what it receives. */
class Endpoint {
  readonly received: { msg: Sip; raw: string }[] = [];
  private waiters: { pred: (m: Sip) => boolean; resolve: (m: Sip) => void }[] = [];
  constructor(
    readonly socket: Socket,
    readonly host: string,
    readonly port: number,
  ) {
    socket.on('message', (buf) => {
      const raw = buf.toString();
      const msg = parse(raw);
      this.received.push({ msg, raw });
      this.onMessage?.(msg);
      this.waiters = this.waiters.filter((w) => (w.pred(msg) ? (w.resolve(msg), false) : true));
    });
  }
  onMessage?: (m: Sip) => void;
  static async open(host: string): Promise<Endpoint> {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, host, r));
    return new Endpoint(s, host, s.address().port);
  }
  send(text: string, port: number, host = '127.0.0.1'): void {
    this.socket.send(Buffer.from(text), port, host);
  }
  wait(pred: (m: Sip) => boolean, ms = 8000): Promise<Sip> {
    const seen = this.received.find((r) => pred(r.msg));
    if (seen) return Promise.resolve(seen.msg);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (m: Sip) => (clearTimeout(t), resolve(m)) };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`${this.host}:${this.port}: no matching SIP message within ${ms} ms; got: ${this.received.map((r) => r.msg.first).join(' | ')}`));
      }, ms);
      this.waiters.push(w);
    });
  }
  close(): void {
    this.socket.close();
  }
}

/** Answers like an Asterisk: 200 to OPTIONS (dispatcher probing), `inviteCode` to INVITE. */
function fakeAsterisk(ep: Endpoint, kamailioPort: number): { inviteCode: number } {
  const state = { inviteCode: 486 };
  ep.onMessage = (m) => {
    const method = m.first.split(' ')[0];
    if (!m.first.endsWith('SIP/2.0') || method === 'ACK') return;
    const code = method === 'INVITE' ? state.inviteCode : 200;
    const reason = { 200: 'OK', 486: 'Busy Here', 503: 'Service Unavailable' }[code] ?? 'Whatever';
    const lines = [`SIP/2.0 ${code} ${reason}`];
    for (const v of m.all('via')) lines.push(`Via: ${v}`);
    lines.push(`From: ${m.get('from')}`, `To: ${m.get('to')};tag=ast${randomBytes(3).toString('hex')}`, `Call-ID: ${m.get('call-id')}`, `CSeq: ${m.get('cseq')}`, 'Content-Length: 0', '', '');
    ep.send(lines.join('\r\n'), kamailioPort);
  };
  return state;
}

function request(method: string, uri: string, from: Endpoint, o: { user: string; callId: string; cseq?: number; to?: string; headers?: string[] }): string {
  return [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${from.host}:${from.port};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
    'Max-Forwards: 70',
    `From: <sip:${o.user}@127.0.0.1>;tag=${randomBytes(4).toString('hex')}`,
    `To: <${o.to ?? uri}>`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq ?? 1} ${method}`,
    `Contact: <sip:${o.user}@${from.host}:${from.port}>`,
    ...(o.headers ?? []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const status = (m: Sip): number => Number(m.first.split(' ')[1]);
const isResponseTo = (callId: string, min = 200) => (m: Sip) => m.first.startsWith('SIP/2.0') && m.get('call-id') === callId && status(m) >= min;

describe.skipIf(skipReason !== null)(`docker/cluster/kamailio.cfg live${skipReason ? ` — skipped: ${skipReason}` : ''}`, () => {
  let pg: LocalPostgres;
  let kamailio: ChildProcess;
  let port = 0;
  let astA: Endpoint, astB: Endpoint, phone: Endpoint;
  let a: { inviteCode: number };
  let work = '';
  let log = '';

  beforeAll(async () => {
    pg = startLocalPostgres({ tcpPort: await freePort() });
    pg.psql(['-f', join(cluster, 'postgres', '10-kamailio.sql')]);
    const fill = spawnSync('sh', [join(cluster, 'postgres', '20-subscribers.sh')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, PJSIP_CONF: join(root, 'dialplan', 'pjsip.conf'), PJSIP_PASSWORD_DEFAULT: PASSWORD, POSTGRES_USER: 'ivr', POSTGRES_DB: 'postgres', PGHOST: pg.dir, PGPORT: String(pg.port) },
    });
    if (fill.status !== 0) throw new Error(`20-subscribers.sh failed: ${fill.stderr}`);

    port = await freePort();
    astA = await Endpoint.open('127.0.0.2');
    astB = await Endpoint.open('127.0.0.3');
    phone = await Endpoint.open('127.0.0.1');
    a = fakeAsterisk(astA, port);
    fakeAsterisk(astB, port); // B answers with its default (486 Busy) throughout
    work = mkdtempSync(join(tmpdir(), 'ivr-kam-'));
    const list = join(work, 'dispatcher.list');
    writeFileSync(list, `1 sip:127.0.0.2:${astA.port} 0 0\n1 sip:127.0.0.3:${astB.port} 0 0\n`);
    kamailio = spawn(
      'kamailio',
      ['-DD', '-E', '-f', join(cluster, 'kamailio.cfg'), '-Y', work, '-A', `DISPATCHER_LIST="${list}"`, '-A', `LISTEN_UDP=udp:127.0.0.1:${port}`, '-A', `LISTEN_TCP=tcp:127.0.0.1:${port}`],
      { env: { ...process.env, KAMAILIO_DB_URL: `postgres://ivr@127.0.0.1:${pg.port}/postgres` }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    kamailio.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    // ready when it answers a keepalive OPTIONS
    for (let i = 0; i < 50; i++) {
      phone.send(request('OPTIONS', `sip:127.0.0.1:${port}`, phone, { user: 'probe', callId: `ka-${i}` }), port);
      try {
        await phone.wait(isResponseTo(`ka-${i}`), 200);
        return;
      } catch {
        if (kamailio.exitCode !== null) break;
      }
    }
    throw new Error(`kamailio did not start:\n${log.slice(-3000)}`);
  }, 30_000);

  afterAll(() => {
    kamailio?.kill('SIGTERM');
    for (const e of [astA, astB, phone]) e?.close();
    pg?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('sends a phone call to an Asterisk of the set, record-routed, and relays the answer', async () => {
    phone.send(request('INVITE', `sip:1699@127.0.0.1:${port}`, phone, { user: 'tester-01', callId: 'call-1' }), port);
    const answer = await phone.wait(isResponseTo('call-1'));
    expect(answer.first).toBe('SIP/2.0 486 Busy Here');
    const got = [...astA.received, ...astB.received].filter((r) => r.msg.first.startsWith('INVITE ') && r.msg.get('call-id') === 'call-1');
    expect(got).toHaveLength(1);
    expect(got[0]?.msg.first).toBe('INVITE sip:1699@127.0.0.1:' + port + ' SIP/2.0');
    expect(got[0]?.msg.get('record-route')).toContain(`127.0.0.1:${port}`);
  });

  it('spreads calls over both Asterisks (round robin)', async () => {
    for (const id of ['call-2', 'call-3']) {
      phone.send(request('INVITE', `sip:1699@127.0.0.1:${port}`, phone, { user: 'tester-01', callId: id }), port);
      await phone.wait(isResponseTo(id));
    }
    const invites = (e: Endpoint) => e.received.filter((r) => r.msg.first.startsWith('INVITE ') && /^call-[123]$/.test(r.msg.get('call-id') ?? '')).length;
    expect(invites(astA)).toBeGreaterThan(0);
    expect(invites(astB)).toBeGreaterThan(0);
  });

  it('fails over to the other Asterisk when one answers 503', async () => {
    a.inviteCode = 503;
    try {
      const ids: string[] = [];
      // round robin: within two calls one is first sent to asterisk A
      for (const id of ['fo-1', 'fo-2']) {
        ids.push(id);
        phone.send(request('INVITE', `sip:1699@127.0.0.1:${port}`, phone, { user: 'tester-02', callId: id }), port);
        const answer = await phone.wait(isResponseTo(id));
        expect(answer.first).toBe('SIP/2.0 486 Busy Here'); // from B: the 503 never reaches the phone
        if (astA.received.some((r) => r.msg.get('call-id') === id)) break;
      }
      const failedOver = ids.filter((id) => astA.received.some((r) => r.msg.first.startsWith('INVITE ') && r.msg.get('call-id') === id));
      expect(failedOver).toHaveLength(1);
      expect(astB.received.some((r) => r.msg.first.startsWith('INVITE ') && r.msg.get('call-id') === failedOver[0])).toBe(true);
    } finally {
      a.inviteCode = 486;
    }
  });

  it('registers a phone with digest auth against the subscriber table, refusing a wrong password', async () => {
    const uri = `sip:127.0.0.1:${port}`;
    const reg = (cseq: number, extra: string[] = []) =>
      request('REGISTER', uri, phone, { user: 'agent-2003', callId: 'reg-1', cseq, to: 'sip:agent-2003@127.0.0.1', headers: ['Expires: 300', ...extra] });
    phone.send(reg(1), port);
    const challenge = await phone.wait((m) => isResponseTo('reg-1')(m) && m.get('cseq') === '1 REGISTER');
    expect(status(challenge)).toBe(401);
    const www = challenge.get('www-authenticate') ?? '';
    const realm = /realm="([^"]+)"/.exec(www)?.[1] ?? '';
    const nonce = /nonce="([^"]+)"/.exec(www)?.[1] ?? '';
    expect(realm).toBe('127.0.0.1');
    const auth = (password: string) => {
      const response = md5(`${md5(`agent-2003:${realm}:${password}`)}:${nonce}:${md5(`REGISTER:${uri}`)}`);
      return `Authorization: Digest username="agent-2003", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5`;
    };
    phone.send(reg(2, [auth('not-the-password')]), port);
    expect(status(await phone.wait((m) => isResponseTo('reg-1')(m) && m.get('cseq') === '2 REGISTER'))).toBe(401);
    phone.send(reg(3, [auth(PASSWORD)]), port);
    const ok = await phone.wait((m) => isResponseTo('reg-1')(m) && m.get('cseq') === '3 REGISTER');
    expect(ok.first).toBe('SIP/2.0 200 OK');
    expect(ok.get('contact')).toContain(`sip:agent-2003@127.0.0.1:${phone.port}`);
  });

  it('lets an Asterisk reach a registered phone through the location table, and says 404 for one that is not', async () => {
    // the aor contact the Asterisk entrypoint writes in the cluster: sip:<account>@kamailio:5060
    astA.send(request('INVITE', `sip:agent-2003@kamailio:5060`, astA, { user: 'asterisk', callId: 'to-agent' }), port);
    const inv = await phone.wait((m) => m.first.startsWith('INVITE ') && m.get('call-id') === 'to-agent');
    expect(inv.first).toBe(`INVITE sip:agent-2003@127.0.0.1:${phone.port} SIP/2.0`);
    astA.send(request('INVITE', `sip:agent-2009@kamailio:5060`, astA, { user: 'asterisk', callId: 'to-nobody' }), port);
    const nf = await astA.wait(isResponseTo('to-nobody'));
    expect(nf.first).toBe('SIP/2.0 404 Not Registered');
  });
});
