import { sql } from 'drizzle-orm';
import type { EventPayload, MysqlTx } from '@shop/events';
import { purchases, type RatingsDb } from './db/index.js';

export interface Purchase {
  userId: string;
  productId: string;
}

/**
 * Remembers that the customer received these products (from `order.delivered`). A product
 * delivered again, in this or another order, changes nothing.
 */
export async function recordDelivery(tx: MysqlTx, delivery: EventPayload<'order.delivered'>, deliveredAt: Date): Promise<void> {
  const productIds = [...new Set(delivery.productIds)];
  if (productIds.length === 0) return;
  await tx
    .insert(purchases)
    .ignore()
    .values(productIds.map((productId) => ({ userId: delivery.userId, productId, orderId: delivery.orderId, deliveredAt })));
}

export const purchaseKey = (p: Purchase): string => `${p.userId}\u0000${p.productId}`;

/** Which of these (customer, product) pairs were delivered, in one query. */
export async function deliveredAmong(db: RatingsDb, pairs: readonly Purchase[]): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const rows = await db
    .select({ userId: purchases.userId, productId: purchases.productId })
    .from(purchases)
    .where(
      sql`(${purchases.userId}, ${purchases.productId}) in (${sql.join(
        pairs.map((p) => sql`(${p.userId}, ${p.productId})`),
        sql`, `,
      )})`,
    );
  return new Set(rows.map(purchaseKey));
}
