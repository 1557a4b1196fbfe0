/**
 * Everything a telephony admin tunes in the call flow, as data validated by zod with defaults:
 * timeouts, tries, the menu tree (key → item), the prompt names each state plays, and the
 * digit-entry specs. `FlowConfig.parse({})` gives the default flow of the spec.
 */
import { z } from 'zod';
import { SKILLS, TOPIC_OWNER, TOPICS, type Skill, type Topic } from '../domain/skills.ts';
import { ENTRY_KINDS, REASON_CODES, type EntryKind, type ReasonCode } from './validate.ts';

/** Before-purchase items that are not policy topics: each has its own small flow. */
export const SERVICES = ['sale-plans', 'product-advice', 'nearest-stores', 'customer-registration'] as const;
export type Service = (typeof SERVICES)[number];

/** Names the machine uses for its own states; a menu may not be called like one of them. */
export const RESERVED_STATE_NAMES = [
  'call', 'welcome', 'identify', 'questions', 'decide', 'handoff', 'finish', 'hung-up', 'transferred',
  'completed', 'transfer-failed', 'svc-sale-plans', 'svc-product-advice', 'svc-nearest-stores',
  'svc-customer-registration', 'entry',
] as const;

const promptName = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*(\/[a-z0-9]+(-[a-z0-9]+)*)*$/, 'prompt names are lowercase kebab-case, e.g. main-menu or num/20');

const ms = (field: string, def: number) =>
  z
    .number({ error: `${field}: a number of milliseconds, e.g. ${def}` })
    .int(`${field}: whole milliseconds, e.g. ${def}`)
    .min(500, `${field}: at least 500 ms (callers need time to press a key)`)
    .max(60_000, `${field}: at most 60000 ms (one minute)`)
    .default(def);

const tries = (field: string, def: number) =>
  z
    .number({ error: `${field}: a whole number of tries, e.g. ${def}` })
    .int(`${field}: a whole number of tries, e.g. ${def}`)
    .min(1, `${field}: at least 1 try`)
    .max(9, `${field}: at most 9 tries`)
    .default(def);

/** What a menu key leads to: exactly one of another menu, a topic, a service, an agent (skill). */
export type MenuItem = { menu: string } | { topic: Topic } | { service: Service } | { agent: Skill };

const oneOf = (field: string, values: readonly string[]) =>
  z.enum(values as [string, ...string[]], {
    error: (iss) => `${field}: '${String(iss.input)}' is not one of ${values.join(', ')}`,
  });

export const MenuItem = z
  .strictObject({
    menu: z.string().min(1, 'menu: the name of another menu').optional(),
    topic: oneOf('topic', TOPICS).optional(),
    service: oneOf('service', SERVICES).optional(),
    agent: oneOf('agent', SKILLS).optional(),
  }, { error: (iss) => (iss.code === 'unrecognized_keys' ? `menu item: only menu, topic, service or agent, not ${iss.keys.join(', ')}` : undefined) })
  .refine((i) => [i.menu, i.topic, i.service, i.agent].filter((v) => v !== undefined).length === 1, {
    message: 'menu item: exactly one of menu, topic, service or agent, e.g. { topic: refund } or { agent: general }',
  })
  .transform((i): MenuItem => {
    if (i.menu !== undefined) return { menu: i.menu };
    if (i.topic !== undefined) return { topic: i.topic as Topic };
    if (i.service !== undefined) return { service: i.service as Service };
    return { agent: i.agent as Skill };
  });

export const MenuSpec = z.object({
  /** prompt that lists the options */
  prompt: promptName,
  /** DTMF key (0-9 or #) → item; `*` always repeats the menu and cannot be used here */
  keys: z.record(z.string(), MenuItem),
});
export type MenuSpec = z.infer<typeof MenuSpec>;

/** lengths the validators accept (src/flow/validate.ts) */
const VALID_LENGTHS: Record<EntryKind, [number, number]> = {
  'national-id': [10, 10],
  'order-number': [10, 10],
  'area-code': [3, 4],
  mobile: [11, 11],
};

export const READ_BACK = ['off', 'announce', 'confirm'] as const;
export type ReadBack = (typeof READ_BACK)[number];

const entrySpec = (d: { prompt: string; min: number; max: number; readBack: ReadBack }) =>
  z
    .object({
      prompt: promptName.default(d.prompt),
      /** fewer digits than this (ended with # or by the inter-digit timeout) is a failed try */
      minLength: z.number().int().min(1).max(20).default(d.min),
      /** the entry ends by itself when this many digits were keyed */
      maxLength: z.number().int().min(1).max(20).default(d.max),
      /** the key that ends the entry early */
      terminator: z.enum(['#'], { error: 'terminator: only # ends an entry (* clears and repeats)' }).default('#'),
      /** off: none; announce: "you entered …" (* during it re-enters); confirm: read back, 1 confirms, 2 re-enters */
      readBack: z.enum(READ_BACK, { error: `readBack: one of ${READ_BACK.join(', ')}` }).default(d.readBack),
      /** prompt after the read-back in confirm mode */
      confirmPrompt: promptName.default('confirm-entry'),
    })
    .refine((s) => s.minLength <= s.maxLength, { message: 'minLength must not exceed maxLength' });
