import { z } from 'zod';
import { loadConfig } from '@shop/platform';

export const searchEnv = {
  PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
  /** Every Redis key of the index starts with this (tests and the benchmark use their own). */
  SEARCH_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/).default('search'),
  /** How long a processed event id is remembered (redelivery window); Kafka keeps events 7 days. */
  SEARCH_PROCESSED_TTL_SECONDS: z.coerce.number().int().positive().default(8 * 24 * 60 * 60),
  /** The products subgraph itself (not the router): the reindex pages through its `products` query. */
  PRODUCTS_URL: z.url().default('http://127.0.0.1:4002/graphql'),
  /** The inventory subgraph: the reindex reads stock through `_entities` when it answers. */
  INVENTORY_URL: z.url().default('http://127.0.0.1:4003/graphql'),
};

export type SearchConfig = ReturnType<typeof loadSearchConfig>;

export function loadSearchConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(searchEnv, env);
}

/** The Kafka consumer group, also the namespace of processed event ids. */
export function consumerGroup(config: SearchConfig): string {
  return `search${config.KAFKA_GROUP_SUFFIX}`;
}
