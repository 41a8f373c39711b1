import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKOUT_SUBGRAPHS, startShopProcesses, type ProcessShop, type ShopSubgraph } from '@shop/testing';
import { auditOrders, createProducts, deleteShopTopics, OrderStream, sleep, summaryLine, waitForConsumerGroups, waitOrdersFinal, waitSideEffects, zeroLoss } from './support.js';

// SIGKILLs subgraph processes mid-stream: a slow case, run by `npm run test:faults` (faults project).
const CLIENTS = 20;
const ORDERS = 200;
const STOCK = 1_000;
/** How long the killed process stays down before it is restarted. */
const DOWN_MS = 3_000;

let shop: ProcessShop;

beforeAll(async () => {
  shop = await startShopProcesses({ only: [...CHECKOUT_SUBGRAPHS, 'notifications'] });
}, 240_000);
afterAll(async () => {
  await shop?.stop();
  await deleteShopTopics(shop);
}, 120_000);

describe('kill -9 of a consuming subgraph while 20 customers place 200 orders', () => {
  for (const victim of ['payments', 'inventory'] as const satisfies readonly ShopSubgraph[]) {
    it(`${victim}: SIGKILLed mid-stream and restarted, every order completes: none lost, none charged, shipped or notified twice, stock exact`, async () => {
      const products = await createProducts(shop, 8, { stock: STOCK, name: `Kill ${victim}` });
      const customers = await Promise.all(Array.from({ length: CLIENTS }, () => shop.register()));
      await waitForConsumerGroups(shop);

      const stream = new OrderStream(shop, customers, products, { total: ORDERS, declineEvery: 10, pauseMs: 500 });
      await stream.reached(60);
      const killedAt = Date.now();
      await shop.kill(victim, 'SIGKILL');
      const placedAtKill = stream.placed.length;
      await sleep(DOWN_MS);
      await shop.restart(victim); // same port, database and consumer group; resolves once /ready answers
      const restartedAt = Date.now();

      const orders = await stream.done;
      const finalAt = await waitOrdersFinal(shop, orders, 120_000);
      const settledAt = await waitSideEffects(shop, orders, 120_000);
      const audit = await auditOrders(shop, orders, new Map(products.map((p) => [p, STOCK])));
      console.log(
        summaryLine(`kill -9 ${victim} mid-stream`, audit, {
          killedAfterOrders: placedAtKill,
          downS: ((restartedAt - killedAt) / 1000).toFixed(1),
          allFinalAfterRestartS: ((finalAt - restartedAt) / 1000).toFixed(1),
          sideEffectsAfterRestartS: ((settledAt - restartedAt) / 1000).toFixed(1),
          clientRetries: stream.retryCount,
          retryCodes: JSON.stringify(stream.retries).replace(/[{}"]/g, ''),
        }),
      );

      expect(audit.problems).toEqual([]);
      expect(zeroLoss(audit)).toEqual(Object.fromEntries(Object.keys(zeroLoss(audit)).map((k) => [k, 0])));
      expect(audit.paid + audit.cancelled).toBe(ORDERS);
      expect(finalAt - restartedAt).toBeLessThanOrEqual(60_000);
      expect(shop.process(victim).starts).toBeGreaterThanOrEqual(2);
      expect(shop.unexpectedExits()).toEqual([]);
    }, 600_000);
  }
});
