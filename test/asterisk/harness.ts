/**
 * The real-Asterisk tier: a private Asterisk 22 started with the project's dialplan/ through the
 * container's entrypoint (src/asterisk/local.ts), the whole IVR service connected to it over ARI,
 * and black-box test callers that originate Local/1699@ivr-inbound, exactly as `ivr-1699 call
 * --ari-url` does. Prompts play in real time.
 *
 * Where no Asterisk is found, `asteriskMissing` holds the reason and the tier's tests skip with
 * it in their title. Point the tests at an Asterisk with ASTERISK_HOME (an unpacked install),
 * `asterisk` on PATH, or an install unpacked into .asterisk/ (what .ci/run does).
 */
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { AriClient } from '../../src/ari/client.ts';
import { findAsterisk, startLocalAsterisk, type AsteriskInstall, type LocalAsterisk, type LocalAsteriskOptions } from '../../src/asterisk/local.ts';
import { startStack, type Stack, type StackOptions } from '../../src/app/stack.ts';
import { parseKeys } from '../../src/caller/keys.ts';
import type { CallReport } from '../../src/caller/report.ts';
import { TestCall } from '../../src/caller/test-caller.ts';
import { loadConfig } from '../../src/config/load.ts';
import { SOUND_FOLDER } from '../../src/speech/compose.ts';
import { DEMO_NOW, memoryLogger } from '../integration/harness.ts';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const found = findAsterisk(process.env, PROJECT_ROOT);
export const asteriskInstall: AsteriskInstall | undefined = 'missing' in found ? undefined : found;
/** why the tier is skipped here, or undefined */
export const asteriskMissing: string | undefined = 'missing' in found ? found.missing : undefined;
/** the title suffix of a tier's describe: says why it is skipped */
export const tierTitle = (title: string) => (asteriskMissing ? `${title} — skipped: ${asteriskMissing}` : `${title} (${asteriskInstall!.source})`);

export function startAsterisk(o: Partial<LocalAsteriskOptions> = {}): Promise<LocalAsterisk> {
  if (!asteriskInstall) throw new Error(asteriskMissing);
  return startLocalAsterisk({ install: asteriskInstall, projectRoot: PROJECT_ROOT, ...o });
}

export interface AsteriskHarness {
  asterisk: LocalAsterisk;
  stack: Stack;
  client: AriClient;
  /** the caller app's name (the client's Stasis app; subscribe it to more event sources) */
  app: string;
  logs: string[];
  call(keys: string, opts?: { caller?: string; timeoutMs?: number; hangupAtPrompt?: string }): Promise<CallReport>;
  close(): Promise<void>;
}

let seq = 0;

/** Asterisk, the service on it (memory store with the demo data, clock at DEMO_NOW) and a caller app. */
export async function startAsteriskHarness(o: { asterisk?: LocalAsterisk; stack?: Partial<StackOptions> } = {}): Promise<AsteriskHarness> {
  const asterisk = o.asterisk ?? (await startAsterisk());
  const { logger, logs } = memoryLogger(process.env.LOG_LEVEL ?? 'info');
  const env = { ARI_URL: asterisk.ariUrl, ARI_USERNAME: asterisk.ariUsername, ARI_PASSWORD: asterisk.ariPassword };
  const config = loadConfig({ env, cwd: '/' });
  const stack = await startStack({ config, logger, memoryStore: true, now: DEMO_NOW, httpPort: false, ...o.stack });
  await stack.service.ready;
  const app = `test-caller-${process.pid}-${++seq}`;
  const client = await AriClient.connect({ url: asterisk.ariUrl, username: asterisk.ariUsername, password: asterisk.ariPassword, app, logger });
  return {
    asterisk,
    stack,
    client,
    app,
    logs,
    call: (keys, co = {}) =>
      new TestCall(client, {
        app,
        context: config.service.entry.context,
        extension: config.service.entry.extension,
        callerId: co.caller ?? '09121234567',
        keys: parseKeys(keys),
        agentsContext: config.routing.agentsContext,
        mediaPrefix: SOUND_FOLDER,
        timeoutMs: co.timeoutMs ?? 180_000,
        hangupAtPrompt: co.hangupAtPrompt,
      }).start(),
    close: async () => {
      await client.close().catch(() => undefined);
      await stack.stop().catch(() => undefined);
      if (!o.asterisk) await asterisk.stop();
    },
  };
}
