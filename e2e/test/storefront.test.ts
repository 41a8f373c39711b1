import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, uniqueName, type Shop, type ShopUser } from '@shop/testing';
import { addReview, createCatalogueProduct } from './engagement-helpers.js';
import { call, must, orderInput, placeOrder, setStock, waitForStatus } from './helpers.js';

/**
 * The storefront's pages, each one router operation over the whole shop: the listing (products,
 * inventory, ratings, favourites), a product page (products, ratings, users), the order history
 * (users, orders, products, payments, shipping) and search (search fed by products' events).
 */

let shop: Shop;

beforeAll(async () => {
  shop = await startShop();
});
afterAll(async () => {
  await shop?.stop();
});

const LISTING = `query {
  products(first: 20) {
    nodes { id name price { amount currency } inventory { available inStock } rating { average count } isFavourite }
  }
}`;

const PRODUCT_PAGE = `query ($id: ID!) {
  product(id: $id) { name reviews(first: 10) { nodes { rating title author { id name } verifiedPurchase } } }
}`;

const ORDER_HISTORY = `query {
  me { orders(first: 10) { nodes { id status items { product { name } quantity } payment { status amount { amount } } shipment { status } } } }
}`;

const SEARCH = `query ($query: String!) {
  search(query: $query) { nodes { id name } totalCount facets { categories { value count } } }
}`;

const SET_STOCK = `mutation ($id: ID!, $q: Int!) { setStock(productId: $id, quantity: $q) { inventory { available } userErrors { code field } } }`;

describe('stock of products the catalogue does not know', () => {
  it('setStock refuses ids the catalogue never had with NOT_FOUND; a real product id in any letter case sets its stock', async () => {
    for (const id of ['0123456789abcdef01234567', 'not-a-product-id']) {
      const res = await call(shop, SET_STOCK, { id, q: 5 }, shop.adminToken);
      expect(res.errors).toBeUndefined();
      expect(res.data.setStock).toEqual({ inventory: null, userErrors: [{ code: 'NOT_FOUND', field: ['productId'] }] });
    }
    const real = await createCatalogueProduct(shop, { name: 'Stocked lamp', price: 2500, category: 'Lighting' });
    const upper = await call(shop, SET_STOCK, { id: real.toUpperCase(), q: 9 }, shop.adminToken);
    expect(upper.data.setStock).toEqual({ inventory: { available: 9 }, userErrors: [] });
    const page = await call(shop, `query ($id: ID!) { product(id: $id) { inventory { available } } }`, { id: real });
    expect(page.data.product.inventory.available).toBe(9);
  });
});

/** A word no other product of the shop has, so a search finds only what the test wrote. */
function word(): string {
  return `w${uniqueName('x').replace(/[^a-z0-9]/g, '')}`;
}

