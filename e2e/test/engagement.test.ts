import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, eventually, startShop, type Shop, type ShopUser } from '@shop/testing';
import { addReview, createCatalogueProduct, deliveredOrder, settledTimes } from './engagement-helpers.js';
import { call, eventsOfOrder, must, republish } from './helpers.js';

/**
 * The engagement subgraphs fed by the real checkout, through the router: ratings learns verified
 * purchases from orders' order.delivered, notifications tells the customer about every step of
 * their order, exactly once, also when Kafka delivers the events again.
 */

let shop: Shop;

beforeAll(async () => {
  shop = await startShop();
});
afterAll(async () => {
  await shop?.stop();
});

const statuses = (order: { history: Array<{ status: string }> }) => order.history.map((c) => c.status);

interface ReviewNode {
  id: string;
  rating: number;
  verifiedPurchase: boolean;
  author: { id: string };
}

async function reviewsOf(productId: string, token?: string): Promise<ReviewNode[]> {
  const res = await call(
    shop,
    `query ($id: ID!) { product(id: $id) { reviews(first: 10) { nodes { id rating verifiedPurchase author { id } } totalCount } } }`,
    { id: productId },
    token,
  );
  if (res.errors) throw new Error(`reviews failed: ${JSON.stringify(res.errors)}`);
  return res.data!.product.reviews.nodes as ReviewNode[];
}

