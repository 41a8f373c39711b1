import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitOrder, releaseOrder, reserveOrder } from '../src/reservations.js';
import {
  orderId,
  outboxEvents,
  productId,
  reservationStates,
  setStock,
  startInventory,
  stockRow,
  type InventoryHarness,
} from './harness.js';

let h: InventoryHarness;
beforeAll(async () => {
  h = await startInventory();
});
afterAll(async () => {
  await h?.close();
});

type Line = { productId: string; quantity: number };
const reserve = (order: string, lines: Line[]) => h.app.db.transaction((tx) => reserveOrder(tx, { orderId: order, lines }));
const release = (order: string) => h.app.db.transaction((tx) => releaseOrder(tx, order));
const commit = (order: string) => h.app.db.transaction((tx) => commitOrder(tx, order));
const eventTypes = async (key: string) => (await outboxEvents(h, key)).map((e) => e.type);

describe('reserving an order (order.placed)', () => {
  it('reserves every line, summing lines of the same product, and publishes inventory.reserved and stock.changed', async () => {
    const [a, b] = [productId(), productId()];
    await setStock(h, a, 5);
    await setStock(h, b, 2);
    const order = orderId();

    const outcome = await reserve(order, [
      { productId: a, quantity: 1 },
      { productId: b, quantity: 2 },
      { productId: a, quantity: 2 },
    ]);

    expect(outcome).toEqual({ outcome: 'reserved', productIds: [a, b].sort() });
    expect(await stockRow(h, a)).toEqual({ on_hand: 5, reserved: 3 });
    expect(await stockRow(h, b)).toEqual({ on_hand: 2, reserved: 2 });
    expect(await reservationStates(h, order)).toEqual({ [a]: 'RESERVED', [b]: 'RESERVED' });
    expect(await outboxEvents(h, order)).toEqual([expect.objectContaining({ type: 'inventory.reserved', payload: { orderId: order } })]);
    expect((await outboxEvents(h, a)).at(-1)?.payload).toEqual({ productId: a, available: 2 });
    expect((await outboxEvents(h, b)).at(-1)?.payload).toEqual({ productId: b, available: 0 });
  });

  it('reserves nothing when one line is short, and publishes inventory.rejected naming the short products', async () => {
    const [plenty, scarce, unknown] = [productId(), productId(), productId()];
    await setStock(h, plenty, 10);
    await setStock(h, scarce, 1);
    const order = orderId();

    const outcome = await reserve(order, [
      { productId: plenty, quantity: 2 },
      { productId: scarce, quantity: 2 },
      { productId: unknown, quantity: 1 },
    ]);

    expect(outcome).toEqual({ outcome: 'rejected', productIds: [scarce, unknown].sort() });
    expect(await stockRow(h, plenty)).toEqual({ on_hand: 10, reserved: 0 });
    expect(await stockRow(h, scarce)).toEqual({ on_hand: 1, reserved: 0 });
    expect(Object.values(await reservationStates(h, order))).toEqual(['REJECTED', 'REJECTED', 'REJECTED']);
    expect((await outboxEvents(h, order)).map((e) => [e.type, e.payload])).toEqual([
      ['inventory.rejected', { orderId: order, reason: 'OUT_OF_STOCK', productIds: [scarce, unknown].sort() }],
    ]);
    expect(await eventTypes(plenty)).toEqual(['stock.changed']); // only setStock's
  });

  it('rejects when repeated lines of one product together exceed its stock', async () => {
    const a = productId();
    await setStock(h, a, 3);
    const order = orderId();
    expect(await reserve(order, [{ productId: a, quantity: 2 }, { productId: a, quantity: 2 }])).toMatchObject({ outcome: 'rejected' });
    expect(await stockRow(h, a)).toEqual({ on_hand: 3, reserved: 0 });
  });

  it('never oversells: 20 concurrent orders of one unit each for a product with 5 reserve exactly 5', async () => {
    const a = productId();
    await setStock(h, a, 5);
    const orders = Array.from({ length: 20 }, () => orderId());

    const outcomes = await Promise.all(orders.map((o) => reserve(o, [{ productId: a, quantity: 1 }])));

    expect(outcomes.filter((o) => o.outcome === 'reserved')).toHaveLength(5);
    expect(outcomes.filter((o) => o.outcome === 'rejected')).toHaveLength(15);
    expect(await stockRow(h, a)).toEqual({ on_hand: 5, reserved: 5 });
    const available = (await outboxEvents(h, a)).slice(1).map((e) => (e.payload as { available: number }).available);
    expect(available.sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('decides an order once: a replay (even under a new event id) changes nothing', async () => {
    const a = productId();
    await setStock(h, a, 2);
    const order = orderId();
    await reserve(order, [{ productId: a, quantity: 2 }]);
    expect(await reserve(order, [{ productId: a, quantity: 2 }])).toEqual({ outcome: 'already-decided' });
    expect(await stockRow(h, a)).toEqual({ on_hand: 2, reserved: 2 });

    const rejected = orderId();
    await reserve(rejected, [{ productId: a, quantity: 1 }]); // nothing left: rejected
    await setStock(h, a, 10);
    expect(await reserve(rejected, [{ productId: a, quantity: 1 }])).toEqual({ outcome: 'already-decided' });
    expect(await stockRow(h, a)).toEqual({ on_hand: 10, reserved: 2 });
    expect(await eventTypes(order)).toEqual(['inventory.reserved']);
    expect(await eventTypes(rejected)).toEqual(['inventory.rejected']);
  });
});

describe('releasing (order.cancelled) and committing (order.shipped)', () => {
  it('releases a cancelled order’s reservations and publishes stock.changed, once', async () => {
    const a = productId();
    await setStock(h, a, 4);
    const order = orderId();
    await reserve(order, [{ productId: a, quantity: 3 }]);

    await release(order);
    expect(await stockRow(h, a)).toEqual({ on_hand: 4, reserved: 0 });
    expect(await reservationStates(h, order)).toEqual({ [a]: 'RELEASED' });
    expect((await outboxEvents(h, a)).at(-1)?.payload).toEqual({ productId: a, available: 4 });

    const eventsBefore = (await outboxEvents(h, a)).length;
    await release(order);
    await commit(order);
    expect(await stockRow(h, a)).toEqual({ on_hand: 4, reserved: 0 });
    expect(await reservationStates(h, order)).toEqual({ [a]: 'RELEASED' });
    expect(await outboxEvents(h, a)).toHaveLength(eventsBefore);
  });

  it('treats cancelling an order it never reserved (rejected or unknown) as a no-op', async () => {
    const a = productId();
    await setStock(h, a, 1);
    const rejected = orderId();
    await reserve(rejected, [{ productId: a, quantity: 2 }]);
    expect(await release(rejected)).toEqual([]);
    expect(await release(orderId())).toEqual([]);
    expect(await stockRow(h, a)).toEqual({ on_hand: 1, reserved: 0 });
    expect(await reservationStates(h, rejected)).toEqual({ [a]: 'REJECTED' });
  });

  it('commits a shipped order: on hand and reserved both drop, available is unchanged, once', async () => {
    const [a, b] = [productId(), productId()];
    await setStock(h, a, 5);
    await setStock(h, b, 1);
    const order = orderId();
    await reserve(order, [{ productId: a, quantity: 2 }, { productId: b, quantity: 1 }]);
    const eventsBefore = (await outboxEvents(h, a)).length;

    await commit(order);
    expect(await stockRow(h, a)).toEqual({ on_hand: 3, reserved: 0 });
    expect(await stockRow(h, b)).toEqual({ on_hand: 0, reserved: 0 });
    expect(await reservationStates(h, order)).toEqual({ [a]: 'COMMITTED', [b]: 'COMMITTED' });
    expect(await outboxEvents(h, a)).toHaveLength(eventsBefore); // available did not change

    await commit(order);
    await release(order); // a late cancellation cannot bring shipped units back
    expect(await stockRow(h, a)).toEqual({ on_hand: 3, reserved: 0 });
    expect(await reservationStates(h, order)).toEqual({ [a]: 'COMMITTED', [b]: 'COMMITTED' });
  });

  it('keeps other orders’ reservations when one order is released', async () => {
    const a = productId();
    await setStock(h, a, 5);
    const [first, second] = [orderId(), orderId()];
    await reserve(first, [{ productId: a, quantity: 2 }]);
    await reserve(second, [{ productId: a, quantity: 3 }]);
    await release(first);
    expect(await stockRow(h, a)).toEqual({ on_hand: 5, reserved: 3 });
    expect(await reservationStates(h, second)).toEqual({ [a]: 'RESERVED' });
  });
});
