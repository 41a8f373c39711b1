import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mysql from 'mysql2/promise';
import { createLogger, type Logger, type RunningSubgraph } from '@shop/platform';
import { createTestDatabase, createTestMongo, gql, KAFKA_BROKERS, MONGO_URL, MYSQL_URL, uniqueName } from './index.js';
import { ownersOf } from '@shop/schema/subgraphs';

/**
 * The whole shop, in-process, for end-to-end tests: every subgraph that exists among
 * SHOP_SUBGRAPHS (each on a random port with a fresh database; search on its own Redis key
 * prefix), one Kafka topic prefix and unique consumer groups for all of them, and a router whose
 * supergraph is composed in memory from the current subgraphs/<name>/schema.graphql files with the
 * real URLs (so the harness always matches the code, not the committed schema/supergraph.graphql).
 * `only` starts a subset (with what it needs).
 */

export const SHOP_SUBGRAPHS = [
  'users',
  'products',
  'inventory',
  'orders',
  'payments',
  'shipping',
  'promotions',
  'tax',
  'ratings',
  'search',
  'favourites',
  'notifications',
] as const;
export type ShopSubgraph = (typeof SHOP_SUBGRAPHS)[number];

/** The checkout: orders and every owner it calls (docs/CHECKOUT.md). */
export const CHECKOUT_SUBGRAPHS = ['users', 'products', 'inventory', 'orders', 'payments', 'shipping', 'promotions', 'tax'] as const satisfies readonly ShopSubgraph[];


/** Consumers whose settled events the shop records (see `Shop.settled`). */
const OBSERVED = ['ratings', 'search', 'notifications'] as const;
export type ObservedConsumer = (typeof OBSERVED)[number];

export interface SettledEvent {
  outcome: 'applied' | 'duplicate' | 'ignored' | 'dead-lettered';
  eventId: string | null;
  type: string | null;
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const BOOTSTRAP_ADMIN = { email: 'admin@shop.local', password: 'admin-password' };
const PASSWORD = 'correct horse battery staple';

export interface ShopOptions {
  /** Log level of every service (default: env SHOP_LOG_LEVEL, else `error`). */
  logLevel?: string;
  /** Extra environment per subgraph, e.g. `{ orders: { OUTBOX_POLL_MS: '100' } }`. */
  env?: Partial<Record<ShopSubgraph, Record<string, string>>>;
  /**
   * Start only these subgraphs, plus users and what they need (orders: the checkout owners;
   * ratings, favourites, search: products). Default: every subgraph present.
   */
  only?: readonly ShopSubgraph[];
}

export interface ShopUser {
  userId: string;
  email: string;
  token: string;
}

export interface Shop {
  routerUrl: string;
  /** Each started subgraph's /graphql URL. */
  subgraphs: Partial<Record<ShopSubgraph, string>>;
  /** The running subgraphs themselves (relays, consumers, stores), for tests that look inside. */
  apps: Partial<Record<ShopSubgraph, RunningSubgraph & Record<string, unknown>>>;
  /** MySQL database of each MySQL-backed subgraph (products: the Mongo database; search has none). */
  databases: Partial<Record<ShopSubgraph, string>>;
  /** The Kafka topic prefix every subgraph of this shop publishes and consumes with. */
  topicPrefix: string;
  /** Redis key prefix of this shop's search index (every key starts with `<prefix>:`). */
  searchKeyPrefix: string;
  /** Every event the consumer of ratings, search or notifications settled so far, in order (a live array). */
  settled(consumer: ObservedConsumer): readonly SettledEvent[];
  /** The Kafka consumer group a subgraph of this shop consumes with (`<name><unique suffix>`). */
  consumerGroup(subgraph: ShopSubgraph): string;
  /** The shared secret of internal (subgraph-to-subgraph) operations. */
  internalToken: string;
  /** The bootstrap admin's access token. */
  adminToken: string;
  /** Registers a new customer and returns their id and access token. */
  register(email?: string): Promise<ShopUser>;
  /** Runs SQL against a subgraph's own database (assertions only). */
  sql<T = Record<string, unknown>>(subgraph: ShopSubgraph, statement: string, params?: unknown[]): Promise<T[]>;
  /** Stops the router and every subgraph, drops their databases and deletes the search index's keys. */
  stop(): Promise<void>;
}

type Running = RunningSubgraph & Record<string, unknown>;
// The factories' configs and options differ per subgraph; the harness builds each from its env loader.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyModule = Record<string, any>;

function exists(name: string): boolean {
  return existsSync(path.join(repoRoot, 'subgraphs', name, 'src', 'app.ts')) && existsSync(path.join(repoRoot, 'subgraphs', name, 'schema.graphql'));
}

async function load(name: string, file: 'app' | 'config'): Promise<AnyModule> {
  return (await import(pathToFileURL(path.join(repoRoot, 'subgraphs', name, 'src', `${file}.ts`)).href)) as AnyModule;
}

function capitalised(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** `createInventorySubgraph` and `loadInventoryConfig` of subgraphs/inventory/src/{app,config}.ts. */
async function factoryOf(name: string): Promise<{ create: (config: unknown, options: unknown) => Promise<Running>; loadConfig: (env: Record<string, string | undefined>) => unknown }> {
  const [app, config] = await Promise.all([load(name, 'app'), load(name, 'config')]);
  const create = app[`create${capitalised(name)}Subgraph`];
  const loadConfig = config[`load${capitalised(name)}Config`];
  if (typeof create !== 'function' || typeof loadConfig !== 'function') {
    throw new Error(`subgraphs/${name}: expected create${capitalised(name)}Subgraph in src/app.ts and load${capitalised(name)}Config in src/config.ts`);
  }
  return { create, loadConfig };
}

export async function startShop(opts: ShopOptions = {}): Promise<Shop> {
  const level = opts.logLevel ?? process.env.SHOP_LOG_LEVEL ?? 'error';
  const logOf = (name: string): Logger => createLogger(name, level);
  const topicPrefix = `${uniqueName('shop')}.`;
  const groupSuffix = `-${uniqueName('g')}`;
  const internalToken = `shop-internal-${uniqueName('k')}`;
  const searchKeyPrefix = uniqueName('shop_search');
  const wanted = new Set<ShopSubgraph>(['users']);
  const add = (name: ShopSubgraph) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const dep of ownersOf(name)) add(dep as ShopSubgraph); // users, which issues the tokens, is always started
  };
  for (const name of opts.only ?? SHOP_SUBGRAPHS) add(name);
  const present = SHOP_SUBGRAPHS.filter((n) => wanted.has(n) && exists(n));
  if (!present.includes('users')) throw new Error('startShop needs the users subgraph (it issues the tokens)');
  const missing = opts.only?.filter((n) => !present.includes(n)) ?? [];
  if (missing.length > 0) throw new Error(`startShop: no subgraphs/${missing.join(', ')} to start`);
  const settled: Record<ObservedConsumer, SettledEvent[]> = { ratings: [], search: [], notifications: [] };