describe('verified purchase from a real delivered order', () => {
  it('verifies the buyer’s review once the order is delivered, and nobody else’s', async () => {
    const [buyer, stranger] = await Promise.all([shop.register(), shop.register()]);
    const bought = await createCatalogueProduct(shop, { name: 'Verified kettle', price: 3900, category: 'Kitchen' }, 5);
    const notBought = await createCatalogueProduct(shop, { name: 'Unbought toaster', price: 2900, category: 'Kitchen' }, 5);

    const order = await deliveredOrder(shop, buyer.token, [{ productId: bought, quantity: 1 }]);
    expect(statuses(order)).toEqual(['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'DELIVERED']);

    const buyersReview = await addReview(shop, buyer.token, bought, 5, 'Boils fast');
    const strangersReview = await addReview(shop, stranger.token, bought, 2, 'Never owned one');
    const buyersOtherReview = await addReview(shop, buyer.token, notBought, 4, 'Looks nice');

    // Event-driven: order.delivered reaches ratings through Kafka.
    const reviews = await eventually(
      async () => {
        const nodes = await reviewsOf(bought, stranger.token);
        return nodes.find((r) => r.id === buyersReview)?.verifiedPurchase ? nodes : undefined;
      },
      15_000,
      100,
    );
    // Ratings has consumed that very delivery (so the stranger's `false` below is a settled answer).
    const delivered = (await eventsOfOrder(shop, order.id)).filter((e) => e.envelope.type === 'order.delivered');
    expect(delivered).toHaveLength(1);
    const outcomes = await settledTimes(shop, 'ratings', [delivered[0]!.envelope.id], 1);
    expect(outcomes.map((o) => o.outcome)).toEqual(['applied']);

    expect(reviews).toHaveLength(2);
    expect(reviews).toEqual(
      expect.arrayContaining([
        { id: buyersReview, rating: 5, verifiedPurchase: true, author: { id: buyer.userId } },
        { id: strangersReview, rating: 2, verifiedPurchase: false, author: { id: stranger.userId } },
      ]),
    );
    // Read again after the delivery was consumed: the stranger's stays unverified, and so does the
    // buyer's review of a product that was not in the order.
    expect((await reviewsOf(bought)).find((r) => r.id === strangersReview)?.verifiedPurchase).toBe(false);
    expect(await reviewsOf(notBought)).toEqual([{ id: buyersOtherReview, rating: 4, verifiedPurchase: false, author: { id: buyer.userId } }]);
  });
});

const NOTIFICATION_TYPES = ['ORDER_PLACED', 'PAYMENT_SUCCEEDED', 'ORDER_SHIPPED', 'ORDER_DELIVERED'];
/** The events that become those notifications, in the same order. */
const NOTIFIED_EVENTS = ['order.placed', 'payment.succeeded', 'order.shipped', 'order.delivered'];

interface NotificationNode {
  id: string;
  type: string;
  orderId: string | null;
  read: boolean;
  createdAt: string;
}

async function myNotifications(who: ShopUser, args: { unreadOnly?: boolean } = {}): Promise<{ nodes: NotificationNode[]; totalCount: number }> {
  const data = await must(
    shop,
    `query ($unreadOnly: Boolean) { me { notifications(first: 100, unreadOnly: $unreadOnly) { nodes { id type orderId read createdAt } totalCount } } }`,
    args,
    who.token,
  );
  return data.me.notifications;
}

describe('notifications of a full order', () => {
  let ann: ShopUser;
  let ben: ShopUser;
  let product: string;
  let orderId: string;
  let annsIds: string[];

  beforeAll(async () => {
    [ann, ben] = await Promise.all([shop.register(), shop.register()]);
    product = await createCatalogueProduct(shop, { name: 'Notified lamp', price: 2500, category: 'Home' }, 10);
    orderId = (await deliveredOrder(shop, ann.token, [{ productId: product, quantity: 2 }])).id;
  });

  it('tells the customer once about each step: placed, paid, shipped, delivered (newest first)', async () => {
    const ofOrder = await eventually(
      async () => {
        const nodes = (await myNotifications(ann)).nodes.filter((n) => n.orderId === orderId);
        return nodes.length >= NOTIFICATION_TYPES.length ? nodes : undefined;
      },
      15_000,
      100,
    );
    expect(ofOrder.map((n) => n.type)).toEqual([...NOTIFICATION_TYPES].reverse());
    expect(ofOrder.every((n) => !n.read)).toBe(true);
    expect((await myNotifications(ann)).totalCount).toBe(4);
    annsIds = ofOrder.map((n) => n.id);
  });

  it('still once each after every event of the order is delivered a second time', async () => {
    const events = await eventsOfOrder(shop, orderId);
    const notified = NOTIFIED_EVENTS.map((type) => {
      const matching = events.filter((e) => e.envelope.type === type);
      expect(matching, type).toHaveLength(1);
      return matching[0]!.envelope.id;
    });
    // Everything notifications reads (orders and payments topics): the first delivery is settled.
    const consumed = events.filter((e) => /^(order|payment)\./.test(e.envelope.type)).map((e) => e.envelope.id);
    await settledTimes(shop, 'notifications', consumed, 1);
    const rowsBefore = await shop.sql<{ id: string; event_id: string }>('notifications', 'SELECT id, event_id FROM notifications WHERE order_id = ? ORDER BY id', [orderId]);
    expect(rowsBefore.map((r) => r.event_id).sort()).toEqual([...notified].sort());

    await republish(shop, events);
    // Meaningful wait: notifications (and ratings) report each republished event settled a second
    // time, as a duplicate.
    const seen = await settledTimes(shop, 'notifications', consumed, 2);
    for (const id of notified) expect(seen.filter((s) => s.eventId === id).map((s) => s.outcome), id).toEqual(['applied', 'duplicate']);
    const deliveredId = notified[3]!;
    expect((await settledTimes(shop, 'ratings', [deliveredId], 2)).map((s) => s.outcome)).toEqual(['applied', 'duplicate']);

    const after = (await myNotifications(ann)).nodes.filter((n) => n.orderId === orderId);
    expect(after.map((n) => n.type)).toEqual([...NOTIFICATION_TYPES].reverse());
    expect(after.map((n) => n.id)).toEqual(annsIds);
    expect(await shop.sql('notifications', 'SELECT id, event_id FROM notifications WHERE order_id = ? ORDER BY id', [orderId])).toEqual(rowsBefore);
  });

  it('keeps them private: FORBIDDEN through another user’s reference, unseen and unmarkable by others', async () => {
    // A path the router does offer to someone else's User: a review's author.
    await addReview(shop, ann.token, product, 5, 'Bright');
    const AUTHORS_INBOX = `query ($id: ID!) { product(id: $id) { reviews { nodes { author { id notifications { totalCount nodes { type orderId } } } } } } }`;
    const asBen = await call(shop, AUTHORS_INBOX, { id: product }, ben.token);
    expect(errorCode(asBen)).toBe('FORBIDDEN');
    expect(asBen.errors![0]!.path).toContain('notifications');
    expect(JSON.stringify(asBen.data ?? null)).not.toContain(orderId);
    expect(errorCode(await call(shop, AUTHORS_INBOX, { id: product }, null))).toBe('UNAUTHENTICATED');
    // The same path works for the author herself.
    const asAnn = await call(shop, AUTHORS_INBOX, { id: product }, ann.token);
    expect(asAnn.errors).toBeUndefined();
    expect(asAnn.data!.product.reviews.nodes).toEqual([{ author: { id: ann.userId, notifications: expect.objectContaining({ totalCount: 4 }) } }]);
    // And for an admin.
    const asAdmin = await call(shop, AUTHORS_INBOX, { id: product }, shop.adminToken);
    expect(asAdmin.errors).toBeUndefined();
    expect(asAdmin.data!.product.reviews.nodes[0].author.notifications.totalCount).toBe(4);

    // Ben's own inbox is empty, and marking Ann's ids changes nothing.
    expect(await myNotifications(ben)).toEqual({ nodes: [], totalCount: 0 });
    const MARK = `mutation ($ids: [ID!]!) { markNotificationsRead(ids: $ids) { updated userErrors { code } } }`;
    expect((await must(shop, MARK, { ids: annsIds }, ben.token, 'markNotificationsRead')).markNotificationsRead).toEqual({ updated: 0, userErrors: [] });
    expect(errorCode(await call(shop, MARK, { ids: annsIds }, null))).toBe('UNAUTHENTICATED');
    expect((await myNotifications(ann, { unreadOnly: true })).totalCount).toBe(4);

    // Ann can.
    expect((await must(shop, MARK, { ids: annsIds }, ann.token, 'markNotificationsRead')).markNotificationsRead).toEqual({ updated: 4, userErrors: [] });
    expect((await myNotifications(ann, { unreadOnly: true })).totalCount).toBe(0);
  });
});
