/**
 * The data-file contract (spec: "Data file"): one JSON object with customers, orders, stock,
 * stores and bounced cheques. Unknown fields are ignored, dates are ISO-8601 strings, amounts are
 * Toman integers. This is the import format of the embedded order store and of `call --data`.
 *
 * Every module that reads order data uses these types; nothing here does I/O.
 */
import { z } from 'zod';

const digitsOnly = (n: number) => new RegExp(`^\\d{${n}}$`);

/** ISO-8601 date or date-time, kept as the string given (parse with `new Date()` where needed). */
export const IsoDate = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'not an ISO-8601 date' });

export const NationalIdText = z.string().regex(digitsOnly(10), 'national ID must be exactly 10 digits');
export const Toman = z.number().int('amount must be a whole number of Toman').nonnegative();

export const Customer = z.object({
  nationalId: NationalIdText,
  name: z.string().optional(),
  mobile: z.string().regex(/^09\d{9}$/, 'mobile must be 11 digits starting with 09').optional(),
  areaCode: z.string().regex(/^0\d{2,3}$/, 'area code like 021').optional(),
  identityVerified: z.boolean().default(false),
  iban: z.string().regex(/^IR\d{24}$/, 'IBAN must be IR followed by 24 digits').optional(),
  ibanOwnerNationalId: NationalIdText.optional(),
});
export type Customer = z.infer<typeof Customer>;

export const OrderStatus = z.enum(['proforma', 'registered', 'approved', 'dispatched', 'delivered', 'installed', 'cancelled']);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const Order = z.object({
  orderNumber: z.string().min(1),
  nationalId: NationalIdText,
  productCode: z.string().optional(),
  requestedProductCode: z.string().optional(),
  issuedAt: IsoDate.optional(),
  inStockAtIssue: z.boolean().optional(),
  walletType: z.enum(['cash', 'credit']).optional(),
  walletChargedAt: IsoDate.optional(),
  amount: Toman.optional(),
  paymentPlan: z.enum(['cash', 'cheque', 'credit']).optional(),
  chequeSubmittedAt: IsoDate.optional(),
  chequeApprovedAt: IsoDate.optional(),
  status: OrderStatus,
  dispatchedAt: IsoDate.optional(),
  warehouseKind: z.enum(['central', 'regional']).optional(),
  warehouseProvince: z.string().optional(),
  promisedDeliveryDate: IsoDate.optional(),
  productionDate: IsoDate.optional(),
  deliveredSealed: z.boolean().optional(),
  festivalCommitted: z.boolean().optional(),
  virtualPurchase: z.boolean().optional(),
  festivalApplied: z.boolean().optional(),
  technicianConfirmedInvoice: z.boolean().optional(),
  creditBalance: Toman.optional(),
  cashBalance: Toman.optional(),
});
export type Order = z.infer<typeof Order>;

export const Stock = z.object({ productCode: z.string().min(1), orderable: z.number().int().nonnegative() });
export type Stock = z.infer<typeof Stock>;

export const Store = z.object({
  areaCode: z.string().regex(/^0\d{2,3}$/, 'area code like 021'),
  name: z.string().min(1),
  address: z.string().optional(),
  phone: z.string().optional(),
});
export type Store = z.infer<typeof Store>;

export const BouncedCheque = z.object({
  nationalId: NationalIdText,
  orderNumber: z.string().optional(),
  chequeNumber: z.string().optional(),
  amount: Toman.optional(),
  bouncedAt: IsoDate,
});
export type BouncedCheque = z.infer<typeof BouncedCheque>;

export const DataFile = z.object({
  customers: z.array(Customer).default([]),
  orders: z.array(Order).default([]),
  stock: z.array(Stock).default([]),
  stores: z.array(Store).default([]),
  bouncedCheques: z.array(BouncedCheque).default([]),
});
export type DataFile = z.infer<typeof DataFile>;
