import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload, EventType } from '@shop/events';
import { eventually, gql } from '@shop/testing';
import { productId, startFakeOwners, type FakeOwners } from './fake-owners.js';
import { ADDRESS, ORDER, orderInput, orderStatus, placeOrder, startOrders, type OrdersHarness, type Person } from './helpers.js';

let owners: FakeOwners;
let h: OrdersHarness;
let ann: Person;
let book: string;

beforeAll(async () => {
  owners = await startFakeOwners();
  h = await startOrders(owners.url);
  ann = await h.auth.person();
  book = owners.addProduct({ id: productId(), price: 2500, category: 'Books' }).id;
});
afterAll(async () => {
  await h?.close();
  await owners?.stop();
});

const place = () => placeOrder(h.url, ann.token, orderInput([{ productId: book, quantity: 2 }]));
const money = (amount: number) => ({ amount, currency: 'USD' });

/** Publishes a fact and waits until orders' consumer has settled it. */
async function fact<T extends EventType>(type: T, orderId: string, payload: EventPayload<T>) {
  const event = await h.publish(type, orderId, payload);
  return { event, outcome: await h.settled(event.id) };
}

const historyOf = async (orderId: string) =>
  (await h.sql<{ status: string }>('SELECT status FROM order_status_history WHERE order_id = ? ORDER BY id', [orderId])).map((r) => r.status);
const announced = async (orderId: string) => (await h.outbox(orderId)).map((e) => e.type);

