/** Test helpers of the web console: a whole stack (built-in switch, service, console) on loopback over a copy of the prompts. */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '../../src/app/stack.ts';
import { loadConfig } from '../../src/config/load.ts';
import { hashPassword } from '../../src/console/passwords.ts';
import { memoryLogger } from '../integration/harness.ts';
import { PROMPTS_DIR } from '../speech/helpers.ts';

export const USER = 'admin';
export const PASSWORD = 'correct horse 1699';

export interface ConsoleStack {
  stack: Stack;
  base: string;
  dir: string;
  promptsDir: string;
  auditFile: string;
  logs: string[];
  close(): Promise<void>;
}

export async function startConsoleStack(o: { timeScale?: number; now?: string } = {}): Promise<ConsoleStack> {
  const dir = mkdtempSync(join(tmpdir(), 'ivr-1699-console-'));
  cpSync(PROMPTS_DIR, join(dir, 'prompts', 'fa'), { recursive: true });
  const auditFile = join(dir, 'audit.jsonl');
  const { logger, logs } = memoryLogger('info');
  const config = loadConfig({
    env: {},
    cwd: '/',
    overrides: {
      service: { prompts: { dir: join(dir, 'prompts') } },
      console: { accounts: [{ user: USER, name: 'مدیر آزمایشی', passwordHash: await hashPassword(PASSWORD) }], auditFile },
    },
  });
  const stack = await startStack({ config, logger, memoryStore: true, timeScale: o.timeScale ?? 0.1, switchPort: 0, httpPort: 0, ...(o.now ? { now: o.now } : {}) });
  await stack.service.ready;
  return {
    stack,
    base: `http://127.0.0.1:${stack.service.health!.port}`,
    dir,
    promptsDir: join(dir, 'prompts', 'fa'),
    auditFile,
    logs,
    close: async () => {
      await stack.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
