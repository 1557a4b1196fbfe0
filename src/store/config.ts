/**
 * Settings of the data side (store, bounced-cheque spreadsheet, Quantum, SMS, request outbox,
 * failed-lookup limit): zod schemas with defaults, and `readDataSettings(env)` that reads them from
 * environment variables (names in ENV_NAMES; documented in docs/data.md). The lead folds
 * `DataSettings` into the service configuration; a YAML config can feed the same schema.
 */
import cron from 'node-cron';
import { z } from 'zod';
import { DEFAULT_DB_PATH } from './db.ts';

/** a whole number within [min, max], with a message an admin can act on */
const int = (min: number, max: number) => {
  const msg = `must be a whole number from ${min} to ${max}`;
  return z.number({ message: msg }).int(msg).min(min, msg).max(max, msg);
};
const ms = int;

export const StoreSettings = z.object({
  /** SQLite file; `:memory:` for tests */
  dbPath: z.string().min(1).default(DEFAULT_DB_PATH),
  /** synchronous pragma: `full` (default; survives power loss) or `normal` (survives a crash only) */
  synchronous: z.enum(['full', 'normal']).default('full'),
  /**
   * how long a caller's write (a registration) waits, without blocking other calls, while another
   * process holds the database's write lock; then it is a failed step (the caller goes to the skill)
   */
  writeWaitMs: z.coerce.number().int().min(0).max(30_000).default(2000),
  /** letters of the request numbers (R → R-000123) */
  requestPrefix: z.string().regex(/^[A-Z]{1,3}$/, 'must be 1–3 capital letters, like R').default('R'),
  /** seed the store from data/demo.json when it holds no order data (a fresh clone) */
  seedDemo: z.boolean().default(true),
});
export type StoreSettings = z.infer<typeof StoreSettings>;

export const ChequesSettings = z.object({
  /** the finance unit's .xlsx of bounced cheques; unset: only the data file's cheques */
  xlsxPath: z.string().min(1).optional(),
  /** when to re-read it (node-cron syntax, 5 or 6 fields) */
  cron: z
    .string()
    .refine((s) => cron.validate(s), 'must be a cron expression such as "*/10 * * * *" (every 10 minutes)')
    .default('*/10 * * * *'),
});
export type ChequesSettings = z.infer<typeof ChequesSettings>;

export const QuantumSettings = z.object({
  /** base URL of Quantum's REST API, e.g. https://quantum.example/api/v1; unset: the embedded store answers */
  url: z.url({ message: 'must be an http(s) URL such as https://quantum.example/api/v1' }).optional(),
  token: z.string().min(1).optional(),
  /** per-attempt timeout */
  timeoutMs: ms(100, 60_000).default(2000),
  /** extra tries of a read (and of a write with its idempotency key) after a timeout / 5xx / network error */
  retries: int(0, 5).default(2),
  retryBackoffMs: ms(0, 10_000).default(200),
  /** consecutive failed calls that open the circuit breaker */
  breakerFailures: int(1, 100).default(5),
  /** how long the breaker stays open before one trial call (half-open) */
  breakerOpenMs: ms(100, 600_000).default(30_000),
});
export type QuantumSettings = z.infer<typeof QuantumSettings>;

export const SmsSettings = z.object({
  /** Kavenegar-style gateway base URL, e.g. https://api.kavenegar.com; unset: SMS go to the local outbox */
  gatewayUrl: z.url({ message: 'must be an http(s) URL such as https://api.kavenegar.com' }).optional(),
  apiKey: z.string().min(1).optional(),
  /** sender line number */
  sender: z.string().regex(/^\d{4,20}$/, 'must be the sender line number (digits)').optional(),
  /** most SMS parts of the nearest-stores message (UCS-2: 70 chars alone, 67 per part when concatenated) */
  maxParts: int(1, 10).default(5),
  timeoutMs: ms(100, 60_000).default(5000),
  /**
   * when the service asks the gateway what became of SMS left `pending` (src/sms/reconcile.ts;
   * node-cron syntax); gateway only, also once at start
   */
  reconcileCron: z
    .string()
    .refine((s) => cron.validate(s), 'must be a cron expression such as "*/5 * * * *" (every 5 minutes)')
    .default('*/5 * * * *'),
});
export type SmsSettings = z.infer<typeof SmsSettings>;

