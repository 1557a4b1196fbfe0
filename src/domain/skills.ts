/**
 * Skill groups (Asterisk queues) the IVR can hand a caller to. The routing table in the
 * configuration maps each to a queue/extension; `ivr-1699 check` matches it against dialplan/.
 */
export const SKILLS = [
  'general',
  'sales',
  'product-advice',
  'sales-expert',
  'follow-up',
  'finance',
  'after-sales-service',
  'festival',
  'store-relations',
] as const;
export type Skill = (typeof SKILLS)[number];

/** Topics of the during- and after-purchase menus; also `ivr-1699 decide --topic`. */
export const TOPICS = [
  'proforma',
  'order-registration',
  'cheque-approval',
  'address-change',
  'delivery',
  'product-problem',
  'refund',
  'installation-repair',
  'festival-card',
  'bounced-cheque',
] as const;
export type Topic = (typeof TOPICS)[number];

/** Rule ids of the policy table. */
export const RULES = ['P1', 'P2', 'P3', 'P4', 'A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9', 'A10'] as const;
export type RuleId = (typeof RULES)[number];

/** The skill group that owns each topic: where a caller goes when the machine cannot decide or a backend is down. */
export const TOPIC_OWNER: Readonly<Record<Topic, Skill>> = {
  proforma: 'sales-expert',
  'order-registration': 'sales',
  'cheque-approval': 'sales-expert',
  'address-change': 'sales-expert',
  delivery: 'follow-up',
  'product-problem': 'after-sales-service',
  refund: 'follow-up',
  'installation-repair': 'after-sales-service',
  'festival-card': 'festival',
  'bounced-cheque': 'follow-up',
};
