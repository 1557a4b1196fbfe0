/**
 * An HTTP/1.1 response parser for the ARI REST client (rest.ts): one response at a time on a
 * connection (no pipelining), fed the bytes of each TCP read as they come. It understands what a
 * client of Asterisk's HTTP server and of the built-in switch needs: the status line, headers
 * (names case-insensitive), `Content-Length` bodies, `Transfer-Encoding: chunked` bodies, bodies
 * read until the connection closes (no length given), responses without a body (1xx, 204, 304),
 * `Connection: close` / `keep-alive` and the server's `Keep-Alive: timeout=N` hint. Anything
 * else is a malformed response (BAD, with `error`): the caller drops the connection.
 *
 * The bytes fed may be reused by the caller after feed() returns (rest.ts reads every socket into
 * one shared buffer): a response read whole in one read is decoded straight from it; only a
 * response split across reads is copied.
 */

/** feed()/end(): the response is not complete yet */
export const NEED_MORE = 0;
/** the response is complete: read status, body, keepAlive, keepAliveMs, extra */
export const DONE = 1;
/** the response is malformed: read error */
export const BAD = -1;

const HEAD = 0;
const BODY = 1; // Content-Length
const CHUNK_SIZE = 2;
const CHUNK_DATA = 3;
const CHUNK_DATA_END = 4; // the CRLF after a chunk's data
const TRAILERS = 5;
const UNTIL_CLOSE = 6;

/** a head (status line and headers) longer than this is refused */
const MAX_HEAD = 64 * 1024;
/** a body longer than this is refused (ARI's answers are JSON documents of a few KB) */
const MAX_BODY = 64 * 1024 * 1024;

const CR = 13;
const LF = 10;

export class ResponseParser {
  /** the status of the last complete response */
  status = 0;
  /** its body, decoded as UTF-8 ('' when none) */
  body = '';
  /** false when the server closes the connection after this response (Connection: close, HTTP/1.0, body until close) */
  keepAlive = true;
  /** the server's Keep-Alive timeout hint in ms (0: none given) */
  keepAliveMs = 0;
  /** bytes of the last feed() left after the complete response (a server must send none: no pipelining here) */
  extra = 0;
  /** why the response is malformed (after BAD) */
  error = '';

  private state = HEAD;
  private headBuf: Buffer | null = null;
  private parts: Buffer[] | null = null;
  private partsLen = 0;
  /** BODY: bytes still to read; CHUNK_DATA: bytes of the chunk still to read; CHUNK_DATA_END: CR/LF still to read */
  private remaining = 0;
  /** CHUNK_SIZE / TRAILERS: the line read so far */
  private line = '';
  private version1 = 1;

  /** Ready for the next response (after DONE, or a fresh connection). */
  reset(): void {
    this.state = HEAD;
    this.headBuf = null;
    this.parts = null;
    this.partsLen = 0;
    this.remaining = 0;
    this.line = '';
    this.status = 0;
    this.body = '';
    this.keepAlive = true;
    this.keepAliveMs = 0;
    this.extra = 0;
    this.error = '';
  }

  /** True once a byte of the current response has been fed (the request may have been processed). */
  get started(): boolean {
    return this.state !== HEAD || this.headBuf !== null;
  }

