/**
 * The one logger: pino, JSON lines to stderr (stdout stays free for command output such as
 * `call --json`). Every object and message passes through the masking of personal data.
 * A call's lines carry its id: use `callLogger(callId)` (a pino child).
 */
import pino, { type Logger } from 'pino';
import { maskDeep, maskText } from './mask.ts';

export type { Logger };

export interface LogOptions {
  level?: string;
  /** where the JSON lines go; default stderr (fd 2) */
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? 'info';
  const root = pino(
    {
      level,
      base: { service: 'ivr-1699' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => maskDeep(obj) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          // mask message strings and any printf-style arguments
          const masked = args.map((a) => (typeof a === 'string' ? maskText(a) : a)) as typeof args;
          method.apply(this, masked);
        },
      },
      serializers: { err: (e: unknown) => maskDeep(e) },
    },
    opts.destination ?? pino.destination({ fd: 2, sync: false }),
  );
  // pino serialises a child's bindings once, outside the log formatter: mask them on the way in.
  // Children inherit this method (pino creates them with Object.create(parent)).
  const child = root.child;
  root.child = function (this: Logger, bindings, options) {
    return child.call(this, maskDeep(bindings) as typeof bindings, options);
  } as typeof root.child;
  return root;
}

let root: Logger | undefined;
/** The process-wide logger (created on first use). */
export function logger(): Logger {
  root ??= createLogger();
  return root;
}
export function setLogger(l: Logger): void {
  root = l;
}
export function callLogger(callId: string, base: Logger = logger()): Logger {
  return base.child({ callId });
}
