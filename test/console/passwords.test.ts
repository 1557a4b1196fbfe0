import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsoleConfig } from '../../src/console/config.ts';
import { hashPassword, PASSWORD_HASH, verifyPassword } from '../../src/console/passwords.ts';
import { Sessions, csrfMatches, readCookie } from '../../src/console/sessions.ts';
import { ROOT } from '../speech/helpers.ts';

describe('console passwords (scrypt)', () => {
  it('hashes with a fresh salt and verifies only the right password', async () => {
    const a = await hashPassword('long enough 1');
    const b = await hashPassword('long enough 1');
    expect(a).toMatch(PASSWORD_HASH);
    expect(a).not.toBe(b);
    expect(await verifyPassword('long enough 1', a)).toBe(true);
    expect(await verifyPassword('long enough 2', a)).toBe(false);
    expect(await verifyPassword('long enough 1', 'plain-text-password')).toBe(false);
  });

  it('refuses a short password', async () => {
    await expect(hashPassword('short')).rejects.toThrow(/at least 8/);
  });

  it('the config refuses a password written instead of a hash, naming the command to use', () => {
    const r = ConsoleConfig.safeParse({ accounts: [{ user: 'admin', passwordHash: 'secret123' }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/ivr-1699 console hash-password/);
  });

  it('`ivr-1699 console hash-password` reads the password from standard input and prints a hash that verifies', async () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'ivr-1699.mjs'), 'console', 'hash-password', '--user', 'sara'], { input: 'pass phrase 1699\n', encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const m = /^- \{ user: sara, passwordHash: "(scrypt\$[^"]+)" \}\n$/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(await verifyPassword('pass phrase 1699', m![1]!)).toBe(true);
    const short = spawnSync(process.execPath, [join(ROOT, 'bin', 'ivr-1699.mjs'), 'console', 'hash-password'], { input: 'short\n', encoding: 'utf8' });
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/at least 8 characters/);
  });
});

describe('console sessions', () => {
  it('expire after the configured idle time and check the CSRF token exactly', () => {
    let t = 1000;
    const s = new Sessions(60_000, () => t);
    const a = s.create('admin', 'Admin');
    const cookie = `other=1; ivr1699_console=${a.id}`;
    expect(readCookie(cookie, 'ivr1699_console')).toBe(a.id);
    expect(s.fromCookie(cookie)?.user).toBe('admin');
    expect(csrfMatches(a, a.csrf)).toBe(true);
    expect(csrfMatches(a, undefined)).toBe(false);
    expect(csrfMatches(a, a.csrf.slice(1))).toBe(false);
    t += 59_000;
    expect(s.fromCookie(cookie)).toBeDefined(); // use slides the expiry
    t += 61_000;
    expect(s.fromCookie(cookie)).toBeUndefined();
  });
});
