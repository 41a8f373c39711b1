import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, topics } from '@shop/events';
import { CHECKOUT_SUBGRAPHS, KAFKA_BROKERS, startShopProcesses, uniqueName, type ProcessShop, type ShopSubgraph } from '@shop/testing';
import { ADDRESS, createProducts, deleteShopTopics, must, PLACE_ORDER, sleep, waitForConsumerGroups, waitOrdersFinal, waitSideEffects } from './support.js';

/**
 * Poison on the orders topic of the process-based shop: on EVERY partition, ahead of any later
 * order's events, a message that is not JSON and an envelope whose payload breaks the catalogue.
 * Every consumer of the topic parks each of them on the dead-letter topic, and the saga of the next
 * order still runs to the end (reserved, charged, shipped, notified): the partitions keep flowing.
 */
let shop: ProcessShop;

/** The consumer groups reading shop.orders.v1 (packages/events/README.md). */
const ORDERS_TOPIC_CONSUMERS: readonly ShopSubgraph[] = ['inventory', 'payments', 'shipping', 'promotions', 'notifications'];

beforeAll(async () => {
  shop = await startShopProcesses({ only: [...CHECKOUT_SUBGRAPHS, 'notifications'] });
}, 120_000);
afterAll(async () => {
  await shop?.stop();
  await deleteShopTopics(shop);
}, 60_000);

describe('a poison event on the orders topic', () => {
  it('goes to the dead-letter topic from every consumer, and the next order on the same partitions completes', async () => {
    const [product] = await createProducts(shop, 1, { stock: 5, name: 'After the poison' });
    const customer = await shop.register();
    await waitForConsumerGroups(shop);

    const kafka = createKafka(KAFKA_BROKERS, uniqueName('poison'));
    const topic = shop.topicPrefix + topics.orders;
    const admin = kafka.admin();
    const producer = kafka.producer();
    await Promise.all([admin.connect(), producer.connect()]);
    const key = uniqueName('poison');
    let partitions: number[];
    try {
      partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.map((p) => p.partitionId);
      const invalidPayload = JSON.stringify({ id: randomUUID(), type: 'order.placed', version: 1, occurredAt: new Date().toISOString(), key, payload: { orderId: key } });
      await producer.send({
        topic,
        messages: partitions.flatMap((partition) => [
          { key, partition, value: 'this is not an event' },
          { key, partition, value: invalidPayload },
        ]),
      });
    } finally {
      await Promise.all([admin.disconnect(), producer.disconnect()]);
    }
    const poison = partitions.length * 2;

    // The next order: its events are behind a poison message whichever partition they land on.
    const placed = await must(
      shop,
      PLACE_ORDER,
      { input: { items: [{ productId: product, quantity: 1 }], shippingAddress: ADDRESS, shippingMethod: 'STANDARD', paymentToken: 'tok_visa' } },
      customer.token,
      'placeOrder',
    );
    const order = { id: placed.placeOrder.order.id as string, paymentToken: 'tok_visa' as const } as never;
    await waitOrdersFinal(shop, [order], 30_000);
    await waitSideEffects(shop, [order], 30_000); // shipping and notifications moved past their poison too
    expect(await shop.sql('orders', 'SELECT status FROM orders WHERE id = ?', [placed.placeOrder.order.id])).toEqual([{ status: 'PAID' }]);

    // Every consumer of the topic parked every poison message, once.
    const parked = new Map<string, number>();
    const reader = kafka.consumer({ groupId: uniqueName('dlq-reader'), maxWaitTimeInMs: 200 });
    await reader.connect();
    await reader.subscribe({ topic: shop.topicPrefix + topics.deadLetter, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const dead = JSON.parse(message.value!.toString()) as { key: string; payload: { consumer: string; topic: string } };
        if (dead.key === key && dead.payload.topic === topics.orders) parked.set(dead.payload.consumer, (parked.get(dead.payload.consumer) ?? 0) + 1);
      },
    });
    const expected = Object.fromEntries(ORDERS_TOPIC_CONSUMERS.map((n) => [shop.consumerGroup(n), poison]));
    const deadline = Date.now() + 30_000;
    try {
      while ([...parked.values()].reduce((s, n) => s + n, 0) < poison * ORDERS_TOPIC_CONSUMERS.length && Date.now() < deadline) await sleep(200);
    } finally {
      await reader.disconnect();
    }
    expect(Object.fromEntries(parked)).toEqual(expected);
    expect(shop.unexpectedExits()).toEqual([]);
    console.log(
      `[reliability] poison events on the orders topic: poison=${poison} partitions=${partitions.length} consumers=${ORDERS_TOPIC_CONSUMERS.length} deadLettered=${[...parked.values()].reduce((s, n) => s + n, 0)}/${poison * ORDERS_TOPIC_CONSUMERS.length} followingOrder=PAID+shipped+notified crashes=0`,
    );
  });
});
