/**
 * Seeds the benchmarked shop (bench/README.md, "Shop workload: the seeded system"):
 * 10k products, 1k customers, 20k reviews, 5k orders, in databases of its own (topology.ts).
 *
 *   npx tsx bench/src/seed-shop.ts            seed unless a valid seed is there (then: nothing to do)
 *   npx tsx bench/src/seed-shop.ts --force    drop the bench stores and seed again
 *
 * `npm run bench -- --only shop` (and saga, soak) call ensureSeeded() themselves: a valid seed is
 * reused; otherwise the bench stores are dropped and seeded before the scenario.
 *
 * A seed is valid when the marker row (MySQL `bench_shop_meta.seed`) has this SEED_VERSION and
 * the stores still hold what it says (a quick count per store). Writes go through each owner's
 * own code or API, never around the rules the owner enforces:
 *  - customers: ONE argon2id hash made by users' own hashPassword (same parameters as register),
 *    inserted into users' `users` table with users' drizzle schema (1k argon2 hashes would take
 *    minutes on one core; every customer signs in with the same password);
 *  - products: products' own `Catalog.create` (validated input, each product's
 *    `product.upserted` in its document outbox; products' relay publishes them, search indexes them);
 *  - stock: inventory's own `setStock` (stock row + `stock.changed` in its outbox, relayed, indexed);
 *  - reviews and favourites: ratings' own `createReviewBook().addReview` and favourites'
 *    `createWishlist().add` (one transaction each, rating summaries kept with the reviews), with the
 *    products directory answered from the seed's list of product ids instead of one HTTP call each;
 *  - orders: the REAL checkout, `placeOrder` through the router with each customer's token,
 *    16 in flight, then the saga over Kafka (inventory reserves, payments charges tok_visa, shipping
 *    creates the shipment): the seed waits until every order is PAID and has its shipment.
 * Processes run as in the bench (built JS, NODE_ENV=production, pinned).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import mysql from 'mysql2/promise';
import { MongoClient } from 'mongodb';
import { drizzle } from 'drizzle-orm/mysql2';
import { repoRoot } from '../peer/paths.js';
import { buildJs, type BuildOutput } from './build.js';
import { stopAll } from './proc.js';
import type { ScenarioContext } from './scenarios/types.js';
import { buildShop, type ShopBuild } from './shop/build.js';
import { gql, pool, signIn } from './shop/client.js';
import { launchShop, type RunningShop } from './shop/launch.js';
import {
  CUSTOMER_PASSWORD,
  customerEmail,
  databaseOf,
  DB_PREFIX,
  META_DATABASE,
  MONGO_DATABASE,
  MONGO_URL,
  MYSQL_SUBGRAPHS,
  MYSQL_URL,
  REDIS_URL,
  SEARCH_KEY_PREFIX,
  urlOf,
  type KafkaNames,
} from './shop/topology.js';

/** Bump when what the seed writes changes: an older seed is then dropped and seeded again. */
export const SEED_VERSION = 1;

export const SEED = {
  products: 10_000,
  customers: 1_000,
  reviews: 20_000,
  orders: 5_000,
  /** Customers 0..99 place the orders (50 each): the order history page reads theirs. */
  orderCustomers: 100,
  /** Products 0..199 get 50 reviews each (the product page reads them); the rest are spread out. */
  popularProducts: 200,
  reviewsPerPopular: 50,
  /** Orders buy from these 500 products (stock 1,000,000 each); the others have 20–500 units. */
  orderProducts: 500,
  /** Each ordering customer's favourites, among the 100 newest products (so the listing shows some). */
  favouritesPerCustomer: 15,
} as const;

