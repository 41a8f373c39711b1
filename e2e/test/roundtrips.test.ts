import { createHash } from 'node:crypto';
import { ApolloGateway } from '@apollo/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startShop, uniqueName, type Shop, type ShopSubgraph, type ShopUser } from '@shop/testing';
import { addReview, createCatalogueProduct } from './engagement-helpers.js';
import { call, must, orderInput, placeOrder } from './helpers.js';

/**
 * Performance by design (ARCHITECTURE.md), proved on the whole shop:
 *  - N+1: every storefront page costs the SAME number of datastore round trips for 5 items as for
 *    50, in every subgraph. Counted by the subgraphs themselves in test mode (platform
 *    roundtrips.ts: MySQL queries, Mongo commands, Redis commands per GraphQL request, summed at
 *    GET /debug/roundtrips since the last DELETE), while the page goes through the router as a
 *    storefront sends it: the router's own query plan decides which subgraph requests happen.
 *  - the router's warm path plans nothing (its query plan cache answers repeated operations);
 *  - automatic persisted queries work through the router.
 */

/** Counts the gateway's query plan cache lookups and misses (a miss = a plan built), for every gateway made from now on. */
const planCache = { lookups: 0, misses: 0 };
type PlanStore = { get(key: string): Promise<unknown> };
const gatewayProto = ApolloGateway.prototype as unknown as { initQueryPlanStore(mib?: number): PlanStore };
const initQueryPlanStore = gatewayProto.initQueryPlanStore;
gatewayProto.initQueryPlanStore = function (this: unknown, mib?: number) {
  const store = initQueryPlanStore.call(this, mib);
  const get = store.get.bind(store);
  store.get = async (key: string) => {
    const plan = await get(key);
    planCache.lookups += 1;
    if (plan === undefined) planCache.misses += 1;
    return plan;
  };
  return store;
};

let shop: Shop;

beforeAll(async () => {
  shop = await startShop();
}, 180_000);
afterAll(async () => {
  gatewayProto.initQueryPlanStore = initQueryPlanStore;
  await shop?.stop();
});

/** The four storefront pages (storefront.test.ts), with the page size as a variable. */
const PAGES = {
  listing: `query Listing($first: Int!) {
    products(first: $first) {
      nodes { id name price { amount currency } inventory { available inStock } rating { average count } isFavourite }
    }
  }`,
  productPage: `query ProductPage($id: ID!, $first: Int!) {
    product(id: $id) { name reviews(first: $first) { nodes { rating title author { id name } verifiedPurchase } } }
  }`,
  orderHistory: `query OrderHistory($first: Int!) {
    me { orders(first: $first) { nodes { id status items { product { name } quantity } payment { status amount { amount } } shipment { status } } } }
  }`,
  search: `query Search($query: String!, $first: Int!) {
    search(query: $query, first: $first) { nodes { id name price { amount } } totalCount facets { categories { value count } } }
  }`,
} as const;
type Page = keyof typeof PAGES;

const SIZES = [5, 50] as const;
const ITEMS = 55;

type Counts = Record<string, number>;
interface SubgraphTotals {
  requests: number;
  roundTrips: Counts;
}

function debugUrl(graphqlUrl: string): string {
  return new URL('/debug/roundtrips', graphqlUrl).toString();
}

async function resetCounters(): Promise<void> {
  await Promise.all(
    Object.values(shop.subgraphs).map(async (url) => {
      const res = await fetch(debugUrl(url!), { method: 'DELETE' });
      if (!res.ok) throw new Error(`DELETE ${debugUrl(url!)}: HTTP ${res.status}`);
    }),
  );
}

/** Every subgraph's sums since the reset; subgraphs that served no request are left out. */
async function readCounters(): Promise<Partial<Record<ShopSubgraph, SubgraphTotals>>> {
  const out: Partial<Record<ShopSubgraph, SubgraphTotals>> = {};
  await Promise.all(
    Object.entries(shop.subgraphs).map(async ([name, url]) => {
      const body = (await (await fetch(debugUrl(url!))).json()) as SubgraphTotals;
      if (body.requests > 0) out[name as ShopSubgraph] = { requests: body.requests, roundTrips: body.roundTrips };
    }),
  );
  return out;
}

