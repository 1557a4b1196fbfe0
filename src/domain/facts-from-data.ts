/**
 * Facts for the policy engine from a data file (the `--data` contract): the customer of the
 * national ID, the order of that national ID with that number (a number that belongs to someone
 * else gives no order), the orderable stock of its product and the bounced cheques of the national
 * ID. Pure: the caller reads and validates the file (DataFile from data-file.ts).
 */
import type { DataFile } from './data-file.ts';
import type { EarlierRequest, Facts } from './decision.ts';

export function factsFromData(
  data: DataFile,
  nationalId: string,
  orderNumber: string,
  answers: Record<string, string> = {},
  earlierRequests: EarlierRequest[] = [],
): Facts {
  const customer = data.customers.find((c) => c.nationalId === nationalId) ?? null;
  const order = data.orders.find((o) => o.orderNumber === orderNumber && o.nationalId === nationalId) ?? null;
  const stock = order?.productCode ? (data.stock.find((s) => s.productCode === order.productCode) ?? null) : null;
  const bouncedCheques = data.bouncedCheques.filter((b) => b.nationalId === nationalId);
  return {
    customer,
    order,
    stock,
    bouncedCheques,
    earlierRequests: earlierRequests.filter((r) => !r.orderNumber || r.orderNumber === orderNumber),
    answers: { ...answers },
  };
}
