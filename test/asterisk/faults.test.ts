/**
 * The fault suite (test/fault/suite.ts) on the real-Asterisk tier: the same scenarios and counts as
 * on the built-in switch — kill -9 during a registration burst and a restart, the store locked, the
 * disk full, Quantum stopped, SIGTERM with calls in flight and arriving — with the callers' calls in
 * a real Asterisk 22 (project dialplan, watchdog armed before Stasis()). Prompts play in real time,
 * so each scenario gets its own Asterisk and the scenarios run side by side.
 */
import { describe, it } from 'vitest';
import { AriClient } from '../../src/ari/client.ts';
import { createLogger } from '../../src/log/logger.ts';
import { defineFaultSuite } from '../fault/suite.ts';
import { asteriskMissing, startAsterisk, tierTitle } from './harness.ts';

let seq = 0;
const title = tierTitle('fault suite on a real Asterisk: the real service process under faults, callers registering refunds');

if (asteriskMissing) {
  // the title says why (tierTitle)
  describe.skip(title, () => it('kill, lock, disk full, Quantum stopped, SIGTERM on a real Asterisk', () => {}));
} else {
  defineFaultSuite(
    {
      name: 'real Asterisk 22 (real time)',
      tableMarker: 'fault-table-asterisk',
      open: async () => {
        const ast = await startAsterisk();
        const app = `fault-callers-${process.pid}-${++seq}`;
        const client = await AriClient.connect({ url: ast.ariUrl, username: ast.ariUsername, password: ast.ariPassword, app, logger: createLogger({ level: 'silent' }) });
        return {
          ariUrl: ast.ariUrl,
          username: ast.ariUsername,
          password: ast.ariPassword,
          client,
          app,
          close: async () => {
            await client.close().catch(() => undefined);
            await ast.stop();
          },
        };
      },
      staggerMs: 1500,
      concurrent: true,
      calls: 8,
      callTimeoutMs: 150_000,
      watchdogS: 30,
      scenarioMs: 170_000,
    },
    title,
  );
}
