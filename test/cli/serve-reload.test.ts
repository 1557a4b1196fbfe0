/**
 * `ivr-1699 serve` as deployed (its own process, built-in switch): saving the config file reloads
 * it, `kill -HUP` re-reads it instead of killing the process, and /health tells the version.
 * (What calls hear across a reload: test/app/live-reload.test.ts.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let proc: ChildProcess | undefined;
afterAll(() => {
  if (proc && proc.exitCode === null) proc.kill('SIGKILL');
});

interface Line {
  msg: string;
  level: string;
  port?: number;
  trigger?: string;
  version?: number;
  changed?: string[];
}

describe('serve: live reload', () => {
  it('reloads on save and on SIGHUP, keeps running, and /health says which version runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivr-serve-reload-'));
    const file = join(dir, 'ivr.yaml');
    writeFileSync(file, 'policy:\n  creditRefundLimitToman: 500000\n');
    proc = spawn(process.execPath, [join(ROOT, 'bin', 'ivr-1699.mjs'), 'serve'], {
      cwd: ROOT,
      env: { ...process.env, IVR_CONFIG: file, IVR_DB: join(dir, 'ivr.sqlite'), IVR_SEED_DEMO: 'false', SWITCH_PORT: '0', HTTP_PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const lines: Line[] = [];
    let buf = '';
    proc.stderr!.on('data', (c: Buffer) => {
      buf += c.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const l = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          lines.push(JSON.parse(l) as Line);
        } catch {
          /* the banner */
        }
      }
    });
    const exited = new Promise<number | null>((r) => proc!.on('exit', (code) => r(code)));
    const waitFor = async (pred: (l: Line) => boolean, ms = 20_000): Promise<Line> => {
      const end = Date.now() + ms;
      for (;;) {
        const l = lines.find(pred);
        if (l) return l;
        if (Date.now() > end || proc!.exitCode !== null) throw new Error(`not logged; last lines: ${lines.slice(-5).map((x) => x.msg).join(' | ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const port = (await waitFor((l) => l.msg === 'health and metrics on /health, /metrics')).port!;
    await waitFor((l) => l.msg.startsWith('configuration file watched'));
    await waitFor((l) => l.msg === 'connected to ARI');
    const health = async () => ((await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { config: { version: number; ok: boolean; file: string } }).config;
    expect(await health()).toMatchObject({ version: 1, ok: true, file });

    writeFileSync(file, 'policy:\n  creditRefundLimitToman: 700000\n');
    const reloaded = await waitFor((l) => l.msg.startsWith('configuration reloaded'));
    expect(reloaded).toMatchObject({ level: 'info', trigger: 'file', version: 2, changed: ['policy.creditRefundLimitToman'] });

    proc.kill('SIGHUP'); // nothing changed since: read, said, still version 2 — and the process lives on
    const read = await waitFor((l) => l.trigger === 'SIGHUP');
    expect(read.msg).toContain('nothing that reloads live changed; still version 2');
    expect(await health()).toMatchObject({ version: 2, ok: true });

    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
