import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  orderId,
  orderPlaced,
  productId,
  publishOrderEvent,
  redeliver,
  reservationStates,
  setStock,
  settledOutcomes,
  startInventory,
  stockRow,
  type InventoryHarness,
} from './harness.js';

/** The inventory side of the order saga, driven through the real consumer and real Kafka. */
let h: InventoryHarness;
beforeAll(async () => {
  h = await startInventory();
});
afterAll(async () => {
  await h?.close();
});

const decisionFor = (order: string) =>
  h.published.waitFor((events) => events.find((e) => e.key === order && (e.type === 'inventory.reserved' || e.type === 'inventory.rejected')));
const stockEventsFor = (product: string) => h.published.events.filter((e) => e.type === 'stock.changed' && e.key === product);

describe('inventory consuming order events', () => {
  it('reserves on order.placed and publishes inventory.reserved; a second delivery changes nothing', async () => {
    const a = productId();
    await setStock(h, a, 3);
    const order = orderId();

    const placed = await publishOrderEvent(h, 'order.placed', orderPlaced(order, [{ productId: a, quantity: 2 }]));
    expect(await decisionFor(order)).toMatchObject({ type: 'inventory.reserved', payload: { orderId: order } });
    expect(await stockRow(h, a)).toEqual({ on_hand: 3, reserved: 2 });

    await redeliver(h, placed);
    expect(await settledOutcomes(h, placed.id, 2)).toEqual(['applied', 'duplicate']);
    expect(await stockRow(h, a)).toEqual({ on_hand: 3, reserved: 2 });
    expect(h.published.events.filter((e) => e.key === order)).toHaveLength(1);
  });

  it('rejects an order with a short line on order.placed: inventory.rejected, nothing reserved', async () => {
    const [a, b] = [productId(), productId()];
    await setStock(h, a, 3);
    await setStock(h, b, 1);
    const order = orderId();

    await publishOrderEvent(h, 'order.placed', orderPlaced(order, [{ productId: a, quantity: 1 }, { productId: b, quantity: 2 }]));

    expect(await decisionFor(order)).toMatchObject({ type: 'inventory.rejected', payload: { orderId: order, reason: 'OUT_OF_STOCK', productIds: [b] } });
    expect(await stockRow(h, a)).toEqual({ on_hand: 3, reserved: 0 });
    expect(await stockRow(h, b)).toEqual({ on_hand: 1, reserved: 0 });
  });

  it('releases on order.cancelled with stock.changed, once, however often the cancellation arrives', async () => {
    const a = productId();
    await setStock(h, a, 3);
    const order = orderId();
    await publishOrderEvent(h, 'order.placed', orderPlaced(order, [{ productId: a, quantity: 2 }]));
    const cancelled = await publishOrderEvent(h, 'order.cancelled', { orderId: order, userId: 'user-1', reason: 'CUSTOMER_REQUEST', refundRequired: false });
    await settledOutcomes(h, cancelled.id);
    await h.published.waitFor(() => (stockEventsFor(a).length >= 3 ? true : undefined)); // set, reserved, released
    expect(await stockRow(h, a)).toEqual({ on_hand: 3, reserved: 0 });
    expect(await reservationStates(h, order)).toEqual({ [a]: 'RELEASED' });

    await redeliver(h, cancelled);
    // The same fact under a new event id: the reservation's state guard makes it a no-op.
    const again = await publishOrderEvent(h, 'order.cancelled', { orderId: order, userId: 'user-1', reason: 'CUSTOMER_REQUEST', refundRequired: false });
    expect(await settledOutcomes(h, cancelled.id, 2)).toEqual(['applied', 'duplicate']);
    expect(await settledOutcomes(h, again.id)).toEqual(['applied']);
    expect(await stockRow(h, a)).toEqual({ on_hand: 3, reserved: 0 });
    await new Promise((r) => setTimeout(r, 500)); // give a wrong extra stock.changed the chance to show up
    expect(stockEventsFor(a).map((e) => (e.payload as { available: number }).available)).toEqual([3, 1, 3]);
  });

  it('commits on order.shipped (stock leaves for good), once, however often the shipment arrives', async () => {
    const a = productId();
    await setStock(h, a, 5);
    const order = orderId();
    await publishOrderEvent(h, 'order.placed', orderPlaced(order, [{ productId: a, quantity: 2 }]));
    const shipped = await publishOrderEvent(h, 'order.shipped', { orderId: order, userId: 'user-1' });
    await settledOutcomes(h, shipped.id);
    expect(await stockRow(h, a)).toEqual({ on_hand: 3, reserved: 0 });
    expect(await reservationStates(h, order)).toEqual({ [a]: 'COMMITTED' });

    await redeliver(h, shipped);
    const again = await publishOrderEvent(h, 'order.shipped', { orderId: order, userId: 'user-1' });
    await settledOutcomes(h, again.id);
    expect(await settledOutcomes(h, shipped.id, 2)).toEqual(['applied', 'duplicate']);
    expect(await stockRow(h, a)).toEqual({ on_hand: 3, reserved: 0 });
  });

  it('ignores order events it has no part in (order.confirmed, order.paid)', async () => {
    const order = orderId();
    const confirmed = await publishOrderEvent(h, 'order.confirmed', { orderId: order, userId: 'u', amount: { amount: 100, currency: 'USD' }, paymentToken: 'tok_visa' });
    expect(await settledOutcomes(h, confirmed.id)).toEqual(['ignored']);
  });
});
