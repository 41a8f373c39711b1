import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, topics } from '@shop/events';
import { CHECKOUT_SUBGRAPHS, eventually, KAFKA_BROKERS, startShop, uniqueName, type Shop } from '@shop/testing';
import {
  available,
  call,
  createProduct,
  createPromotion,
  eventsOfOrder,
  orderInput,
  PLACE_ORDER,
  placeOrder,
  republish,
  timesUsed,
  updateShipmentStatus,
  viewOrder,
  waitForConsumers,
  waitForStatus,
} from './helpers.js';

let shop: Shop;

beforeAll(async () => {
  // 'fatal': the poison messages below make every consumer log an (expected) error.
  shop = await startShop({ logLevel: 'fatal', only: CHECKOUT_SUBGRAPHS });
});
afterAll(async () => {
  await shop?.stop();
});

/** What the checkout subgraphs hold about one order: the things a duplicate event could double. */
async function footprint(orderId: string) {
  const count = async (subgraph: Parameters<Shop['sql']>[0], statement: string) =>
    Number((await shop.sql<{ n: number }>(subgraph, statement, [orderId]))[0]!.n);
  return {
    history: (await shop.sql<{ status: string }>('orders', 'SELECT status FROM order_status_history WHERE order_id = ? ORDER BY id', [orderId])).map((r) => r.status),
    ordersOutbox: (await shop.sql<{ event_type: string }>('orders', 'SELECT event_type FROM outbox WHERE event_key = ? ORDER BY seq', [orderId])).map((r) => r.event_type),
    reservations: await shop.sql<{ product_id: string; state: string; quantity: number }>(
      'inventory',
      'SELECT product_id, state, quantity FROM reservations WHERE order_id = ? ORDER BY product_id',
      [orderId],
    ),
    payments: await shop.sql<{ status: string }>('payments', 'SELECT status FROM payments WHERE order_id = ?', [orderId]),
    providerCalls: (
      await shop.sql<{ operation: string }>('payments', 'SELECT operation FROM simulated_provider_calls WHERE idempotency_key LIKE ? ORDER BY operation', [
        `order:${orderId}:%`,
      ])
    ).map((r) => r.operation),
    shipments: await count('shipping', 'SELECT COUNT(*) AS n FROM shipments WHERE order_id = ?'),
    shipmentEvents: await count('shipping', 'SELECT COUNT(*) AS n FROM shipment_events e JOIN shipments s ON s.id = e.shipment_id WHERE s.order_id = ?'),
    redemptions: await shop.sql<{ state: string }>('promotions', 'SELECT state FROM redemptions WHERE order_id = ?', [orderId]),
  };
}

describe('idempotencyKey through the router', () => {
  it('returns the first order for the same key, sequentially and concurrently', async () => {
    const customer = await shop.register();
    const product = await createProduct(shop, 700, 50);
    const input = orderInput([{ productId: product, quantity: 1 }], { idempotencyKey: uniqueName('key') });
    const first = await placeOrder(shop, customer.token, input);
    expect(await placeOrder(shop, customer.token, input)).toBe(first);

    const concurrentInput = orderInput([{ productId: product, quantity: 2 }], { idempotencyKey: uniqueName('key') });
    const ids = await Promise.all(Array.from({ length: 8 }, () => placeOrder(shop, customer.token, concurrentInput)));
    expect(new Set(ids).size).toBe(1);

    const mine = await call(shop, `{ me { orders { totalCount } } }`, {}, customer.token);
    expect(mine.data!.me.orders.totalCount).toBe(2);
    await waitForStatus(shop, ids[0]!, customer.token, 'PAID');
    // Only the two orders hold stock: 1 + 2 units.
    expect(await available(shop, product)).toBe(47);
  });
});