export interface SeedMarker {
  version: number;
  generation: string;
  kafka: KafkaNames;
  counts: { products: number; customers: number; reviews: number; orders: number; favourites: number };
  steps: Array<{ step: string; seconds: number }>;
  seconds: number;
  finishedAt: string;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary (deterministic, so every seed has the same words to search for)

function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const COLOURS = ['red', 'blue', 'green', 'black', 'white', 'grey', 'yellow', 'orange', 'purple', 'brown', 'navy', 'olive'];
export const MATERIALS = ['steel', 'wooden', 'leather', 'cotton', 'wool', 'glass', 'ceramic', 'bamboo', 'plastic', 'linen', 'brass', 'silicone'];
export const NOUNS = [
  'lamp', 'chair', 'table', 'kettle', 'teapot', 'mug', 'bottle', 'backpack', 'jacket', 'shoe', 'boot', 'hat', 'scarf', 'glove',
  'watch', 'clock', 'mirror', 'rug', 'pillow', 'blanket', 'towel', 'knife', 'pan', 'bowl', 'plate', 'charger', 'cable', 'speaker',
  'keyboard', 'monitor', 'camera', 'tent', 'stove', 'lantern', 'helmet', 'notebook', 'pen', 'puzzle', 'candle', 'vase',
];
export const CATEGORIES = ['Books', 'Electronics', 'Clothing', 'Home', 'Garden', 'Sports', 'Toys', 'Kitchen', 'Outdoor', 'Office', 'Pets', 'Beauty'];
const ADJECTIVES = ['durable', 'light', 'compact', 'premium', 'classic', 'modern', 'handmade', 'waterproof', 'portable', 'soft', 'strong', 'quiet'];

function productInput(i: number, random: () => number) {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const noun = pick(NOUNS);
  const name = `${pick(COLOURS)} ${pick(MATERIALS)} ${noun}${random() < 0.3 ? ` ${pick(ADJECTIVES)}` : ''}`;
  return {
    sku: `BENCH-${String(i).padStart(5, '0')}`,
    name,
    description: `A ${pick(ADJECTIVES)} ${noun}, ${pick(ADJECTIVES)} and ${pick(ADJECTIVES)}: ${Array.from({ length: 12 }, () => pick(ADJECTIVES)).join(' ')}.`,
    price: 199 + Math.floor(random() * 30_000),
    currency: 'USD',
    category: pick(CATEGORIES),
    images: [`https://img.bench.local/${i}.jpg`],
  };
}

// ---------------------------------------------------------------------------------------------
// Stores

function mysqlPool(database?: string, connectionLimit = 8): mysql.Pool {
  const u = new URL(MYSQL_URL);
  if (database) u.pathname = `/${database}`;
  return mysql.createPool({ uri: u.toString(), connectionLimit, timezone: 'Z', supportBigNumbers: true });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- subgraph modules are loaded at run time (not part of the bench's build)
type AnyModule = Record<string, any>;
async function subgraphModule(root: string, name: string, file: string): Promise<AnyModule> {
  return (await import(pathToFileURL(path.join(root, 'subgraphs', name, 'src', file)).href)) as AnyModule;
}

export async function readMarker(): Promise<SeedMarker | null> {
  const conn = await mysql.createConnection(MYSQL_URL);
  try {
    const [dbs] = await conn.query<mysql.RowDataPacket[]>('SHOW DATABASES LIKE ?', [META_DATABASE]);
    if (dbs.length === 0) return null;
    const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT marker FROM \`${META_DATABASE}\`.seed WHERE id = 1`).catch(() => [[]] as unknown as [mysql.RowDataPacket[]]);
    const raw = rows[0]?.marker;
    if (!raw) return null;
    // MariaDB's JSON is a LONGTEXT; MySQL's comes back parsed.
    return (typeof raw === 'string' || Buffer.isBuffer(raw) ? JSON.parse(String(raw)) : raw) as SeedMarker;
  } finally {
    await conn.end();
  }
}

/** Why the stores do not match the marker (null: they do). Counts are cheap: one query per store. */
async function markerMismatch(marker: SeedMarker): Promise<string | null> {
  if (marker.version !== SEED_VERSION) return `seed version ${marker.version}, wanted ${SEED_VERSION}`;
  const conn = await mysql.createConnection(MYSQL_URL);
  const mongo = new MongoClient(MONGO_URL, { serverSelectionTimeoutMS: 5_000 });
  try {
    const one = async (sql: string) => Number(((await conn.query<mysql.RowDataPacket[]>(sql))[0][0] as { n: number }).n);
    const customers = await one(`SELECT COUNT(*) AS n FROM \`${databaseOf('users')}\`.users WHERE role = 'CUSTOMER'`);
    const reviews = await one(`SELECT COUNT(*) AS n FROM \`${databaseOf('ratings')}\`.reviews`);
    const orders = await one(`SELECT COUNT(*) AS n FROM \`${databaseOf('orders')}\`.orders`);
    await mongo.connect();
    const products = await mongo.db(MONGO_DATABASE).collection('products').countDocuments();
    if (customers < marker.counts.customers) return `${customers} customers, the marker says ${marker.counts.customers}`;
    if (reviews < marker.counts.reviews) return `${reviews} reviews, the marker says ${marker.counts.reviews}`;
    if (orders < marker.counts.orders) return `${orders} orders, the marker says ${marker.counts.orders}`;
    if (products !== marker.counts.products) return `${products} products, the marker says ${marker.counts.products}`;
    return null;
  } catch (err) {
    return `cannot read the seeded stores: ${(err as Error).message}`;
  } finally {
    await conn.end();
    await mongo.close();
  }
}

/** Drops every bench store: MySQL bench_shop_*, the Mongo database, the search keys. */
async function wipe(root: string): Promise<void> {
  const conn = await mysql.createConnection(MYSQL_URL);
  try {
    const [dbs] = await conn.query<mysql.RowDataPacket[]>('SHOW DATABASES LIKE ?', [`${DB_PREFIX}%`]);
    for (const row of dbs) await conn.query(`DROP DATABASE \`${String(Object.values(row)[0])}\``);
  } finally {
    await conn.end();
  }
  const mongo = new MongoClient(MONGO_URL, { serverSelectionTimeoutMS: 5_000 });
  try {
    await mongo.connect();
    await mongo.db(MONGO_DATABASE).dropDatabase();
  } finally {
    await mongo.close();
  }
  const { connectRedis, deleteKeys } = await subgraphModule(root, 'search', 'redis.ts');
  const redis = connectRedis(REDIS_URL);
  try {
    await deleteKeys(redis, `${SEARCH_KEY_PREFIX}:*`);
  } finally {
    await redis.quit();
  }
}

async function metaConnection(): Promise<mysql.Connection> {
  const conn = await mysql.createConnection(MYSQL_URL);
  await conn.query(`CREATE DATABASE IF NOT EXISTS \`${META_DATABASE}\``);
  await conn.query(`CREATE TABLE IF NOT EXISTS \`${META_DATABASE}\`.seed (id INT PRIMARY KEY, marker JSON NOT NULL)`);
  await conn.query(`CREATE TABLE IF NOT EXISTS \`${META_DATABASE}\`.tokens (email VARCHAR(254) PRIMARY KEY, token TEXT NOT NULL, expires_at DATETIME NOT NULL)`);
  return conn;
}

/** Access tokens are valid 2 h (ACCESS_TOKEN_TTL_SECONDS in topology.ts); one still valid for 30 min is reused. */
const TOKEN_KEEP_MS = 2 * 3600_000 - 5 * 60_000;
const TOKEN_MIN_LEFT_MS = 30 * 60_000;

/**
 * Access tokens of customers (by number: 0..99 are the ordering customers), signed in through the
 * users subgraph (argon2 verify: ~0.1–0.5 s each on a busy core) and kept in
 * bench_shop_meta.tokens, so a later run within the tokens' lifetime signs in nobody.
 */
export async function customerTokens(customers: number | number[], concurrency = 2): Promise<string[]> {
  const emails = (typeof customers === 'number' ? Array.from({ length: customers }, (_, i) => i) : customers).map(customerEmail);
  const conn = await metaConnection();
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT email, token FROM \`${META_DATABASE}\`.tokens WHERE expires_at > ?`, [
      new Date(Date.now() + TOKEN_MIN_LEFT_MS),
    ]);
    const known = new Map(rows.map((r) => [String(r.email), String(r.token)]));
    const missing = emails.filter((e) => !known.has(e));
    if (missing.length > 0) {
      const fresh = await signIn(urlOf('users'), missing, CUSTOMER_PASSWORD, concurrency);
      const expires = new Date(Date.now() + TOKEN_KEEP_MS);
      for (let i = 0; i < missing.length; i++) {
        known.set(missing[i]!, fresh[i]!);
        await conn.query(`REPLACE INTO \`${META_DATABASE}\`.tokens (email, token, expires_at) VALUES (?, ?, ?)`, [missing[i], fresh[i], expires]);
      }
    }
    return emails.map((e) => known.get(e)!);
  } finally {
    await conn.end();
  }
}

