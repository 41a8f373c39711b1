import { z } from 'zod';
import { loadConfig } from '@shop/platform';

export const promotionsEnv = {
  PORT: z.coerce.number().int().min(0).max(65_535).default(4007),
  MYSQL_DATABASE: z.string().regex(/^[A-Za-z0-9_]+$/).default('shop_promotions'),
  /** Kafka consumer group (also the idempotency namespace of processed events); tests add a unique suffix. */
  KAFKA_CONSUMER_GROUP: z.string().min(1).max(100).default('promotions'),
};

export type PromotionsConfig = ReturnType<typeof loadPromotionsConfig>;

export function loadPromotionsConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(promotionsEnv, env);
}
