import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopProcesses, type ProcessShop, type ShopUser } from '@shop/testing';
import { ADDRESS, call, createProducts, deleteShopTopics, must, PLACE_ORDER } from './support.js';

/**
 * A subgraph process killed (SIGKILL) under the running router: what does not need it still
 * answers; what does gets the other subgraphs' data and a SERVICE_UNAVAILABLE error on exactly the
 * fields it owns (never an HTTP 500); /health stays 200 and /ready says which subgraph is down.
 */
let shop: ProcessShop;
let customer: ShopUser;
let product: string;
let orderId: string;

const base = () => shop.routerUrl.replace(/\/graphql$/, '');

async function ready(): Promise<{ status: number; body: { ready: boolean; subgraphs: Record<string, string> } }> {
  const res = await fetch(`${base()}/ready`);
  return { status: res.status, body: (await res.json()) as { ready: boolean; subgraphs: Record<string, string> } };
}

beforeAll(async () => {
  // Orders brings the checkout owners (payments among them); ratings brings Product.rating.
  shop = await startShopProcesses({ only: ['orders', 'ratings'] });
  customer = await shop.register();
  product = (await createProducts(shop, 1, { stock: 10, name: 'Degraded kettle' }))[0]!;
  const placed = await must(
    shop,
    PLACE_ORDER,
    { input: { items: [{ productId: product, quantity: 1 }], shippingAddress: ADDRESS, shippingMethod: 'STANDARD', paymentToken: 'tok_visa' } },
    customer.token,
    'placeOrder',
  );
  orderId = placed.placeOrder.order.id;
}, 120_000);
afterAll(async () => {
  await shop?.stop();
  await deleteShopTopics(shop);
}, 60_000);

const LISTING_WITHOUT_RATINGS = `{ products(first: 20) { nodes { id name price { amount currency } inventory { available inStock } } } }`;
const PRODUCT_PAGE = `query ($id: ID!) { me { id } product(id: $id) { id name rating { average count } } }`;
const ORDER_HISTORY = `{ me { id orders(first: 10) { nodes { id status items { quantity product { name } } payment { status } } } } }`;

describe('a subgraph process killed under the router', () => {
  it('ratings down: the rest answers, rating fields fail with SERVICE_UNAVAILABLE, /health 200, /ready 503 naming ratings', async () => {
    expect((await ready()).status).toBe(200);
    await shop.kill('ratings', 'SIGKILL');

    const health = await fetch(`${base()}/health`);
    expect(health.status).toBe(200);
    const r = await ready();
    expect(r.status).toBe(503);
    expect(r.body.ready).toBe(false);
    expect(r.body.subgraphs.ratings).toMatch(/^down/);
    expect(Object.entries(r.body.subgraphs).filter(([, s]) => s !== 'ok').map(([n]) => n)).toEqual(['ratings']);

    // Does not need ratings: answers in full.
    const listing = await call(shop, LISTING_WITHOUT_RATINGS, {}, customer.token);
    expect(listing.status).toBe(200);
    expect(listing.errors).toBeUndefined();
    expect(listing.data.products.nodes).toContainEqual(expect.objectContaining({ id: product, inventory: { available: expect.any(Number), inStock: true } }));

    // Needs ratings: the other root field is there; the product (whose rating is non-null) is null,
    // with the error on the rating field, naming the service.
    const page = await call(shop, PRODUCT_PAGE, { id: product }, customer.token);
    expect(page.status).toBe(200);
    expect(page.data).toEqual({ me: { id: customer.userId }, product: null });
    expect(page.errors).toEqual([
      expect.objectContaining({ path: ['product', 'rating'], extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', service: 'ratings' }) }),
    ]);
  });

  it('payments down too: the order history comes back with payment null and an error on that field only', async () => {
    await shop.kill('payments', 'SIGKILL');
    const r = await ready();
    expect(r.status).toBe(503);
    expect(Object.entries(r.body.subgraphs).filter(([, s]) => s !== 'ok').map(([n]) => n).sort()).toEqual(['payments', 'ratings']);
    expect((await fetch(`${base()}/health`)).status).toBe(200);

    const history = await call(shop, ORDER_HISTORY, {}, customer.token);
    expect(history.status).toBe(200);
    expect(history.data).toEqual({
      me: { id: customer.userId, orders: { nodes: [{ id: orderId, status: expect.any(String), items: [{ quantity: 1, product: { name: 'Degraded kettle 1' } }], payment: null }] } },
    });
    expect(history.errors).toEqual([
      expect.objectContaining({
        path: ['me', 'orders', 'nodes', 0, 'payment'],
        extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', service: 'payments', retryable: true }),
      }),
    ]);
  });

  it('both restarted on their ports: /ready 200 and every field answers again', async () => {
    await Promise.all([shop.restart('ratings'), shop.restart('payments')]);
    expect((await ready()).status).toBe(200);
    const page = await call(shop, PRODUCT_PAGE, { id: product }, customer.token);
    expect(page.errors).toBeUndefined();
    expect(page.data.product.rating).toEqual({ average: null, count: 0 });
    const history = await call(shop, ORDER_HISTORY, {}, customer.token);
    expect(history.errors).toBeUndefined();
    // Answered by payments again (null until it has charged the order, which its restarted consumer resumes).
    expect(history.data.me.orders.nodes[0]).toHaveProperty('payment');
    expect(shop.unexpectedExits()).toEqual([]);
    console.log('[reliability] subgraph down (ratings, payments SIGKILLed): http500=0 healthWhileDown=200 readyWhileDown=503(names them) partialData=yes errorPaths=exact restartedReady=200');
  }, 120_000);
});
