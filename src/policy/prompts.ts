/**
 * Names of the prompts the policy decisions and questions use. Their Persian texts and English
 * purposes are in prompts/fa/catalogue/policy.yaml (a test keeps both in step).
 */
export const PROMPTS = {
  // shared
  cartonCheck: 'policy-carton-check',
  missingFacts: 'policy-missing-facts',
  missingAnswer: 'policy-missing-answer',
  orderCancelled: 'policy-order-cancelled',
  goToStore: 'policy-go-to-store',
  // P1 / P2 pro-forma
  proformaValid: 'proforma-valid',
  proformaValidUntil: 'proforma-valid-until',
  proformaChargeBeforeDeadline: 'proforma-charge-before-deadline',
  proformaExpiredOn: 'proforma-expired-on',
  proformaNewAtStore: 'proforma-new-at-store',
  proformaChargedLate: 'proforma-charged-late',
  proformaIssuedOn: 'proforma-issued-on',
  proformaNotChargedLong: 'proforma-not-charged-long',
  proformaFollowUpActivity: 'proforma-follow-up-activity',
  proformaNoStock: 'proforma-no-stock',
  proformaNoStockAtIssue: 'proforma-no-stock-at-issue',
  proformaInvalidOutOfStockCharge: 'proforma-invalid-out-of-stock-charge',
  proformaInvalidMismatch: 'proforma-invalid-mismatch',
  proformaStoreComplaint: 'proforma-store-complaint',
  proformaExpertReview: 'proforma-expert-review',
  proformaConvertedToOrder: 'proforma-converted-to-order',
  // P3 order registration
  orderStockOrderable: 'order-stock-orderable',
  orderStockNone: 'order-stock-none',
  // P4 cheque approval
  chequeNotChequeOrder: 'cheque-not-cheque-order',
  chequeApprovedOn: 'cheque-approved-on',
  chequeWithinStandard: 'cheque-within-standard',
  chequeOverdueReferral: 'cheque-overdue-referral',
  // A1 / A2 address change
  addressTicket: 'address-ticket',
  addressNotPossibleDispatched: 'address-not-possible-dispatched',
  addressNotPossibleProvince: 'address-not-possible-province',
  addressAskOtherProvince: 'address-ask-other-province',
  // A3 delivery
  deliveryPromisedDate: 'delivery-promised-date',
  deliveryOverdueProductionDate: 'delivery-overdue-production-date',
  deliveryOverdueNoProductionDate: 'delivery-overdue-no-production-date',
  deliveryThanksCompensation: 'delivery-thanks-compensation',
  deliveryRecordedDelivered: 'delivery-recorded-delivered',
  deliveryNotOrderedYet: 'delivery-not-ordered-yet',
  // A4 / A5 product problem
  problemAskKind: 'problem-ask-kind',
  problemNotDelivered: 'problem-not-delivered',
  problemMismatchReferred: 'problem-mismatch-referred',
  problemDamageReferred: 'problem-damage-referred',
  problemDeliveredUnsealed: 'problem-delivered-unsealed',
  // A6 / A7 refund
  refundAskWallet: 'refund-ask-wallet',
  refundAskSmallAppliances: 'refund-ask-small-appliances',
  refundNoBalance: 'refund-no-balance',
  refundCreditBalance: 'refund-credit-balance',
  refundCashBalance: 'refund-cash-balance',
  refundCreditRegistered: 'refund-credit-registered',
  refundCreditGoodsOnly: 'refund-credit-goods-only',
  refundCashRegistered: 'refund-cash-registered',
  refundCashOverLimit: 'refund-cash-over-limit',
  refundSmallAppliances: 'refund-small-appliances',
  refundIdentityNotVerified: 'refund-identity-not-verified',
  refundIbanMissing: 'refund-iban-missing',
  refundIbanOtherOwner: 'refund-iban-other-owner',
  refundCallAgain: 'refund-call-again',
  // A8 installation and repair
  serviceAuthorisedOnly: 'service-authorised-only',
  serviceInstallationRegistered: 'service-installation-registered',
  serviceRepairRegistered: 'service-repair-registered',
  serviceAfterDelivery: 'service-after-delivery',
  // A9 festival card
  festivalAskEarlierReferral: 'festival-ask-earlier-referral',
  festivalNotCommitted: 'festival-not-committed',
  festivalVirtualPurchase: 'festival-virtual-purchase',
  festivalRecordedApplied: 'festival-recorded-applied',
  festivalTechnicianConfirmation: 'festival-technician-confirmation',
  festivalReferred: 'festival-referred',
  festivalFollowUp: 'festival-follow-up',
  festivalReferralPending: 'festival-referral-pending',
  festivalAtInstallation: 'festival-at-installation',
  // A10 bounced cheque
  bouncedCount: 'bounced-count',
  bouncedWait: 'bounced-wait',
  bouncedReferral: 'bounced-referral',
  bouncedNone: 'bounced-none',
} as const;

export type PolicyPrompt = (typeof PROMPTS)[keyof typeof PROMPTS];
export const POLICY_PROMPT_NAMES: readonly string[] = Object.values(PROMPTS);
