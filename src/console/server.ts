/**
 * The web console, served by the service at /console on its HTTP port: sign-in with the accounts
 * of the `console:` configuration, a session cookie (HttpOnly, SameSite=Strict), a CSRF token on
 * every change, an audit line for every change. The browser code is built from npm packages
 * (`npm run build:console`, run by `npm install`) into build/console and served from there; it
 * needs no outside network.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import type { ExtraRoutes } from '../app/health.ts';
import type { LiveCall } from '../app/service.ts';
import type { AppConfig } from '../config/schema.ts';
import { DEFAULT_CONFIG_FILE } from '../config/load.ts';
import type { Logger } from '../log/logger.ts';
import { maskNationalId, maskPhone } from '../log/mask.ts';
import { loadCatalogue } from '../speech/catalogue.ts';
import { catalogueDir } from '../speech/build.ts';
import type { SqliteRequestRegistry, RequestStatus } from '../store/requests.ts';
import { parseWhen } from '../cli/commands/report.ts';
import { buildReport, reportCsv } from '../domain/report.ts';
import type { CallRecordStore } from '../store/call-records.ts';
import { AuditTrail } from './audit.ts';
import type { ConsoleConfig } from './config.ts';
import { HttpError, readBody, readJson, sendJson, sendText, startSse, str } from './http.ts';
import { UNKNOWN_USER_HASH, verifyPassword } from './passwords.ts';
import { PromptAdmin } from './prompts.ts';
import { clearedCookie, csrfMatches, sessionCookie, Sessions, type Session } from './sessions.ts';
import { TestPhone } from './test-phone.ts';

export interface ConsoleOptions {
  config: ConsoleConfig;
  /** the effective configuration at start */
  appConfig: AppConfig;
  /** the configuration new calls run with now (live reload; Settings page), and its version */
  currentConfig?: () => { config: AppConfig; version: number; hash: string };
  logger: Logger;
  /** the prompts folder the service plays from, e.g. <project>/prompts/fa */
  promptsDir: string;
  /** where the built browser code is (app.js, app.css) */
  assetsDir: string;
  /** the project folder: relative paths of the configuration resolve against it */
  projectRoot: string;
  liveCalls: () => LiveCall[];
  registry: SqliteRequestRegistry;
  /** the call records (reports) */
  records: CallRecordStore;
  /** the ARI the service talks to (the test phone calls in through it) */
  ari: { url: () => string; username: string; password: string };
  env?: NodeJS.ProcessEnv;
}

export interface WebConsole {
  routes: ExtraRoutes;
  audit: AuditTrail;
  close(): Promise<void>;
}

/** where `npm run build:console` writes the browser code, relative to the project */
export const CONSOLE_ASSETS_DIR = 'build/console';

const UPLOAD_LIMIT = 25 * 1024 * 1024;
const LOGIN_FAILURES = { max: 5, windowMs: 10 * 60_000 };