describe('the shop’s pages through the router', () => {
  let ann: ShopUser;
  let ben: ShopUser;
  let kettle: string;
  let teapot: string;

  beforeAll(async () => {
    [ann, ben] = await Promise.all([shop.register(), shop.register()]);
    kettle = await createCatalogueProduct(shop, { name: 'Listing kettle', price: 4200, category: 'Kitchen' });
    teapot = await createCatalogueProduct(shop, { name: 'Listing teapot', price: 1800, category: 'Kitchen' });
  });

  it('lists products with stock, rating and the viewer’s favourite after setStock, reviews and addFavourite', async () => {
    await setStock(shop, kettle, 7);
    await setStock(shop, teapot, 0);
    await addReview(shop, ann.token, kettle, 5, 'Great kettle');
    await addReview(shop, ben.token, kettle, 2, 'Too loud');
    const fav = await must(
      shop,
      `mutation ($id: ID!) { addFavourite(productId: $id) { product { id isFavourite } userErrors { code message } } }`,
      { id: kettle },
      ann.token,
      'addFavourite',
    );
    expect(fav.addFavourite.product).toEqual({ id: kettle, isFavourite: true });

    const page = await must(shop, LISTING, {}, ann.token);
    const byId = new Map<string, unknown>(page.products.nodes.map((n: { id: string }) => [n.id, n]));
    expect(byId.get(kettle)).toEqual({
      id: kettle,
      name: 'Listing kettle',
      price: { amount: 4200, currency: 'USD' },
      inventory: { available: 7, inStock: true },
      rating: { average: 3.5, count: 2 },
      isFavourite: true,
    });
    expect(byId.get(teapot)).toEqual({
      id: teapot,
      name: 'Listing teapot',
      price: { amount: 1800, currency: 'USD' },
      inventory: { available: 0, inStock: false },
      rating: { average: null, count: 0 },
      isFavourite: false,
    });
    // Favourites are the viewer's: Ben's and an anonymous listing show none.
    for (const token of [ben.token, null]) {
      const other = await call(shop, LISTING, {}, token);
      expect(other.errors).toBeUndefined();
      const node = other.data!.products.nodes.find((n: { id: string }) => n.id === kettle);
      expect(node).toMatchObject({ inventory: { available: 7, inStock: true }, rating: { average: 3.5, count: 2 }, isFavourite: false });
    }
  });

  it('shows a product page with its reviews and their authors, newest first', async () => {
    const res = await call(shop, PRODUCT_PAGE, { id: kettle }, null);
    expect(res.errors).toBeUndefined();
    expect(res.data!.product).toEqual({
      name: 'Listing kettle',
      reviews: {
        nodes: [
          { rating: 2, title: 'Too loud', author: { id: ben.userId, name: expect.stringMatching(/^Shopper /) }, verifiedPurchase: false },
          { rating: 5, title: 'Great kettle', author: { id: ann.userId, name: expect.stringMatching(/^Shopper /) }, verifiedPurchase: false },
        ],
      },
    });
    const names = res.data!.product.reviews.nodes.map((n: { author: { name: string } }) => n.author.name);
    expect(new Set(names).size).toBe(2);
  });

  it('shows the order history with items, payment and shipment', async () => {
    const orderId = await placeOrder(shop, ann.token, orderInput([{ productId: kettle, quantity: 2 }]));
    const paid = await waitForStatus(shop, orderId, ann.token, 'PAID');
    // The shipment is created by shipping on order.paid: wait for it in the page itself.
    const history = await waitFor(async () => {
      const data = await must(shop, ORDER_HISTORY, {}, ann.token);
      return data.me.orders.nodes[0]?.shipment ? data.me.orders.nodes : undefined;
    });
    expect(history).toEqual([
      {
        id: orderId,
        status: 'PAID',
        items: [{ product: { name: 'Listing kettle' }, quantity: 2 }],
        payment: { status: 'SUCCEEDED', amount: { amount: paid.total.amount } },
        shipment: { status: 'LABEL_CREATED' },
      },
    ]);
    // Ben has none.
    expect((await must(shop, ORDER_HISTORY, {}, ben.token)).me.orders.nodes).toEqual([]);
  });

  it('finds a created product within 5 s and loses it within 5 s of archiveProduct (API.md)', async () => {
    const w = word();
    const category = `Garden ${w.slice(-4)}`;
    const product = await createCatalogueProduct(shop, { name: `Solar ${w} lantern`, price: 1500, category });

    const created = Date.now();
    const found = await waitFor(async () => {
      const data = await anonymous(SEARCH, { query: w });
      return data.search.totalCount > 0 ? data.search : undefined;
    }, 5_000);
    const findMs = Date.now() - created;
    expect(found).toEqual({
      nodes: [{ id: product, name: `Solar ${w} lantern` }],
      totalCount: 1,
      facets: { categories: [{ value: category, count: 1 }] },
    });
    // Search-as-you-type: a prefix of the word finds it too.
    expect((await anonymous(SEARCH, { query: w.slice(0, 8) })).search.nodes).toEqual([{ id: product, name: `Solar ${w} lantern` }]);

    await must(
      shop,
      `mutation ($id: ID!) { archiveProduct(id: $id) { product { active } userErrors { code message } } }`,
      { id: product },
      shop.adminToken,
      'archiveProduct',
    );
    const archived = Date.now();
    const gone = await waitFor(async () => {
      const data = await anonymous(SEARCH, { query: w });
      return data.search.totalCount === 0 ? data.search : undefined;
    }, 5_000);
    const loseMs = Date.now() - archived;
    expect(gone).toEqual({ nodes: [], totalCount: 0, facets: { categories: [] } });
    // Archived products leave the listing too.
    const listing = await anonymous(LISTING, {});
    expect(listing.products.nodes.map((n: { id: string }) => n.id)).not.toContain(product);
    console.log(`search freshness: found after ${findMs} ms, gone after ${loseMs} ms`);
  });
});

/** A signed-out visitor's query; fails the test on any GraphQL error. */
async function anonymous(query: string, variables: Record<string, unknown>): Promise<any> {
  const res = await call(shop, query, variables, null);
  if (res.errors) throw new Error(`query failed: ${JSON.stringify(res.errors)}`);
  return res.data;
}

/** Polls every 50 ms until `check` returns a value; fails after `timeoutMs` (a hard bound, not a retry budget). */
async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
