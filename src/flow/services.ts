/**
 * Before-purchase items (menu-before): sale plans (information, then `sales`), product advice
 * (`product-advice`), nearest stores by SMS, customer registration. Each is entered with the
 * topic already chosen (action `chooseTopic`), so `context.topicSkill` is its owning skill.
 */
import { assign } from 'xstate';
import type { SayItem } from '../domain/say.ts';
import type { FlowConfig } from './config.ts';
import { entryState } from './digit-entry.ts';
import { playingState } from './playing.ts';
import { flowSetup, prompt, SMS_REJECTED } from './setup.ts';
import { normalizeMobile } from './validate.ts';

/**
 * Sale plans: a short information prompt, then sales. Any key during it goes on to the transfer at
 * once (a caller who knows the plans does not wait for the end).
 */
export function salePlansState(cfg: FlowConfig) {
  const toSales = { target: '#handoff', actions: { type: 'toAgent' as const, params: { skill: 'owning' as const, say: [] } } };
  return flowSetup.createStateConfig({
    id: 'svc-sale-plans',
    initial: 'info',
    states: {
      info: playingState({ items: [prompt(cfg.prompts.salePlansInfo)], done: toSales, on: { DTMF: toSales } }),
    },
  });
}

export function productAdviceState() {
  return flowSetup.createStateConfig({
    id: 'svc-product-advice',
    always: { target: '#handoff', actions: { type: 'toAgent', params: { skill: 'owning', say: [] } } },
  });
}

/**
 * Nearest stores: area code → mobile (the caller ID when it is a mobile number, otherwise keyed,
 * 11 digits) → `sendStores` → "the addresses of N stores were sent to your mobile".
 * No stores in that area, the SMS refused by the gateway (IVR_OUTCOME=sms-rejected), or SMS
 * unavailable → told so, then the owning skill (sales).
 */
export function nearestStoresState(cfg: FlowConfig) {
  const p = cfg.prompts;
  const unavailable = { target: '#handoff', actions: { type: 'toAgent' as const, params: { skill: 'owning' as const, say: [p.systemUnavailable] } } };
  return flowSetup.createStateConfig({
    id: 'svc-nearest-stores',
    initial: 'areaCode',
    states: {
      areaCode: entryState({
        id: 'stores-area-code',
        kind: 'area-code',
        spec: cfg.entries['area-code'],
        maxTries: cfg.tries.entry,
        confirmTries: cfg.tries.menu,
        prompts: p,
        onValid: { target: '#svc-nearest-stores.mobile' },
        onFailed: { target: '#handoff', actions: { type: 'toAgent', params: { skill: 'general', say: [p.tooManyTries] } } },
      }),
      mobile: {
        always: [
          {
            guard: ({ context }) => normalizeMobile(context.callerNumber) !== null,
            target: 'send',
            actions: assign({ entered: ({ context }) => ({ ...context.entered, mobile: normalizeMobile(context.callerNumber) }) }),
          },
          { target: 'enterMobile' },
        ],
      },
      enterMobile: entryState({
        id: 'stores-mobile',
        kind: 'mobile',
        spec: cfg.entries.mobile,
        maxTries: cfg.tries.entry,
        confirmTries: cfg.tries.menu,
        prompts: p,
        onValid: { target: '#svc-nearest-stores.send' },
        onFailed: { target: '#handoff', actions: { type: 'toAgent', params: { skill: 'general', say: [p.tooManyTries] } } },
      }),
      send: {
        invoke: {
          src: 'sendStores',
          input: ({ context }) => ({ areaCode: context.entered.areaCode ?? '', mobile: context.entered.mobile ?? '', callId: context.callId }),
          onDone: [
            {
              guard: ({ event }) => event.output.status === 'sent',
              target: '#finish',
              actions: assign(({ event }) => {
                const count = event.output.status === 'sent' ? event.output.count : 0;
                const say: SayItem[] = [prompt(p.storesSentBefore), { kind: 'count', value: count }, prompt(p.storesSentAfter)];
                return { outcome: 'sms-sent', request: { type: 'sms' as const, unit: 'sms' as const, number: null }, say };
              }),
            },
            {
              guard: ({ event }) => event.output.status === 'no-stores',
              target: '#handoff',
              actions: [assign({ outcome: 'no-stores' }), { type: 'toAgent', params: { skill: 'owning', say: [p.storesNone] } }],
            },
            {
              // the gateway refused the number or the message: told so, and sales gives the addresses
              guard: ({ event }) => event.output.status === 'rejected',
              target: '#handoff',
              actions: [assign({ outcome: SMS_REJECTED }), { type: 'toAgent', params: { skill: 'owning', say: [p.storesSmsFailed] } }],
            },
            unavailable,
          ],
          onError: unavailable,
        },
      },
    },
  });
}

/**
 * Customer registration: national ID (read back and confirmed by default:
 * FlowConfig.registrationReadBack) → `registerCustomer` (with the caller ID when it is a mobile)
 * → "registered" or "already registered", goodbye.
 */
export function customerRegistrationState(cfg: FlowConfig) {
  const p = cfg.prompts;
  const unavailable = { target: '#handoff', actions: { type: 'toAgent' as const, params: { skill: 'owning' as const, say: [p.systemUnavailable] } } };
  return flowSetup.createStateConfig({
    id: 'svc-customer-registration',
    initial: 'nationalId',
    states: {
      nationalId: entryState({
        id: 'registration-national-id',
        kind: 'national-id',
        spec: cfg.entries['national-id'],
        readBack: cfg.registrationReadBack,
        maxTries: cfg.tries.entry,
        confirmTries: cfg.tries.menu,
        prompts: p,
        onValid: { target: '#svc-customer-registration.register' },
        onFailed: { target: '#handoff', actions: { type: 'toAgent', params: { skill: 'general', say: [p.tooManyTries] } } },
      }),
      register: {
        invoke: {
          src: 'registerCustomer',
          input: ({ context }) => {
            const mobile = normalizeMobile(context.callerNumber);
            return { nationalId: context.entered.nationalId ?? '', ...(mobile ? { mobile } : {}) };
          },
          onDone: [
            {
              guard: ({ event }) => event.output.status === 'registered',
              target: '#finish',
              actions: assign({
                outcome: 'registered',
                request: { type: 'customer-registration' as const, unit: 'quantum' as const, number: null },
                say: [prompt(p.customerRegistered)],
              }),
            },
            {
              guard: ({ event }) => event.output.status === 'already-registered',
              target: '#finish',
              actions: assign({ outcome: 'already-registered', say: [prompt(p.customerAlreadyRegistered)] }),
            },
            unavailable,
          ],
          onError: unavailable,
        },
      },
    },
  });
}
