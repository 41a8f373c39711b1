import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafka, stopKafka } from '@shop/infra';
import { CHECKOUT_SUBGRAPHS, startShop, type Shop } from '@shop/testing';
import { available, createProduct, orderInput, placeOrder, viewOrder, waitForStatus } from './helpers.js';

// Stops the shared broker, so it runs in the "faults" project, after every other test file.
let shop: Shop;

beforeAll(async () => {
  // 'fatal': while the broker is down every relay and consumer logs its (expected) retries.
  shop = await startShop({ logLevel: 'fatal', only: CHECKOUT_SUBGRAPHS });
});
afterAll(async () => {
  await startKafka(); // never leave the broker down for whoever runs next
  await shop?.stop();
});

describe('Kafka down while customers check out', () => {
  it('accepts orders (PENDING) during the outage and completes them (PAID) once Kafka is back', async () => {
    const customer = await shop.register();
    const product = await createProduct(shop, 2100, 10);
    // The saga works before the outage (and every consumer group has joined).
    await waitForStatus(shop, await placeOrder(shop, customer.token, orderInput([{ productId: product, quantity: 1 }])), customer.token, 'PAID');

    await stopKafka();
    const during: string[] = [];
    for (let i = 0; i < 3; i++) during.push(await placeOrder(shop, customer.token, orderInput([{ productId: product, quantity: 1 }])));
    await new Promise((r) => setTimeout(r, 2_000));
    for (const id of during) expect((await viewOrder(shop, id, customer.token)).status).toBe('PENDING');
    // Their order.placed events wait in the orders outbox.
    const pending = await shop.sql<{ n: number }>('orders', `SELECT COUNT(*) AS n FROM outbox WHERE event_type = 'order.placed' AND sent_at IS NULL`);
    expect(Number(pending[0]!.n)).toBe(3);

    await startKafka();
    for (const id of during) {
      const paid = await waitForStatus(shop, id, customer.token, 'PAID', 120_000);
      expect(paid.history.map((c: { status: string }) => c.status)).toEqual(['PENDING', 'CONFIRMED', 'PAID']);
      expect(paid.payment).toMatchObject({ status: 'SUCCEEDED', amount: paid.total });
    }
    expect(await available(shop, product)).toBe(6);
  }, 240_000);
});
