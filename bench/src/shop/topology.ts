/**
 * The benchmarked shop: which processes, on which ports, with which databases and settings.
 * Everything the seed writes lives under names of its own (MySQL `bench_shop_<subgraph>`, Mongo
 * `bench_shop_products`, Redis `bench_shop_search:*`, Kafka topics `bench.<generation>.*`), so the
 * bench never touches the `npm start` stores (shop_*) nor the tests' (t_*).
 */

import { ownersOf } from '@shop/schema/subgraphs';

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
export type ShopProcessName = ShopSubgraph | 'router';


/** Router on BASE, users BASE+1 … notifications BASE+12 (the README's order). Default 4500: clear of npm start (4000) and the peer bench (4200, 4400). */
export const PORT_BASE = Number(process.env.BENCH_SHOP_PORT_BASE ?? 4500);
export function portOf(name: ShopProcessName): number {
  return name === 'router' ? PORT_BASE : PORT_BASE + 1 + SHOP_SUBGRAPHS.indexOf(name);
}
export function urlOf(name: ShopProcessName): string {
  return `http://127.0.0.1:${portOf(name)}/graphql`;
}

export const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

export const DB_PREFIX = 'bench_shop_';
export const MONGO_DATABASE = `${DB_PREFIX}products`;
export const SEARCH_KEY_PREFIX = `${DB_PREFIX}search`;
export const META_DATABASE = `${DB_PREFIX}meta`;
export const MYSQL_SUBGRAPHS = SHOP_SUBGRAPHS.filter((n) => n !== 'products' && n !== 'search');
export function databaseOf(name: ShopSubgraph): string {
  return `${DB_PREFIX}${name}`;
}

/** Production mode refuses the local defaults of these two secrets. */
export const INTERNAL_API_TOKEN = 'bench-internal-api-token-not-a-secret';
export const ADMIN = { email: 'admin@bench.local', password: 'bench-admin-password' };
/** Every seeded customer's password (one argon2 hash for all, see seed-shop.ts). */
export const CUSTOMER_PASSWORD = 'bench customer password';
export function customerEmail(i: number): string {
  return `customer${String(i).padStart(4, '0')}@bench.local`;
}

/** Kafka names of one seed generation (stored in the seed marker, so a later run resumes the same consumer groups). */
export interface KafkaNames {
  topicPrefix: string;
  groupSuffix: string;
}

/** The environment of one subgraph process. */
export function subgraphEnv(name: ShopSubgraph, kafka: KafkaNames, logLevel: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: logLevel,
    HOST: '127.0.0.1',
    PORT: String(portOf(name)),
    MYSQL_URL,
    MONGO_URL,
    REDIS_URL,
    KAFKA_BROKERS,
    KAFKA_TOPIC_PREFIX: kafka.topicPrefix,
    KAFKA_GROUP_SUFFIX: kafka.groupSuffix,
    INTERNAL_API_TOKEN,
    JWKS_URL: `http://127.0.0.1:${portOf('users')}/.well-known/jwks.json`,
    SEARCH_KEY_PREFIX,
    EXPOSE_ROUNDTRIPS: 'false',
    ...(name === 'products' ? { MONGO_DATABASE } : name === 'search' ? {} : { MYSQL_DATABASE: databaseOf(name) }),
    ...(name === 'users'
      ? {
          BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
          BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
          // The bench signs in its customers from one address: no login rate limit; tokens outlive a run.
          LOGIN_MAX_PER_EMAIL: '0',
          LOGIN_MAX_PER_IP: '0',
          ACCESS_TOKEN_TTL_SECONDS: '7200',
        }
      : {}),
    ...Object.fromEntries(ownersOf(name).map((o) => [`${o.toUpperCase()}_URL`, urlOf(o as ShopSubgraph)])),
  };
}
