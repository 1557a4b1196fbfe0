/**
 * `ivr-1699 asterisk`: a tester's Asterisk without Docker. Started as a tester would, it prints
 * the ARI URL, SIP address and accounts, `ivr-1699 serve` connects to it with the line it prints,
 * and SIGTERM stops Asterisk and removes its scratch folder. Bad options fail before anything starts.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freeSipPort, freeTcpPort } from '../../src/asterisk/local.ts';
import { asteriskMissing, PROJECT_ROOT, tierTitle } from '../asterisk/harness.ts';

const BIN = join(PROJECT_ROOT, 'bin/ivr-1699.mjs');

/** Runs `ivr-1699 asterisk ARGS` to its end: exit code and what it printed. */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'asterisk', ...args], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

/** Collects a child's output; resolves when `pattern` appears in it. */
function waitFor(child: ChildProcess, out: { text: string }, pattern: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`not seen within ${ms} ms: ${pattern}\n${out.text}`)), ms);
    const check = () => {
      if (pattern.test(out.text)) {
        clearTimeout(t);
        resolve();
      }
    };
    child.stdout!.on('data', (d: Buffer) => ((out.text += d.toString()), check()));
    child.stderr!.on('data', (d: Buffer) => ((out.text += d.toString()), check()));
    child.once('exit', (c) => {
      clearTimeout(t);
      if (!pattern.test(out.text)) reject(new Error(`exited with ${c} before ${pattern}:\n${out.text}`));
    });
  });
}

function exitOf(child: ChildProcess, ms: number): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
    child.once('exit', (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
}

describe('ivr-1699 asterisk: options', () => {
  it('refuses a short SIP password, a bad port and a missing install, each in one line', async () => {
    const [short, port, missing] = await Promise.all([cli(['--sip-password', 'short']), cli(['--http-port', '80a']), cli(['--home', '/nonexistent/asterisk', '--http-port', '1', '--sip-port', '1'])]);
    expect(short.status).toBe(2);
    expect(short.stderr).toBe('ivr-1699 asterisk: --sip-password must have 10 characters or more (SIP accounts are attacked by scanners within minutes)\n');
    expect(port.status).toBe(2);
    expect(port.stderr).toContain("--http-port '80a' is not a port number");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe('ivr-1699 asterisk: ASTERISK_HOME=/nonexistent/asterisk has no sbin/asterisk with lib/asterisk/modules and var/lib/asterisk/rest-api beside it\n');
  });
});

describe.skipIf(asteriskMissing)(tierTitle('ivr-1699 asterisk: runs Asterisk for a tester'), () => {
  const children: ChildProcess[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'ivr-cli-ast-'));
  afterAll(async () => {
    // SIGTERM first: the command then stops its Asterisk (SIGKILL would leave Asterisk running)
    for (const c of children.reverse()) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      c.kill('SIGTERM');
      await exitOf(c, 15_000).catch(() => c.kill('SIGKILL'));
    }
    rmSync(scratch, { recursive: true, force: true });
  }, 40_000);

  it('prints ARI, SIP and the accounts; serve connects with the printed line; SIGTERM stops Asterisk', async () => {
    const [httpPort, sipPort, healthPort] = [await freeTcpPort(), await freeSipPort(), await freeTcpPort()];
    const ast = spawn(process.execPath, [BIN, 'asterisk', '--http-port', String(httpPort), '--sip-port', String(sipPort), '--sip-password', 'cli-test-secret'], {
      env: { ...process.env, ARI_PASSWORD: '', ARI_USERNAME: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(ast);
    const out = { text: '' };
    await waitFor(ast, out, /Stop with Ctrl-C\./, 40_000);
    expect(out.text).toContain(`ARI       http://127.0.0.1:${httpPort}  user ivr-1699  password `);
    expect(out.text).toContain(`SIP       127.0.0.1:${sipPort} UDP and TCP, every account's password: cli-test-secret`);
    expect(out.text).toMatch(/testers {3}tester-01 tester-02 tester-03/);
    expect(out.text).toMatch(/agent {5}agent-2005 {2}sales-expert\n/);
    const serveLine = /^ {2}(ARI_URL=(\S+) ARI_USERNAME=(\S+) ARI_PASSWORD=(\S+)) npx ivr-1699 serve$/m.exec(out.text);
    expect(serveLine, out.text).not.toBeNull();
    const [, , ariUrl, user, password] = serveLine!;
    const auth = { authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') };
    const info = (await (await fetch(`${ariUrl}/ari/asterisk/info`, { headers: auth })).json()) as { system: { version: string } };
    expect(info.system.version).toMatch(/^22\./);
    const scratchDir = /scratch {3}(\S+)/.exec(out.text)![1]!;
    expect(existsSync(join(scratchDir, 'etc/pjsip_local.conf'))).toBe(true);

    // the service, connected with exactly the printed variables
    const serve = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/ivr-1699.mjs'), 'serve'], {
      env: { ...process.env, ARI_URL: ariUrl, ARI_USERNAME: user, ARI_PASSWORD: password, HTTP_PORT: String(healthPort), IVR_DB: join(scratch, 'ivr.sqlite'), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(serve);
    await waitFor(serve, { text: '' }, /"msg":"connected to ARI"/, 30_000);
    const apps = (await (await fetch(`${ariUrl}/ari/applications`, { headers: auth })).json()) as { name: string }[];
    expect(apps.map((a) => a.name)).toContain('ivr-1699');
    serve.kill('SIGTERM');
    expect(await exitOf(serve, 15_000)).toBe(0);

    ast.kill('SIGTERM');
    expect(await exitOf(ast, 15_000)).toBe(0);
    expect(out.text).toContain('SIGTERM: stopping Asterisk');
    await expect(fetch(`${ariUrl}/ari/asterisk/info`, { headers: auth, signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    expect(existsSync(scratchDir)).toBe(false);
  }, 90_000);
});
