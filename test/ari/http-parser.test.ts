/**
 * The REST client's HTTP/1.1 response parser (src/ari/http-parser.ts): what Asterisk 22 and the
 * built-in switch send, split across reads at every byte, chunked bodies, bodies until close,
 * keep-alive and close, and malformed answers. The feeding helper reuses one buffer and scribbles
 * over it after each feed, as the client does with its shared read buffer: nothing may be kept
 * pointing into it.
 */
import { describe, expect, it } from 'vitest';
import { BAD, DONE, NEED_MORE, ResponseParser } from '../../src/ari/http-parser.ts';

// recorded from Asterisk 22.10.1 (raw socket, see the REST client's notes) and the switch (node:http)
const ASTERISK_200 =
  'HTTP/1.1 200 OK\r\nServer: Asterisk/22.10.1\r\nDate: Tue, 01 Dec 2026 02:15:56 GMT\r\nCache-Control: no-cache, no-store\r\nContent-type: application/json\r\nContent-Length: 92\r\n\r\n{"ping":"pong","timestamp":"2026-12-01T02:15:58.863+0000","asterisk_id":"02:fc:00:00:00:01"}';
const ASTERISK_204 = 'HTTP/1.1 204 No Content\r\nServer: Asterisk/22.10.1\r\nDate: Tue, 01 Dec 2026 02:15:56 GMT\r\nCache-Control: no-cache, no-store\r\nContent-Length: 0\r\n\r\n';
const ASTERISK_404 =
  'HTTP/1.1 404 Not Found\r\nServer: Asterisk/22.10.1\r\nDate: Tue, 01 Dec 2026 02:15:57 GMT\r\nCache-Control: no-cache, no-store\r\nContent-type: application/json\r\nContent-Length: 31\r\n\r\n{"message":"Channel not found"}';
const SWITCH_204 = 'HTTP/1.1 204 No Content\r\nServer: Asterisk/22.10.1\r\nCache-Control: no-cache, no-store\r\nDate: Tue, 01 Dec 2026 02:15:56 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n';
const CHUNKED_BODY = JSON.stringify({ a: 'é\r\nxxxxxxxxx', b: 'شماره' });
/** the body in chunks of 7, 10, 1, ... bytes (a character cut between chunks), with an extension and a trailer */
const CHUNKED = ((): string => {
  const b = Buffer.from(CHUNKED_BODY, 'utf8');
  let out = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nTRANSFER-ENCODING: chunked\r\n\r\n';
  const sizes = [7, 10, 1];
  for (let at = 0, i = 0; at < b.length; i++) {
    const n = Math.min(sizes[i % 3]!, b.length - at);
    out += n.toString(16) + (i === 0 ? ';ext=1' : '') + '\r\n' + b.subarray(at, at + n).toString('latin1') + '\r\n';
    at += n;
  }
  return out + '0\r\nX-Trailer: 1\r\n\r\n';
})();

const shared = Buffer.alloc(4096);

/** feeds `parts` one after another through the shared buffer; returns the last result */
function feedAll(p: ResponseParser, parts: Buffer[]): number {
  let r = NEED_MORE;
  for (const part of parts) {
    part.copy(shared, 0);
    r = p.feed(shared, 0, part.length);
    shared.fill(0x7e); // the next read overwrites the buffer
    if (r !== NEED_MORE) return r;
  }
  return r;
}

function bytes(s: string): Buffer {
  // CHUNKED holds raw bytes as latin1 text
  return s === CHUNKED ? Buffer.from(s, 'latin1') : Buffer.from(s, 'utf8');
}

