import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '@shop/testing';
import { orderId, orderPlaced, productId, publishOrderEvent, setStock, startInventory, stockRow, type InventoryHarness } from './harness.js';

/**
 * Two inventory instances in one consumer group on one database, so order.placed events of
 * different partitions are reserved by truly concurrent transactions.
 */
let h: InventoryHarness;
beforeAll(async () => {
  h = await startInventory();
  await h.startAnotherInstance();
});
afterAll(async () => {
  await h?.close();
});

describe('reserving under concurrency (real Kafka, two consumers)', () => {
  it('20 orders of one unit for a product with 5 in stock: exactly 5 reserved, 15 rejected, never negative', async () => {
    const a = productId();
    await setStock(h, a, 5);
    const orders = Array.from({ length: 20 }, () => orderId());

    await Promise.all(orders.map((o) => publishOrderEvent(h, 'order.placed', orderPlaced(o, [{ productId: a, quantity: 1 }]))));

    const decisions = await h.published.waitFor((events) => {
      const found = events.filter((e) => orders.includes(e.key) && e.type.startsWith('inventory.'));
      return found.length >= 20 ? found : undefined;
    }, 45_000);
    expect(decisions.filter((e) => e.type === 'inventory.reserved')).toHaveLength(5);
    expect(decisions.filter((e) => e.type === 'inventory.rejected')).toHaveLength(15);
    expect(new Set(decisions.map((e) => e.key)).size).toBe(20);
    expect(await stockRow(h, a)).toEqual({ on_hand: 5, reserved: 5 });

    const available = h.published.events
      .filter((e) => e.type === 'stock.changed' && e.key === a)
      .map((e) => (e.payload as { available: number }).available);
    expect(available.every((n) => n >= 0)).toBe(true);
    expect(available.slice(1).sort()).toEqual([0, 1, 2, 3, 4]);

    const res = await gql(h.url, `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { inventory { available inStock } } } }`, {
      r: [{ __typename: 'Product', id: a }],
    });
    expect(res.data._entities[0].inventory).toEqual({ available: 0, inStock: false });
  });
});
