import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startShopProcesses, type GraphQLResponse, type ProcessShop, type ShopProcessName, type ShopUser } from '@shop/testing';
import {
  ADDRESS,
  auditOrders,
  call,
  createProducts,
  deleteShopTopics,
  must,
  OrderStream,
  PLACE_ORDER,
  sleep,
  summaryLine,
  waitOrdersFinal,
  waitSideEffects,
  zeroLoss,
  type PlacedOrder,
} from '../faults/support.js';

/**
 * The shop workload of issue 5 through the router of the process-based shop, at LOAD_CONNECTIONS
 * (default 50) concurrent connections for LOAD_SECONDS (default 300), plus a steady trickle of
 * orders: 0 errors, every process's RSS sampled (start / end / peak), every order final at the end.
 * Not part of `npm test`: `npm run test:load` (e.g. `LOAD_SECONDS=60 npm run test:load`).
 */
const SECONDS = Number(process.env.LOAD_SECONDS ?? 300);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 50);
const PRODUCTS = Number(process.env.LOAD_PRODUCTS ?? 300);
const USERS = 40;
const REVIEWS_PER_USER = 10;
const STOCK = 100_000;
/** One order every this many ms, in the background of the page load. */
const ORDER_EVERY_MS = 1_000;
/** A process whose RSS grew more than this over the run (after warm-up) fails the test. */
const MAX_RSS_GROWTH = 1.5;

const ADJECTIVES = ['red', 'blue', 'green', 'steel', 'oak', 'linen', 'ceramic', 'smart'];
const NOUNS = ['kettle', 'lamp', 'chair', 'mug', 'table', 'shelf', 'clock', 'rug'];
const CATEGORIES = ['kitchen', 'lighting', 'furniture', 'decor', 'textiles'];

// The four pages of the shop workload (issue 5; the same operations as e2e/test/storefront.test.ts).
const LISTING = `query Listing($category: String) {
  products(first: 20, filter: { category: $category }) {
    nodes { id name price { amount currency } inventory { available inStock } rating { average count } isFavourite }
    pageInfo { hasNextPage endCursor } totalCount
  }
}`;
const PRODUCT_PAGE = `query ProductPage($id: ID!) {
  product(id: $id) { id name description price { amount currency } reviews(first: 10) { nodes { rating title author { id name } verifiedPurchase } } }
}`;
const ORDER_HISTORY = `query OrderHistory {
  me { orders(first: 10) { nodes { id status items { product { name } quantity } payment { status amount { amount } } shipment { status } } } }
}`;
const SEARCH = `query Search($query: String!) {
  search(query: $query) { nodes { id name } totalCount facets { categories { value count } } }
}`;

type Page = 'listing' | 'product' | 'history' | 'search';
/** The mix, in tenths: 4 listing, 2.5 product, 1.5 history, 2 search. */
const MIX: Array<[Page, number]> = [
  ['listing', 0.4],
  ['product', 0.25],
  ['history', 0.15],
  ['search', 0.2],
];

let shop: ProcessShop;
let products: string[] = [];
let users: ShopUser[] = [];

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

