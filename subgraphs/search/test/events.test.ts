import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archived, ids, snapshot, startSearch, stockChanged, tag, upserted, type SearchHarness } from './harness.js';

let h: SearchHarness;

beforeAll(async () => {
  h = await startSearch();
});
afterAll(async () => {
  await h?.close();
});

const found = async (query: string) => ids(await h.search(query, { first: 100 }));

describe('product events', () => {
  it('indexes a snapshot and re-indexes a newer one (the old words no longer find it)', async () => {
    const t = tag();
    const p = snapshot({ name: `Lantern ${t}` });
    await h.publish(upserted(p));
    expect(await found(`lantern ${t}`)).toEqual([p.id]);
    await h.publish(upserted({ ...p, name: `Torch ${t}`, revision: 2 }));
    expect(await found(`torch ${t}`)).toEqual([p.id]);
    expect(await found(`lantern ${t}`)).toEqual([]);
  });

  it('removes an archived product', async () => {
    const t = tag();
    const p = snapshot({ name: `Candle ${t}`, category: `Cat ${t}` });
    await h.publish(upserted(p), stockChanged(p.id, 4));
    expect(await found(`candle ${t}`)).toEqual([p.id]);
    await h.publish(archived(p.id, 2));
    expect(await found(`candle ${t}`)).toEqual([]);
    const facets = await h.search('', { filter: { category: `Cat ${t}` } });
    expect(facets.totalCount).toBe(0);
    expect(await h.index.isInStock(p.id)).toBe(false);
  });

  it('removes a product whose snapshot says it is inactive', async () => {
    const t = tag();
    const p = snapshot({ name: `Vase ${t}` });
    await h.publish(upserted(p));
    await h.publish(upserted({ ...p, active: false, revision: 2 }));
    expect(await found(`vase ${t}`)).toEqual([]);
  });

  it('changes nothing when Kafka delivers an event again', async () => {
    const t = tag();
    const p = snapshot({ name: `Stool ${t}` });
    const first = upserted(p);
    const second = upserted({ ...p, name: `Bench ${t}`, revision: 2 });
    await h.publish(first, second);
    await h.publish(first);
    expect(h.outcomesOf(first.id)).toEqual(['applied', 'duplicate']);
    expect(await found(`bench ${t}`)).toEqual([p.id]);
    expect(await found(`stool ${t}`)).toEqual([]);

    const stock = stockChanged(p.id, 0);
    await h.publish(stockChanged(p.id, 5));
    await h.publish(stock);
    await h.publish(stockChanged(p.id, 2));
    await h.publish(stock); // the redelivered "0" must not take it out of stock again
    expect(h.outcomesOf(stock.id)).toEqual(['applied', 'duplicate']);
    expect(await h.index.isInStock(p.id)).toBe(true);
  });

  it('ignores a snapshot whose revision is not newer than the indexed one, even as a new event', async () => {
    const t = tag();
    const p = snapshot({ name: `Mirror ${t}`, revision: 5 });
    await h.publish(upserted(p));
    await h.publish(upserted({ ...p, name: `Older ${t}`, revision: 4 }), upserted({ ...p, name: `Same ${t}`, revision: 5 }));
    expect(await found(`mirror ${t}`)).toEqual([p.id]);
    expect(await found(`older ${t}`)).toEqual([]);
    expect(await found(`same ${t}`)).toEqual([]);
  });

  it('keeps an archived product out when an older snapshot arrives late', async () => {
    const t = tag();
    const p = snapshot({ name: `Clock ${t}` });
    await h.publish(upserted(p));
    await h.publish(archived(p.id, 3));
    await h.publish(upserted({ ...p, revision: 2 }));
    expect(await found(`clock ${t}`)).toEqual([]);
    // A stock level for the archived product does not bring anything back either.
    await h.publish(stockChanged(p.id, 9));
    expect(await h.index.isInStock(p.id)).toBe(false);
  });

  it('remembers a stock level that arrives before the product', async () => {
    const t = tag();
    const p = snapshot({ name: `Rug ${t}` });
    await h.publish(stockChanged(p.id, 7));
    await h.publish(upserted(p));
    expect(await found(`rug ${t}`)).toEqual([p.id]);
    expect(ids(await h.search(`rug ${t}`, { filter: { inStock: true } }))).toEqual([p.id]);
  });

  it('marks each processed event in Redis for the redelivery window', async () => {
    const e = upserted(snapshot({ name: `Marker ${tag()}` }));
    await h.publish(e);
    const key = h.index.processedKey(`search${h.config.KAFKA_GROUP_SUFFIX}`, e.id);
    const ttl = await h.app.redis.ttl(key);
    expect(ttl).toBeGreaterThan(7 * 24 * 60 * 60);
    expect(ttl).toBeLessThanOrEqual(h.config.SEARCH_PROCESSED_TTL_SECONDS);
  });
});
