import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { createEvent, enqueueEvents, type MysqlTx, type ShopEvent } from '@shop/events';
import { allocate, availableOf, demandByProduct, type OrderLine, type StockLevel } from './allocation.js';
import { reservations, stock, type ReservationState } from './db/index.js';

/**
 * Reservations follow the order saga (docs/CHECKOUT.md): order.placed reserves every line or
 * none, order.cancelled releases, order.shipped commits. Each function runs inside the consumer's
 * transaction (the processed-event record commits with it) and is also safe to run twice on its
 * own: a reservation's state is the second guard.
 *
 * Lock order, everywhere: stock rows (ascending product id, one locking read), then reservation
 * rows. No locking read touches a reservation key that may not exist, so no gap locks.
 */

export type ReserveOutcome =
  | { outcome: 'reserved'; productIds: string[] }
  | { outcome: 'rejected'; productIds: string[] }
  | { outcome: 'already-decided' };

export interface PlacedOrder {
  orderId: string;
  lines: readonly OrderLine[];
}

async function lockStock(tx: MysqlTx, productIds: string[]): Promise<StockLevel[]> {
  if (productIds.length === 0) return [];
  return tx
    .select({ productId: stock.productId, onHand: stock.onHand, reserved: stock.reserved })
    .from(stock)
    .where(inArray(stock.productId, productIds))
    .orderBy(asc(stock.productId))
    .for('update');
}

function stockChanged(productId: string, available: number): ShopEvent {
  return createEvent('stock.changed', productId, { productId, available });
}

/** order.placed: reserves every line, or none and publishes inventory.rejected naming the short products. */
export async function reserveOrder(tx: MysqlTx, order: PlacedOrder): Promise<ReserveOutcome> {
  const [decided] = await tx.select({ state: reservations.state }).from(reservations).where(eq(reservations.orderId, order.orderId)).limit(1);
  if (decided) return { outcome: 'already-decided' };

  const demand = demandByProduct(order.lines);
  const levels = await lockStock(tx, demand.map((d) => d.productId));
  const allocation = allocate(demand, levels);
  const now = new Date();

  if (!allocation.ok) {
    // Recorded so that a replay of this order (under a new event id) stays rejected.
    await tx.insert(reservations).values(
      demand.map((d) => ({ orderId: order.orderId, productId: d.productId, quantity: d.quantity, state: 'REJECTED' as const, createdAt: now, updatedAt: now })),
    );
    await enqueueEvents(tx, [
      createEvent('inventory.rejected', order.orderId, { orderId: order.orderId, reason: 'OUT_OF_STOCK', productIds: allocation.shortProductIds }),
    ]);
    return { outcome: 'rejected', productIds: allocation.shortProductIds };
  }

  for (const line of allocation.lines) {
    await tx
      .update(stock)
      .set({ reserved: sql`${stock.reserved} + ${line.quantity}`, updatedAt: now })
      .where(eq(stock.productId, line.productId));
  }
  // The primary key (order_id, product_id) settles a concurrent replay: the loser rolls back.
  await tx.insert(reservations).values(
    allocation.lines.map((l) => ({ orderId: order.orderId, productId: l.productId, quantity: l.quantity, state: 'RESERVED' as const, createdAt: now, updatedAt: now })),
  );
  await enqueueEvents(tx, [
    createEvent('inventory.reserved', order.orderId, { orderId: order.orderId }),
    ...allocation.lines.map((l) => stockChanged(l.productId, l.availableAfter)),
  ]);
  return { outcome: 'reserved', productIds: allocation.lines.map((l) => l.productId) };
}

/**
 * Moves an order's RESERVED reservations to `to`, adjusting each stock row with `adjust`;
 * returns the changed products with their stock after the change. Rows already moved
 * (a replay, or a concurrent handler) are skipped by the conditional update.
 */
async function settle(
  tx: MysqlTx,
  orderId: string,
  to: Exclude<ReservationState, 'RESERVED' | 'REJECTED'>,
  adjust: (quantity: number) => { onHand: number; reserved: number },
): Promise<StockLevel[]> {
  const held = await tx
    .select({ productId: reservations.productId, quantity: reservations.quantity })
    .from(reservations)
    .where(and(eq(reservations.orderId, orderId), eq(reservations.state, 'RESERVED')));
  if (held.length === 0) return [];

  const levels = new Map((await lockStock(tx, held.map((h) => h.productId))).map((l) => [l.productId, l]));
  const now = new Date();
  const changed: StockLevel[] = [];
  for (const h of [...held].sort((a, b) => (a.productId < b.productId ? -1 : 1))) {
    const [moved] = (await tx
      .update(reservations)
      .set({ state: to, updatedAt: now })
      .where(and(eq(reservations.orderId, orderId), eq(reservations.productId, h.productId), eq(reservations.state, 'RESERVED')))) as unknown as [
      { affectedRows: number },
    ];
    const level = levels.get(h.productId);
    if (moved.affectedRows === 0 || !level) continue;
    const delta = adjust(h.quantity);
    await tx
      .update(stock)
      .set({ onHand: sql`${stock.onHand} + ${delta.onHand}`, reserved: sql`${stock.reserved} + ${delta.reserved}`, updatedAt: now })
      .where(eq(stock.productId, h.productId));
    changed.push({ productId: h.productId, onHand: level.onHand + delta.onHand, reserved: level.reserved + delta.reserved });
  }
  return changed;
}

/** order.cancelled: gives the order's reserved units back; no reservation (rejected, never placed) is a no-op. */
export async function releaseOrder(tx: MysqlTx, orderId: string): Promise<StockLevel[]> {
  const changed = await settle(tx, orderId, 'RELEASED', (q) => ({ onHand: 0, reserved: -q }));
  await enqueueEvents(tx, changed.map((l) => stockChanged(l.productId, availableOf(l))));
  return changed;
}

/**
 * order.shipped: the reserved units leave the warehouse for good (on hand and reserved both
 * drop, so `available` is unchanged and no stock.changed is published).
 */
export async function commitOrder(tx: MysqlTx, orderId: string): Promise<StockLevel[]> {
  return settle(tx, orderId, 'COMMITTED', (q) => ({ onHand: -q, reserved: -q }));
}
