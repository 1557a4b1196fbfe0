/**
 * Last line of defence for a long-running process: ari-client 2.2.0 and its swagger-client can
 * throw from inside socket callbacks (outside any promise). Such errors are logged and the
 * process lives on (the adapter reconnects); any other uncaught error is logged and ends the
 * process, so a supervisor restarts it in a known state.
 */
import type { Logger } from '../log/logger.ts';

const SURVIVABLE = /node_modules[\\/](ari-client|swagger-client|shred|request|ws)[\\/]/;

export function installProcessGuards(log: Logger): void {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection (kept running)');
  });
  process.on('uncaughtException', (err) => {
    if (SURVIVABLE.test(err?.stack ?? '')) {
      log.error({ err }, 'error thrown inside the ARI client library (kept running)');
      return;
    }
    log.fatal({ err }, 'uncaught exception: exiting');
    log.flush?.();
    setTimeout(() => process.exit(1), 100).unref();
  });
}