export function createConsole(o: ConsoleOptions): WebConsole {
  const log = o.logger.child({ component: 'console' });
  const cfg = o.config;
  const sessions = new Sessions(cfg.sessionMinutes * 60_000);
  const audit = new AuditTrail(resolve(o.projectRoot, cfg.auditFile), log);
  const prompts = new PromptAdmin(o.promptsDir);
  const promptText = (name: string) => {
    try {
      return loadCatalogue(catalogueDir(o.promptsDir)).entries.get(name)?.text;
    } catch {
      return undefined;
    }
  };
  const phone = new TestPhone({
    ari: o.ari,
    entry: o.appConfig.service.entry,
    agentsContext: o.appConfig.routing.agentsContext,
    logger: o.logger,
    promptText,
  });
  const failures = new Map<string, number[]>();
  const accounts = new Map(cfg.accounts.map((a) => [a.user, a]));

  const html = () => `<!doctype html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>کنسول ۱۶۹۹</title>
<link rel="stylesheet" href="/console/assets/app.css">
</head>
<body>
<div id="app">${existsSync(join(o.assetsDir, 'app.js')) ? '' : '<p>کد مرورگر کنسول ساخته نشده است: <code>npm run build:console</code></p>'}</div>
<script type="module" src="/console/assets/app.js"></script>
</body>
</html>`;

  const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

  function requireSession(req: IncomingMessage): Session {
    const s = sessions.fromCookie(req.headers.cookie);
    if (!s) throw new HttpError(401, 'sign in first');
    return s;
  }

  /** A change: signed in, same origin, and the session's CSRF token in x-csrf-token. */
  function requireChange(req: IncomingMessage): Session {
    const s = requireSession(req);
    const origin = req.headers.origin;
    if (origin && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`) throw new HttpError(403, 'the request comes from another site');
    if (!csrfMatches(s, req.headers['x-csrf-token'])) {
      audit.record({ user: s.user, action: 'refused-without-csrf-token', target: req.url ?? '', result: 'refused' });
      throw new HttpError(403, 'missing or wrong CSRF token: reload the page');
    }
    return s;
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    const user = str(body, 'user', 80);
    const password = str(body, 'password', 200);
    const key = `${user}|${req.socket.remoteAddress ?? ''}`;
    const now = Date.now();
    const recent = (failures.get(key) ?? []).filter((t) => now - t < LOGIN_FAILURES.windowMs);
    if (recent.length >= LOGIN_FAILURES.max) {
      audit.record({ user, action: 'sign-in', result: 'refused', detail: { reason: 'too many failed attempts' } });
      throw new HttpError(429, 'too many failed sign-ins: wait 10 minutes');
    }
    const account = accounts.get(user);
    const ok = await verifyPassword(password, account?.passwordHash ?? UNKNOWN_USER_HASH);
    if (!ok || !account) {
      failures.set(key, [...recent, now]);
      audit.record({ user, action: 'sign-in', result: 'refused', detail: { reason: account ? 'wrong password' : 'unknown user' } });
      throw new HttpError(401, 'wrong user name or password');
    }
    failures.delete(key);
    const s = sessions.create(account.user, account.name ?? account.user);
    audit.record({ user: s.user, action: 'sign-in', result: 'ok' });
    sendJson(res, 200, { user: s.user, name: s.name, csrf: s.csrf }, { 'set-cookie': sessionCookie(s.id, cfg.sessionMinutes * 60, cfg.secureCookie) });
  }

  async function api(req: IncomingMessage, res: ServerResponse, path: string, q: URLSearchParams): Promise<void> {
    const m = req.method ?? 'GET';
    if (m === 'POST' && path === 'login') return login(req, res);
    if (m === 'GET' && path === 'session') {
      const s = requireSession(req);
      return sendJson(res, 200, { user: s.user, name: s.name, csrf: s.csrf, accounts: cfg.accounts.length });
    }
    if (m === 'POST' && path === 'logout') {
      const s = requireChange(req);
      sessions.destroy(s.id);
      audit.record({ user: s.user, action: 'sign-out', result: 'ok' });
      return sendJson(res, 200, { ok: true }, { 'set-cookie': clearedCookie(cfg.secureCookie) });
    }

    // prompts
    if (m === 'GET' && path === 'prompts') {
      requireSession(req);
      return sendJson(res, 200, { dir: o.promptsDir, prompts: prompts.list() });
    }
    if (m === 'GET' && path === 'prompts/audio') {
      requireSession(req);
      const file = prompts.audioFile(q.get('name') ?? '', q.get('version') ?? undefined);
      return sendText(res, 200, 'audio/wav', readFileSync(file), { 'cache-control': 'no-store' });
    }
    if (m === 'GET' && path === 'prompts/versions') {
      requireSession(req);
      return sendJson(res, 200, { versions: prompts.versions(q.get('name') ?? '') });
    }
    if (m === 'POST' && path === 'prompts/upload') {
      const s = requireChange(req);
      const name = q.get('name') ?? '';
      const fileName = q.get('file') ?? 'upload.wav';
      const data = await readBody(req, UPLOAD_LIMIT);
      try {
        const r = await prompts.upload(name, data, fileName);
        audit.record({ user: s.user, action: 'prompt-upload', target: name, result: 'ok', detail: { file: fileName, bytes: data.length, seconds: Number(r.facts.seconds.toFixed(2)), sampleRate: r.facts.sampleRate, kept: r.kept } });
        return sendJson(res, 200, r);
      } catch (e) {
        audit.record({ user: s.user, action: 'prompt-upload', target: name, result: e instanceof HttpError && e.status < 500 ? 'refused' : 'failed', detail: { file: fileName, bytes: data.length, reason: (e as Error).message } });
        throw e;
      }
    }
    if (m === 'POST' && path === 'prompts/restore') {
      const s = requireChange(req);
      const body = await readJson(req);
      const name = str(body, 'name', 200);
      const version = typeof body.version === 'string' ? body.version : undefined;
      const r = prompts.restore(name, version);
      audit.record({ user: s.user, action: 'prompt-restore', target: name, result: 'ok', detail: r });
      return sendJson(res, 200, r);
    }
    if (m === 'POST' && path === 'prompts/text') {
      const s = requireChange(req);
      const body = await readJson(req);
      const name = str(body, 'name', 200);
      const text = str(body, 'text', 1000);
      const before = promptText(name);
      try {
        const r = await prompts.setText(name, text);
        audit.record({ user: s.user, action: 'prompt-text', target: name, result: 'ok', detail: { before, after: text.trim(), rebuilt: r.rebuilt } });
        return sendJson(res, 200, r);
      } catch (e) {
        audit.record({ user: s.user, action: 'prompt-text', target: name, result: 'failed', detail: { reason: (e as Error).message } });
        throw e;
      }
    }

    // test phone
    if (m === 'POST' && path === 'test-calls') {
      const s = requireChange(req);
      const body = await readJson(req);
      const caller = typeof body.caller === 'string' && body.caller ? body.caller : '09121234567';
      const r = await phone.place(s.user, caller);
      audit.record({ user: s.user, action: 'test-call', target: r.id, result: 'ok', detail: { caller } });
      return sendJson(res, 200, r);
    }
    const tc = /^test-calls\/([0-9a-f-]{36})\/(events|keys)$/.exec(path);
    if (tc && m === 'GET' && tc[2] === 'events') {
      requireSession(req);
      const sse = startSse(req, res);
      sse.onClose(phone.subscribe(tc[1]!, (e) => sse.send('call', e)));
      return;
    }
    if (tc && m === 'POST' && tc[2] === 'keys') {
      requireChange(req);
      const body = await readJson(req);
      phone.keys(tc[1]!, str(body, 'keys', 32));
      return sendJson(res, 200, { ok: true });
    }

    // live calls
    if (m === 'GET' && path === 'live') {
      requireSession(req);
      if (q.get('stream') !== '1') return sendJson(res, 200, { now: Date.now(), calls: o.liveCalls() });
      const sse = startSse(req, res);
      let last = '';
      const tick = () => {
        const calls = o.liveCalls();
        const key = JSON.stringify(calls);
        if (key !== last) sse.send('calls', { now: Date.now(), calls });
        last = key;
      };
      tick();
      const t = setInterval(tick, 300);
      sse.onClose(() => clearInterval(t));
      return;
    }

    // requests
    if (m === 'GET' && path === 'requests') {
      requireSession(req);
      const status = q.get('status') ?? undefined;
      if (status && !['pending', 'delivered', 'failed'].includes(status)) throw new HttpError(400, 'status is pending, delivered or failed');
      const rows = o.registry.list({ ...(status ? { status: status as RequestStatus } : {}), limit: 500 });
      return sendJson(res, 200, {
        ...(o.appConfig.service.sharedDbUrl ? { note: 'cluster (IVR_DB_URL): registered requests live in the shared PostgreSQL; this page lists only the requests in this server\'s own store' } : {}),
        counts: o.registry.counts(),
        requests: rows.map((r) => ({
          number: r.number,
          createdAt: r.createdAt,
          status: r.status,
          topic: r.topic,
          type: r.type,
          unit: r.unit,
          rule: r.rule,
          outcome: r.outcome,
          nationalId: r.nationalId ? maskNationalId(r.nationalId) : undefined,
          orderNumber: r.orderNumber,
          callerNumber: r.callerNumber ? maskPhone(r.callerNumber) : undefined,
          attempts: r.attempts,
          lastError: r.lastError,
        })),
      });
    }
    if (m === 'POST' && path === 'requests/retry') {
      const s = requireChange(req);
      const body = await readJson(req);
      const number = str(body, 'number', 40);
      const r = o.registry.get(number);
      if (!r) throw new HttpError(404, `no request numbered ${number}`);
      if (r.status !== 'failed') throw new HttpError(409, `${number} is ${r.status}: only a failed request is put back in the outbox`);
      const n = o.registry.retryFailed(number);
      audit.record({ user: s.user, action: 'request-retry', target: number, result: n === 1 ? 'ok' : 'failed' });
      return sendJson(res, 200, { retried: n });
    }

    // reports over the call records (src/domain/report.ts, as `ivr-1699 report`)
    if (m === 'GET' && (path === 'reports' || path === 'reports.csv')) {
      requireSession(req);
      const tz = o.appConfig.policy.timeZone;
      const when = (key: 'from' | 'to', edge: 'start' | 'end') => {
        const v = q.get(key);
        if (!v) return undefined;
        if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new HttpError(400, `${key}: a day like 2026-11-25 (the page converts the Jalali date)`);
        try {
          return parseWhen(v, key, tz, edge);
        } catch (e) {
          throw new HttpError(400, (e as Error).message);
        }
      };
      const from = when('from', 'start');
      const to = when('to', 'end');
      if (from && to && from >= to) throw new HttpError(400, 'from must be before to');
      await o.records.settled(); // a call that just ended is in the report
      const report = buildReport(o.records.list({ ...(from ? { from } : {}), ...(to ? { to } : {}) }), { from: from?.toISOString() ?? null, to: to?.toISOString() ?? null, timeZone: tz });
      if (path === 'reports') return sendJson(res, 200, { report });
      const name = `ivr-1699-report-${q.get('from') ?? 'start'}-${q.get('to') ?? 'now'}.csv`;
      return sendText(res, 200, 'text/csv; charset=utf-8', reportCsv(report), { 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' });
    }

    // settings (read-only) and the audit trail
    if (m === 'GET' && path === 'settings') {
      requireSession(req);
      const env = o.env ?? process.env;
      const cur = o.currentConfig?.();
      const c = cur?.config ?? o.appConfig;
      return sendJson(res, 200, {
        ...(cur ? { version: cur.version, hash: cur.hash } : {}),
        file: env.IVR_CONFIG ?? (existsSync(resolve(o.projectRoot, DEFAULT_CONFIG_FILE)) ? DEFAULT_CONFIG_FILE : null),
        defaultFile: DEFAULT_CONFIG_FILE,
        example: 'config/ivr-1699.example.yaml',
        thresholds: c.policy,
        timeouts: c.flow.timeouts,
        flow: { ...c.flow, timeouts: undefined },
        routing: c.routing,
      });
    }
    if (m === 'GET' && path === 'audit') {
      requireSession(req);
      return sendJson(res, 200, { file: cfg.auditFile, entries: audit.recent(200) });
    }
    throw new HttpError(404, `no console API ${m} /console/api/${path}`);
  }

  function serveAsset(res: ServerResponse, name: string): void {
    const types: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' };
    const type = types[name] ?? (name.endsWith('.woff2') ? 'font/woff2' : undefined);
    const file = join(o.assetsDir, name);
    if (!type || !/^[A-Za-z0-9._-]+$/.test(name) || !existsSync(file)) return sendJson(res, 404, { message: `no asset ${name}: run npm run build:console` });
    sendText(res, 200, type, readFileSync(file), { 'cache-control': 'no-cache' });
  }

  const routes: ExtraRoutes = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const p = url.pathname;
    if (p !== '/console' && !p.startsWith('/console/')) return false;
    if (!cfg.enabled) {
      sendJson(res, 404, { message: 'the web console is turned off (console.enabled: false)' });
      return true;
    }
    if (p === '/console' || p === '/console/') {
      sendText(res, 200, 'text/html; charset=utf-8', html(), { 'content-security-policy': csp, 'cache-control': 'no-store' });
      return true;
    }
    if (p.startsWith('/console/assets/')) {
      serveAsset(res, p.slice('/console/assets/'.length));
      return true;
    }
    if (p.startsWith('/console/api/')) {
      api(req, res, p.slice('/console/api/'.length), url.searchParams).catch((e: unknown) => {
        if (res.headersSent) {
          res.end();
          return;
        }
        if (e instanceof HttpError) return sendJson(res, e.status, { message: e.message });
        log.error({ err: e, path: p }, 'console request failed');
        sendJson(res, 500, { message: `internal error: ${(e as Error).message}` });
      });
      return true;
    }
    sendJson(res, 404, { message: 'not found' });
    return true;
  };

  return { routes, audit, close: () => phone.close() };
}