export const OutboxSettings = z.object({
  pollMs: ms(100, 3_600_000).default(5000),
  maxAttempts: int(1, 100).default(12),
  backoffBaseMs: ms(10, 3_600_000).default(2000),
  backoffMaxMs: ms(10, 86_400_000).default(30 * 60_000),
});
export type OutboxSettings = z.infer<typeof OutboxSettings>;

export const LookupLimitSettings = z.object({
  /** failed national-ID/order-number pairs allowed per calling number within the window */
  maxFailures: int(1, 100).default(5),
  windowMinutes: int(1, 7 * 24 * 60).default(60),
});
export type LookupLimitSettings = z.infer<typeof LookupLimitSettings>;

export const RecordsSettings = z.object({
  /** call records older than this many days are deleted */
  retentionDays: int(1, 3650).default(365),
  /** when the old records are deleted (node-cron syntax) */
  pruneCron: z
    .string()
    .refine((s) => cron.validate(s), 'must be a cron expression such as "15 3 * * *" (every day at 03:15)')
    .default('15 3 * * *'),
});
export type RecordsSettings = z.infer<typeof RecordsSettings>;

export const DataSettings = z
  .object({
    store: StoreSettings.default(StoreSettings.parse({})),
    cheques: ChequesSettings.default(ChequesSettings.parse({})),
    quantum: QuantumSettings.default(QuantumSettings.parse({})),
    sms: SmsSettings.default(SmsSettings.parse({})),
    outbox: OutboxSettings.default(OutboxSettings.parse({})),
    lookupLimit: LookupLimitSettings.default(LookupLimitSettings.parse({})),
    records: RecordsSettings.default(RecordsSettings.parse({})),
  })
  .superRefine((s, ctx) => {
    if (s.sms.gatewayUrl && !s.sms.apiKey) ctx.addIssue({ code: 'custom', path: ['sms', 'apiKey'], message: 'is required when SMS_GATEWAY_URL is set' });
    if (s.sms.gatewayUrl && !s.sms.sender) ctx.addIssue({ code: 'custom', path: ['sms', 'sender'], message: 'is required when SMS_GATEWAY_URL is set' });
  });
export type DataSettings = z.infer<typeof DataSettings>;

