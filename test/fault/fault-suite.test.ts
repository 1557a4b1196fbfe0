/**
 * The fault suite (test/fault/suite.ts) on the built-in switch: the switch runs in this process at
 * 10× speed, so the calls outlive the service processes the suite kills, locks and stops. The same
 * suite runs on a real Asterisk in test/asterisk/faults.test.ts.
 */
import { afterAll } from 'vitest';
import { AriClient } from '../../src/ari/client.ts';
import { builtinSwitchOptions } from '../../src/app/stack.ts';
import { loadConfig } from '../../src/config/load.ts';
import { startSwitch, type BuiltinSwitch } from '../../src/switch/index.ts';
import { memoryLogger } from '../integration/harness.ts';
import { defineFaultSuite, type GroundInstance } from './suite.ts';

const config = loadConfig({ env: {}, cwd: '/' });
const { logger } = memoryLogger('warn');
let shared: Promise<{ sw: BuiltinSwitch; ground: GroundInstance }> | undefined;

afterAll(async () => {
  const s = await shared;
  await s?.ground.client.close();
  await s?.sw.stop();
});

defineFaultSuite(
  {
    name: 'built-in switch (10× speed)',
    tableMarker: 'fault-table',
    // one switch for the whole file; the scenarios take turns on it (each has its own service)
    open: async () => {
      shared ??= (async () => {
        const sw = await startSwitch(builtinSwitchOptions(config, { port: 0, timeScale: 0.1, logger }));
        const app = `fault-callers-${process.pid}`;
        const { username, password } = config.service.ari;
        const client = await AriClient.connect({ url: sw.url, username, password, app, logger });
        return { sw, ground: { ariUrl: sw.url, username, password, client, app, close: async () => {} } };
      })();
      return (await shared).ground;
    },
    staggerMs: 300,
    concurrent: false,
    calls: 12,
    callTimeoutMs: 60_000,
    watchdogS: 30,
    scenarioMs: 90_000,
  },
  'fault suite: the real service process under faults, callers registering refunds (built-in switch)',
);