export type EntrySpec = z.infer<ReturnType<typeof entrySpec>>;

export const defaultMenus: Record<string, MenuSpec> = {
  'main-menu': {
    prompt: 'main-menu',
    keys: { '1': { menu: 'menu-before' }, '2': { menu: 'menu-during' }, '3': { menu: 'menu-after' }, '0': { agent: 'general' } },
  },
  'menu-before': {
    prompt: 'menu-before',
    keys: {
      '1': { service: 'sale-plans' },
      '2': { service: 'product-advice' },
      '3': { service: 'nearest-stores' },
      '4': { service: 'customer-registration' },
      '0': { agent: 'general' },
    },
  },
  'menu-during': {
    prompt: 'menu-during',
    keys: {
      '1': { topic: 'proforma' },
      '2': { topic: 'order-registration' },
      '3': { topic: 'cheque-approval' },
      '0': { agent: 'general' },
    },
  },
  'menu-after': {
    prompt: 'menu-after',
    keys: {
      '1': { topic: 'address-change' },
      '2': { topic: 'delivery' },
      '3': { topic: 'product-problem' },
      '4': { topic: 'refund' },
      '5': { topic: 'installation-repair' },
      '6': { topic: 'festival-card' },
      '7': { topic: 'bounced-cheque' },
      '0': { agent: 'general' },
    },
  },
};

/** The skill that owns a topic or service: where the caller goes when a backend is unavailable. */
export const defaultOwningSkills: Record<Topic | Service, Skill> = {
  ...TOPIC_OWNER,
  'sale-plans': 'sales',
  'product-advice': 'product-advice',
  'nearest-stores': 'sales',
  'customer-registration': 'sales',
};

export const defaultReasonPrompts: Record<ReasonCode, string> = Object.fromEntries(
  REASON_CODES.map((r) => [r, `entry-${r}`]),
) as Record<ReasonCode, string>;

const PromptsSpec = z.object({
  welcome: promptName.default('welcome'),
  goodbye: promptName.default('goodbye'),
  invalidKey: promptName.default('invalid-key'),
  noInput: promptName.default('no-input'),
  tooManyTries: promptName.default('too-many-tries'),
  transferToAgent: promptName.default('transfer-to-agent'),
  systemUnavailable: promptName.default('system-unavailable'),
  requestRegistered: promptName.default('request-registered'),
  youEntered: promptName.default('you-entered'),
  /** after a last announcement that carries a value: "to hear it again, press star" */
  hearAgain: promptName.default('star-to-repeat'),
  /** national ID and order number do not belong together */
  orderMismatch: promptName.default('order-mismatch'),
  /** too many mismatches in this call, or from this calling number */
  orderLookupLimit: promptName.default('order-lookup-limit'),
  salePlansInfo: promptName.default('sale-plans-info'),
  /** "the addresses of" + count + "stores were sent to your mobile by SMS" */
  storesSentBefore: promptName.default('stores-sent-before'),
  storesSentAfter: promptName.default('stores-sent-after'),
  storesNone: promptName.default('stores-none'),
  /** the SMS gateway refused the number or the message: "the SMS could not be sent to this number" */
  storesSmsFailed: promptName.default('stores-sms-failed'),
  customerRegistered: promptName.default('customer-registered'),
  customerAlreadyRegistered: promptName.default('customer-already-registered'),
  /** explanation played after a failed validation, per reason code */
  reasons: z.partialRecord(z.enum(REASON_CODES), promptName).default({}).transform((r) => ({ ...defaultReasonPrompts, ...r })),
});
export type PromptsSpec = z.infer<typeof PromptsSpec>;

const skill = z.enum(SKILLS, { error: `skill: one of ${SKILLS.join(', ')}` });