type Kind = 'string' | 'int' | 'bool';
/** environment variable → [settings path, kind] */
export const ENV_NAMES: Record<string, [string, string, Kind]> = {
  IVR_DB: ['store', 'dbPath', 'string'],
  IVR_DB_SYNC: ['store', 'synchronous', 'string'],
  IVR_DB_WRITE_WAIT_MS: ['store', 'writeWaitMs', 'int'],
  IVR_REQUEST_PREFIX: ['store', 'requestPrefix', 'string'],
  IVR_SEED_DEMO: ['store', 'seedDemo', 'bool'],
  IVR_CHEQUES_XLSX: ['cheques', 'xlsxPath', 'string'],
  IVR_CHEQUES_CRON: ['cheques', 'cron', 'string'],
  QUANTUM_URL: ['quantum', 'url', 'string'],
  QUANTUM_TOKEN: ['quantum', 'token', 'string'],
  QUANTUM_TIMEOUT_MS: ['quantum', 'timeoutMs', 'int'],
  QUANTUM_RETRIES: ['quantum', 'retries', 'int'],
  QUANTUM_RETRY_BACKOFF_MS: ['quantum', 'retryBackoffMs', 'int'],
  QUANTUM_BREAKER_FAILURES: ['quantum', 'breakerFailures', 'int'],
  QUANTUM_BREAKER_OPEN_MS: ['quantum', 'breakerOpenMs', 'int'],
  SMS_GATEWAY_URL: ['sms', 'gatewayUrl', 'string'],
  SMS_API_KEY: ['sms', 'apiKey', 'string'],
  SMS_SENDER: ['sms', 'sender', 'string'],
  SMS_MAX_PARTS: ['sms', 'maxParts', 'int'],
  SMS_TIMEOUT_MS: ['sms', 'timeoutMs', 'int'],
  SMS_RECONCILE_CRON: ['sms', 'reconcileCron', 'string'],
  IVR_OUTBOX_POLL_MS: ['outbox', 'pollMs', 'int'],
  IVR_OUTBOX_MAX_ATTEMPTS: ['outbox', 'maxAttempts', 'int'],
  IVR_OUTBOX_BACKOFF_MS: ['outbox', 'backoffBaseMs', 'int'],
  IVR_OUTBOX_BACKOFF_MAX_MS: ['outbox', 'backoffMaxMs', 'int'],
  IVR_LOOKUP_MAX_FAILURES: ['lookupLimit', 'maxFailures', 'int'],
  IVR_LOOKUP_WINDOW_MIN: ['lookupLimit', 'windowMinutes', 'int'],
  IVR_RECORDS_RETENTION_DAYS: ['records', 'retentionDays', 'int'],
  IVR_RECORDS_PRUNE_CRON: ['records', 'pruneCron', 'string'],
};

const SECRET = new Set(['QUANTUM_TOKEN', 'SMS_API_KEY']);

/** Settings that cannot be used; `problems` has one line per variable. */
export class SettingsError extends Error {
  override name = 'SettingsError';
  constructor(readonly problems: string[]) {
    super(`invalid settings:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/**
 * Reads the data settings from environment variables (unset or empty variables take the default).
 * `base` holds settings from a config file, overridden by the environment. Throws SettingsError
 * naming each bad variable, its value (secrets hidden) and what it must be.
 */
export function readDataSettings(env: NodeJS.ProcessEnv = process.env, base: unknown = {}): DataSettings {
  const raw: Record<string, Record<string, unknown>> = structuredClone((base ?? {}) as Record<string, Record<string, unknown>>);
  const problems: string[] = [];
  const fromEnv = new Map<string, string>(); // "section.key" → env name
  for (const [name, [section, key, kind]] of Object.entries(ENV_NAMES)) {
    const v = env[name];
    if (v === undefined || v.trim() === '') continue;
    fromEnv.set(`${section}.${key}`, name);
    const val = v.trim();
    let parsed: unknown = val;
    if (kind === 'int') {
      if (!/^-?\d+$/.test(val)) {
        problems.push(`${name}: must be a whole number (got "${val}")`);
        continue;
      }
      parsed = Number(val);
    } else if (kind === 'bool') {
      if (!/^(1|0|true|false|yes|no|on|off)$/i.test(val)) {
        problems.push(`${name}: must be true or false (got "${val}")`);
        continue;
      }
      parsed = /^(1|true|yes|on)$/i.test(val);
    }
    (raw[section] ??= {})[key] = parsed;
  }
  if (problems.length) throw new SettingsError(problems);
  const res = DataSettings.safeParse(raw);
  if (res.success) return res.data;
  for (const issue of res.error.issues) {
    const dotted = issue.path.map(String).join('.');
    const name = fromEnv.get(dotted) ?? Object.entries(ENV_NAMES).find(([, [s, k]]) => `${s}.${k}` === dotted)?.[0] ?? dotted;
    const got = name in ENV_NAMES && env[name] !== undefined ? (SECRET.has(name) ? ' (got a hidden value)' : ` (got "${env[name]}")`) : '';
    problems.push(`${name}: ${issue.message}${got}`);
  }
  throw new SettingsError(problems);
}
