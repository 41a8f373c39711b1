import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInventorySubgraph } from '../src/app.js';
import { consumerGroup, loadInventoryConfig } from '../src/config.js';
import { startInventory, type InventoryHarness } from './harness.js';

describe('configuration', () => {
  it('defaults to port 4003, database shop_inventory and consumer group inventory (docs/CHECKOUT.md)', () => {
    const config = loadInventoryConfig({});
    expect(config.PORT).toBe(4003);
    expect(config.MYSQL_DATABASE).toBe('shop_inventory');
    expect(consumerGroup(config)).toBe('inventory');
    expect(consumerGroup(loadInventoryConfig({ KAFKA_GROUP_SUFFIX: '.t1' }))).toBe('inventory.t1');
  });

  it('refuses to start in production with the local internal token', async () => {
    await expect(createInventorySubgraph(loadInventoryConfig({ NODE_ENV: 'production' }))).rejects.toThrow(/INTERNAL_API_TOKEN/);
  });
});

describe('health and readiness', () => {
  let h: InventoryHarness;
  beforeAll(async () => {
    h = await startInventory();
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
