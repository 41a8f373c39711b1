import { z } from 'zod';
import { loadConfig } from '@shop/platform';

export const inventoryEnv = {
  PORT: z.coerce.number().int().min(0).max(65_535).default(4003),
  MYSQL_DATABASE: z.string().regex(/^[A-Za-z0-9_]+$/).default('shop_inventory'),
  /** The products subgraph, asked directly (never through the router) whether a product exists before setStock. */
  PRODUCTS_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4002/graphql'),
  /** Budget of one call to products; a slower answer counts as unavailable. */
  DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
};

export type InventoryConfig = ReturnType<typeof loadInventoryConfig>;

export function loadInventoryConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(inventoryEnv, env);
}

/** The Kafka consumer group, also the namespace of processed event ids (docs/CHECKOUT.md). */
export function consumerGroup(config: InventoryConfig): string {
  return `inventory${config.KAFKA_GROUP_SUFFIX}`;
}