beforeAll(async () => {
  // Tokens must outlive the run.
  shop = await startShopProcesses({ env: { users: { ACCESS_TOKEN_TTL_SECONDS: String(Math.max(900, SECONDS * 2 + 600)) } } });
  const started = Date.now();
  // Seed: products with stock (search is fed by their events), users, reviews, favourites, one order each.
  const names = Array.from({ length: PRODUCTS }, (_, i) => `${ADJECTIVES[i % ADJECTIVES.length]} ${NOUNS[Math.floor(i / ADJECTIVES.length) % NOUNS.length]}`);
  products = new Array(PRODUCTS);
  await pool(names, 8, async (name, i) => {
    const [id] = await createProducts(shop, 1, { stock: STOCK, name, category: CATEGORIES[i % CATEGORIES.length], price: 500 + (i % 50) * 100, description: `A ${name} for the load test` });
    products[i] = id!;
  });
  users = [];
  for (let i = 0; i < USERS; i++) users.push(await shop.register());
  await pool(users, 8, async (user, u) => {
    for (let r = 0; r < REVIEWS_PER_USER; r++) {
      const productId = products[(u * 7 + r * 13) % PRODUCTS]!;
      await must(
        shop,
        `mutation ($input: AddReviewInput!) { addReview(input: $input) { review { id } userErrors { code message } } }`,
        { input: { productId, rating: 1 + ((u + r) % 5), title: `Review ${u}-${r}`, body: 'Seeded by the load test.' } },
        user.token,
        'addReview',
      );
    }
    for (let f = 0; f < 5; f++) {
      await must(shop, `mutation ($id: ID!) { addFavourite(productId: $id) { userErrors { code message } } }`, { id: products[(u * 11 + f) % PRODUCTS] }, user.token, 'addFavourite');
    }
    await must(
      shop,
      PLACE_ORDER,
      { input: { items: [{ productId: products[u % PRODUCTS], quantity: 1 }], shippingAddress: ADDRESS, shippingMethod: 'STANDARD', paymentToken: 'tok_visa' } },
      user.token,
      'placeOrder',
    );
  });
  // The search index has every product before the load starts.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const res = await call(shop, SEARCH, { query: '' }, null);
    if ((res.data?.search?.totalCount ?? 0) >= PRODUCTS) break;
    if (Date.now() > deadline) throw new Error(`search has ${res.data?.search?.totalCount} of ${PRODUCTS} products after 120 s`);
    await sleep(500);
  }
  console.log(`[load] seeded ${PRODUCTS} products, ${USERS} users, ${USERS * REVIEWS_PER_USER} reviews, ${USERS * 5} favourites, ${USERS} orders in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, 900_000);
afterAll(async () => {
  await shop?.stop();
  await deleteShopTopics(shop);
}, 120_000);

interface PageStats {
  ok: number;
  errors: number;
  latencies: number[];
}

describe(`the shop workload at ${CONNECTIONS} connections for ${SECONDS} s, with a trickle of orders`, () => {
  it('answers every request without an error, keeps every process’s RSS stable and completes every order', async () => {
    const stats: Record<Page, PageStats> = {
      listing: { ok: 0, errors: 0, latencies: [] },
      product: { ok: 0, errors: 0, latencies: [] },
      history: { ok: 0, errors: 0, latencies: [] },
      search: { ok: 0, errors: 0, latencies: [] },
    };
    const failures: string[] = [];
    const rss: Array<{ at: number; mb: Partial<Record<ShopProcessName, number>> }> = [];
    const t0 = Date.now();
    const endAt = t0 + SECONDS * 1000;
    const sampler = setInterval(() => rss.push({ at: Date.now() - t0, mb: shop.rss() }), 5_000);
    rss.push({ at: 0, mb: shop.rss() });

    const request = async (page: Page, conn: number, n: number): Promise<GraphQLResponse> => {
      const user = users[(conn + n) % users.length]!;
      switch (page) {
        case 'listing':
          return gql(shop.routerUrl, LISTING, { category: n % 3 === 0 ? null : CATEGORIES[(conn + n) % CATEGORIES.length] }, { token: user.token });
        case 'product':
          return gql(shop.routerUrl, PRODUCT_PAGE, { id: products[(conn * 31 + n * 17) % products.length] }, { token: n % 2 ? user.token : null });
        case 'history':
          return gql(shop.routerUrl, ORDER_HISTORY, {}, { token: user.token });
        case 'search':
          return gql(shop.routerUrl, SEARCH, { query: n % 2 ? NOUNS[(conn + n) % NOUNS.length]! : `${ADJECTIVES[n % ADJECTIVES.length]} ${NOUNS[conn % NOUNS.length]}` }, { token: null });
      }
    };
    const valid = (page: Page, res: GraphQLResponse): boolean => {
      const d = res.data as any;
      switch (page) {
        case 'listing':
          return Array.isArray(d?.products?.nodes) && d.products.nodes.length > 0 && d.products.nodes.every((p: any) => p.inventory && p.rating && typeof p.isFavourite === 'boolean');
        case 'product':
          return typeof d?.product?.id === 'string' && Array.isArray(d.product.reviews.nodes);
        case 'history':
          return Array.isArray(d?.me?.orders?.nodes) && d.me.orders.nodes.length > 0;
        case 'search':
          return Array.isArray(d?.search?.nodes) && typeof d.search.totalCount === 'number';
      }
    };

    const connection = async (conn: number) => {
      for (let n = 0; Date.now() < endAt; n++) {
        // Deterministic spread over the mix: the (conn, n) pair picks the page.
        const x = ((conn * 7919 + n * 104_729) % 1000) / 1000;
        let acc = 0;
        const page = MIX.find(([, w]) => (acc += w) > x)?.[0] ?? 'listing';
        const started = performance.now();
        let res: GraphQLResponse | undefined;
        try {
          res = await request(page, conn, n);
        } catch (err) {
          stats[page].errors += 1;
          if (failures.length < 20) failures.push(`${page}: ${(err as Error).message}`);
          continue;
        }
        const ms = performance.now() - started;
        if (res.status === 200 && !res.errors && valid(page, res)) {
          stats[page].ok += 1;
          stats[page].latencies.push(ms);
        } else {
          stats[page].errors += 1;
          if (failures.length < 20) failures.push(`${page}: HTTP ${res.status} ${JSON.stringify(res.errors ?? res.data).slice(0, 300)}`);
        }
      }
    };

    // The trickle: one order a second from the customers, every 10th declined, until the load ends.
    const trickleOrders: PlacedOrder[] = [];
    let trickleRetries = 0;
    const trickle = (async () => {
      for (let i = 0; Date.now() < endAt; i++) {
        const stream = new OrderStream(shop, [users[i % users.length]!], [products[(i * 37) % products.length]!], {
          total: 1,
          declineEvery: i % 10 === 9 ? 1 : 0,
          maxQuantity: 1,
          retryBudgetMs: 0,
        });
        try {
          trickleOrders.push(...(await stream.done));
        } catch (err) {
          if (failures.length < 20) failures.push(`placeOrder: ${(err as Error).message}`);
        }
        trickleRetries += stream.retryCount;
        await sleep(ORDER_EVERY_MS);
      }
    })();

    await Promise.all([...Array.from({ length: CONNECTIONS }, (_, c) => connection(c)), trickle]);
    clearInterval(sampler);
    rss.push({ at: Date.now() - t0, mb: shop.rss() });
    const elapsed = (Date.now() - t0) / 1000;

    // Every order of the trickle reaches its final state.
    const finalStart = Date.now();
    const finalAt = trickleOrders.length ? await waitOrdersFinal(shop, trickleOrders, 60_000) : Date.now();
    if (trickleOrders.length) await waitSideEffects(shop, trickleOrders, 60_000);
    // Stock: every product ordered lost exactly its PAID quantities, the seed orders' included (one unit of products[u] per user).
    const seeded = new Map<string, number>();
    users.forEach((_, u) => seeded.set(products[u % PRODUCTS]!, (seeded.get(products[u % PRODUCTS]!) ?? 0) + 1));
    const touched = new Set([...trickleOrders.map((o) => o.productId), ...seeded.keys()]);
    const audit = await auditOrders(shop, trickleOrders, new Map([...touched].map((id) => [id, STOCK - (seeded.get(id) ?? 0)])));

    // RSS: start = after warm-up (the first sample at >= 10% of the run, at least 10 s in), end, peak.
    const warm = rss.find((s) => s.at >= Math.max(10_000, SECONDS * 100)) ?? rss[0]!;
    const last = rss.at(-1)!;
    const names = Object.keys(last.mb) as ShopProcessName[];
    const memory = names.map((name) => {
      const start = warm.mb[name] ?? NaN;
      const end = last.mb[name] ?? NaN;
      const peak = Math.max(...rss.map((s) => s.mb[name] ?? 0));
      return { name, start: Math.round(start), end: Math.round(end), peak: Math.round(peak), growth: end / start };
    });

    const total = Object.values(stats).reduce((s, p) => s + p.ok + p.errors, 0);
    const errors = Object.values(stats).reduce((s, p) => s + p.errors, 0);
    console.log(`[load] ${total} requests in ${elapsed.toFixed(0)} s at ${CONNECTIONS} connections: ${(total / elapsed).toFixed(1)} req/s, ${errors} errors`);
    for (const [page, s] of Object.entries(stats)) {
      const sorted = [...s.latencies].sort((a, b) => a - b);
      console.log(
        `[load]   ${page.padEnd(8)} ok=${s.ok} errors=${s.errors} p50=${percentile(sorted, 50).toFixed(0)}ms p95=${percentile(sorted, 95).toFixed(0)}ms p99=${percentile(sorted, 99).toFixed(0)}ms`,
      );
    }
    console.log(`[load] RSS MB (start after warm-up at ${(warm.at / 1000).toFixed(0)} s / end / peak):`);
    const quarters = [0.25, 0.5, 0.75].map((q) => rss.find((s) => s.at >= q * SECONDS * 1000) ?? last);
    for (const m of memory) {
      const trail = quarters.map((s) => Math.round(s.mb[m.name] ?? NaN)).join(' → ');
      console.log(`[load]   ${m.name.padEnd(13)} ${m.start} / ${m.end} / ${m.peak} (${((m.growth - 1) * 100).toFixed(1)} %; at 25/50/75 %: ${trail})`);
    }
    console.log(
      summaryLine(`load ${SECONDS} s x ${CONNECTIONS} connections`, audit, {
        requests: total,
        requestErrors: errors,
        reqPerS: (total / elapsed).toFixed(1),
        trickleOrders: trickleOrders.length,
        orderRetries: trickleRetries,
        allFinalAfterLoadS: ((finalAt - finalStart) / 1000).toFixed(1),
        maxRssGrowthPct: (Math.max(...memory.map((m) => m.growth)) * 100 - 100).toFixed(1),
      }),
    );

    expect(failures).toEqual([]);
    expect(errors).toBe(0);
    expect(trickleOrders.length).toBeGreaterThan(0);
    expect(audit.problems).toEqual([]);
    expect(zeroLoss(audit)).toEqual(Object.fromEntries(Object.keys(zeroLoss(audit)).map((k) => [k, 0])));
    expect(memory.filter((m) => !(m.growth <= MAX_RSS_GROWTH))).toEqual([]);
    expect(shop.unexpectedExits()).toEqual([]);
  }, (SECONDS + 600) * 1000);
});
