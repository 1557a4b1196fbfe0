/**
 * Options of the built-in switch, validated with zod (admin-readable messages, defaults).
 */
import { z } from 'zod';
import type { Logger } from 'pino';

const nonEmpty = (field: string) =>
  z.string({ error: `${field} must be a string` }).min(1, { error: `${field} must not be empty` });

export const switchOptionsSchema = z.object({
  /** TCP port; 0 (default) picks a free one */
  port: z
    .number({ error: 'port must be a number (0 = pick a free port)' })
    .int({ error: 'port must be a whole number' })
    .min(0, { error: 'port must be between 0 and 65535' })
    .max(65535, { error: 'port must be between 0 and 65535' })
    .default(0),
  /** listening address; loopback by default */
  host: nonEmpty('host').default('127.0.0.1'),
  username: nonEmpty('username').default('asterisk'),
  password: nonEmpty('password').default('asterisk'),
  /** every duration (prompts, DTMF, queue hold, Wait) is multiplied by this; 1 = real time */
  timeScale: z
    .number({ error: 'timeScale must be a number (1 = real time, 0.02 = fifty times faster)' })
    .positive({ error: 'timeScale must be greater than 0 (1 = real time)' })
    .max(100, { error: 'timeScale must be at most 100' })
    .default(1),
  /** sound prefix → directory; `sound:<prefix>/<name>` in language L plays `<dir>/<L>/<name>.<ext>`; key '' for unprefixed names */
  sounds: z.record(z.string(), nonEmpty('sounds directory')).default({}),
  /**
   * which dialplan the switch runs: 'project' mirrors dialplan/extensions.conf (failsafe to the
   * general queue, agents answer); 'recorded' mirrors the Asterisk the ARI traces were recorded on
   * (Set, Stasis, NoOp, Hangup; agents NoOp/Wait/Hangup) and is what the conformance test uses
   */
  dialplanStyle: z.enum(['project', 'recorded'], { error: "dialplanStyle must be 'project' or 'recorded'" }).default('project'),
  /** dialplan context that `Local/1699@<entryContext>` enters */
  entryContext: nonEmpty('entryContext').default('ivr-inbound'),
  /** extension of the entry context that runs the IVR */
  entryExtension: nonEmpty('entryExtension').default('1699'),
  /** Stasis application the entry extension hands the call to */
  ivrApp: nonEmpty('ivrApp').default('ivr-1699'),
  /** language the entry extension sets on the channel (CHANNEL(language)) */
  language: nonEmpty('language').default('fa'),
  /** context of the skill queues; `continue` to `<agentsContext>,<skill>,1` transfers the call */
  agentsContext: nonEmpty('agentsContext').default('agents'),
  /** extension of the agents context the failsafe sends a call to when Stasis fails (IVR app not connected); null = hang up instead */
  failoverExtension: z.union([nonEmpty('failoverExtension'), z.null()]).default('general'),
  /** how long a transferred call waits in the queue before the switch hangs it up (ms, scaled) */
  queueHoldMs: z
    .number({ error: 'queueHoldMs must be a number of milliseconds' })
    .int({ error: 'queueHoldMs must be a whole number of milliseconds' })
    .min(0, { error: 'queueHoldMs must not be negative' })
    .default(30_000),
  /**
   * global IVR_WATCHDOG of the project dialplan: seconds of TIMEOUT(absolute) armed before
   * Stasis(); a call whose IVR service stops pushing it forward leaves Stasis() for the
   * general queue when it runs out (wall-clock seconds: not scaled)
   */
  watchdogSeconds: z.number().positive({ error: 'watchdogSeconds must be a positive number of seconds' }).default(30),
  /** duration of one item of a digits:/number:/characters: playback (ms, scaled) */
  sayItemMs: z.number().int().positive({ error: 'sayItemMs must be a positive number of milliseconds' }).default(850),
  /** pino logger; silent when absent */
  logger: z.custom<Logger>((v) => v === undefined || (typeof v === 'object' && v !== null), {
    error: 'logger must be a pino Logger',
  }).optional(),
});

/** What callers pass to startSwitch (everything optional). */
export type SwitchOptions = z.input<typeof switchOptionsSchema>;
/** Options after defaults. */
export type ResolvedSwitchOptions = z.output<typeof switchOptionsSchema>;

export function resolveSwitchOptions(opts: SwitchOptions = {}): ResolvedSwitchOptions {
  const parsed = switchOptionsSchema.safeParse(opts);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const field = i.path.join('.') || '(options)';
      const got = i.path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined), opts);
      return `switch option ${field}: ${i.message} (got ${JSON.stringify(got)})`;
    });
    throw new Error(lines.join('\n'));
  }
  return parsed.data;
}
