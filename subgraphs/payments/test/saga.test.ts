import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, uniqueName } from '@shop/testing';
import { eventsFor, startPayments, type PaymentsHarness } from './harness.js';

// The whole subgraph against real Kafka and MariaDB: order facts in on the orders topic,
// payment facts out through the outbox on the payments topic (this file's own topic prefix).

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments();
});
afterAll(async () => {
  await h?.close();
});

const confirmed = (paymentToken = 'tok_visa', amount = 4_299) => ({
  orderId: uniqueName('order'),
  userId: uniqueName('user'),
  amount: { amount, currency: 'USD' },
  paymentToken,
});

const cancelled = (order: { orderId: string; userId: string }, refundRequired: boolean) => ({
  orderId: order.orderId,
  userId: order.userId,
  reason: 'CUSTOMER_REQUEST' as const,
  refundRequired,
});

/** Waits until one order's payment events on Kafka have these types (and nothing is still pending). */
async function paymentEventTypes(orderId: string, expected: string[]): Promise<void> {
  await eventually(async () => (eventsFor(h, orderId).length >= expected.length ? true : undefined), 30_000);
  await eventually(async () => ((await h.app.relay.drainOnce()) === 0 ? true : undefined), 10_000);
  expect(eventsFor(h, orderId).map((e) => e.type)).toEqual(expected);
}

function providerCallsFor(orderId: string) {
  return h.reads.ledger(orderId);
}

describe('payments in the order saga (real Kafka)', () => {
  it('charges tok_visa on order.confirmed and publishes payment.succeeded with the order total, keyed by order id', async () => {
    const order = confirmed('tok_visa', 15_990);
    await h.publishOrderEvent('order.confirmed', order);
    await eventually(async () => (eventsFor(h, order.orderId).length > 0 ? true : undefined), 30_000);
    const [event] = eventsFor(h, order.orderId);
    const [payment] = await h.reads.paymentRows(order.orderId);
    expect(event).toMatchObject({
      type: 'payment.succeeded',
      key: order.orderId,
      payload: { orderId: order.orderId, userId: order.userId, paymentId: payment!.id, amount: { amount: 15_990, currency: 'USD' } },
    });
    expect(payment).toMatchObject({ status: 'SUCCEEDED', amount: 15_990 });
  });

  it('publishes payment.failed with PAYMENT_DECLINED for tok_decline', async () => {
    const order = confirmed('tok_decline');
    await h.publishOrderEvent('order.confirmed', order);
    await eventually(async () => (eventsFor(h, order.orderId).length > 0 ? true : undefined), 30_000);
    const [payment] = await h.reads.paymentRows(order.orderId);
    expect(eventsFor(h, order.orderId)[0]).toMatchObject({
      type: 'payment.failed',
      payload: { orderId: order.orderId, userId: order.userId, paymentId: payment!.id, reason: 'PAYMENT_DECLINED' },
    });
    expect(payment!.status).toBe('FAILED');
  });

  it('charges once when Kafka delivers the same order.confirmed twice', async () => {
    const order = confirmed();
    const event = await h.publishOrderEvent('order.confirmed', order);
    await h.republish(event);
    await h.waitSettled(event.id, 2);
    expect(h.settled.filter((s) => s.eventId === event.id).map((s) => s.outcome)).toEqual(['applied', 'duplicate']);
    expect(await h.reads.paymentRows(order.orderId)).toHaveLength(1);
    const ledger = await providerCallsFor(order.orderId);
    expect(ledger.map((r) => `${r.operation}:${r.replays}`).sort()).toEqual(['authorise:0', 'capture:0']);
    await paymentEventTypes(order.orderId, ['payment.succeeded']);
  });

  it('refunds once on order.cancelled after a successful charge, even when it is delivered twice', async () => {
    const order = confirmed('tok_visa', 3_000);
    await h.publishOrderEvent('order.confirmed', order);
    const cancel = await h.publishOrderEvent('order.cancelled', cancelled(order, true));
    await h.republish(cancel);
    await h.waitSettled(cancel.id, 2);
    await paymentEventTypes(order.orderId, ['payment.succeeded', 'payment.refunded']);
    const [payment] = await h.reads.paymentRows(order.orderId);
    expect(payment!.status).toBe('REFUNDED');
    expect(eventsFor(h, order.orderId)[1]!.payload).toEqual({ orderId: order.orderId, userId: order.userId, paymentId: payment!.id, amount: { amount: 3_000, currency: 'USD' } });
    expect((await providerCallsFor(order.orderId)).filter((r) => r.operation === 'refund')).toHaveLength(1);
  });

  it('never charges an order whose order.cancelled came before its order.confirmed', async () => {
    const order = confirmed();
    await h.publishOrderEvent('order.cancelled', cancelled(order, false));
    const late = await h.publishOrderEvent('order.confirmed', order);
    await h.waitSettled(late.id);
    expect(await h.reads.paymentRows(order.orderId)).toEqual([]);
    expect(await providerCallsFor(order.orderId)).toEqual([]);
    expect(await h.reads.outbox(order.orderId)).toEqual([]);
  });
});
