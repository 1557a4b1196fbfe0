/**
 * `ivr-1699 serve` (also `npm start`): runs the service. With ARI_URL it connects to that
 * Asterisk; without it, it starts the built-in switch on loopback and connects to that.
 */
import { applyHeapPolicy } from '../../app/heap.ts';
import { startStack } from '../../app/stack.ts';
import { loadConfig } from '../../config/load.ts';
import { HEAP_GROWING_PERCENT_DEFAULT } from '../../config/service.ts';
import { createLogger, setLogger } from '../../log/logger.ts';
import { parseOptions } from '../usage-error.ts';
import { installProcessGuards } from '../process-guards.ts';

export const summary = 'run the IVR service (built-in switch when ARI_URL is not set)';

const HELP = `usage: ivr-1699 serve [--config FILE]

Runs the IVR. Environment: ARI_URL (unset: built-in switch on SWITCH_PORT, default 8088),
ARI_USERNAME, ARI_PASSWORD, ARI_APP, HTTP_PORT (health/metrics, default 9100), LOG_LEVEL,
IVR_STOP_GRACE_MS (SIGTERM: how long calls in progress may finish, default 30000),
IVR_HEAP_GROWING_PERCENT (how far V8 lets the heap grow past its live size before it marks
again, default ${HEAP_GROWING_PERCENT_DEFAULT}; 0 = V8's own policy), IVR_CONFIG (config file).
Saving the config file or \`kill -HUP <pid>\` reloads menus, timeouts, thresholds and routing for
new calls. See README "Configuration".`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseOptions({ args: argv, options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  // a ConfigError lists every problem; the dispatcher prints it and exits 1
  const load = values.config ? { file: values.config } : {};
  const config = loadConfig(load);
  const logger = createLogger({ level: config.service.log.level });
  setLogger(logger);
  installProcessGuards(logger);
  // the service's heap-growth policy (service.heap.growingPercent; src/app/heap.ts), before any call allocates
  const heap = applyHeapPolicy(config.service.heap.growingPercent);
  // flow, policy and routing.skills reload live when the file is saved or on SIGHUP (README "Changing the configuration live")
  const stack = await startStack({ config, logger, background: true, live: { load } });
  logger.info({ ari: stack.ariUrl, app: config.service.ari.app, entry: `${config.service.entry.extension}@${config.service.entry.context}`, heap }, 'ivr-1699 is running');
  if (stack.switch) {
    process.stderr.write(
      `ivr-1699: built-in switch at ${stack.ariUrl} (ARI user ${config.service.ari.username}); place a test call with\n` +
        `  npx ivr-1699 call --ari-url ${stack.ariUrl} --keys "0" --json\n`,
    );
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (sig: string) => {
      if (stopping) {
        // a second signal: the operator does not want to wait for the grace period
        logger.warn({ signal: sig }, 'second stop signal: exiting now');
        logger.flush?.();
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal: sig, graceMs: config.service.stopGraceMs }, 'stopping: no new calls, calls in progress finish within the grace period');
      void stack.stop().then(resolve, (e: unknown) => {
        logger.error({ err: e }, 'error while stopping');
        resolve();
      });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  // everything is closed and every timer cleared; should a library still hold a handle open, do not
  // hang around as a zombie service (this timer does not itself keep the process alive)
  setTimeout(() => {
    logger.warn('handles still open after stopping: exiting anyway');
    logger.flush?.();
    process.exit(0);
  }, 2000).unref();
  return 0;
}
