import { z } from 'zod';
import { loadConfig } from '@shop/platform';
import { PROVIDER_NAMES } from './providers/registry.js';

export const paymentsEnv = {
  PORT: z.coerce.number().int().min(0).max(65_535).default(4005),
  MYSQL_DATABASE: z.string().regex(/^[A-Za-z0-9_]+$/).default('shop_payments'),
  /** Which registered PaymentProvider charges (src/providers/registry.ts). */
  PAYMENT_PROVIDER: z.enum(PROVIDER_NAMES).default('simulated'),
};

export type PaymentsConfig = ReturnType<typeof loadPaymentsConfig>;

export function loadPaymentsConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(paymentsEnv, env);
}

/** The Kafka consumer group, also the namespace of processed event ids (docs/CHECKOUT.md). */
export function consumerGroup(config: PaymentsConfig): string {
  return `payments${config.KAFKA_GROUP_SUFFIX}`;
}