describe('ResponseParser', () => {
  it("reads Asterisk's answers: 200 with a JSON body, 204 with Content-Length: 0, 404", () => {
    const p = new ResponseParser();
    expect(feedAll(p, [bytes(ASTERISK_200)])).toBe(DONE);
    expect(p.status).toBe(200);
    expect(JSON.parse(p.body)).toMatchObject({ ping: 'pong' });
    expect(p.keepAlive).toBe(true);
    expect(p.keepAliveMs).toBe(0);
    expect(p.extra).toBe(0);
    expect(feedAll(p, [bytes(ASTERISK_204)])).toBe(DONE);
    expect([p.status, p.body]).toEqual([204, '']);
    expect(feedAll(p, [bytes(ASTERISK_404)])).toBe(DONE);
    expect([p.status, p.body]).toEqual([404, '{"message":"Channel not found"}']);
  });

  it("reads the switch's 204 without a length, and its Keep-Alive timeout hint", () => {
    const p = new ResponseParser();
    expect(feedAll(p, [bytes(SWITCH_204)])).toBe(DONE);
    expect([p.status, p.body, p.keepAlive, p.keepAliveMs]).toEqual([204, '', true, 5000]);
  });

  it('gives the same answer however the bytes are split across reads (every split point, and byte by byte)', () => {
    for (const text of [ASTERISK_200, ASTERISK_204, ASTERISK_404, SWITCH_204, CHUNKED]) {
      const whole = bytes(text);
      const ref = new ResponseParser();
      expect(feedAll(ref, [whole])).toBe(DONE);
      for (let i = 1; i < whole.length; i++) {
        for (let j = i; j < whole.length; j += Math.max(1, Math.floor(whole.length / 7))) {
          const p = new ResponseParser();
          const r = feedAll(p, [whole.subarray(0, i), whole.subarray(i, j), whole.subarray(j)].filter((b) => b.length > 0));
          expect(r, `${JSON.stringify(text.slice(0, 12))} split at ${i}, ${j}`).toBe(DONE);
          expect([p.status, p.body, p.keepAlive, p.extra]).toEqual([ref.status, ref.body, ref.keepAlive, 0]);
        }
      }
      const p = new ResponseParser();
      const single = [...whole].map((b) => Buffer.from([b]));
      expect(feedAll(p, single)).toBe(DONE);
      expect([p.status, p.body]).toEqual([ref.status, ref.body]);
    }
  });

  it('a UTF-8 character split between two reads survives', () => {
    const body = JSON.stringify({ v: 'شماره ملی' });
    const whole = bytes(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const at = whole.indexOf(Buffer.from('ش', 'utf8')) + 1; // inside the two-byte character
    const p = new ResponseParser();
    expect(feedAll(p, [whole.subarray(0, at), whole.subarray(at)])).toBe(DONE);
    expect(JSON.parse(p.body)).toEqual({ v: 'شماره ملی' });
  });

  it('decodes chunked bodies (chunk extensions and trailers ignored)', () => {
    const p = new ResponseParser();
    expect(feedAll(p, [bytes(CHUNKED)])).toBe(DONE);
    expect(p.status).toBe(200);
    expect(p.body).toBe(CHUNKED_BODY);
    expect(JSON.parse(p.body)).toEqual({ a: 'é\r\nxxxxxxxxx', b: 'شماره' });
  });

  it('Connection: close and HTTP/1.0 end the connection; HTTP/1.0 with keep-alive does not', () => {
    const p = new ResponseParser();
    expect(feedAll(p, [bytes('HTTP/1.1 200 OK\r\nCONNECTION: Close\r\nContent-Length: 2\r\n\r\n{}')])).toBe(DONE);
    expect(p.keepAlive).toBe(false);
    p.reset();
    expect(feedAll(p, [bytes('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}')])).toBe(DONE);
    expect(p.keepAlive).toBe(false);
    p.reset();
    expect(feedAll(p, [bytes('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}')])).toBe(DONE);
    expect(p.keepAlive).toBe(true);
  });

  it('a body without a length runs until the connection closes', () => {
    const p = new ResponseParser();
    expect(feedAll(p, [bytes('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"a"'), bytes(':1}')])).toBe(NEED_MORE);
    expect(p.end()).toBe(DONE);
    expect([p.status, p.body, p.keepAlive]).toEqual([200, '{"a":1}', false]);
  });

  it('skips an interim 100 Continue', () => {
    const p = new ResponseParser();
    expect(feedAll(p, [bytes('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')])).toBe(DONE);
    expect([p.status, p.body]).toEqual([200, 'ok']);
  });

  it('counts bytes after the answer (a server must send none: the connection is not reused)', () => {
    const p = new ResponseParser();
    expect(feedAll(p, [bytes(ASTERISK_204 + 'HTTP/1.1')])).toBe(DONE);
    expect(p.extra).toBe(8);
  });

  it('a connection closed before or in the middle of an answer is BAD, and says which', () => {
    const p = new ResponseParser();
    expect(p.started).toBe(false);
    expect(p.end()).toBe(BAD);
    expect(p.error).toMatch(/before any response/);
    expect(feedAll(p, [bytes(ASTERISK_200.slice(0, 60))])).toBe(NEED_MORE);
    expect(p.started).toBe(true);
    expect(p.end()).toBe(BAD);
    expect(p.error).toMatch(/in the middle/);
  });

  it.each([
    ['not HTTP', 'SIP/2.0 200 OK\r\n\r\n', /bad status line/],
    ['a status that is not three digits', 'HTTP/1.1 2x0 OK\r\n\r\n', /bad status line/],
    ['HTTP/2 text', 'HTTP/2.0 200 OK\r\n\r\n', /bad status line/],
    ['a header without a colon', 'HTTP/1.1 200 OK\r\nContent-Length 2\r\n\r\nok', /bad header line/],
    ['a folded header', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n  2\r\nContent-Length: 2\r\n\r\nok', /folded|bad header/],
    ['a bad Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /bad Content-Length/],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok', /two different/],
    ['Content-Length and chunked', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n', /both/],
    ['an unknown Transfer-Encoding', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n', /unsupported Transfer-Encoding/],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /bad chunk size/],
    ['chunk data too long', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n', /not followed by CRLF/],
    ['101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', /101/],
  ])('refuses %s', (_what, text, why) => {
    const p = new ResponseParser();
    expect(feedAll(p, [bytes(text)])).toBe(BAD);
    expect(p.error).toMatch(why);
  });

  it('refuses a head that never ends instead of buffering it forever', () => {
    const p = new ResponseParser();
    let r = feedAll(p, [bytes('HTTP/1.1 200 OK\r\n')]);
    for (let i = 0; i < 100 && r === NEED_MORE; i++) r = feedAll(p, [bytes(`X-Filler-${i}: ${'y'.repeat(1000)}\r\n`)]);
    expect(r).toBe(BAD);
    expect(p.error).toMatch(/head too long/);
  });
});
