import { z } from 'zod';
import { loadConfig } from '@shop/platform';

const url = (port: number) => z.url({ protocol: /^https?$/ }).default(`http://127.0.0.1:${port}/graphql`);

export const ordersEnv = {
  PORT: z.coerce.number().int().min(0).max(65_535).default(4004),
  MYSQL_DATABASE: z.string().regex(/^[A-Za-z0-9_]+$/).default('shop_orders'),
  /** The owners orders asks while quoting and placing (directly, never through the router). */
  PRODUCTS_URL: url(4002),
  INVENTORY_URL: url(4003),
  PAYMENTS_URL: url(4005),
  SHIPPING_URL: url(4006),
  PROMOTIONS_URL: url(4007),
  TAX_URL: url(4008),
  /** Budget of one call to an owner; a slower owner counts as unavailable. */
  DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** How often the outbox relay looks for events nobody woke it for. */
  OUTBOX_POLL_MS: z.coerce.number().int().positive().default(1_000),
};

export type OrdersConfig = ReturnType<typeof loadOrdersConfig>;

export function loadOrdersConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(ordersEnv, env);
}

/** The Kafka consumer group, also the namespace of processed event ids (docs/CHECKOUT.md). */
export function consumerGroup(config: OrdersConfig): string {
  return `orders${config.KAFKA_GROUP_SUFFIX}`;
}
