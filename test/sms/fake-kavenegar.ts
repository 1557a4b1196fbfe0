/**
 * A local fake of a Kavenegar-style SMS gateway: POST /v1/{apikey}/sms/send.json (form fields
 * receptor, message, sender, localid). Answers like Kavenegar; can be told the entry status to report, a
 * return status to refuse with, or a delay. A `localid` seen before sends nothing again: the
 * answer is the first message's (Kavenegar's guard against one message sent twice).
 * GET or POST /v1/{apikey}/sms/statuslocalmessageid.json (localid: one or a comma-separated list)
 * answers from the messages it keeps per localid (status 100 for a localid it never took).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGateway {
  url: string;
  /** messages that went out to a handset */
  sent: { apiKey: string; receptor: string; message: string; sender: string; localid?: string }[];
  /** every send request received (repeats of a localid included) */
  posts: number;
  /** status lookups received (statuslocalmessageid.json) */
  lookups: number;
  /** sets the status the gateway reports for a message it keeps (e.g. 10 once delivered) */
  setStatus(localid: string, status: number): void;
  /** called when a message has gone out, before the gateway answers (a test can kill the sender there) */
  onSent?: (m: FakeGateway['sent'][number]) => void | Promise<void>;
  behave(b: { entryStatus?: number; returnStatus?: number; delayMs?: number }): void;
  close(): Promise<void>;
}

export async function startFakeKavenegar(apiKey = 'test-key'): Promise<FakeGateway> {
  let b: { entryStatus?: number; returnStatus?: number; delayMs?: number } = {};
  let id = 8792343;
  const sent: FakeGateway['sent'] = [];
  type Answer = { return: { status: number; message: string }; entries: { messageid: number; status: number; statustext: string; [k: string]: unknown }[] };
  const byLocalId = new Map<string, Answer>();
  // eslint-disable-next-line prefer-const
  let gw: FakeGateway;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', async () => {
      if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
      const [path, query] = (req.url ?? '').split('?', 2) as [string, string | undefined];
      const m = /^\/v1\/([^/]+)\/sms\/(send|statuslocalmessageid)\.json$/.exec(path);
      const reply = (status: number, json: unknown) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(json));
      };
      if (m?.[2] === 'statuslocalmessageid' && (req.method === 'GET' || req.method === 'POST')) {
        if (decodeURIComponent(m[1]!) !== apiKey) return reply(403, { return: { status: 403, message: 'API key not valid' }, entries: null });
        gw.lookups++;
        if (b.returnStatus && b.returnStatus !== 200) return reply(b.returnStatus, { return: { status: b.returnStatus, message: 'refused' }, entries: null });
        const ids = (new URLSearchParams(req.method === 'GET' ? (query ?? '') : body).get('localid') ?? '').split(',').filter(Boolean);
        if (!ids.length) return reply(400, { return: { status: 400, message: 'parameters incomplete' }, entries: null });
        return reply(200, {
          return: { status: 200, message: 'تایید شد' },
          entries: ids.map((localid) => {
            const e = byLocalId.get(localid)?.entries[0];
            return e ? { messageid: e.messageid, localid, status: e.status, statustext: e.statustext } : { messageid: 0, localid, status: 100, statustext: 'شناسه پیامک نامعتبر است' };
          }),
        });
      }
      if (!m || m[2] !== 'send' || req.method !== 'POST') return reply(404, { return: { status: 404, message: 'method not found' }, entries: null });
      if (decodeURIComponent(m[1]!) !== apiKey) return reply(403, { return: { status: 403, message: 'API key not valid' }, entries: null });
      gw.posts++;
      const f = new URLSearchParams(body);
      const receptor = f.get('receptor') ?? '';
      const localid = f.get('localid') ?? undefined;
      if (b.returnStatus && b.returnStatus !== 200) return reply(b.returnStatus, { return: { status: b.returnStatus, message: 'refused' }, entries: null });
      if (!/^09\d{9}$/.test(receptor)) return reply(411, { return: { status: 411, message: 'receptor not valid' }, entries: null });
      if (localid !== undefined && byLocalId.has(localid)) return reply(200, byLocalId.get(localid));
      const msg = { apiKey: m[1]!, receptor, message: f.get('message') ?? '', sender: f.get('sender') ?? '', ...(localid !== undefined ? { localid } : {}) };
      sent.push(msg);
      const status = b.entryStatus ?? 1;
      const answer: Answer = {
        return: { status: 200, message: 'تایید شد' },
        entries: [{ messageid: id++, message: f.get('message'), status, statustext: 'در صف ارسال', sender: f.get('sender'), receptor, date: 1356619709, cost: 120 }],
      };
      if (localid !== undefined) byLocalId.set(localid, answer);
      await gw.onSent?.(msg);
      reply(200, answer);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  gw = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    posts: 0,
    lookups: 0,
    setStatus: (localid, status) => {
      const e = byLocalId.get(localid)?.entries[0];
      if (!e) throw new Error(`the fake gateway holds no message with localid ${localid}`);
      e.status = status;
    },
    behave: (x) => {
      b = { ...x };
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return gw;
}
