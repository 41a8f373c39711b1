import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafka, stopKafka } from '@shop/infra';
import { CHECKOUT_SUBGRAPHS, startShopProcesses, type ProcessShop } from '@shop/testing';
import { auditOrders, createProducts, deleteShopTopics, OrderStream, sleep, summaryLine, waitForConsumerGroups, waitOrdersFinal, waitSideEffects, zeroLoss } from './support.js';

// Stops the broker on KAFKA_BROKERS, so it runs in the "faults" project, after every other test file.
const CLIENTS = 20;
const ORDERS = 200;
const STOCK = 1_000;
/** The broker stays down at least this long, whatever the clients' pace. */
const MIN_OUTAGE_MS = 15_000;

let shop: ProcessShop;

beforeAll(async () => {
  shop = await startShopProcesses({ only: [...CHECKOUT_SUBGRAPHS, 'notifications'] });
}, 240_000);
afterAll(async () => {
  await startKafka(); // never leave the broker down for whoever runs next
  await shop?.stop();
  await deleteShopTopics(shop);
}, 120_000);

describe('Kafka stopped and restarted while 20 customers place 200 orders', () => {
  it('completes every order within 60 s of Kafka’s return: none lost, none charged, shipped or notified twice, stock exact', async () => {
    const products = await createProducts(shop, 8, { stock: STOCK });
    const customers = await Promise.all(Array.from({ length: CLIENTS }, () => shop.register()));
    await waitForConsumerGroups(shop);

    // Each customer places an order every ~4 s: about 5 orders/s in all, so the stream outlasts the
    // broker's shutdown (which takes longer the more partitions it holds) and the outage falls mid-stream.
    const stream = new OrderStream(shop, customers, products, { total: ORDERS, declineEvery: 10, pauseMs: 4_000 });
    await stream.reached(40);
    await stopKafka();
    const down = Date.now();
    const placedBefore = stream.placed.length;
    // Down for at least MIN_OUTAGE_MS and until 40 more orders were accepted meanwhile (or the stream ended).
    await Promise.all([stream.reached(placedBefore + 40), sleep(MIN_OUTAGE_MS)]);
    const placedDuring = stream.placed.length - placedBefore;
    await startKafka();
    const back = Date.now();

    const orders = await stream.done;
    const finalAt = await waitOrdersFinal(shop, orders, 120_000);
    const settledAt = await waitSideEffects(shop, orders, 120_000);
    const audit = await auditOrders(shop, orders, new Map(products.map((p) => [p, STOCK])));
    // When the saga moved again: the first order confirmed (inventory's consumer) after the broker came back.
    const [resumed] = await shop.sql<{ t: Date | null }>('orders', `SELECT MIN(at) AS t FROM order_status_history WHERE status = 'CONFIRMED' AND at >= ?`, [new Date(back)]);
    console.log(
      summaryLine('kafka stopped and restarted', audit, {
        outageS: ((back - down) / 1000).toFixed(1),
        placedDuringOutage: placedDuring,
        sagaResumedAfterReturnS: resumed?.t ? ((new Date(resumed.t).getTime() - back) / 1000).toFixed(1) : 'never',
        allFinalAfterReturnS: ((finalAt - back) / 1000).toFixed(1),
        sideEffectsAfterReturnS: ((settledAt - back) / 1000).toFixed(1),
        clientRetries: stream.retryCount,
      }),
    );

    expect(audit.problems).toEqual([]);
    expect(zeroLoss(audit)).toEqual(Object.fromEntries(Object.keys(zeroLoss(audit)).map((k) => [k, 0])));
    expect(audit.paid + audit.cancelled).toBe(ORDERS);
    expect(placedDuring).toBeGreaterThan(0);
    expect(finalAt - back).toBeLessThanOrEqual(60_000);
    expect(shop.unexpectedExits()).toEqual([]);
  }, 600_000);
});
