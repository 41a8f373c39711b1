import { z } from 'zod';
import { loadConfig } from '@shop/platform';

export const ratingsEnv = {
  PORT: z.coerce.number().int().min(0).max(65_535).default(4009),
  MYSQL_DATABASE: z.string().regex(/^[A-Za-z0-9_]+$/).default('shop_ratings'),
  /** The products subgraph, asked directly (never through the router) whether a reviewed product exists. */
  PRODUCTS_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4002/graphql'),
  /** Budget of one call to products; a slower answer counts as unavailable. */
  DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
};

export type RatingsConfig = ReturnType<typeof loadRatingsConfig>;

export function loadRatingsConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(ratingsEnv, env);
}

/** The Kafka consumer group, also the namespace of processed event ids. */
export function consumerGroup(config: RatingsConfig): string {
  return `ratings${config.KAFKA_GROUP_SUFFIX}`;
}
