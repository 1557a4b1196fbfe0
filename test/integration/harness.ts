/**
 * Integration harness: the built-in switch, the whole service and a black-box caller, all over
 * real HTTP/WebSocket on loopback with the real ari-client (as `ivr-1699 call` does).
 */
import { Writable } from 'node:stream';
import { AriClient } from '../../src/ari/client.ts';
import { startStack, type Stack, type StackOptions } from '../../src/app/stack.ts';
import { parseKeys } from '../../src/caller/keys.ts';
import type { CallReport } from '../../src/caller/report.ts';
import { TestCall } from '../../src/caller/test-caller.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger, type Logger } from '../../src/log/logger.ts';
import { SOUND_FOLDER } from '../../src/speech/compose.ts';

/** reference time of data/demo.json (docs/data.md) */
export const DEMO_NOW = '2026-11-25T10:00:00+03:30';

export interface Harness {
  stack: Stack;
  client: AriClient;
  /** the caller's ARI application name */
  app: string;
  logs: string[];
  logger: Logger;
  /**
   * A scripted call (`keys` as `ivr-1699 call --keys`), or with `onPrompt` an interactive one: no
   * script, `onPrompt` sees each prompt as it starts and keys with `call.sendKeys`.
   */
  call(keys: string, opts?: { caller?: string; timeoutMs?: number; hangupAtPrompt?: string; onPrompt?: (name: string, call: TestCall) => void }): Promise<CallReport>;
  close(): Promise<void>;
}

export function memoryLogger(level = 'info'): { logger: Logger; logs: string[] } {
  const logs: string[] = [];
  const dest = new Writable({
    write(chunk, _e, cb) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      if (logs.length > 20000) logs.splice(0, logs.length - 20000);
      cb();
    },
  });
  return { logger: createLogger({ level, destination: dest as never }), logs };
}

let callerSeq = 0;

export async function startHarness(o: Partial<StackOptions> & { timeScale?: number } = {}): Promise<Harness> {
  const { logger, logs } = memoryLogger(process.env.LOG_LEVEL ?? 'info');
  const config = loadConfig({ env: {}, cwd: '/' });
  const stack = await startStack({ config, logger, memoryStore: true, now: DEMO_NOW, timeScale: 0.05, switchPort: 0, httpPort: false, ...o });
  await stack.service.ready;
  const app = `test-caller-${process.pid}-${++callerSeq}`;
  const client = await AriClient.connect({ url: stack.ariUrl, username: config.service.ari.username, password: config.service.ari.password, app, logger });
  return {
    stack,
    client,
    app,
    logs,
    logger,
    call: (keys, co = {}) => {
      const onPrompt = co.onPrompt;
      const call: TestCall = new TestCall(
        client,
        {
          app,
          context: config.service.entry.context,
          extension: config.service.entry.extension,
          callerId: co.caller ?? '09121234567',
          ...(onPrompt ? {} : { keys: parseKeys(keys) }),
          agentsContext: config.routing.agentsContext,
          mediaPrefix: SOUND_FOLDER,
          timeoutMs: co.timeoutMs ?? 60_000,
          hangupAtPrompt: co.hangupAtPrompt,
        },
        onPrompt ? { prompt: (name) => onPrompt(name, call) } : {},
      );
      return call.start();
    },
    close: async () => {
      await client.close();
      await stack.stop();
    },
  };
}
