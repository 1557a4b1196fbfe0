/** Shared builders for the policy tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Customer, Order } from '../../src/domain/data-file.ts';
import type { Decision, EarlierRequest, Facts } from '../../src/domain/decision.ts';
import type { Topic } from '../../src/domain/skills.ts';
import { createWorkingCalendar, type WorkingCalendar } from '../../src/policy/calendar.ts';
import { defaultPolicyConfig, type PolicyConfig } from '../../src/policy/config.ts';
import { parseHolidays, type Holiday } from '../../src/policy/holidays.ts';
import { decide } from '../../src/policy/index.ts';

export const HOLIDAYS_PATH = fileURLToPath(new URL('../../config/holidays.json', import.meta.url));
export const holidays: Holiday[] = parseHolidays(readFileSync(HOLIDAYS_PATH, 'utf8'));

export const calThuOff: WorkingCalendar = createWorkingCalendar({ holidays, thursdayIsWorkingDay: false });
export const calThuOn: WorkingCalendar = createWorkingCalendar({ holidays, thursdayIsWorkingDay: true });
export const calNoHolidays: WorkingCalendar = createWorkingCalendar({ holidays: [], thursdayIsWorkingDay: false });

export const NID = '0499370899';
export const OTHER_NID = '0067749828';

/** a Tehran wall-clock time as an ISO text with the +03:30 offset (Iran has had no DST since 2022) */
export const teh = (s: string): string => {
  const [day, time = '00:00'] = s.split(' ');
  return `${day}T${time}:00+03:30`;
};
export const at = (s: string): Date => new Date(teh(s));

export function order(o: Partial<Order> = {}): Order {
  return { orderNumber: '1403001234', nationalId: NID, status: 'approved', productCode: 'RF-500', requestedProductCode: 'RF-500', ...o };
}

export function customer(c: Partial<Customer> = {}): Customer {
  return { nationalId: NID, identityVerified: true, iban: 'IR820540102680020817909002', ibanOwnerNationalId: NID, ...c };
}

export function facts(f: Partial<Facts> = {}): Facts {
  return { customer: customer(), order: order(), stock: { productCode: 'RF-500', orderable: 4 }, bouncedCheques: [], earlierRequests: [], answers: {}, ...f };
}

export function earlier(r: Partial<EarlierRequest> = {}): EarlierRequest {
  return { number: 'R-000001', type: 'referral', unit: 'festival', topic: 'festival-card', orderNumber: '1403001234', createdAt: teh('2025-07-01 10:00'), status: 'pending', ...r };
}

export function run(
  topic: Topic,
  f: Facts,
  now: string,
  opts: { cal?: WorkingCalendar; cfg?: Partial<PolicyConfig> } = {},
): Decision {
  return decide(topic, f, at(now), { ...defaultPolicyConfig, ...opts.cfg }, opts.cal ?? calThuOff);
}

export const prompts = (d: Decision): string[] => d.say.flatMap((s) => (s.kind === 'prompt' ? [s.name] : []));
export const values = (d: Decision): string[] => d.say.flatMap((s) => (s.kind === 'prompt' ? [] : [`${s.kind}:${s.value}`]));
