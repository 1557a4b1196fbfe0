/**
 * A6 credit refund and A7 cash refund (seed "بعد از خرید", عودت وجه).
 * - A6: a credit balance below `creditRefundLimitToman` is registered as a refund request referred
 *   to the follow-up unit; at or above it the balance can only buy goods (the seed: "below 500,000
 *   → refund; above 500,000 → goods only"; exactly 500,000 is not "below", so goods only).
 * - A7: a cash balance below `cashRefundLimitToman`, when the customer does not want small home
 *   appliances instead, is registered as a refund request (finance pays it to the IBAN). It requires
 *   identity verification in Quantum and an IBAN (شبا) owned by the same national ID; what is
 *   missing is said, with how to complete it. At or above the limit (the seed is silent) the sales
 *   expert handles it.
 * Questions: `refund-wallet` when the order has both balances; `small-appliances` for cash.
 */
import type { Decision, Facts, Question } from '../domain/decision.ts';
import { say, type SayItem } from '../domain/say.ts';
import { answer, decision, missingAnswer, missingFacts, p, type RuleContext } from './common.ts';
import { PROMPTS } from './prompts.ts';

const OWNER = 'follow-up' as const;

export const REFUND_WALLET: Question = {
  name: 'refund-wallet',
  prompt: PROMPTS.refundAskWallet,
  options: { '1': 'credit', '2': 'cash' },
};

export const SMALL_APPLIANCES: Question = {
  name: 'small-appliances',
  prompt: PROMPTS.refundAskSmallAppliances,
  options: { '1': 'yes', '2': 'no' },
};

function balances(facts: Facts): { credit: number; cash: number } {
  return { credit: facts.order?.creditBalance ?? 0, cash: facts.order?.cashBalance ?? 0 };
}

/** which wallet the refund is about: from the data when only one has a balance, else the caller's answer */
function wallet(facts: Facts): 'credit' | 'cash' | 'ask' | 'none' {
  const { credit, cash } = balances(facts);
  if (credit > 0 && cash > 0) {
    const a = answer(facts, REFUND_WALLET.name);
    return a === 'credit' || a === 'cash' ? a : 'ask';
  }
  if (credit > 0) return 'credit';
  if (cash > 0) return 'cash';
  return 'none';
}

export function refundQuestions(facts: Facts, cashLimit: number): Question[] {
  const { credit, cash } = balances(facts);
  const qs: Question[] = [];
  if (credit > 0 && cash > 0 && !['credit', 'cash'].includes(answer(facts, REFUND_WALLET.name))) qs.push(REFUND_WALLET);
  const w = wallet(facts);
  // asked whenever the cash wallet may be the one (a flow that asks the whole list at once needs it)
  if ((w === 'cash' || w === 'ask') && cash > 0 && cash < cashLimit) qs.push(SMALL_APPLIANCES);
  return qs;
}

export function ruleA6(facts: Facts, ctx: RuleContext): Decision {
  const amount = balances(facts).credit;
  const limit = ctx.cfg.creditRefundLimitToman;
  const head: SayItem[] = [p(PROMPTS.refundCreditBalance), say.amount(amount)];
  if (amount < limit) {
    return decision('A6', 'refund-registered', [...head, p(PROMPTS.refundCreditRegistered)], `credit balance below the limit of ${limit}: refund request to follow-up`, {
      request: { type: 'refund-request', unit: 'follow-up' },
    });
  }
  return decision('A6', 'refund-goods-only', [...head, p(PROMPTS.refundCreditGoodsOnly)], `credit balance at or above the limit of ${limit}: usable for goods only`);
}

export function ruleA7(facts: Facts, ctx: RuleContext): Decision {
  const amount = balances(facts).cash;
  const limit = ctx.cfg.cashRefundLimitToman;
  const head: SayItem[] = [p(PROMPTS.refundCashBalance), say.amount(amount)];
  if (amount >= limit) {
    return decision('A7', 'cash-over-limit', [...head, p(PROMPTS.refundCashOverLimit)], `cash balance at or above the limit of ${limit}: sales expert handles it`, {
      transfer: 'sales-expert',
    });
  }
  const wantsAppliances = answer(facts, SMALL_APPLIANCES.name);
  if (wantsAppliances === 'yes') {
    return decision('A7', 'small-appliances-chosen', [...head, p(PROMPTS.refundSmallAppliances)], 'customer prefers small appliances to a cash refund: sales', {
      transfer: 'sales',
    });
  }
  if (wantsAppliances !== 'no') return missingAnswer('A7', OWNER, SMALL_APPLIANCES.name);
  const c = facts.customer;
  if (!c) return missingFacts('A7', OWNER, 'customer record not found');
  const missing: { code: string; prompt: string; reason: string }[] = [];
  if (!c.identityVerified) missing.push({ code: 'identity-not-verified', prompt: PROMPTS.refundIdentityNotVerified, reason: 'identity not verified in Quantum' });
  if (!c.iban) missing.push({ code: 'iban-missing', prompt: PROMPTS.refundIbanMissing, reason: 'no IBAN in the customer panel' });
  else if (c.ibanOwnerNationalId !== c.nationalId) {
    missing.push({ code: 'iban-other-owner', prompt: PROMPTS.refundIbanOtherOwner, reason: c.ibanOwnerNationalId ? 'IBAN owned by another national ID' : 'IBAN owner unknown' });
  }
  const first = missing[0];
  if (first) {
    return decision(
      'A7',
      first.code,
      [...head, ...missing.map((m) => p(m.prompt)), p(PROMPTS.refundCallAgain)],
      `cash refund not possible yet: ${missing.map((m) => m.reason).join('; ')}`,
    );
  }
  return decision('A7', 'refund-registered', [...head, p(PROMPTS.refundCashRegistered)], `cash balance below the limit of ${limit}, identity verified, own IBAN: refund request to finance`, {
    request: { type: 'refund-request', unit: 'finance' },
  });
}

export function ruleRefund(facts: Facts, ctx: RuleContext): Decision {
  if (!facts.order) return missingFacts('A6', OWNER, 'no order found for this national ID and number');
  const w = wallet(facts);
  if (w === 'none') {
    return decision('A6', 'no-balance', [p(PROMPTS.refundNoBalance)], 'refund asked but the order has no refundable balance', { transfer: OWNER });
  }
  if (w === 'ask') return missingAnswer('A6', OWNER, REFUND_WALLET.name);
  return w === 'credit' ? ruleA6(facts, ctx) : ruleA7(facts, ctx);
}
