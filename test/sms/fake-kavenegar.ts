/**
 * A local fake of a Kavenegar-style SMS gateway: POST /v1/{apikey}/sms/send.json (form fields
 * receptor, message, sender). Answers like Kavenegar; can be told the entry status to report, a
 * return status to refuse with, or a delay.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGateway {
  url: string;
  sent: { apiKey: string; receptor: string; message: string; sender: string }[];
  behave(b: { entryStatus?: number; returnStatus?: number; delayMs?: number }): void;
  close(): Promise<void>;
}

export async function startFakeKavenegar(apiKey = 'test-key'): Promise<FakeGateway> {
  let b: { entryStatus?: number; returnStatus?: number; delayMs?: number } = {};
  let id = 8792343;
  const sent: FakeGateway['sent'] = [];
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
      const f = new URLSearchParams(body);
      const receptor = f.get('receptor') ?? '';
      if (b.returnStatus && b.returnStatus !== 200) return reply(b.returnStatus, { return: { status: b.returnStatus, message: 'refused' }, entries: null });
      if (!/^09\d{9}$/.test(receptor)) return reply(411, { return: { status: 411, message: 'receptor not valid' }, entries: null });
      sent.push({ apiKey: m[1]!, receptor, message: f.get('message') ?? '', sender: f.get('sender') ?? '' });
      const status = b.entryStatus ?? 1;
      reply(200, {
        return: { status: 200, message: 'تایید شد' },
        entries: [{ messageid: id++, message: f.get('message'), status, statustext: 'در صف ارسال', sender: f.get('sender'), receptor, date: 1356619709, cost: 120 }],
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    behave: (x) => {
      b = { ...x };
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