describe('the order saga, as orders sees it', () => {
  it('follows stock, payment and shipment to DELIVERED, announcing each step', async () => {
    const order = await place();
    await fact('inventory.reserved', order.id, { orderId: order.id });
    expect(await orderStatus(h, order.id)).toMatchObject({ status: 'CONFIRMED' });
    const confirmed = (await h.outbox(order.id)).find((e) => e.type === 'order.confirmed')!;
    expect(confirmed.payload).toEqual({ orderId: order.id, userId: ann.id, amount: order.total, paymentToken: 'tok_visa' });

    await fact('payment.succeeded', order.id, { orderId: order.id, paymentId: 'pay-1', amount: order.total });
    expect(await orderStatus(h, order.id)).toMatchObject({ status: 'PAID' });
    const paid = (await h.outbox(order.id)).find((e) => e.type === 'order.paid')!;
    expect(paid.payload).toEqual({
      orderId: order.id,
      userId: ann.id,
      shippingAddress: { ...ADDRESS, line2: null },
      shippingMethod: 'STANDARD',
      lines: [{ productId: book, quantity: 2, unitPrice: money(2500) }],
    });

    await fact('shipment.created', order.id, { orderId: order.id, shipmentId: 's-1', carrier: 'DHL', trackingNumber: 'T1' });
    expect(await orderStatus(h, order.id)).toMatchObject({ status: 'PAID' });
    await fact('shipment.in_transit', order.id, { orderId: order.id, shipmentId: 's-1', at: new Date().toISOString() });
    expect(await orderStatus(h, order.id)).toMatchObject({ status: 'SHIPPED' });
    await fact('shipment.delivered', order.id, { orderId: order.id, shipmentId: 's-1', at: new Date().toISOString() });
    expect(await orderStatus(h, order.id)).toMatchObject({ status: 'DELIVERED' });

    expect(await historyOf(order.id)).toEqual(['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'DELIVERED']);
    expect(await announced(order.id)).toEqual(['order.placed', 'order.confirmed', 'order.paid', 'order.shipped', 'order.delivered']);
    const delivered = (await h.outbox(order.id)).find((e) => e.type === 'order.delivered')!;
    expect(delivered.payload).toEqual({ orderId: order.id, userId: ann.id, productIds: [book] });

    const res = await gql(h.url, ORDER, { id: order.id }, { token: ann.token });
    expect(res.data!.order.status).toBe('DELIVERED');
    expect(res.data!.order.history.map((c: { status: string }) => c.status)).toEqual(['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'DELIVERED']);
  });

  it('cancels with OUT_OF_STOCK when inventory rejects the order', async () => {
    const order = await place();
    await fact('inventory.rejected', order.id, { orderId: order.id, reason: 'OUT_OF_STOCK', productIds: [book] });
    expect(await orderStatus(h, order.id)).toEqual({ status: 'CANCELLED', cancellation_reason: 'OUT_OF_STOCK' });
    const cancelled = (await h.outbox(order.id)).find((e) => e.type === 'order.cancelled')!;
    expect(cancelled.payload).toEqual({ orderId: order.id, userId: ann.id, reason: 'OUT_OF_STOCK', refundRequired: false });
  });

  it('cancels with PAYMENT_DECLINED when the payment fails', async () => {
    const order = await place();
    await fact('inventory.reserved', order.id, { orderId: order.id });
    await fact('payment.failed', order.id, { orderId: order.id, paymentId: 'pay-2', reason: 'PAYMENT_DECLINED' });
    expect(await orderStatus(h, order.id)).toEqual({ status: 'CANCELLED', cancellation_reason: 'PAYMENT_DECLINED' });
    expect(await historyOf(order.id)).toEqual(['PENDING', 'CONFIRMED', 'CANCELLED']);
    expect(await announced(order.id)).toEqual(['order.placed', 'order.confirmed', 'order.cancelled']);
  });

  it('changes nothing when the same event is delivered twice', async () => {
    const order = await place();
    const { event } = await fact('inventory.reserved', order.id, { orderId: order.id });
    await h.republish(event);
    // The consumer reports the redelivery as a duplicate; the settled map keeps the latest outcome.
    await eventually(async () => ((await h.settled(event.id)) === 'duplicate' ? true : undefined));
    expect(await historyOf(order.id)).toEqual(['PENDING', 'CONFIRMED']);
    expect(await announced(order.id)).toEqual(['order.placed', 'order.confirmed']);
  });

  it('ignores a fact that the current status does not allow (late or out of order), without dead-lettering it', async () => {
    const order = await place();
    const early = await fact('payment.succeeded', order.id, { orderId: order.id, paymentId: 'pay-3', amount: order.total });
    // Applied as a no-op: the event is recorded as processed, the order did not move.
    expect(early.outcome).toBe('applied');
    expect(await orderStatus(h, order.id)).toMatchObject({ status: 'PENDING' });
    const alsoEarly = await fact('shipment.delivered', order.id, { orderId: order.id, shipmentId: 's', at: new Date().toISOString() });
    expect(alsoEarly.outcome).toBe('applied');
    expect(await historyOf(order.id)).toEqual(['PENDING']);
  });

  it('keeps an order CANCELLED when its payment succeeds late, and marks it REFUNDED once payments refunds', async () => {
    const order = await place();
    await fact('inventory.reserved', order.id, { orderId: order.id });
    const cancel = await gql(h.url, `mutation ($id: ID!) { cancelOrder(id: $id) { order { status } userErrors { code } } }`, { id: order.id }, { token: ann.token });
    expect(cancel.data!.cancelOrder.order.status).toBe('CANCELLED');
    await fact('payment.succeeded', order.id, { orderId: order.id, paymentId: 'pay-4', amount: order.total });
    expect(await orderStatus(h, order.id)).toEqual({ status: 'CANCELLED', cancellation_reason: 'CUSTOMER_REQUEST' });
    await fact('payment.refunded', order.id, { orderId: order.id, paymentId: 'pay-4', amount: order.total });
    expect(await orderStatus(h, order.id)).toEqual({ status: 'REFUNDED', cancellation_reason: 'CUSTOMER_REQUEST' });
    expect(await historyOf(order.id)).toEqual(['PENDING', 'CONFIRMED', 'CANCELLED', 'REFUNDED']);
  });

  it('ignores events for orders it does not know', async () => {
    const { outcome } = await fact('inventory.reserved', 'no-such-order', { orderId: 'no-such-order' });
    expect(outcome).toBe('applied');
  });

  it('publishes its outbox to Kafka (the relay marks every row sent)', async () => {
    const order = await place();
    await fact('inventory.reserved', order.id, { orderId: order.id });
    await eventually(async () => {
      const rows = await h.sql<{ pending: number }>('SELECT COUNT(*) AS pending FROM outbox WHERE event_key = ? AND sent_at IS NULL', [order.id]);
      return Number(rows[0]!.pending) === 0 ? true : undefined;
    });
  });
});