  /**
   * Feeds bytes [start, end) of `buf` (the caller may reuse buf afterwards). Returns NEED_MORE,
   * DONE (then `extra` bytes of this feed were not consumed) or BAD.
   */
  feed(buf: Buffer, start: number, end: number): number {
    let p = start;
    while (p < end || this.state === HEAD) {
      switch (this.state) {
        case HEAD: {
          let headEnd: number;
          let head: string;
          if (this.headBuf === null) {
            const i = buf.indexOf('\r\n\r\n', p, 'latin1');
            if (i < 0 || i + 4 > end) {
              if (end - p > MAX_HEAD) return this.bad('response head too long');
              if (end > p) this.headBuf = copy(buf, p, end);
              return NEED_MORE;
            }
            head = buf.toString('latin1', p, i);
            headEnd = i + 4;
          } else {
            const prev = this.headBuf.length;
            const joined = Buffer.concat([this.headBuf, buf.subarray(p, end)]);
            const i = joined.indexOf('\r\n\r\n', Math.max(0, prev - 3), 'latin1');
            if (i < 0) {
              if (joined.length > MAX_HEAD) return this.bad('response head too long');
              this.headBuf = joined;
              return NEED_MORE;
            }
            this.headBuf = null;
            head = joined.toString('latin1', 0, i);
            headEnd = p + (i + 4 - prev);
          }
          p = headEnd;
          const r = this.parseHead(head);
          if (r !== NEED_MORE) {
            if (r === DONE) this.extra = end - p;
            return r;
          }
          break;
        }
        case BODY: {
          const n = Math.min(this.remaining, end - p);
          if (this.parts === null && n === this.remaining) {
            // the whole body is in this read: decode it in place
            this.body = buf.toString('utf8', p, p + n);
            p += n;
            return this.done(end - p);
          }
          this.push(buf, p, p + n);
          p += n;
          this.remaining -= n;
          if (this.remaining === 0) return this.done(end - p);
          break;
        }
        case CHUNK_SIZE:
        case TRAILERS: {
          // a line up to CRLF (chunk size, or a trailer / the empty line that ends the body)
          let i = p;
          while (i < end && buf[i] !== LF) i++;
          this.line += buf.toString('latin1', p, i);
          if (this.line.length > 4096) return this.bad('chunk line too long');
          if (i === end) return NEED_MORE;
          p = i + 1;
          let line = this.line;
          this.line = '';
          if (line.charCodeAt(line.length - 1) !== CR) return this.bad('chunk line without CRLF');
          line = line.slice(0, -1);
          if (this.state === TRAILERS) {
            if (line === '') return this.done(end - p, this.joinParts());
            break;
          }
          const semi = line.indexOf(';');
          const hex = (semi >= 0 ? line.slice(0, semi) : line).trim();
          if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) return this.bad(`bad chunk size ${JSON.stringify(hex.slice(0, 20))}`);
          const size = parseInt(hex, 16);
          if (this.partsLen + size > MAX_BODY) return this.bad('body too long');
          if (size === 0) this.state = TRAILERS;
          else {
            this.state = CHUNK_DATA;
            this.remaining = size;
          }
          break;
        }
        case CHUNK_DATA: {
          const n = Math.min(this.remaining, end - p);
          this.push(buf, p, p + n);
          p += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            this.state = CHUNK_DATA_END;
            this.remaining = 2;
          }
          break;
        }
        case CHUNK_DATA_END: {
          const want = this.remaining === 2 ? CR : LF;
          if (buf[p] !== want) return this.bad('chunk data not followed by CRLF');
          p++;
          if (--this.remaining === 0) this.state = CHUNK_SIZE;
          break;
        }
        case UNTIL_CLOSE: {
          if (this.partsLen + (end - p) > MAX_BODY) return this.bad('body too long');
          this.push(buf, p, end);
          p = end;
          break;
        }
      }
    }
    return NEED_MORE;
  }

  /**
   * The server closed the connection: completes a body read until close (DONE), otherwise the
   * response is cut short (BAD; `started` tells whether any of it came).
   */
  end(): number {
    if (this.state === UNTIL_CLOSE) return this.done(0, this.joinParts());
    return this.bad(this.started ? 'connection closed in the middle of the response' : 'connection closed before any response');
  }

  private parseHead(head: string): number {
    // status line: HTTP/1.x NNN reason
    if (!head.startsWith('HTTP/1.') || head.charCodeAt(8) !== 32) return this.bad(`bad status line ${JSON.stringify(head.slice(0, 40))}`);
    const minor = head.charCodeAt(7) - 48;
    const status = (head.charCodeAt(9) - 48) * 100 + (head.charCodeAt(10) - 48) * 10 + (head.charCodeAt(11) - 48);
    const after = head.charCodeAt(12);
    if ((minor !== 0 && minor !== 1) || !(status >= 100 && status <= 599) || !isDigit(head, 9) || !isDigit(head, 10) || !isDigit(head, 11) || !(after !== after || after === 32 || after === CR)) {
      return this.bad(`bad status line ${JSON.stringify(head.slice(0, 40))}`);
    }
    this.version1 = minor;
    let contentLength = -1;
    let chunked = false;
    let connection = '';
    let keepAliveMs = 0;
    let lineStart = head.indexOf('\r\n');
    while (lineStart >= 0) {
      lineStart += 2;
      let lineEnd = head.indexOf('\r\n', lineStart);
      if (lineEnd < 0) lineEnd = head.length;
      const colon = head.indexOf(':', lineStart);
      if (colon < 0 || colon > lineEnd || colon === lineStart) return this.bad(`bad header line ${JSON.stringify(head.slice(lineStart, Math.min(lineEnd, lineStart + 40)))}`);
      const c0 = head.charCodeAt(lineStart);
      if (c0 === 32 || c0 === 9) return this.bad('folded header line');
      const nameLen = colon - lineStart;
      // only four headers matter; compare names case-insensitively only when their length fits
      if (nameLen === 14 || nameLen === 17 || nameLen === 10) {
        const name = head.slice(lineStart, colon).toLowerCase();
        const value = head.slice(colon + 1, lineEnd).trim();
        if (name === 'content-length') {
          if (!/^\d{1,15}$/.test(value)) return this.bad(`bad Content-Length ${JSON.stringify(value.slice(0, 20))}`);
          const n = Number(value);
          if (contentLength >= 0 && n !== contentLength) return this.bad('two different Content-Length headers');
          contentLength = n;
        } else if (name === 'transfer-encoding') {
          if (value.toLowerCase() !== 'chunked') return this.bad(`unsupported Transfer-Encoding ${JSON.stringify(value.slice(0, 30))}`);
          chunked = true;
        } else if (name === 'connection') {
          connection += (connection ? ',' : '') + value.toLowerCase();
        } else if (name === 'keep-alive') {
          const m = /(?:^|[,\s])timeout=(\d+)/i.exec(value);
          if (m) keepAliveMs = Number(m[1]) * 1000;
        }
      }
      lineStart = lineEnd < head.length ? lineEnd : -1;
    }
    if (status < 200) {
      if (status === 101) return this.bad('unexpected 101 Switching Protocols');
      // an interim response (100 Continue, 103 Early Hints): the real one follows
      return NEED_MORE;
    }
    if (chunked && contentLength >= 0) return this.bad('both Content-Length and Transfer-Encoding');
    if (contentLength > MAX_BODY) return this.bad('body too long');
    this.status = status;
    this.keepAliveMs = keepAliveMs;
    this.keepAlive = hasToken(connection, 'close') ? false : this.version1 === 1 || hasToken(connection, 'keep-alive');
    if (status === 204 || status === 304) {
      this.body = '';
      return DONE;
    }
    if (chunked) {
      this.state = CHUNK_SIZE;
      return NEED_MORE;
    }
    if (contentLength === 0) {
      this.body = '';
      return DONE;
    }
    if (contentLength > 0) {
      this.state = BODY;
      this.remaining = contentLength;
      return NEED_MORE;
    }
    // no length: the body runs until the server closes the connection
    this.keepAlive = false;
    this.state = UNTIL_CLOSE;
    return NEED_MORE;
  }

  private push(buf: Buffer, from: number, to: number): void {
    if (to <= from) return;
    (this.parts ??= []).push(copy(buf, from, to));
    this.partsLen += to - from;
  }

  private joinParts(): string {
    const parts = this.parts;
    if (parts === null) return '';
    return parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts, this.partsLen).toString('utf8');
  }

  private done(extra: number, body?: string): number {
    if (body !== undefined) this.body = body;
    else if (this.parts !== null) this.body = this.joinParts();
    this.state = HEAD;
    this.parts = null;
    this.partsLen = 0;
    this.extra = extra;
    return DONE;
  }

  private bad(why: string): number {
    this.error = why;
    return BAD;
  }
}

function copy(buf: Buffer, from: number, to: number): Buffer {
  const b = Buffer.allocUnsafe(to - from);
  buf.copy(b, 0, from, to);
  return b;
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function hasToken(list: string, token: string): boolean {
  if (!list) return false;
  for (const t of list.split(',')) if (t.trim() === token) return true;
  return false;
}
