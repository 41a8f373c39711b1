import { describe, expect, it } from 'vitest';
import * as inventory from '../../subgraphs/inventory/src/config.js';
import * as notifications from '../../subgraphs/notifications/src/config.js';
import * as orders from '../../subgraphs/orders/src/config.js';
import * as payments from '../../subgraphs/payments/src/config.js';
import * as promotions from '../../subgraphs/promotions/src/config.js';
import * as ratings from '../../subgraphs/ratings/src/config.js';
import * as search from '../../subgraphs/search/src/config.js';
import * as shipping from '../../subgraphs/shipping/src/config.js';

/** Every consuming subgraph names its group the same way (docs/CHECKOUT.md): its name, plus KAFKA_GROUP_SUFFIX. */
const consumers = [
  ['inventory', (env: Record<string, string>) => inventory.consumerGroup(inventory.loadInventoryConfig(env))],
  ['notifications', (env: Record<string, string>) => notifications.consumerGroup(notifications.loadNotificationsConfig(env))],
  ['orders', (env: Record<string, string>) => orders.consumerGroup(orders.loadOrdersConfig(env))],
  ['payments', (env: Record<string, string>) => payments.consumerGroup(payments.loadPaymentsConfig(env))],
  ['promotions', (env: Record<string, string>) => promotions.consumerGroup(promotions.loadPromotionsConfig(env))],
  ['ratings', (env: Record<string, string>) => ratings.consumerGroup(ratings.loadRatingsConfig(env))],
  ['search', (env: Record<string, string>) => search.consumerGroup(search.loadSearchConfig(env))],
  ['shipping', (env: Record<string, string>) => shipping.consumerGroup(shipping.loadShippingConfig(env))],
] as const;

describe('consumer groups', () => {
  it.each(consumers)('%s consumes as its own name, plus KAFKA_GROUP_SUFFIX', (name, groupOf) => {
    expect(groupOf({})).toBe(name);
    expect(groupOf({ KAFKA_GROUP_SUFFIX: '.t1' })).toBe(`${name}.t1`);
  });

  it('refuses a suffix with characters Kafka group ids should not carry', () => {
    expect(() => payments.loadPaymentsConfig({ KAFKA_GROUP_SUFFIX: ' bad/suffix' })).toThrow(/KAFKA_GROUP_SUFFIX/);
  });
});
