import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShippingSubgraph } from '../src/app.js';
import { consumerGroup, loadShippingConfig } from '../src/config.js';
import { startShipping, type ShippingHarness } from './harness.js';

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
