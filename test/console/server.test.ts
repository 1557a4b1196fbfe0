/**
 * The web console over HTTP (no browser): sign-in, cookie flags, CSRF and origin checks, the audit
 * trail, prompts (upload checked and kept, restore, text edit), requests, live calls.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasEspeak, hasSox, tone, wavBytes } from '../speech/helpers.ts';
import { PASSWORD, USER, startConsoleStack, type ConsoleStack } from './helpers.ts';

let cs: ConsoleStack;
beforeAll(async () => {
  cs = await startConsoleStack();
});
afterAll(async () => {
  await cs?.close();
});

async function login(password = PASSWORD): Promise<{ status: number; cookie?: string; setCookie?: string; csrf?: string; message?: string }> {
  const r = await fetch(`${cs.base}/console/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: USER, password }) });
  const body = (await r.json()) as { csrf?: string; message?: string };
  const setCookie = r.headers.get('set-cookie') ?? undefined;
  return { status: r.status, ...(setCookie ? { setCookie, cookie: setCookie.split(';')[0] } : {}), ...body };
}

function auditLines(): { user: string; action: string; result: string; target?: string }[] {
  return readFileSync(cs.auditFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('sign-in', () => {
  it('refuses a wrong password with 401, sets no cookie and writes an audit line', async () => {
    const r = await login('wrong password');
    expect(r.status).toBe(401);
    expect(r.setCookie).toBeUndefined();
    expect(r.message).toBe('wrong user name or password');
    expect(auditLines().at(-1)).toMatchObject({ user: USER, action: 'sign-in', result: 'refused' });
  });

  it('signs in with the configured account: HttpOnly, SameSite=Strict cookie scoped to /console', async () => {
    const r = await login();
    expect(r.status).toBe(200);
    expect(r.setCookie).toMatch(/HttpOnly/);
    expect(r.setCookie).toMatch(/SameSite=Strict/);
    expect(r.setCookie).toMatch(/Path=\/console/);
    expect(r.csrf).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const s = await fetch(`${cs.base}/console/api/session`, { headers: { cookie: r.cookie! } });
    expect(await s.json()).toMatchObject({ user: USER, name: 'مدیر آزمایشی' });
  });

  it('locks a user name out for 10 minutes after 5 failed sign-ins from one address (429), and audits it', async () => {
    const attempt = () => fetch(`${cs.base}/console/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'mallory', password: 'guess' }) });
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(401);
    const locked = await attempt();
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as { message: string }).message).toBe('too many failed sign-ins: wait 10 minutes');
    expect(auditLines().at(-1)).toMatchObject({ user: 'mallory', action: 'sign-in', result: 'refused' });
  });

  it('answers the API with 401 without a session', async () => {
    const r = await fetch(`${cs.base}/console/api/prompts`);
    expect(r.status).toBe(401);
  });

  it('serves the page in Persian, right to left, with a strict content security policy', async () => {
    const r = await fetch(`${cs.base}/console`);
    const text = await r.text();
    expect(text).toContain('<html lang="fa" dir="rtl">');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    // /health stays where it was
    expect((await fetch(`${cs.base}/health`)).status).toBe(200);
  });
});

describe('changes', () => {
  let cookie: string;
  let csrf: string;
  beforeAll(async () => {
    const r = await login();
    cookie = r.cookie!;
    csrf = r.csrf!;
  });
  const post = (path: string, body: unknown, headers: Record<string, string> = { 'x-csrf-token': csrf }) =>
    fetch(`${cs.base}/console/api/${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('refuses a change without the CSRF token (403), changes nothing and audits the refusal', async () => {
    const before = readFileSync(join(cs.promptsDir, 'catalogue', 'common.yaml'), 'utf8');
    const r = await post('prompts/text', { name: 'welcome', text: 'متن دیگر' }, {});
    expect(r.status).toBe(403);
    expect(((await r.json()) as { message: string }).message).toMatch(/CSRF/);
    expect(readFileSync(join(cs.promptsDir, 'catalogue', 'common.yaml'), 'utf8')).toBe(before);
    expect(auditLines().at(-1)).toMatchObject({ user: USER, action: 'refused-without-csrf-token', result: 'refused' });
  });

  it('refuses a change from another origin even with the token', async () => {
    const r = await post('requests/retry', { number: 'R-000001' }, { 'x-csrf-token': csrf, origin: 'http://evil.example' });
    expect(r.status).toBe(403);
  });

  it('lists every prompt with its state, length and check result', async () => {
    const r = await fetch(`${cs.base}/console/api/prompts`, { headers: { cookie } });
    const { prompts } = (await r.json()) as { prompts: { name: string; text: string; state: string; seconds: number; problems: string[] }[] };
    const welcome = prompts.find((p) => p.name === 'welcome')!;
    expect(welcome.text).toContain('خوش آمدید');
    expect(['draft', 'recorded']).toContain(welcome.state);
    expect(welcome.seconds).toBeGreaterThan(1);
    expect(prompts.length).toBeGreaterThan(50);
    const audio = await fetch(`${cs.base}/console/api/prompts/audio?name=welcome`, { headers: { cookie } });
    expect(audio.headers.get('content-type')).toBe('audio/wav');
    expect((await audio.arrayBuffer()).byteLength).toBe(readFileSync(join(cs.promptsDir, 'welcome.wav')).length);
    const escape = await fetch(`${cs.base}/console/api/prompts/audio?name=../../etc/passwd`, { headers: { cookie } });
    expect(escape.status).toBe(400);
  });

  it.skipIf(!hasSox)('refuses a silent recording with the reason and leaves the prompt as it was', async () => {
    const before = readFileSync(join(cs.promptsDir, 'goodbye.wav'));
    const silent = wavBytes(new Int16Array(16000), 16000);
    const r = await fetch(`${cs.base}/console/api/prompts/upload?name=goodbye&file=silent.wav`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'audio/wav' }, body: silent });
    expect(r.status).toBe(422);
    expect(((await r.json()) as { message: string }).message).toMatch(/silent/);
    expect(readFileSync(join(cs.promptsDir, 'goodbye.wav')).equals(before)).toBe(true);
    expect(auditLines().at(-1)).toMatchObject({ action: 'prompt-upload', target: 'goodbye', result: 'refused' });
  });

  it.skipIf(!hasSox)('imports a 44.1 kHz stereo recording into every format, keeps the old version and restores it', async () => {
    const before = Object.fromEntries(['wav', 'ulaw', 'alaw', 'sln16'].map((f) => [f, readFileSync(join(cs.promptsDir, `thank-you.${f}`))]));
    const stereo = tone(2 * 1.5, 44100, 0.4); // 1.5 s of interleaved stereo
    const r = await fetch(`${cs.base}/console/api/prompts/upload?name=thank-you&file=studio.wav`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'audio/wav' }, body: wavBytes(stereo, 44100, 2) });
    expect(r.status, await r.clone().text()).toBe(200);
    const body = (await r.json()) as { facts: { sampleRate: number; channels: number; seconds: number }; kept: string };
    expect(body.facts).toMatchObject({ sampleRate: 44100, channels: 2 });
    expect(body.facts.seconds).toBeCloseTo(1.5, 1);
    for (const f of ['wav', 'ulaw', 'alaw', 'sln16']) expect(readFileSync(join(cs.promptsDir, `thank-you.${f}`)).equals(before[f]!)).toBe(false);
    const list = (await (await fetch(`${cs.base}/console/api/prompts`, { headers: { cookie } })).json()) as { prompts: { name: string; state: string; versions: number; seconds: number; problems: string[] }[] };
    const p = list.prompts.find((x) => x.name === 'thank-you')!;
    expect(p).toMatchObject({ state: 'recorded', versions: 1, problems: [] });
    expect(p.seconds).toBeCloseTo(1.5, 1);

    const back = await post('prompts/restore', { name: 'thank-you' });
    expect(back.status).toBe(200);
    for (const f of ['wav', 'ulaw', 'alaw', 'sln16']) expect(readFileSync(join(cs.promptsDir, `thank-you.${f}`)).equals(before[f]!)).toBe(true);
    // the recording replaced by the restore is kept in its turn: one click brings it back
    const again = (await (await fetch(`${cs.base}/console/api/prompts/versions?name=thank-you`, { headers: { cookie } })).json()) as { versions: unknown[] };
    expect(again.versions).toHaveLength(1);
    expect(auditLines().slice(-2).map((l) => [l.action, l.result])).toEqual([
      ['prompt-upload', 'ok'],
      ['prompt-restore', 'ok'],
    ]);
  });

  it('edits a prompt text in its catalogue file (validated) and audits the change', async () => {
    const empty = await post('prompts/text', { name: 'please-wait', text: '   ' });
    expect(empty.status).toBe(400);
    const r = await post('prompts/text', { name: 'please-wait', text: 'لطفاً کمی صبر کنید.' });
    const body = (await r.json()) as { rebuilt: boolean; message?: string };
    if (hasEspeak && hasSox) {
      expect(r.status).toBe(200);
      expect(body.rebuilt).toBe(true);
      const list = (await (await fetch(`${cs.base}/console/api/prompts`, { headers: { cookie } })).json()) as { prompts: { name: string; state: string; problems: string[] }[] };
      expect(list.prompts.find((p) => p.name === 'please-wait')).toMatchObject({ state: 'draft', problems: [] });
    } else {
      // without the draft voice the text is saved and the reason the draft is old is given
      expect(r.status).toBe(500);
      expect(body.message).toMatch(/draft could not be built/);
    }
    const yaml = readFileSync(join(cs.promptsDir, 'catalogue', 'common.yaml'), 'utf8');
    expect(yaml).toContain('please-wait: { text: "لطفاً کمی صبر کنید."');
    expect(yaml).toContain('welcome: { text: "به مرکز ارتباط با مشتریان گروه صنعتی انتخاب خوش آمدید."');
    expect(auditLines().at(-1)).toMatchObject({ action: 'prompt-text', target: 'please-wait' });
  });

  it('lists requests with personal data masked and retries only a failed one, with a clear refusal otherwise', async () => {
    const missing = await post('requests/retry', { number: 'R-999999' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toBe('no request numbered R-999999');
    const reg = cs.stack.registry;
    const r = await reg.register({ callId: 'console-test', topic: 'refund', type: 'refund-request', unit: 'follow-up', nationalId: '0499370899', callerNumber: '09121234567' });
    const pending = await post('requests/retry', { number: r.number });
    expect(pending.status).toBe(409);
    expect(((await pending.json()) as { message: string }).message).toBe(`${r.number} is pending: only a failed request is put back in the outbox`);
    cs.stack.store.db.prepare(`UPDATE requests SET status = 'failed', attempts = 8, last_error = 'Quantum said 500' WHERE call_id = 'console-test'`).run();
    const list = (await (await fetch(`${cs.base}/console/api/requests?status=failed`, { headers: { cookie } })).json()) as { requests: { number: string; nationalId: string; callerNumber: string; lastError: string }[] };
    expect(list.requests).toHaveLength(1);
    expect(list.requests[0]).toMatchObject({ number: r.number, lastError: 'Quantum said 500' });
    expect(list.requests[0]!.nationalId).not.toContain('0499370899');
    expect(list.requests[0]!.callerNumber).not.toContain('09121234567');
    const ok = await post('requests/retry', { number: r.number });
    expect(ok.status).toBe(200);
    expect(reg.get(r.number)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(auditLines().at(-1)).toMatchObject({ action: 'request-retry', target: r.number, result: 'ok' });
  });

  it('answers the report of the call records as JSON and CSV; a wrong day is refused with the reason', async () => {
    const day = new Date().toISOString().slice(0, 10);
    const json = await fetch(`${cs.base}/console/api/reports?from=${day}&to=${day}`, { headers: { cookie } });
    expect(json.status).toBe(200);
    const { report } = (await json.json()) as { report: { calls: number; timeZone: string; from: string } };
    expect(report.timeZone).toBe('Asia/Tehran');
    expect(report.calls).toBeGreaterThanOrEqual(0);
    const csv = await fetch(`${cs.base}/console/api/reports.csv?from=${day}&to=${day}`, { headers: { cookie } });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="ivr-1699-report-${day}-${day}.csv"`);
    expect((await csv.text()).split('\n')[0]).toBe('section,key,metric,value');
    const bad = await fetch(`${cs.base}/console/api/reports?from=2026-02-30`, { headers: { cookie } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/no such day/);
    const reversed = await fetch(`${cs.base}/console/api/reports?from=2026-11-30&to=2026-11-01`, { headers: { cookie } });
    expect(reversed.status).toBe(400);
    expect((await fetch(`${cs.base}/console/api/reports`)).status).toBe(401);
  });

  it('signs out: the session no longer works', async () => {
    const r = await post('logout', {});
    expect(r.status).toBe(200);
    expect(r.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await fetch(`${cs.base}/console/api/session`, { headers: { cookie } })).status).toBe(401);
    expect(existsSync(cs.auditFile)).toBe(true);
  });
});