describe('datastore round trips per page do not grow with the page size (no N+1)', () => {
  let viewer: ShopUser;
  let reviewed: string;
  const word = `rt${uniqueName('w').replace(/[^a-z0-9]/g, '')}`;
  const variables: Record<Page, () => Record<string, unknown>> = {
    listing: () => ({}),
    productPage: () => ({ id: reviewed }),
    orderHistory: () => ({}),
    search: () => ({ query: word }),
  };
  /** How many items of the page the response holds (so 5 vs 50 really is 5 vs 50). */
  const itemsOf: Record<Page, (data: any) => number> = {
    listing: (d) => d.products.nodes.length,
    productPage: (d) => d.product.reviews.nodes.length,
    orderHistory: (d) => d.me.orders.nodes.length,
    search: (d) => d.search.nodes.length,
  };

  beforeAll(async () => {
    // 55 products (the newest of this fresh shop, so the listing's first 50 are all here), one word
    // in every name for the search page, three categories for its facets, stock for each.
    const products: string[] = [];
    for (let i = 0; i < ITEMS; i += 11) {
      products.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(11, ITEMS - i) }, (_, j) =>
            createCatalogueProduct(shop, { name: `Lamp ${word} ${i + j}`, price: 1000 + i + j, category: `Cat ${(i + j) % 3}` }, 1_000),
          ),
        )),
      );
    }
    reviewed = products[0]!;
    // 55 customers: each reviews the first product (55 reviews, 55 distinct authors) and another one.
    const customers: ShopUser[] = [];
    for (let i = 0; i < ITEMS; i += 11) customers.push(...(await Promise.all(Array.from({ length: Math.min(11, ITEMS - i) }, () => shop.register()))));
    viewer = customers[0]!;
    for (let i = 0; i < ITEMS; i += 11) {
      await Promise.all(
        customers.slice(i, i + 11).flatMap((c, j) => [
          addReview(shop, c.token, reviewed, 1 + ((i + j) % 5), `Review ${i + j}`),
          addReview(shop, c.token, products[1 + ((i + j) % (ITEMS - 1))]!, 1 + ((i + j + 2) % 5), `Other ${i + j}`),
        ]),
      );
    }
    // The viewer's favourites (some of the listed products) and 55 orders of two lines each.
    await Promise.all(
      products.slice(0, 20).map((id) =>
        must(shop, `mutation ($id: ID!) { addFavourite(productId: $id) { userErrors { code message } } }`, { id }, viewer.token, 'addFavourite'),
      ),
    );
    const orderIds: string[] = [];
    for (let i = 0; i < ITEMS; i += 11) {
      orderIds.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(11, ITEMS - i) }, (_, j) =>
            placeOrder(shop, viewer.token, orderInput([
              { productId: products[(i + j) % ITEMS]!, quantity: 1 },
              { productId: products[(i + j + 7) % ITEMS]!, quantity: 2 },
            ])),
          ),
        )),
      );
    }
    // Every order PAID with its shipment, and every product in the search index.
    await eventually(
      async () => {
        const [paid] = await shop.sql<{ n: number }>('orders', "SELECT COUNT(*) AS n FROM orders WHERE user_id = ? AND status = 'PAID'", [viewer.userId]);
        const [shipped] = await shop.sql<{ n: number }>('shipping', 'SELECT COUNT(*) AS n FROM shipments WHERE user_id = ?', [viewer.userId]);
        return Number(paid!.n) === orderIds.length && Number(shipped!.n) === orderIds.length ? true : undefined;
      },
      60_000,
      200,
    );
    await eventually(async () => {
      const res = await call(shop, PAGES.search, { query: word, first: 1 }, null);
      return res.data?.search.totalCount === ITEMS ? true : undefined;
    }, 30_000);
  }, 240_000);

  for (const page of Object.keys(PAGES) as Page[]) {
    it(`${page}: the same round trips per subgraph for ${SIZES.join(' and ')} items`, async () => {
      const byCount: Record<number, Partial<Record<ShopSubgraph, SubgraphTotals>>> = {};
      // Warm-up: token keys, prepared state, caches that fill once per process.
      for (const first of SIZES) await must(shop, PAGES[page], { ...variables[page](), first }, viewer.token);
      for (const first of SIZES) {
        await resetCounters();
        const data = await must(shop, PAGES[page], { ...variables[page](), first }, viewer.token);
        byCount[first] = await readCounters();
        expect(itemsOf[page](data), `${page} with first: ${first}`).toBe(first);
      }
      console.log(`${page} round trips per subgraph (first: ${SIZES.join(' / ')}):\n${describeCounts(byCount)}`);
      // Something was counted: the page reads at least one store.
      expect(Object.values(byCount[SIZES[0]]!).some((t) => (t!.roundTrips.total ?? 0) > 0)).toBe(true);
      expect(byCount[SIZES[1]]).toEqual(byCount[SIZES[0]]);
    });
  }

  it('a subgraph reports its own request’s round trips in extensions.roundTrips', async () => {
    const res = await fetch(shop.subgraphs.products!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ products(first: 3) { nodes { id } totalCount } }' }),
    });
    const body = (await res.json()) as { extensions?: { roundTrips?: Counts } };
    // One find for the page, one count for totalCount.
    expect(body.extensions?.roundTrips).toEqual({ mongo: 2, total: 2 });
    const direct = (await (
      await fetch(shop.subgraphs.inventory!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { inventory { available } } } }`,
          variables: { r: Array.from({ length: 30 }, (_, i) => ({ __typename: 'Product', id: i.toString(16).padStart(24, '0') })) },
        }),
      })
    ).json()) as { extensions?: { roundTrips?: Counts } };
    // 30 entities, one `WHERE product_id IN (...)`.
    expect(direct.extensions?.roundTrips).toEqual({ mysql: 1, total: 1 });
  });
});

function describeCounts(byCount: Record<number, Partial<Record<ShopSubgraph, SubgraphTotals>>>): string {
  const names = [...new Set(Object.values(byCount).flatMap((c) => Object.keys(c)))].sort();
  return names
    .map((n) => {
      const cells = Object.entries(byCount).map(([first, c]) => {
        const t = c[n as ShopSubgraph];
        if (!t) return `${first}: –`;
        const stores = Object.entries(t.roundTrips).filter(([k]) => k !== 'total').map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
        return `${first}: ${t.requests} req, ${stores}`;
      });
      return `  ${n.padEnd(14)} ${cells.join('  |  ')}`;
    })
    .join('\n');
}

describe('the router’s warm path', () => {
  it('plans each operation once: repeated operations hit the query plan cache', async () => {
    const customer = await shop.register();
    const product = await createCatalogueProduct(shop, { name: 'Plan cache lamp', price: 1234, category: 'Plans' }, 3);
    const operations: Array<[string, Record<string, unknown>]> = [
      [PAGES.listing, { first: 5 }],
      [PAGES.productPage, { id: product, first: 5 }],
      [PAGES.orderHistory, { first: 5 }],
      [PAGES.search, { query: 'lamp', first: 5 }],
    ];
    // Cold: the first time, each operation is planned (or was planned by an earlier test).
    for (const [query, vars] of operations) await must(shop, query, vars, customer.token);
    const before = { ...planCache };
    for (let round = 0; round < 5; round++) {
      for (const [query, vars] of operations) await must(shop, query, { ...vars, first: 5 + round }, customer.token);
    }
    expect(planCache.lookups - before.lookups).toBe(5 * operations.length);
    expect(planCache.misses - before.misses).toBe(0);
  });
});

describe('automatic persisted queries through the router', () => {
  const query = `query ApqProbe($first: Int!) { products(first: $first) { nodes { id name } totalCount } }`;
  const sha256Hash = createHash('sha256').update(query).digest('hex');
  const persistedQuery = { version: 1, sha256Hash };

  async function post(body: Record<string, unknown>): Promise<{ status: number; body: any }> {
    const res = await fetch(shop.routerUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  }

  it('answers PersistedQueryNotFound for an unknown hash, registers it with the query, then runs the hash alone', async () => {
    const unknown = await post({ variables: { first: 2 }, extensions: { persistedQuery } });
    expect(unknown.body.errors?.[0]).toMatchObject({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
    expect(unknown.body.data).toBeUndefined();

    const registered = await post({ query, variables: { first: 2 }, extensions: { persistedQuery } });
    expect(registered.status).toBe(200);
    expect(registered.body.errors).toBeUndefined();
    expect(registered.body.data.products.nodes).toHaveLength(2);

    const hashOnly = await post({ variables: { first: 2 }, extensions: { persistedQuery } });
    expect(hashOnly.status).toBe(200);
    expect(hashOnly.body).toEqual(registered.body);

    // GET with the hash only (what a CDN can cache), with the preflight header CSRF prevention asks for.
    const search = new URLSearchParams({ variables: JSON.stringify({ first: 2 }), extensions: JSON.stringify({ persistedQuery }) });
    const get = await fetch(`${shop.routerUrl}?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual(registered.body);
  });

  it('refuses a query whose hash does not match', async () => {
    const wrong = await post({ query, variables: { first: 2 }, extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors?.[0]?.message).toMatch(/sha does not match/i);
  });
});