async function writeMarker(marker: SeedMarker): Promise<void> {
  const conn = await metaConnection();
  try {
    await conn.query(`REPLACE INTO \`${META_DATABASE}\`.seed (id, marker) VALUES (1, ?)`, [JSON.stringify(marker)]);
  } finally {
    await conn.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Seeding (with the shop running)

const ORDERS_IN_FLIGHT = 12;
const PLACE_ORDER = `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } userErrors { code message } } }`;
const ADDRESS = { line1: '1 Bench Street', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' };

async function seedInto(root: string, shop: RunningShop, log: (line: string) => void): Promise<Pick<SeedMarker, 'counts' | 'steps'>> {
  const steps: SeedMarker['steps'] = [];
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    log(`seed: ${name} …`);
    const out = await work();
    const seconds = (Date.now() - t0) / 1000;
    steps.push({ step: name, seconds });
    log(`seed: ${name}: ${seconds.toFixed(1)} s`);
    return out;
  };
  const random = prng(20251125);
  const pools: mysql.Pool[] = [];
  const dbOf = async (name: string) => {
    const p = mysqlPool(databaseOf(name as never));
    pools.push(p);
    const { schema } = await subgraphModule(root, name, 'db/schema.ts');
    return drizzle(p, { schema, mode: 'default' });
  };
  const mongo = new MongoClient(MONGO_URL, { serverSelectionTimeoutMS: 5_000, maxPoolSize: 16 });
  try {
    // 1. Customers: one argon2id hash from users' own code, rows through users' schema.
    const userIds = await step(`${SEED.customers} customers`, async () => {
      const { hashPassword } = await subgraphModule(root, 'users', 'passwords.ts');
      const { users } = await subgraphModule(root, 'users', 'db/schema.ts');
      const db = await dbOf('users');
      const hash = (await hashPassword(CUSTOMER_PASSWORD)) as string;
      const rows = Array.from({ length: SEED.customers }, (_, i) => ({
        id: randomUUID(),
        email: customerEmail(i),
        passwordHash: hash,
        name: `Customer ${i}`,
        role: 'CUSTOMER' as const,
      }));
      for (let i = 0; i < rows.length; i += 500) await db.insert(users).values(rows.slice(i, i + 500));
      return rows.map((r) => r.id);
    });

    // 2. Products through products' Catalog (validated, each with its product.upserted event).
    await mongo.connect();
    const productIds = await step(`${SEED.products} products`, async () => {
      const { Catalog, productsCollection } = await subgraphModule(root, 'products', 'catalog.ts');
      const { createProductInputSchema } = await subgraphModule(root, 'products', 'validation.ts');
      const catalog = new Catalog(productsCollection(mongo.db(MONGO_DATABASE)));
      const inputs = Array.from({ length: SEED.products }, (_, i) => createProductInputSchema.parse(productInput(i, random)));
      return pool(inputs, 12, async (input) => {
        const result = await catalog.create(input);
        if (!result.product) throw new Error(`createProduct ${input.sku}: ${JSON.stringify(result.userErrors)}`);
        return (result.product._id as { toHexString(): string }).toHexString();
      });
    });
    const orderProducts = productIds.slice(0, SEED.orderProducts);

    // The seed writes through the subgraphs' own modules: every product id it uses was just created above.
    const directory = { canonicalIds: async (ids: readonly string[]) => new Map(ids.map((id) => [id, id])) };

    // 3. Stock through inventory's setStock (stock.changed in its outbox).
    await step(`stock of ${SEED.products} products`, async () => {
      const { createStockLevels } = await subgraphModule(root, 'inventory', 'stock.ts');
      const stock = createStockLevels(await dbOf('inventory'), directory, { onEventsWritten: () => undefined });
      await pool(productIds, 8, async (id, i) => {
        const outcome = await stock.setStock(id, i < SEED.orderProducts ? 1_000_000 : 20 + Math.floor(random() * 480));
        if (!outcome.ok) throw new Error(`setStock ${id}: ${JSON.stringify(outcome.userErrors)}`);
      });
    });

    // 4. Orders through the real checkout (router → orders → owners, then the saga), while
    //    reviews and favourites are written beside it.
    const orderCustomers = userIds.slice(0, SEED.orderCustomers);
    const tokens = await step(`sign in ${orderCustomers.length} ordering customers`, () => customerTokens(orderCustomers.length, 4));
    const perCustomer = Math.ceil(SEED.orders / orderCustomers.length);
    const orderJobs = Array.from({ length: SEED.orders }, (_, i) => ({ customer: i % orderCustomers.length, n: Math.floor(i / orderCustomers.length) }));
    const [orderIds, reviewCount, favouriteCount] = await Promise.all([
      step(`${SEED.orders} orders placed (${perCustomer} per ordering customer, ${ORDERS_IN_FLIGHT} in flight)`, () =>
        pool(orderJobs, ORDERS_IN_FLIGHT, async (job) => {
          const lines = 1 + Math.floor(random() * 3);
          const items = Array.from({ length: lines }, (_, k) => ({ productId: orderProducts[(job.customer * 7 + job.n * 13 + k * 101) % orderProducts.length]!, quantity: 1 + (k % 2) }));
          const input = { items, shippingAddress: ADDRESS, shippingMethod: 'STANDARD', paymentToken: 'tok_visa', idempotencyKey: `seed-${job.customer}-${job.n}` };
          // An owner too slow for orders' 5 s budget under the seed's load is SERVICE_UNAVAILABLE:
          // the same idempotency key makes a retry return the first order, never a second one.
          for (let attempt = 1; ; attempt++) {
            const res = await gql(shop.routerUrl, PLACE_ORDER, { input }, tokens[job.customer]);
            const order = res.data?.placeOrder?.order?.id as string | undefined;
            if (order) return order;
            const retryable = res.errors?.every((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE');
            if (!retryable || attempt >= 5) throw new Error(`placeOrder failed: ${JSON.stringify(res.errors ?? res.data?.placeOrder?.userErrors)}`);
            await new Promise((r) => setTimeout(r, 500 * attempt));
          }
        }),
      ),
      step(`${SEED.reviews} reviews`, async () => {
        const { createReviewBook } = await subgraphModule(root, 'ratings', 'reviews.ts');
        const book = createReviewBook(await dbOf('ratings'), directory);
        const jobs: Array<{ author: string; productId: string }> = [];
        for (let p = 0; p < SEED.popularProducts; p++) {
          for (let k = 0; k < SEED.reviewsPerPopular; k++) jobs.push({ author: userIds[(p * 37 + k * 19) % userIds.length]!, productId: productIds[p]! });
        }
        const seen = new Set(jobs.map((j) => `${j.author}|${j.productId}`));
        while (jobs.length < SEED.reviews) {
          const job = {
            author: userIds[Math.floor(random() * userIds.length)]!,
            productId: productIds[SEED.popularProducts + Math.floor(random() * (productIds.length - SEED.popularProducts))]!,
          };
          if (seen.has(`${job.author}|${job.productId}`)) continue;
          seen.add(`${job.author}|${job.productId}`);
          jobs.push(job);
        }
        await pool(jobs, 8, async (job, i) => {
          const rating = 1 + ((i * 7) % 5);
          const outcome = await book.addReview(job.author, { productId: job.productId, rating, title: `Rated ${rating}`, body: `Review ${i} of the bench seed.` });
          if (!outcome.ok) throw new Error(`addReview: ${JSON.stringify(outcome.userErrors)}`);
        });
        return jobs.length;
      }),
      step('favourites', async () => {
        const { createWishlist } = await subgraphModule(root, 'favourites', 'wishlist.ts');
        const wishlist = createWishlist(await dbOf('favourites'), directory);
        const newest = productIds.slice(-100);
        const jobs = orderCustomers.flatMap((userId, c) =>
          Array.from({ length: SEED.favouritesPerCustomer }, (_, k) => ({ userId, productId: newest[(c * 11 + k * 7) % newest.length]! })),
        );
        await pool(jobs, 8, async (job) => {
          const outcome = await wishlist.add(job.userId, job.productId);
          if (!outcome.ok) throw new Error(`addFavourite: ${JSON.stringify(outcome.userErrors)}`);
        });
        return jobs.length;
      }),
    ]);

    // 5. Wait for the saga (every order PAID with its shipment) and for search (every product indexed).
    await step('saga: every order PAID with its shipment', async () => {
      const orders = mysqlPool(databaseOf('orders'), 2);
      const shipping = mysqlPool(databaseOf('shipping'), 2);
      pools.push(orders, shipping);
      const deadline = Date.now() + 15 * 60_000;
      for (let last = ''; ; ) {
        const [[o]] = await orders.query<mysql.RowDataPacket[]>(
          "SELECT SUM(status = 'PAID') AS paid, SUM(status IN ('PENDING', 'CONFIRMED')) AS open, SUM(status = 'CANCELLED') AS cancelled FROM orders",
        );
        const [[s]] = await shipping.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM shipments');
        const paid = Number(o!.paid);
        const line = `${paid} PAID, ${Number(o!.open)} open, ${Number(o!.cancelled)} cancelled, ${Number(s!.n)} shipments of ${orderIds.length}`;
        if (Number(o!.cancelled) > 0) throw new Error(`seed orders were cancelled: ${line}`);
        if (paid === orderIds.length && Number(s!.n) === orderIds.length) return;
        if (line !== last) log(`seed: ${line}`);
        last = line;
        if (Date.now() > deadline) throw new Error(`the saga did not finish within 15 min: ${line}`);
        await new Promise((r) => setTimeout(r, 2_000));
      }
    });
    await step('search: every product indexed', async () => {
      const { connectRedis } = await subgraphModule(root, 'search', 'redis.ts');
      const redis = connectRedis(REDIS_URL);
      try {
        const deadline = Date.now() + 5 * 60_000;
        for (;;) {
          const version = (await redis.get(`${SEARCH_KEY_PREFIX}:current`)) ?? '1';
          const indexed = Number(await redis.zcard(`${SEARCH_KEY_PREFIX}:v${version}:all`));
          if (indexed === productIds.length) return;
          if (Date.now() > deadline) throw new Error(`search indexed ${indexed} of ${productIds.length} products within 5 min`);
          await new Promise((r) => setTimeout(r, 1_000));
        }
      } finally {
        await redis.quit();
      }
    });
    return {
      counts: { products: productIds.length, customers: userIds.length, reviews: reviewCount, orders: orderIds.length, favourites: favouriteCount },
      steps,
    };
  } finally {
    await mongo.close();
    for (const p of pools) await p.end().catch(() => undefined);
  }
}

export interface Seeded {
  marker: SeedMarker;
  shop: RunningShop;
  reused: boolean;
}

/**
 * Makes sure a valid seed is there: reuses it when the marker and the stores agree, otherwise drops
 * the bench stores, starts the shop on them (unpinned: seeding uses both CPUs), seeds (minutes: see
 * the marker's `steps`) and stops that shop again.
 */
export async function seedIfNeeded(ctx: ScenarioContext, build: ShopBuild, opts: { force?: boolean } = {}): Promise<{ marker: SeedMarker; reused: boolean }> {
  const existing = opts.force ? null : await readMarker();
  const mismatch = existing ? await markerMismatch(existing) : 'no seed marker';
  if (existing && !mismatch) {
    ctx.log(`seed: reusing seed ${existing.generation} (${existing.counts.products} products, ${existing.counts.customers} customers, ${existing.counts.reviews} reviews, ${existing.counts.orders} orders; seeded in ${existing.seconds.toFixed(0)} s)`);
    return { marker: existing, reused: true };
  }
  ctx.log(`seed: seeding (${opts.force ? '--force' : mismatch})`);
  const started = Date.now();
  await wipe(ctx.root);
  const generation = `g${Date.now().toString(36)}`;
  const kafka: KafkaNames = { topicPrefix: `bench.${generation}.`, groupSuffix: `-bench-${generation}` };
  const seeding = await launchShop(ctx, build, { kafka, pin: false });
  try {
    const { counts, steps } = await seedInto(ctx.root, seeding, ctx.log);
    const marker: SeedMarker = { version: SEED_VERSION, generation, kafka, counts, steps, seconds: (Date.now() - started) / 1000, finishedAt: new Date().toISOString() };
    await writeMarker(marker);
    ctx.log(`seed: done in ${marker.seconds.toFixed(0)} s (${steps.map((s) => `${s.step} ${s.seconds.toFixed(0)} s`).join('; ')})`);
    return { marker, reused: false };
  } finally {
    await seeding.stop();
  }
}

/** A valid seed (seedIfNeeded) and the shop running on it as measured: pinned, NODE_ENV=production. The caller stops it. */
export async function ensureSeeded(ctx: ScenarioContext, build: ShopBuild): Promise<Seeded> {
  const { marker, reused } = await seedIfNeeded(ctx, build);
  return { marker, reused, shop: await launchShop(ctx, build, { kafka: marker.kafka }) };
}

/** The MySQL databases of the seed, for scenarios that read them (ids, statuses, timestamps). */
export function seedPool(name: (typeof MYSQL_SUBGRAPHS)[number], connectionLimit = 4): mysql.Pool {
  return mysqlPool(databaseOf(name), connectionLimit);
}

// CLI: npx tsx bench/src/seed-shop.ts [--force]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = repoRoot();
  const log = (line: string) => process.stderr.write(`[seed] ${line}\n`);
  const base: BuildOutput = buildJs(root);
  const ctx: ScenarioContext = { root, build: base, runDir: path.join(root, 'bench', 'dist'), cpuProf: false, verbose: process.argv.includes('--verbose'), log };
  try {
    const seeded = await seedIfNeeded(ctx, buildShop(root, base), { force: process.argv.includes('--force') });
    console.log(JSON.stringify({ reused: seeded.reused, ...seeded.marker }, null, 2));
  } finally {
    await stopAll();
  }
  process.exit(0);
}
