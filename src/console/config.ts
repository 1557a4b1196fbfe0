/**
 * The `console:` section of the configuration: the web console's accounts (password hashes made
 * with `ivr-1699 console hash-password`), how long a sign-in lasts, and where the audit trail goes.
 */
import { z } from 'zod';
import { PASSWORD_HASH } from './passwords.ts';

export const ConsoleAccount = z
  .object({
    user: z.string().regex(/^[A-Za-z0-9._-]{2,40}$/, 'a user name is 2–40 letters, digits, dot, dash or underscore'),
    /** shown in the console and written in the audit trail beside the user name */
    name: z.string().max(80).optional(),
    passwordHash: z.string().regex(PASSWORD_HASH, "must be a hash made by 'ivr-1699 console hash-password' (scrypt$…), never the password itself"),
  })
  .strict();

export const ConsoleConfig = z
  .object({
    /** serve /console on the service's HTTP port */
    enabled: z.boolean().default(true),
    accounts: z
      .array(ConsoleAccount)
      .default([])
      .refine((a) => new Set(a.map((x) => x.user)).size === a.length, 'each user name may appear once'),
    /** a sign-in lasts this long without use */
    sessionMinutes: z.coerce.number().int().min(5).max(24 * 60).default(8 * 60),
    /** durable audit trail of every change made in the console (JSON lines) */
    auditFile: z.string().min(1).default('var/console-audit.jsonl'),
    /** add `Secure` to the session cookie (set when the console is reached over HTTPS through a proxy) */
    secureCookie: z.boolean().default(false),
  })
  .strict();
export type ConsoleConfig = z.infer<typeof ConsoleConfig>;
export type ConsoleAccount = z.infer<typeof ConsoleAccount>;
