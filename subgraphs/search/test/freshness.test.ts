import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@shop/testing';
import { ids, startSearch, tag, type SearchHarness } from './harness.js';
import { startProducts, type ProductsFixture } from './products.js';

let h: SearchHarness;
let products: ProductsFixture;

/** Resolves with the time it took until `query` finds (or, with `present` false, no longer finds) the product. */
async function within5s(query: string, id: string, present = true): Promise<number> {
  const started = Date.now();
  await eventually(async () => (ids(await h.search(query, { first: 100 })).includes(id) === present ? true : undefined), 5_000, 50);
  return Date.now() - started;
}

beforeAll(async () => {
  h = await startSearch();
  products = await startProducts(h.topicPrefix);
  // The first event waits for consumer groups to join; the timings below are about steady state.
  const t = tag();
  const warmUp = await products.create({ name: `Warm up ${t}` });
  await eventually(async () => (ids(await h.search(`warm ${t}`)).includes(warmUp.id) ? true : undefined), 30_000, 100);
});
afterAll(async () => {
  await products?.close();
  await h?.close();
});

describe('freshness through the real event flow (products -> Kafka -> search)', () => {
  it('finds a product created in products within 5 seconds', async () => {
    const t = tag();
    const started = Date.now();
    const p = await products.create({ name: `Brass compass ${t}`, category: 'Outdoor', price: 2599 });
    await within5s(`compass ${t}`, p.id);
    expect(Date.now() - started).toBeLessThan(5_000);
    const filtered = await h.search(`compass ${t}`, { filter: { category: 'outdoor', minPrice: 2599, maxPrice: 2599 } });
    expect(ids(filtered)).toEqual([p.id]);
  });

  it('finds an updated product by its new words, and no longer by the old ones, within 5 seconds', async () => {
    const t = tag();
    const p = await products.create({ name: `Canvas tent ${t}` });
    await within5s(`tent ${t}`, p.id);
    const started = Date.now();
    await products.update(p.id, { name: `Canvas hammock ${t}` });
    await within5s(`hammock ${t}`, p.id);
    expect(ids(await h.search(`tent ${t}`))).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('no longer finds an archived product within 5 seconds', async () => {
    const t = tag();
    const p = await products.create({ name: `Camping stove ${t}` });
    await within5s(`stove ${t}`, p.id);
    const started = Date.now();
    await products.archive(p.id);
    await within5s(`stove ${t}`, p.id, false);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
