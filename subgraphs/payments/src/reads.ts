import { eq, inArray } from 'drizzle-orm';
import { knownOrders, payments, type PaymentsDb } from './db/index.js';
import type { OrderModel } from './mappers.js';

/**
 * Orders with their owner and payment, in the order asked, in one `WHERE order_id IN (...)`.
 * An order payments never heard of comes back with no owner and no payment.
 */
export async function ordersByIds(db: PaymentsDb, ids: readonly string[]): Promise<OrderModel[]> {
  const rows = await db
    .select({ orderId: knownOrders.orderId, ownerId: knownOrders.userId, payment: payments })
    .from(knownOrders)
    .leftJoin(payments, eq(payments.orderId, knownOrders.orderId))
    .where(inArray(knownOrders.orderId, [...ids]));
  const found = new Map(rows.map((r) => [r.orderId, r]));
  return ids.map((id) => {
    const row = found.get(id);
    return { id, ownerId: row?.ownerId ?? null, payment: row?.payment ?? null };
  });
}
