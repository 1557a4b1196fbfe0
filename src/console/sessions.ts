/**
 * Console sign-ins: a random session id in an HttpOnly, SameSite=Strict cookie scoped to /console,
 * and a per-session CSRF token that every change must send back in the `x-csrf-token` header.
 * Sessions live in memory: a restart of the service signs everyone out.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const COOKIE = 'ivr1699_console';

export interface Session {
  id: string;
  user: string;
  name: string;
  csrf: string;
  expires: number;
}

export class Sessions {
  private readonly byId = new Map<string, Session>();
  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(user: string, name: string): Session {
    this.sweep();
    const s: Session = { id: randomBytes(32).toString('base64url'), user, name, csrf: randomBytes(24).toString('base64url'), expires: this.now() + this.ttlMs };
    this.byId.set(s.id, s);
    return s;
  }

  /** The live session for a Cookie header (its expiry slides forward), or undefined. */
  fromCookie(header: string | undefined): Session | undefined {
    const id = readCookie(header, COOKIE);
    if (!id) return undefined;
    const s = this.byId.get(id);
    if (!s) return undefined;
    if (s.expires <= this.now()) {
      this.byId.delete(id);
      return undefined;
    }
    s.expires = this.now() + this.ttlMs;
    return s;
  }

  destroy(id: string): void {
    this.byId.delete(id);
  }

  private sweep(): void {
    const t = this.now();
    for (const [id, s] of this.byId) if (s.expires <= t) this.byId.delete(id);
  }
}

export function csrfMatches(session: Session, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string' || !header) return false;
  const a = Buffer.from(header);
  const b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(id: string, maxAgeS: number, secure: boolean): string {
  return `${COOKIE}=${id}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
}

export function clearedCookie(secure: boolean): string {
  return `${COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