export const FlowConfig = z
  .object({
    timeouts: z
      .object({
        /** after a digit-entry prompt ends, time to press the first key */
        firstDigitMs: ms('timeouts.firstDigitMs', 5000),
        /** between two keys of a digit entry; when it runs out the entry ends as if # was pressed */
        interDigitMs: ms('timeouts.interDigitMs', 3000),
        /** after a menu prompt ends, time to press a key */
        menuMs: ms('timeouts.menuMs', 5000),
        /** after a last announcement that carries a number, amount or date: time to press * to hear it again */
        repeatWindowMs: ms('timeouts.repeatWindowMs', 4000),
      })
      .prefault({}),
    tries: z
      .object({
        /** wrong key or no key in a menu (also question menus and confirmations) */
        menu: tries('tries.menu', 3),
        /** failed digit entries (bad value, nothing keyed, re-enter after read-back) */
        entry: tries('tries.entry', 3),
        /** national ID / order number pairs that do not match, per call */
        lookup: tries('tries.lookup', 3),
      })
      .prefault({}),
    /** the menu tree; `main-menu` is where the call starts */
    menus: z.record(z.string(), MenuSpec).default(defaultMenus),
    entries: z
      .object({
        'national-id': entrySpec({ prompt: 'enter-national-id', min: 10, max: 10, readBack: 'announce' }).prefault({}),
        'order-number': entrySpec({ prompt: 'enter-order-number', min: 10, max: 10, readBack: 'off' }).prefault({}),
        'area-code': entrySpec({ prompt: 'enter-area-code', min: 3, max: 3, readBack: 'off' }).prefault({}),
        mobile: entrySpec({ prompt: 'enter-mobile', min: 11, max: 11, readBack: 'confirm' }).prefault({}),
      })
      .prefault({}),
    /** read-back of the national ID in customer registration (nothing checks the ID there) */
    registrationReadBack: z.enum(READ_BACK).default('confirm'),
    /** skill that owns each topic and service */
    owningSkills: z.partialRecord(z.enum([...TOPICS, ...SERVICES]), skill).default({}).transform((o) => ({ ...defaultOwningSkills, ...o })),
    prompts: PromptsSpec.prefault({}),
  })
  .superRefine((cfg, ctx) => {
    if (!cfg.menus['main-menu']) {
      ctx.addIssue({ code: 'custom', path: ['menus'], message: "menus: there must be a menu called 'main-menu' (where every call starts)" });
    }
    for (const kind of ENTRY_KINDS) {
      const e = cfg.entries[kind];
      const [lo, hi] = VALID_LENGTHS[kind];
      if (e.maxLength < lo || e.minLength > hi) {
        ctx.addIssue({
          code: 'custom',
          path: ['entries', kind],
          message: `entries.${kind}: minLength ${e.minLength}–maxLength ${e.maxLength} never fits a valid ${kind} (${lo === hi ? lo : `${lo}–${hi}`} digits)`,
        });
      }
    }
    for (const [name, menu] of Object.entries(cfg.menus)) {
      if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
        ctx.addIssue({ code: 'custom', path: ['menus', name], message: `menus.${name}: menu names are lowercase kebab-case, e.g. menu-after` });
      }
      if ((RESERVED_STATE_NAMES as readonly string[]).includes(name)) {
        ctx.addIssue({ code: 'custom', path: ['menus', name], message: `menus.${name}: '${name}' is a name the flow uses itself; choose another menu name` });
      }
      for (const [key, item] of Object.entries(menu.keys)) {
        if (!/^[0-9#]$/.test(key)) {
          ctx.addIssue({
            code: 'custom',
            path: ['menus', name, 'keys', key],
            message: `menus.${name}.keys: '${key}' is not a menu key; use one key 0-9 or # (the * key always repeats the menu)`,
          });
        }
        if ('menu' in item && !cfg.menus[item.menu]) {
          ctx.addIssue({
            code: 'custom',
            path: ['menus', name, 'keys', key],
            message: `menus.${name}.keys.${key}: menu '${item.menu}' does not exist; menus are: ${Object.keys(cfg.menus).join(', ')}`,
          });
        }
      }
    }
  });
export type FlowConfig = z.infer<typeof FlowConfig>;

/** The default configuration (the spec's menu tree). */
export const defaultFlowConfig = (): FlowConfig => FlowConfig.parse({});

/** IVR_NODE while the last announcement (with a request number, amount or date) can be heard again with `*`. */
export const HEAR_AGAIN_NODE = 'hear-again';

/** Node name (IVR_NODE) of the confirmation that follows a read-back, e.g. `confirm-national-id`. */
export const confirmNode = (kind: EntryKind) => `confirm-${kind}`;

/**
 * Every IVR_NODE value the flow can set with this configuration: the menus, the entries, the
 * confirmations; questions add `question-<name>` (names from the policy).
 */
export function flowNodeNames(cfg: FlowConfig): string[] {
  const confirms = ENTRY_KINDS.filter(
    (k) => cfg.entries[k].readBack === 'confirm' || (k === 'national-id' && cfg.registrationReadBack === 'confirm'),
  ).map(confirmNode);
  return [...Object.keys(cfg.menus), ...ENTRY_KINDS, ...confirms, HEAR_AGAIN_NODE];
}

/**
 * Every prompt the flow can play with this configuration (sorted, unique). Question prompts come
 * from the policy (src/policy questionsFor) and decision texts from decide(): not listed here.
 */
export function flowPromptNames(cfg: FlowConfig): string[] {
  const names = new Set<string>();
  const p = cfg.prompts;
  for (const [k, v] of Object.entries(p)) {
    if (k === 'reasons') continue;
    names.add(v as string);
  }
  for (const v of Object.values(p.reasons)) names.add(v);
  for (const m of Object.values(cfg.menus)) names.add(m.prompt);
  for (const kind of ENTRY_KINDS) {
    const e = cfg.entries[kind];
    names.add(e.prompt);
    if (e.readBack === 'confirm' || (kind === 'national-id' && cfg.registrationReadBack === 'confirm')) names.add(e.confirmPrompt);
  }
  return [...names].sort();
}
