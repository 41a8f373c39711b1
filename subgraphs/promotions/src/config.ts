import { z } from 'zod';
import { loadConfig } from '@shop/platform';

export const promotionsEnv = {
  PORT: z.coerce.number().int().min(0).max(65_535).default(4007),
  MYSQL_DATABASE: z.string().regex(/^[A-Za-z0-9_]+$/).default('shop_promotions'),
};

export type PromotionsConfig = ReturnType<typeof loadPromotionsConfig>;

export function loadPromotionsConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(promotionsEnv, env);
}

/** The Kafka consumer group, also the namespace of processed event ids (docs/CHECKOUT.md). */
export function consumerGroup(config: PromotionsConfig): string {
  return `promotions${config.KAFKA_GROUP_SUFFIX}`;
}
