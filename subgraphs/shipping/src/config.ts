import { z } from 'zod';
import { loadConfig } from '@shop/platform';

export const shippingEnv = {
  PORT: z.coerce.number().int().min(0).max(65_535).default(4006),
  MYSQL_DATABASE: z.string().regex(/^[A-Za-z0-9_]+$/).default('shop_shipping'),
};

export type ShippingConfig = ReturnType<typeof loadShippingConfig>;

export function loadShippingConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(shippingEnv, env);
}

/** The Kafka consumer group, also the namespace of processed event ids (docs/CHECKOUT.md). */
export function consumerGroup(config: ShippingConfig): string {
  return `shipping${config.KAFKA_GROUP_SUFFIX}`;
}
