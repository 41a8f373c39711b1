import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKOUT_SUBGRAPHS, MYSQL_URL, startShopProcesses, type GraphQLResponse, type ProcessShop } from '@shop/testing';
import {
  ADDRESS,
  auditOrders,
  call,
  createProducts,
  deleteShopTopics,
  mysqlConnectionsOf,
  OrderStream,
  PLACE_ORDER,
  sleep,
  summaryLine,
  waitForConsumerGroups,
  waitOrdersFinal,
  waitSideEffects,
  zeroLoss,
} from './support.js';

// Kills MariaDB connections of the orders process (only its own): run by `npm run test:faults`.
let shop: ProcessShop;

beforeAll(async () => {
  shop = await startShopProcesses({ only: CHECKOUT_SUBGRAPHS });
}, 240_000);
afterAll(async () => {
  await shop?.stop();
  await deleteShopTopics(shop);
}, 120_000);

const ordersOf = async (userId: string) => shop.sql<{ id: string; status: string }>('orders', 'SELECT id, status FROM orders WHERE user_id = ?', [userId]);

describe('a MariaDB connection killed in the middle of a placeOrder transaction', () => {
  it('leaves no half-written order and no orphan event, answers a retryable SERVICE_UNAVAILABLE, and a retry with the same key places it once', async () => {
    const [product] = await createProducts(shop, 1, { stock: 10 });
    const customer = await shop.register();
    await waitForConsumerGroups(shop);
    const input = {
      items: [{ productId: product, quantity: 2 }],
      shippingAddress: ADDRESS,
      shippingMethod: 'STANDARD',
      paymentToken: 'tok_visa',
      idempotencyKey: `db-kill-${customer.userId}`,
    };

    // Deterministic: with the outbox table locked by another session, placeOrder's transaction has
    // written the order, its items and its history, and waits on its last statement (the outbox row).
    // A third session watches (a session holding LOCK TABLES sees no InnoDB transactions) and reads
    // uncommitted rows, to show the half-written order exists until its connection is killed.
    const url = new URL(MYSQL_URL);
    url.pathname = `/${shop.databases.orders}`;
    const [locker, watcher] = await Promise.all([mysql.createConnection(url.toString()), mysql.createConnection(url.toString())]);
    await watcher.query('SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED');
    const uncommitted = async (orderId: string) => {
      const [rows] = await watcher.query<mysql.RowDataPacket[]>(
        `SELECT (SELECT COUNT(*) FROM orders WHERE id = ?) + (SELECT COUNT(*) FROM order_items WHERE order_id = ?) + (SELECT COUNT(*) FROM order_status_history WHERE order_id = ?) AS n`,
        [orderId, orderId, orderId],
      );
      return Number(rows[0]!.n);
    };
    let victim: { id: number; orderId: string; rowsWritten: number } | undefined;
    let res: GraphQLResponse<any>;
    let rowsBeforeKill = 0;
    try {
      await locker.query('LOCK TABLES outbox WRITE');
      let settled: GraphQLResponse<any> | Error | undefined;
      const placing = call(shop, PLACE_ORDER, { input }, customer.token);
      placing.then(
        (r) => (settled = r),
        (err: Error) => (settled = err),
      );
      for (let i = 0; i < 120 && !victim && !settled; i++) {
        const [rows] = await watcher.query<mysql.RowDataPacket[]>(
          `SELECT p.ID AS id, p.INFO AS info, t.trx_rows_modified AS rowsWritten
             FROM information_schema.PROCESSLIST p JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID
            WHERE p.DB = ? AND p.INFO LIKE 'insert into \`outbox\`%'`,
          [shop.databases.orders],
        );
        const row = rows[0];
        const orderId = row ? /"orderId\\?":\\?"([0-9a-f-]{36})/.exec(String(row.info))?.[1] : undefined;
        if (row && orderId) victim = { id: Number(row.id), orderId, rowsWritten: Number(row.rowsWritten) };
        // InnoDB refreshes INNODB_TRX only after 0.1 s without a read of it: poll slower than that.
        else await sleep(250);
      }
      if (!victim) {
        const [rows] = await watcher.query('SELECT ID, COMMAND, TIME, STATE, LEFT(INFO, 80) AS info FROM information_schema.PROCESSLIST WHERE DB = ?', [shop.databases.orders]);
        const answer = settled instanceof Error ? settled.message : JSON.stringify(settled)?.slice(0, 300);
        throw new Error(`placeOrder never reached its outbox insert; it answered ${answer}; connections: ${JSON.stringify(rows)}`);
      }
      // Order row, its item and its PENDING history row are written (uncommitted) when the connection dies.
      rowsBeforeKill = await uncommitted(victim.orderId);
      await watcher.query(`KILL ${victim.id}`);
      await locker.query('UNLOCK TABLES');
      res = await placing;
    } finally {
      await locker.end();
    }
    expect(victim.rowsWritten).toBeGreaterThanOrEqual(3);
    expect(rowsBeforeKill).toBe(3);
    expect(await uncommitted(victim.orderId)).toBe(0); // rolled back, not even pending
    await watcher.end();

    expect(res.status).toBe(200);
    expect(res.data?.placeOrder ?? null).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    expect(res.errors![0]!.message).not.toMatch(/insert|rollback|select|sql/i);
    // Nothing of that order survived: no order, items, history, outbox row.
    const id = victim!.orderId;
    expect(await ordersOf(customer.userId)).toEqual([]);
    for (const table of ['order_items', 'order_status_history']) {
      expect(await shop.sql(`orders`, `SELECT * FROM ${table} WHERE order_id = ?`, [id]), table).toEqual([]);
    }
    expect(await shop.sql('orders', 'SELECT seq FROM outbox WHERE event_key = ?', [id])).toEqual([]);

    // The retry with the same key places the order, once, and it goes all the way.
    const retried = await call(shop, PLACE_ORDER, { input }, customer.token);
    expect(retried.errors).toBeUndefined();
    const orderId = retried.data!.placeOrder.order.id as string;
    const again = await call(shop, PLACE_ORDER, { input }, customer.token);
    expect(again.data!.placeOrder.order.id).toBe(orderId);
    expect(await ordersOf(customer.userId)).toEqual([{ id: orderId, status: expect.any(String) }]);
    expect(await shop.sql('orders', `SELECT event_type FROM outbox WHERE event_key = ?`, [orderId])).toContainEqual({ event_type: 'order.placed' });
    await waitOrdersFinal(shop, [{ id: orderId } as never], 30_000);
    expect((await ordersOf(customer.userId))[0]!.status).toBe('PAID');
    console.log(`[reliability] db connection killed inside placeOrder: uncommittedRowsBeforeKill=${rowsBeforeKill} halfWrittenOrders=0 orphanEvents=0 error=${res.errors![0]!.extensions!.code} retryPlacedOnce=yes`);
  }, 120_000);

  it('kills every connection of the orders process every 100 ms while 5 customers place 60 orders: each key placed once, outbox ⇔ orders, all complete', async () => {
    const products = await createProducts(shop, 4, { stock: 500, name: 'Connection killer' });
    const customers = await Promise.all(Array.from({ length: 5 }, () => shop.register()));
    await waitForConsumerGroups(shop);
    const pid = shop.process('orders').pid!;

    let killing = true;
    let kills = 0;
    const killer = (async () => {
      while (killing) {
        for (const id of await mysqlConnectionsOf(shop, 'orders', pid)) {
          await shop.sql('orders', `KILL ${Number(id)}`).then(
            () => (kills += 1),
            () => undefined, // gone already
          );
        }
        await sleep(100);
      }
    })();
    const stream = new OrderStream(shop, customers, products, { total: 60, declineEvery: 6, pauseMs: 100 });
    let orders;
    try {
      orders = await stream.done;
    } finally {
      killing = false;
      await killer;
    }

    const killsStopped = Date.now();
    const finalAt = await waitOrdersFinal(shop, orders, 120_000);
    await waitSideEffects(shop, orders, 60_000);
    const audit = await auditOrders(shop, orders, new Map(products.map((p) => [p, 500])));
    console.log(
      summaryLine('orders db connections killed every 100 ms', audit, {
        connectionsKilled: kills,
        clientRetries: stream.retryCount,
        allFinalAfterKillsStoppedS: ((finalAt - killsStopped) / 1000).toFixed(1),
      }),
    );
    expect(kills).toBeGreaterThan(10);
    expect(audit.problems).toEqual([]);
    expect(zeroLoss(audit)).toEqual(Object.fromEntries(Object.keys(zeroLoss(audit)).map((k) => [k, 0])));
    expect(shop.unexpectedExits()).toEqual([]);
  }, 300_000);
});
