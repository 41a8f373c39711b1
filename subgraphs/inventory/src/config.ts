import { z } from 'zod';
import { loadConfig } from '@shop/platform';

export const inventoryEnv = {
  PORT: z.coerce.number().int().min(0).max(65_535).default(4003),
  MYSQL_DATABASE: z.string().regex(/^[A-Za-z0-9_]+$/).default('shop_inventory'),
};

export type InventoryConfig = ReturnType<typeof loadInventoryConfig>;

export function loadInventoryConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(inventoryEnv, env);
}

/** The Kafka consumer group, also the namespace of processed event ids (docs/CHECKOUT.md). */
export function consumerGroup(config: InventoryConfig): string {
  return `inventory${config.KAFKA_GROUP_SUFFIX}`;
}
