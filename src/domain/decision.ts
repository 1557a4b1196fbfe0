/**
 * The policy engine's answer for one case (issue: policy rules). Pure data.
 */
import type { SayItem } from './say.ts';
import type { RuleId, Skill } from './skills.ts';
import type { BouncedCheque, Customer, Order, Stock } from './data-file.ts';

/** Kinds of request the IVR registers (IVR_REQUEST_TYPE). */
export const REQUEST_TYPES = [
  'ticket', // ticket to sales head office (A1)
  'referral', // referral to a unit (follow-up, festival, sales-expert, after-sales-service)
  'complaint', // complaint form about a store's violation (P2)
  'refund-request', // A6, A7
  'service-request', // installation / repair (A8)
  'activity', // logged activity (P1 after one month)
  'customer-registration', // before purchase 4
  'sms', // nearest stores by SMS
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

/** Units a request is registered for (IVR_REQUEST_UNIT). */
export const REQUEST_UNITS = [
  'sales-head-office',
  'follow-up',
  'store-relations',
  'sales-expert',
  'finance',
  'after-sales-service',
  'festival',
  'service-unit',
  'quantum',
  'sms',
] as const;
export type RequestUnit = (typeof REQUEST_UNITS)[number];

/** A request registered earlier for the same customer/order (A9 needs it: "festival unit already failed"). */
export interface EarlierRequest {
  number: string;
  type: RequestType;
  unit: RequestUnit;
  topic: string;
  orderNumber?: string;
  createdAt: string; // ISO
  status: string; // pending | delivered | done | failed …
}

/** Everything the rules may look at. Missing facts are null/empty, never absent keys. */
export interface Facts {
  customer: Customer | null;
  order: Order | null;
  /** orderable stock of the order's product (null: unknown) */
  stock: Stock | null;
  bouncedCheques: BouncedCheque[];
  earlierRequests: EarlierRequest[];
  /** answers the caller gave to the topic's questions, by question name */
  answers: Record<string, string>;
}

export interface Decision {
  rule: RuleId;
  /** the rule's result code, e.g. `refund-registered`, `valid`, `overdue` (IVR_OUTCOME) */
  outcome: string;
  /** what to announce, without the request number: the flow appends it after registering */
  say: SayItem[];
  /** the request to register, if any */
  request: { type: RequestType; unit: RequestUnit } | null;
  /** the skill group to hand the caller to after the announcement, if any */
  transfer: Skill | null;
  /** a short reason in words for the agent's screen and the logs (no personal data) */
  reason: string;
}

/** A question the flow asks the caller before deciding (only what the data cannot tell). */
export interface Question {
  /** key in Facts.answers */
  name: string;
  /** prompt that asks it (catalogue name) */
  prompt: string;
  /** DTMF key → answer value, e.g. { '1': 'yes', '2': 'no' } */
  options: Record<string, string>;
}
