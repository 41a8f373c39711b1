import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, gql, uniqueName } from '@shop/testing';
import { createShippingSubgraph } from '../src/app.js';
import { consumerGroup, loadShippingConfig } from '../src/config.js';
import { createTestAuth, startShipping, type ShippingHarness } from './harness.js';

describe('configuration', () => {
  it('defaults to port 4006, database shop_shipping and consumer group shipping (docs/CHECKOUT.md)', () => {
    const config = loadShippingConfig({});
    expect(config.PORT).toBe(4006);
    expect(config.MYSQL_DATABASE).toBe('shop_shipping');
    expect(consumerGroup(config)).toBe('shipping');
    expect(consumerGroup(loadShippingConfig({ KAFKA_GROUP_SUFFIX: '.t1' }))).toBe('shipping.t1');
  });

  it('refuses to start in production with the local internal token', async () => {
    await expect(createShippingSubgraph(loadShippingConfig({ NODE_ENV: 'production' }))).rejects.toThrow(/INTERNAL_API_TOKEN/);
  });
});

describe('health and readiness', () => {
  let h: ShippingHarness;
  beforeAll(async () => {
    h = await startShipping();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers /health and reports MySQL in /ready', async () => {
    const origin = new URL(h.url).origin;
    expect((await fetch(`${origin}/health`)).status).toBe(200);
    const ready = await fetch(`${origin}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { mysql: 'ok' } });
  });
});

describe('start-up while Kafka is unreachable', () => {
  it('serves shipping methods at once; the consumer keeps trying in the background', async () => {
    const database = await createTestDatabase('shipping');
    const config = loadShippingConfig({
      ...process.env,
      MYSQL_DATABASE: database.name,
      PORT: '0',
      KAFKA_BROKERS: '127.0.0.1:1', // nothing listens there
      KAFKA_TOPIC_PREFIX: `${uniqueName('t')}.`,
      KAFKA_GROUP_SUFFIX: `.${uniqueName('g')}`,
    });
    const auth = await createTestAuth();
    const app = await createShippingSubgraph(config, { verifyToken: auth.verifyToken });
    try {
      const res = await gql(app.url, '{ shippingMethods(country: "US") { code } }');
      expect(res.errors).toBeUndefined();
      expect(res.data.shippingMethods.length).toBeGreaterThan(0);
      expect((await fetch(new URL('/ready', app.url))).status).toBe(200);
      const joined = await Promise.race([app.consumer.started.then(() => true), new Promise((r) => setTimeout(() => r(false), 500))]);
      expect(joined).toBe(false);
    } finally {
      await app.stop();
      await database.drop();
    }
  });
});
