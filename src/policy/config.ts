/**
 * Thresholds of the policy rules: configuration data validated by zod, every key with a default
 * (the figures of the seed) and a message that tells an admin what is expected.
 * Embedded in the service configuration as the `policy:` section.
 */
import { z } from 'zod';

/** whole number from a number or a numeric text (environment variables are texts) */
function whole(what: string, def: number, min = 1) {
  return z
    .preprocess(
      (v) => (typeof v === 'string' && /^\s*\d[\d_,]*\s*$/.test(v) ? Number(v.replace(/[_,\s]/g, '')) : v),
      z
        .number({ error: `must be a whole number (${what}), e.g. ${def}` })
        .int({ error: `must be a whole number (${what}), e.g. ${def}` })
        .min(min, { error: `must be at least ${min} (${what})` }),
    )
    .default(def);
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const PolicyConfig = z.strictObject(
  {
    /** time zone of calendar days and working days */
    timeZone: z
      .string()
      .refine(validTimeZone, { error: 'not a known IANA time zone; use e.g. "Asia/Tehran"' })
      .default('Asia/Tehran'),
    /** false: Thursday is a day off like Friday (banks and offices close on Thursdays); true: Thursday counts as a working day */
    thursdayIsWorkingDay: z
      .preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean({ error: 'must be true or false' }))
      .default(false),
    /** A6: a credit-wallet balance below this is refunded (referral to follow-up); at or above it can only buy goods */
    creditRefundLimitToman: whole('Toman', 500_000),
    /** A7: a cash-wallet balance below this is refunded when the other conditions hold; at or above goes to the sales expert */
    cashRefundLimitToman: whole('Toman', 3_000_000),
    /** P1: the pro-forma is valid when the wallet is charged within this many working days after its issue day */
    proformaValidityWorkingDays: whole('working days', 7),
    /** P1: wallet still not charged this many calendar days ("one month") after issue: activity + follow-up when stock allows */
    proformaUnchargedFollowUpDays: whole('calendar days', 30),
    /** P4: standard time of a cheque approval, in working days after the cheque was submitted */
    chequeApprovalStandardWorkingDays: whole('working days', 3),
    /** A10: the caller is asked to wait until this many calendar days ("2 weeks") after the bounce */
    bouncedChequeWaitDays: whole('calendar days', 14),
    /** A9: an earlier festival referral still open after this many working days counts as "the festival unit did not act" */
    festivalReferralWaitWorkingDays: whole('working days', 7),
    /** the holiday table (path relative to the project folder, or absolute) */
    holidaysFile: z.string().min(1, { error: 'give the path of the holiday table, e.g. config/holidays.json' }).default('config/holidays.json'),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown key(s) ${iss.keys.map((k) => `'${k}'`).join(', ')}; known keys: ${POLICY_KEYS.join(', ')}` : undefined) },
);
export type PolicyConfig = z.infer<typeof PolicyConfig>;

export const POLICY_KEYS = [
  'timeZone',
  'thursdayIsWorkingDay',
  'creditRefundLimitToman',
  'cashRefundLimitToman',
  'proformaValidityWorkingDays',
  'proformaUnchargedFollowUpDays',
  'chequeApprovalStandardWorkingDays',
  'bouncedChequeWaitDays',
  'festivalReferralWaitWorkingDays',
  'holidaysFile',
] as const;

export const defaultPolicyConfig: PolicyConfig = PolicyConfig.parse({});

export class PolicyConfigError extends Error {
  override name = 'PolicyConfigError';
  constructor(readonly problems: string[]) {
    super(`policy configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Validates a `policy:` section; throws PolicyConfigError with one admin-readable line per problem. */
export function parsePolicyConfig(input: unknown, source = 'policy'): PolicyConfig {
  const r = PolicyConfig.safeParse(input ?? {}, { reportInput: true });
  if (r.success) return r.data;
  throw new PolicyConfigError(
    r.error.issues.map((i) => {
      const got = 'input' in i && i.input !== undefined && i.code !== 'unrecognized_keys' ? ` (got ${JSON.stringify(i.input)})` : '';
      const path = [source, ...i.path.map(String)].join('.');
      return `${path}: ${i.message}${got}`;
    }),
  );
}
