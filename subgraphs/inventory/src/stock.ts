import { eq, inArray } from 'drizzle-orm';
import { createEvent, enqueueEvents } from '@shop/events';
import { ErrorCode, userError, type ProductDirectory } from '@shop/platform';
import { availableOf } from './allocation.js';
import { stock, type InventoryDb } from './db/index.js';
import type { InventoryModel } from './mappers.js';
import { ok, refused, type Outcome } from './outcome.js';

export const MAX_STOCK = 1_000_000;

export interface StockLevels {
  /** One `WHERE product_id IN (...)` for the whole batch; a product never stocked is missing. */
  byProductIds(productIds: readonly string[]): Promise<InventoryModel[]>;
  /**
   * Sets the units on hand and publishes stock.changed in the same transaction.
   * BELOW_RESERVED when pending orders already hold more units than `quantity`.
   */
  setStock(productId: string, quantity: number): Promise<Outcome<InventoryModel>>;
}

export function noStock(productId: string): InventoryModel {
  return { productId, onHand: 0, reserved: 0 };
}

export function createStockLevels(db: InventoryDb, products: ProductDirectory, hooks: { onEventsWritten(): void }): StockLevels {
  const columns = { productId: stock.productId, onHand: stock.onHand, reserved: stock.reserved };
  return {
    async byProductIds(productIds) {
      if (productIds.length === 0) return [];
      return db.select(columns).from(stock).where(inArray(stock.productId, [...productIds]));
    },

    async setStock(requestedId, quantity) {
      // Stock of a product the catalogue does not know would be sold by nobody and confuse its readers
      // (search dead-letters its stock.changed); the catalogue's own spelling of the id is the key.
      const productId = (await products.canonicalIds([requestedId])).get(requestedId);
      if (!productId) return refused(userError(ErrorCode.NOT_FOUND, 'This product does not exist', ['productId']));
      // A row with nothing on hand means the same as no row; creating it first (outside the
      // transaction) lets the transaction lock an existing row instead of a gap.
      await db.insert(stock).ignore().values({ productId, onHand: 0, reserved: 0 });
      const outcome = await db.transaction(async (tx): Promise<Outcome<InventoryModel>> => {
        const [level] = await tx.select(columns).from(stock).where(eq(stock.productId, productId)).for('update');
        const current = level ?? noStock(productId);
        if (quantity < current.reserved) {
          return refused(
            userError(
              'BELOW_RESERVED',
              `Pending orders have reserved ${current.reserved} units; on hand cannot be less than that`,
              ['quantity'],
            ),
          );
        }
        await tx.update(stock).set({ onHand: quantity, updatedAt: new Date() }).where(eq(stock.productId, productId));
        const updated = { ...current, onHand: quantity };
        await enqueueEvents(tx, [createEvent('stock.changed', productId, { productId, available: availableOf(updated) })]);
        return ok(updated);
      });
      if (outcome.ok) hooks.onEventsWritten();
      return outcome;
    },
  };
}
