/**
 * A local fake of a Kavenegar-style SMS gateway: POST /v1/{apikey}/sms/send.json (form fields
 * receptor, message, sender, localid). Answers like Kavenegar; can be told the entry status to report, a
 * return status to refuse with, or a delay. A `localid` seen before sends nothing again: the
 * answer is the first message's (Kavenegar's guard against one message sent twice).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGateway {
  url: string;
  /** messages that went out to a handset */
  sent: { apiKey: string; receptor: string; message: string; sender: string; localid?: string }[];
  /** every send request received (repeats of a localid included) */
  posts: number;
  /** called when a message has gone out, before the gateway answers (a test can kill the sender there) */
  onSent?: (m: FakeGateway['sent'][number]) => void | Promise<void>;
  behave(b: { entryStatus?: number; returnStatus?: number; delayMs?: number }): void;
  close(): Promise<void>;
}

export async function startFakeKavenegar(apiKey = 'test-key'): Promise<FakeGateway> {
  let b: { entryStatus?: number; returnStatus?: number; delayMs?: number } = {};
  let id = 8792343;
  const sent: FakeGateway['sent'] = [];
  const byLocalId = new Map<string, unknown>();
  // eslint-disable-next-line prefer-const
  let gw: FakeGateway;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', async () => {
      if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
      const m = /^\/v1\/([^/]+)\/sms\/send\.json$/.exec(req.url ?? '');
      const reply = (status: number, json: unknown) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(json));
      };
      if (!m || req.method !== 'POST') return reply(404, { return: { status: 404, message: 'method not found' }, entries: null });
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
      const answer = {
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
