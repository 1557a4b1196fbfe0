/**
 * ARI authentication: HTTP Basic (`Authorization: Basic base64(user:password)`) or the
 * `api_key=user:password` query parameter, on REST, api-docs and the events WebSocket.
 */
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';

export interface Credentials {
  username: string;
  password: string;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function matches(pair: string, creds: Credentials): boolean {
  const colon = pair.indexOf(':');
  if (colon < 0) return false;
  return same(pair.slice(0, colon), creds.username) && same(pair.slice(colon + 1), creds.password);
}

/** True when the request carries the right credentials in either form. */
export function authorized(req: IncomingMessage, query: URLSearchParams, creds: Credentials): boolean {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Basic\s+(\S+)\s*$/i.exec(header);
    if (m && matches(Buffer.from(m[1] ?? '', 'base64').toString('utf8'), creds)) return true;
  }
  const key = query.get('api_key');
  return key !== null && matches(key, creds);
}

/** Headers and body of Asterisk's 401 answer. */
export const UNAUTHORIZED = {
  headers: { 'WWW-Authenticate': 'Basic realm="Asterisk REST Interface"' },
  body: { message: 'Authentication required' },
};