describe('every consumer fed every event twice', () => {
  it('changes nothing for a delivered order: no second reservation, charge, shipment or status change', async () => {
    const customer = await shop.register();
    const product = await createProduct(shop, 3000, 10);
    const coupon = await createPromotion(shop, { kind: 'PERCENT', value: 15 });
    const orderId = await placeOrder(shop, customer.token, orderInput([{ productId: product, quantity: 2 }], { couponCode: coupon }));
    const shipment = await eventually(async () => (await viewOrder(shop, orderId, customer.token)).shipment ?? undefined);
    await updateShipmentStatus(shop, shipment.id, 'IN_TRANSIT');
    await waitForStatus(shop, orderId, customer.token, 'SHIPPED');
    await updateShipmentStatus(shop, shipment.id, 'DELIVERED');
    await waitForStatus(shop, orderId, customer.token, 'DELIVERED');
    await waitForConsumers(shop);
    const before = await footprint(orderId);
    expect(before.history).toEqual(['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'DELIVERED']);
    expect(before.reservations).toEqual([{ product_id: product, state: 'COMMITTED', quantity: 2 }]);
    expect(before.providerCalls).toEqual(['authorise', 'capture']);

    const events = await eventsOfOrder(shop, orderId);
    expect(new Set(events.map((e) => e.envelope.type))).toEqual(
      new Set([
        'order.placed',
        'inventory.reserved',
        'order.confirmed',
        'payment.succeeded',
        'order.paid',
        'shipment.created',
        'shipment.in_transit',
        'order.shipped',
        'shipment.delivered',
        'order.delivered',
      ]),
    );
    await republish(shop, events);
    await waitForConsumers(shop);

    expect(await footprint(orderId)).toEqual(before);
    expect(await available(shop, product)).toBe(8);
    expect(await timesUsed(shop, coupon)).toBe(1);
    expect((await viewOrder(shop, orderId, customer.token)).payment.status).toBe('SUCCEEDED');
  });

  it('changes nothing for a refunded order: no second refund, release or status change', async () => {
    const customer = await shop.register();
    const product = await createProduct(shop, 1800, 4);
    const coupon = await createPromotion(shop, { kind: 'FIXED_AMOUNT', value: 200 });
    const orderId = await placeOrder(shop, customer.token, orderInput([{ productId: product, quantity: 1 }], { couponCode: coupon }));
    await waitForStatus(shop, orderId, customer.token, 'PAID');
    await call(shop, `mutation ($id: ID!) { cancelOrder(id: $id) { userErrors { code } } }`, { id: orderId }, customer.token);
    await waitForStatus(shop, orderId, customer.token, 'REFUNDED');
    await eventually(async () => ((await timesUsed(shop, coupon)) === 0 ? true : undefined));
    await waitForConsumers(shop);
    const before = await footprint(orderId);
    expect(before.providerCalls).toEqual(['authorise', 'capture', 'refund']);
    expect(before.reservations).toEqual([{ product_id: product, state: 'RELEASED', quantity: 1 }]);
    expect(before.redemptions).toEqual([{ state: 'RELEASED' }]);

    await republish(shop, await eventsOfOrder(shop, orderId));
    await waitForConsumers(shop);

    expect(await footprint(orderId)).toEqual(before);
    expect(await available(shop, product)).toBe(4);
    expect(await timesUsed(shop, coupon)).toBe(0);
  });
});

describe('a malformed event', () => {
  it('lands on the dead-letter topic and the consumers keep going', async () => {
    const kafka = createKafka(KAFKA_BROKERS, uniqueName('e2e-poison'));
    const producer = kafka.producer();
    await producer.connect();
    const key = uniqueName('poison');
    try {
      await producer.send({ topic: shop.topicPrefix + topics.orders, messages: [{ key, value: 'this is not an event' }] });
      await producer.send({ topic: shop.topicPrefix + topics.payments, messages: [{ key, value: JSON.stringify({ type: 'payment.succeeded' }) }] });
    } finally {
      await producer.disconnect();
    }

    // Every consumer of the orders topic (inventory, payments, shipping, promotions) and orders itself
    // (payments topic) parks its copy on the dead-letter topic.
    const reader = kafka.consumer({ groupId: uniqueName('dlq-reader') });
    const dead: Array<{ consumer: string; topic: string }> = [];
    await reader.connect();
    await reader.subscribe({ topic: shop.topicPrefix + topics.deadLetter, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const raw = JSON.parse(message.value!.toString());
        if (raw.key === key || raw.payload?.topic === topics.payments) dead.push({ consumer: raw.payload.consumer, topic: raw.payload.topic });
      },
    });
    try {
      await eventually(async () => (dead.length >= 5 ? true : undefined), 30_000);
    } finally {
      await reader.disconnect();
    }
    expect(new Set(dead.map((d) => d.consumer))).toEqual(
      new Set((['inventory', 'payments', 'shipping', 'promotions', 'orders'] as const).map((n) => shop.consumerGroup(n))),
    );

    // A following order still goes all the way.
    const customer = await shop.register();
    const product = await createProduct(shop, 999, 3);
    const res = await call(shop, PLACE_ORDER, { input: orderInput([{ productId: product, quantity: 1 }]) }, customer.token);
    await waitForStatus(shop, res.data!.placeOrder.order.id, customer.token, 'PAID');
  });
});
