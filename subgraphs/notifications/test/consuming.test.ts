import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drizzle } from 'drizzle-orm/mysql2';
import mysql from 'mysql2/promise';
import { MYSQL_URL } from '@shop/testing';
import { schema } from '../src/db/index.js';
import { recordNotification } from '../src/notifications.js';
import { orderEvents, ownInbox, person, startNotifications, type NotificationsHarness, type Person } from './harness.js';

let h: NotificationsHarness;

beforeAll(async () => {
  // Few, fast retries: the dead-letter test waits for the last one.
  h = await startNotifications({ EVENT_MAX_ATTEMPTS: '3' });
});
afterAll(async () => {
  await h?.close();
});

const countFor = async (userId: string) =>
  (await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM notifications WHERE user_id = ?', [userId]))[0]!.n;

describe('one notification per order event', () => {
  let ann: Person;
  const expected = [
    { type: 'ORDER_PLACED', title: 'Order received' },
    { type: 'ORDER_CANCELLED', title: 'Order cancelled' },
    { type: 'PAYMENT_SUCCEEDED', title: 'Payment received' },
    { type: 'PAYMENT_FAILED', title: 'Payment failed' },
    { type: 'ORDER_SHIPPED', title: 'Order shipped' },
    { type: 'ORDER_DELIVERED', title: 'Order delivered' },
  ];
  const orders = Array.from({ length: 6 }, () => randomUUID());

  beforeAll(async () => {
    ann = await person(h.auth);
    const events = [
      orderEvents(ann.id, orders[0]).placed(),
      orderEvents(ann.id, orders[1]).cancelled('OUT_OF_STOCK'),
      orderEvents(ann.id, orders[2]).paid(),
      orderEvents(ann.id, orders[3]).paymentFailed(),
      orderEvents(ann.id, orders[4]).shipped(),
      orderEvents(ann.id, orders[5]).delivered(),
    ];
    await h.publish(...events);
    await h.settledAll(events.map((e) => e.id));
  });

  it.each(expected.map((e, i) => ({ ...e, i })))('writes $type with its title and order for its event', async ({ type, title, i }) => {
    const page = await ownInbox(h.url, ann);
    const matching = page.nodes.filter((n) => n.type === type);
    expect(matching).toHaveLength(1);
    expect(matching[0]).toMatchObject({ type, title, orderId: orders[i], read: false });
    expect(matching[0]!.body).toContain(`#${orders[i]!.slice(0, 8).toUpperCase()}`);
  });

  it('writes nothing else', async () => {
    expect((await ownInbox(h.url, ann)).totalCount).toBe(6);
  });
});

describe('redelivery', () => {
  it('keeps exactly one notification per event when every event is delivered twice', async () => {
    const ben = await person(h.auth);
    const order = orderEvents(ben.id);
    const events = [order.placed(), order.paid(), order.paymentFailed(), order.cancelled('PAYMENT_DECLINED'), order.shipped(), order.delivered()];
    await h.publish(...events);
    await h.publish(...events);
    await h.settledAll(
      events.map((e) => e.id),
      2,
    );
    expect(h.settled.filter((s) => events.some((e) => e.id === s.eventId)).map((s) => s.outcome).sort()).toEqual([
      ...Array(6).fill('applied'),
      ...Array(6).fill('duplicate'),
    ]);
    expect(await countFor(ben.id)).toBe(6);
  });

  it('refuses a second notification for the same event id even past processed_events (UNIQUE guard)', async () => {
    const url = new URL(MYSQL_URL);
    url.pathname = `/${h.database}`;
    const pool = mysql.createPool({ uri: url.toString(), timezone: 'Z' });
    try {
      const db = drizzle(pool, { schema, mode: 'default' });
      const userId = randomUUID();
      const n = { eventId: randomUUID(), userId, occurredAt: new Date(), facts: { type: 'ORDER_SHIPPED', orderId: randomUUID() } as const };
      expect(await db.transaction((tx) => recordNotification(tx, n))).toBe(true);
      expect(await db.transaction((tx) => recordNotification(tx, n))).toBe(false);
      expect(await countFor(userId)).toBe(1);
    } finally {
      await pool.end();
    }
  });
});

describe("an order's life", () => {
  it('tells the customer placed, paid, shipped and delivered: four notifications, newest first', async () => {
    const cat = await person(h.auth);
    const order = orderEvents(cat.id);
    const events = [order.placed(), order.paid(), order.shipped(), order.delivered()];
    await h.publish(...events);
    await h.settledAll(events.map((e) => e.id));

    const page = await ownInbox(h.url, cat);
    expect(page.totalCount).toBe(4);
    expect(page.nodes.map((n) => n.type)).toEqual(['ORDER_DELIVERED', 'ORDER_SHIPPED', 'PAYMENT_SUCCEEDED', 'ORDER_PLACED']);
    expect(page.nodes.map((n) => n.createdAt)).toEqual(events.map((e) => e.occurredAt).reverse());
    expect(page.nodes.every((n) => n.orderId === order.orderId)).toBe(true);
  });
});

describe('payment events without a userId', () => {
  it('reach the customer who placed the order, learnt from order.placed', async () => {
    const dan = await person(h.auth);
    const order = orderEvents(dan.id);
    const placed = order.placed();
    await h.publish(placed);
    await h.settledAll([placed.id]);
    const paid = order.paid({ withUserId: false });
    await h.publish(paid);
    await h.settledAll([paid.id]);

    const page = await ownInbox(h.url, dan);
    expect(page.nodes.map((n) => n.type)).toEqual(['PAYMENT_SUCCEEDED', 'ORDER_PLACED']);
  });

  it('are retried a bounded number of times, then dead-lettered, when the order was never seen', async () => {
    const eve = await person(h.auth);
    const failed = orderEvents(eve.id).paymentFailed({ withUserId: false });
    await h.publish(failed);
    await h.settledAll([failed.id]);
    expect(h.settled.find((s) => s.eventId === failed.id)?.outcome).toBe('dead-lettered');
    const [row] = await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM notifications WHERE event_id = ?', [failed.id]);
    expect(row!.n).toBe(0);
  });
});