  const apps: Partial<Record<ShopSubgraph, Running>> = {};
  const databases: Partial<Record<ShopSubgraph, string>> = {};
  const cleanups: Array<() => Promise<void>> = [];
  let routerStop: (() => Promise<void>) | null = null;
  const stopAll = async () => {
    await routerStop?.().catch(() => undefined);
    // Tier by tier, each side by side: the callers of products (orders first, it calls the checkout
    // owners), then the owners, products, and users last (the others verify tokens against it).
    const tiers: ShopSubgraph[][] = [
      ['orders', 'ratings', 'favourites', 'search', 'notifications'],
      ['payments', 'shipping', 'inventory', 'promotions', 'tax'],
      ['products'],
      ['users'],
    ];
    for (const tier of tiers) await Promise.all(tier.map((name) => apps[name]?.stop().catch(() => undefined)));
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  const observe = (name: ObservedConsumer) => (outcome: SettledEvent['outcome'], event: { id: string; type: string } | null) => {
    settled[name].push({ outcome, eventId: event?.id ?? null, type: event?.type ?? null });
  };

  try {
    // Common environment: one topic prefix, unique groups (inventory and shipping take a suffix,
    // payments and promotions a whole group name), the same internal secret everywhere.
    // `extra` (the harness's wiring) beats the outer environment; opts.env beats everything.
    const baseEnv = (name: ShopSubgraph, database: string | null, jwksUrl?: string, extra: Record<string, string> = {}): Record<string, string | undefined> => ({
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: level,
      PORT: '0',
      MYSQL_URL,
      ...(database ? { MYSQL_DATABASE: database } : {}),
      KAFKA_BROKERS,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_GROUP_SUFFIX: groupSuffix,
      INTERNAL_API_TOKEN: internalToken,
      ...(jwksUrl ? { JWKS_URL: jwksUrl } : {}),
      ...extra,
      ...opts.env?.[name],
    });
    const fastRelay = { relay: { pollIntervalMs: 200, maxBackoffMs: 1_000 } };

    const mysqlSubgraph = async (name: ShopSubgraph, jwksUrl: string | undefined, extraEnv: Record<string, string> = {}) => {
      const db = await createTestDatabase(name);
      cleanups.push(() => db.drop());
      databases[name] = db.name;
      const { create, loadConfig } = await factoryOf(name);
      const config = loadConfig(baseEnv(name, db.name, jwksUrl, extraEnv));
      const observed = (OBSERVED as readonly string[]).includes(name) ? { onEventSettled: observe(name as ObservedConsumer) } : {};
      apps[name] = await create(config, { log: logOf(name), ...fastRelay, ...observed });
    };

    // 1. users: it issues the tokens and publishes the JWKS every other subgraph verifies against.
    await mysqlSubgraph('users', undefined, { BOOTSTRAP_ADMIN_EMAIL: BOOTSTRAP_ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: BOOTSTRAP_ADMIN.password });
    const usersApp = apps.users!;
    const usersConfig = (await factoryOf('users')).loadConfig(baseEnv('users', databases.users!)) as { JWT_ISSUER: string; JWT_AUDIENCE: string };
    const jwksUrl = new URL('/.well-known/jwks.json', usersApp.url).toString();

    /** `<OWNER>_URL` of each owner the subgraph calls directly (schema/src/subgraphs.ts) that this shop runs. */
    const ownerUrlsOf = (name: ShopSubgraph) =>
      Object.fromEntries(ownersOf(name).flatMap((o) => (apps[o as ShopSubgraph] ? [[`${o.toUpperCase()}_URL`, apps[o as ShopSubgraph]!.url]] : [])));

    // 2. The owners orders calls, and notifications (it needs nobody), side by side; inventory once
    // products answers (setStock asks it whether a product exists).
    const independent: ShopSubgraph[] = ['payments', 'shipping', 'promotions', 'tax', 'notifications'];
    const productsStarted = (async () => {
      if (!present.includes('products')) return;
      const mongo = await createTestMongo('products');
      cleanups.push(() => mongo.drop());
      databases.products = mongo.name;
      const { createProductsSubgraph } = await load('products', 'app');
      apps.products = (await createProductsSubgraph({
        port: 0,
        mongoUrl: MONGO_URL,
        database: mongo.name,
        kafkaBrokers: KAFKA_BROKERS,
        kafkaTopicPrefix: topicPrefix,
        auth: { jwks: jwksUrl, issuer: usersConfig.JWT_ISSUER, audience: usersConfig.JWT_AUDIENCE },
        log: logOf('products'),
        relay: { pollIntervalMs: 200, maxBackoffMs: 1_000 },
      })) as Running;
    })();
    await Promise.all([
      ...independent.filter((n) => present.includes(n)).map((n) => mysqlSubgraph(n, jwksUrl)),
      productsStarted,
      present.includes('inventory') &&
        productsStarted.then(() => mysqlSubgraph('inventory', jwksUrl, ownerUrlsOf('inventory'))),
    ]);

    // 3. The callers of the owners, side by side: orders (the checkout owners), ratings and
    // favourites (products), search (products and inventory, for a reindex; fed by their events).
    await Promise.all([
      present.includes('orders') &&
        mysqlSubgraph('orders', jwksUrl, { OUTBOX_POLL_MS: '200', ...ownerUrlsOf('orders') }),
      present.includes('ratings') && mysqlSubgraph('ratings', jwksUrl, ownerUrlsOf('ratings')),
      present.includes('favourites') && mysqlSubgraph('favourites', jwksUrl, ownerUrlsOf('favourites')),
      present.includes('search') &&
        (async () => {
          const { create, loadConfig } = await factoryOf('search');
          const config = loadConfig(baseEnv('search', null, jwksUrl, { SEARCH_KEY_PREFIX: searchKeyPrefix, ...ownerUrlsOf('search') })) as {
            REDIS_URL: string;
            SEARCH_KEY_PREFIX: string;
          };
          // Registered before the start, so a half-started search is cleaned up too (after it stopped).
          cleanups.push(async () => {
            const [{ connectRedis }, { SearchIndex }] = await Promise.all([
              import(pathToFileURL(path.join(repoRoot, 'subgraphs', 'search', 'src', 'redis.ts')).href) as Promise<AnyModule>,
              import(pathToFileURL(path.join(repoRoot, 'subgraphs', 'search', 'src', 'search-index.ts')).href) as Promise<AnyModule>,
            ]);
            const redis = connectRedis(config.REDIS_URL);
            try {
              await new SearchIndex(redis, config.SEARCH_KEY_PREFIX).destroy();
            } finally {
              await redis.quit();
            }
          });
          apps.search = await create(config, { log: logOf('search'), onEventSettled: observe('search') });
        })(),
    ]);

    // 4. The router over a supergraph composed now from the subgraphs' schema files and real URLs.
    const { composeSupergraph } = (await import(pathToFileURL(path.join(repoRoot, 'schema', 'src', 'supergraph.ts')).href)) as AnyModule;
    const started = SHOP_SUBGRAPHS.filter((n) => apps[n]);
    // check: true never writes schema/supergraph.graphql; drift from the committed file is expected here.
    const outcome = composeSupergraph({
      root: repoRoot,
      check: true,
      subgraphs: started.map((name) => ({ name, port: Number(new URL(apps[name]!.url).port), url: apps[name]!.url })),
    }) as { failure?: string; message: string; supergraphSdl?: string };
    if (!outcome.supergraphSdl) throw new Error(`startShop: the subgraphs do not compose:\n${outcome.message}`);
    const dir = mkdtempSync(path.join(tmpdir(), 'shop-supergraph-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const supergraphPath = path.join(dir, 'supergraph.graphql');
    writeFileSync(supergraphPath, outcome.supergraphSdl);
    const [{ createRouter }, { loadRouterConfig }] = await Promise.all([
      import(pathToFileURL(path.join(repoRoot, 'router', 'src', 'app.ts')).href) as Promise<AnyModule>,
      import(pathToFileURL(path.join(repoRoot, 'router', 'src', 'config.ts')).href) as Promise<AnyModule>,
    ]);
    // A clean environment: SUBGRAPH_<NAME>_URL overrides from the outside must not redirect this router.
    const router = await createRouter(
      loadRouterConfig({ NODE_ENV: 'test', LOG_LEVEL: level, PORT: '0', SUPERGRAPH_PATH: supergraphPath, SUPERGRAPH_POLL_MS: '60000' }),
      { log: logOf('router') },
    );
    routerStop = () => router.stop();

    const usersUrl = usersApp.url;
    const login = await gql(usersUrl, `mutation ($input: LoginInput!) { login(input: $input) { accessToken userErrors { code } } }`, {
      input: BOOTSTRAP_ADMIN,
    });
    const adminToken = login.data?.login?.accessToken as string | undefined;
    if (!adminToken) throw new Error(`startShop: the bootstrap admin cannot sign in: ${JSON.stringify(login)}`);

    const pools = new Map<string, mysql.Pool>();
    const poolOf = (database: string) => {
      let pool = pools.get(database);
      if (!pool) {
        const url = new URL(MYSQL_URL);
        url.pathname = `/${database}`;
        pool = mysql.createPool({ uri: url.toString(), connectionLimit: 3, timezone: 'Z' });
        pools.set(database, pool);
      }
      return pool;
    };
    // Pools end before the databases are dropped (cleanups run in reverse).
    cleanups.push(async () => {
      for (const pool of pools.values()) await pool.end();
    });

    let registered = 0;
    return {
      routerUrl: router.url as string,
      subgraphs: Object.fromEntries(started.map((n) => [n, apps[n]!.url])),
      apps,
      databases,
      topicPrefix,
      searchKeyPrefix,
      settled: (consumer) => settled[consumer],
      consumerGroup: (subgraph) => `${subgraph}${groupSuffix}`,
      internalToken,
      adminToken,
      async register(email) {
        registered += 1;
        const address = email ?? `${uniqueName('shopper')}.${registered}@example.com`;
        const res = await gql(
          usersUrl,
          `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id } userErrors { code message } } }`,
          { input: { email: address, password: PASSWORD, name: `Shopper ${registered}` } },
        );
        const payload = res.data?.register;
        if (!payload?.accessToken) throw new Error(`register failed: ${JSON.stringify(res.errors ?? payload?.userErrors)}`);
        return { userId: payload.user.id as string, email: address, token: payload.accessToken as string };
      },
      async sql<T>(subgraph: ShopSubgraph, statement: string, params: unknown[] = []) {
        const database = databases[subgraph];
        if (!database || subgraph === 'products' || subgraph === 'search') throw new Error(`no MySQL database for ${subgraph}`);
        const [rows] = await poolOf(database).query(statement, params);
        return rows as T[];
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
