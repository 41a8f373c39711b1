import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload, EventType } from '@shop/events';
import { errorCode, gql } from '@shop/testing';
import { productId, startFakeOwners, type FakeOwners } from './fake-owners.js';
import { CANCEL_ORDER, orderInput, orderStatus, placeOrder, startOrders, type OrdersHarness, type Person } from './helpers.js';

let owners: FakeOwners;
let h: OrdersHarness;
let ann: Person;
let ben: Person;
let admin: Person;
let book: string;

beforeAll(async () => {
  owners = await startFakeOwners();
  h = await startOrders(owners.url);
  [ann, ben, admin] = await Promise.all([h.auth.person(), h.auth.person(), h.auth.person('ADMIN')]);
  book = owners.addProduct({ id: productId(), price: 1000, category: 'Books' }).id;
});
afterAll(async () => {
  await h?.close();
  await owners?.stop();
});

const place = (who: Person = ann) => placeOrder(h.url, who.token, orderInput([{ productId: book, quantity: 1 }]));
const cancel = (id: string, who?: Person) => gql(h.url, CANCEL_ORDER, { id }, { token: who?.token });

async function fact<T extends EventType>(type: T, payload: EventPayload<T>) {
  const event = await h.publish(type, (payload as { orderId: string }).orderId, payload);
  await h.settled(event.id);
}
async function moveTo(orderId: string, status: 'CONFIRMED' | 'PAID' | 'SHIPPED') {
  await fact('inventory.reserved', { orderId });
  if (status === 'CONFIRMED') return;
  await fact('payment.succeeded', { orderId, paymentId: `pay-${orderId}`, amount: { amount: 1, currency: 'USD' } });
  if (status === 'PAID') return;
  await fact('shipment.in_transit', { orderId, shipmentId: `s-${orderId}`, at: new Date().toISOString() });
}
const cancelledEvent = async (orderId: string) => (await h.outbox(orderId)).find((e) => e.type === 'order.cancelled')?.payload;

describe('cancelOrder', () => {
  it('lets the owner cancel a PENDING order (CUSTOMER_REQUEST), with nothing to refund', async () => {
    const order = await place();
    const res = await cancel(order.id, ann);
    expect(res.data!.cancelOrder).toMatchObject({ order: { id: order.id, status: 'CANCELLED', cancellationReason: 'CUSTOMER_REQUEST' }, userErrors: [] });
    expect(res.data!.cancelOrder.order.history.map((c: { status: string }) => c.status)).toEqual(['PENDING', 'CANCELLED']);
    expect(await cancelledEvent(order.id)).toEqual({ orderId: order.id, userId: ann.id, reason: 'CUSTOMER_REQUEST', refundRequired: false });
  });

  it('asks payments for a refund when the cancelled order was PAID', async () => {
    const order = await place();
    await moveTo(order.id, 'PAID');
    expect((await cancel(order.id, ann)).data!.cancelOrder.order.status).toBe('CANCELLED');
    expect(await cancelledEvent(order.id)).toMatchObject({ reason: 'CUSTOMER_REQUEST', refundRequired: true });
  });

  it('lets an admin cancel anyone’s CONFIRMED order (ADMIN_REQUEST)', async () => {
    const order = await place(ben);
    await moveTo(order.id, 'CONFIRMED');
    const res = await cancel(order.id, admin);
    expect(res.data!.cancelOrder.order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'ADMIN_REQUEST' });
    expect(await cancelledEvent(order.id)).toMatchObject({ reason: 'ADMIN_REQUEST', refundRequired: false, userId: ben.id });
  });

  it('refuses a SHIPPED order with NOT_CANCELLABLE, to its owner and to an admin', async () => {
    const order = await place();
    await moveTo(order.id, 'SHIPPED');
    for (const who of [ann, admin]) {
      const res = await cancel(order.id, who);
      expect(res.data!.cancelOrder).toMatchObject({ order: null, userErrors: [{ code: 'NOT_CANCELLABLE', field: ['id'] }] });
    }
    expect(await orderStatus(h, order.id)).toMatchObject({ status: 'SHIPPED' });
  });

  it('refuses an order that is already cancelled with NOT_CANCELLABLE, and announces the cancellation once', async () => {
    const order = await place();
    await cancel(order.id, ann);
    const again = await cancel(order.id, ann);
    expect(again.data!.cancelOrder.userErrors).toEqual([expect.objectContaining({ code: 'NOT_CANCELLABLE' })]);
    expect((await h.outbox(order.id)).filter((e) => e.type === 'order.cancelled')).toHaveLength(1);
  });

  it('answers NOT_FOUND for another customer’s order, exactly as for a missing one', async () => {
    const order = await place(ann);
    const theirs = await cancel(order.id, ben);
    const missing = await cancel('no-such-order', ben);
    expect(theirs.data!.cancelOrder).toEqual({ order: null, userErrors: [{ code: 'NOT_FOUND', field: ['id'], message: 'No such order' }] });
    expect(missing.data!.cancelOrder).toEqual(theirs.data!.cancelOrder);
    expect(await orderStatus(h, order.id)).toMatchObject({ status: 'PENDING' });
  });

  it('refuses anonymous callers with UNAUTHENTICATED', async () => {
    const order = await place();
    expect(errorCode(await cancel(order.id))).toBe('UNAUTHENTICATED');
  });

  it('serialises with a concurrent saga event: the order ends consistent either way', async () => {
    for (let round = 0; round < 5; round++) {
      const order = await place();
      await moveTo(order.id, 'CONFIRMED');
      const [res] = await Promise.all([
        cancel(order.id, ann),
        fact('payment.succeeded', { orderId: order.id, paymentId: `race-${round}`, amount: { amount: 1, currency: 'USD' } }),
      ]);
      const history = (await h.sql<{ status: string }>('SELECT status FROM order_status_history WHERE order_id = ? ORDER BY id', [order.id])).map((r) => r.status);
      const cancelled = await cancelledEvent(order.id);
      expect(res.data!.cancelOrder.order.status).toBe('CANCELLED');
      if (history.includes('PAID')) {
        // Payment first: the cancellation of a PAID order asks for a refund.
        expect(history).toEqual(['PENDING', 'CONFIRMED', 'PAID', 'CANCELLED']);
        expect(cancelled).toMatchObject({ refundRequired: true });
      } else {
        // Cancellation first: the late payment changed nothing (payments refunds it on its own).
        expect(history).toEqual(['PENDING', 'CONFIRMED', 'CANCELLED']);
        expect(cancelled).toMatchObject({ refundRequired: false });
      }
    }
  });
});
