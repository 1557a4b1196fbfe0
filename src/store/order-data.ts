/**
 * `EmbeddedOrderData`: the OrderData port served from the embedded store (imported data file,
 * demo data, the finance unit's bounced-cheque spreadsheet). Used by the built-in switch, tests and
 * any installation without a Quantum URL; with Quantum configured the HTTP adapter takes its place
 * and can still take its bounced cheques from here (the spreadsheet lives locally).
 */
import { BouncedCheque, Customer, Order, Store } from '../domain/data-file.ts';
import type { OrderData } from '../domain/ports.ts';
import type { IvrStore } from './db.ts';
import type { RunResult } from './writer.ts';

export class EmbeddedOrderData implements OrderData {
  constructor(private readonly store: IvrStore) {}

  async findCustomer(nationalId: string): Promise<Customer | null> {
    const row = this.store.stmt(`SELECT json FROM customers WHERE national_id = ?`).get(nationalId) as { json: string } | undefined;
    return row ? Customer.parse(JSON.parse(row.json)) : null;
  }

  async findOrder(nationalId: string, orderNumber: string): Promise<Order | null> {
    const row = this.store
      .stmt(`SELECT json FROM orders WHERE order_number = ? AND national_id = ?`)
      .get(orderNumber, nationalId) as { json: string } | undefined;
    return row ? Order.parse(JSON.parse(row.json)) : null;
  }

  /** all orders of a national ID (for `data show`), newest number first */
  async ordersOf(nationalId: string): Promise<Order[]> {
    const rows = this.store.stmt(`SELECT json FROM orders WHERE national_id = ? ORDER BY order_number DESC`).all(nationalId) as { json: string }[];
    return rows.map((r) => Order.parse(JSON.parse(r.json)));
  }

  async orderableStock(productCode: string): Promise<number | null> {
    const row = this.store.stmt(`SELECT orderable FROM stock WHERE product_code = ?`).get(productCode) as { orderable: number } | undefined;
    return row ? row.orderable : null;
  }

  async storesByArea(areaCode: string): Promise<Store[]> {
    const rows = this.store.stmt(`SELECT json FROM stores WHERE area_code = ? ORDER BY id`).all(areaCode) as { json: string }[];
    return rows.map((r) => Store.parse(JSON.parse(r.json)));
  }

  /**
   * Bounced cheques of a national ID from both sources (data file and the .xlsx), newest first.
   * The same cheque (same cheque number, or same order and date when it has none) is listed once,
   * the spreadsheet's row winning since it is the finance unit's current word.
   */
  async bouncedCheques(nationalId: string): Promise<BouncedCheque[]> {
    const rows = this.store
      .stmt(`SELECT json, source FROM bounced_cheques WHERE national_id = ? ORDER BY CASE source WHEN 'xlsx' THEN 0 ELSE 1 END, id`)
      .all(nationalId) as { json: string; source: string }[];
    const seen = new Set<string>();
    const out: BouncedCheque[] = [];
    for (const r of rows) {
      const b = BouncedCheque.parse(JSON.parse(r.json));
      const key = b.chequeNumber ? `c:${b.chequeNumber}` : `o:${b.orderNumber ?? ''}:${b.bouncedAt.slice(0, 10)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(b);
    }
    return out.sort((a, b) => Date.parse(b.bouncedAt) - Date.parse(a.bouncedAt));
  }

  async registerCustomer(c: { nationalId: string; mobile?: string }): Promise<'registered' | 'already-registered'> {
    const customer = Customer.parse({ nationalId: c.nationalId, ...(c.mobile ? { mobile: c.mobile } : {}) });
    const insert = { sql: `INSERT INTO customers (national_id, json, source) VALUES (?, ?, 'ivr') ON CONFLICT(national_id) DO NOTHING`, params: [customer.nationalId, JSON.stringify(customer)] };
    // through the store's write path (IvrStore.write: its writer thread when it has one): answered once committed
    const changes = ((await this.store.write([insert], 'register the customer'))[0] as RunResult).changes;
    return changes === 1 ? 'registered' : 'already-registered';
  }
}
