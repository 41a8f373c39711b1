import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '@shop/testing';
import { ids, snapshot, startSearch, stockChanged, tag, upserted, type SearchHarness, type Snapshot } from './harness.js';

let h: SearchHarness;

beforeAll(async () => {
  h = await startSearch();
});
afterAll(async () => {
  await h?.close();
});

/** Indexes products through the real event flow (Kafka -> consumer -> Redis). */
async function index(...products: Snapshot[]): Promise<Snapshot[]> {
  await h.publish(...products.map(upserted));
  return products;
}

describe('matching words', () => {
  it('finds a product by another inflection of a word (stemming: "widgets" finds "widget")', async () => {
    const t = tag();
    const [widget] = await index(snapshot({ name: `Widget ${t}` }));
    expect(ids(await h.search(`widgets ${t}`))).toEqual([widget!.id]);
    const [runner] = await index(snapshot({ name: `Running shoes ${t}x` }));
    expect(ids(await h.search(`${t}x runs shoe `))).toEqual([runner!.id]);
  });

  it('matches the last word as a prefix while it is typed ("wid" finds "widget"), not once a space ends it', async () => {
    const t = tag();
    const [widget] = await index(snapshot({ name: `Widget ${t}` }));
    expect(ids(await h.search(`${t} wid`))).toEqual([widget!.id]);
    expect(ids(await h.search(`${t} WIDG`))).toEqual([widget!.id]);
    expect(ids(await h.search(`${t} wid `))).toEqual([]);
    expect(ids(await h.search(t.slice(0, 6)))).toEqual([widget!.id]);
  });

  it('requires every word of the query to match (AND)', async () => {
    const t = tag();
    const [redShoe] = await index(snapshot({ name: `Red shoe ${t}` }), snapshot({ name: `Red hat ${t}` }), snapshot({ name: `Blue shoe ${t}` }));
    expect(ids(await h.search(`red shoe ${t} `))).toEqual([redShoe!.id]);
    expect((await h.search(`${t} `)).totalCount).toBe(3);
    expect((await h.search(`green ${t} `)).totalCount).toBe(0);
  });

  it('ignores case, accents, punctuation and stop words', async () => {
    const t = tag();
    const [cafe] = await index(snapshot({ name: `Café Crème, the ${t}!`, description: "L'été" }));
    expect(ids(await h.search(`CAFE-creme ${t}`))).toEqual([cafe!.id]);
    expect(ids(await h.search(`the café of ${t}`))).toEqual([cafe!.id]);
  });

  it('searches names, categories and descriptions', async () => {
    const t = tag();
    const [p] = await index(snapshot({ name: `Lamp ${t}`, category: 'Home Lighting', description: 'Warm brass finish' }));
    for (const q of [`${t} lamp`, `${t} lighting`, `${t} brass`, `${t} home warm`]) expect(ids(await h.search(q))).toEqual([p!.id]);
  });
});

describe('ranking', () => {
  it('ranks a name match above a category match above a description match, equal relevance by id', async () => {
    const t = tag();
    const [inDescription, inName, inCategory] = await index(
      snapshot({ name: `Plain ${t}`, description: 'Goes well with a teapot' }),
      snapshot({ name: `Teapot ${t}` }),
      snapshot({ name: `Mug ${t}`, category: 'Teapots' }),
    );
    expect(ids(await h.search(`teapot ${t}`))).toEqual([inName!.id, inCategory!.id, inDescription!.id]);

    const [a, b] = await index(snapshot({ name: `Kettle ${t}` }), snapshot({ name: `Kettle ${t}` }));
    const expected = [a!.id, b!.id].sort();
    expect(ids(await h.search(`kettle ${t}`))).toEqual(expected);
  });

  it('sums the weights over the query words', async () => {
    const t = tag();
    const [both, one] = await index(
      snapshot({ name: `Steel ${t}`, description: 'steel bottle' }),
      snapshot({ name: `Bottle ${t}`, description: 'aluminium' }),
    );
    // "bottle t": one scores 10 + 10, both scores 1 + 10.
    expect(ids(await h.search(`bottle ${t}`))).toEqual([one!.id, both!.id]);
    expect(ids(await h.search(`steel bottle ${t}`))).toEqual([both!.id]);
  });
});

describe('empty query and filters', () => {
  let category: string;
  let cheap: Snapshot;
  let middle: Snapshot;
  let dear: Snapshot;

  beforeAll(async () => {
    category = `Cat ${tag()}`;
    [cheap, middle, dear] = (await index(
      snapshot({ name: 'Cheap thing', category, price: 500 }),
      snapshot({ name: 'Middle thing', category, price: 1500 }),
      snapshot({ name: 'Dear thing', category, price: 5000 }),
    )) as [Snapshot, Snapshot, Snapshot];
  });

  it('returns every product for an empty query, filters still applying', async () => {
    const all = await h.search('', { filter: { category }, first: 100 });
    expect(new Set(ids(all))).toEqual(new Set([cheap.id, middle.id, dear.id]));
    expect(all.totalCount).toBe(3);
    expect((await h.search('', { first: 100 })).totalCount).toBeGreaterThanOrEqual(3);
  });

  it('filters by category exactly but case-insensitively', async () => {
    expect((await h.search('', { filter: { category: category.toUpperCase() } })).totalCount).toBe(3);
    expect((await h.search('', { filter: { category: `  ${category.toLowerCase()} ` } })).totalCount).toBe(3);
    expect((await h.search('', { filter: { category: category.slice(0, -1) } })).totalCount).toBe(0);
  });

  it('filters by a price range in minor units, bounds included', async () => {
    const range = async (minPrice?: number, maxPrice?: number) =>
      new Set(ids(await h.search('', { filter: { category, minPrice, maxPrice } })));
    expect(await range(500, 1500)).toEqual(new Set([cheap.id, middle.id]));
    expect(await range(501)).toEqual(new Set([middle.id, dear.id]));
    expect(await range(undefined, 499)).toEqual(new Set());
    expect(await range(5000, 5000)).toEqual(new Set([dear.id]));
  });

  it('filters by stock from stock.changed events, the latest level counting', async () => {
    await h.publish(stockChanged(cheap.id, 3), stockChanged(middle.id, 1));
    await h.publish(stockChanged(middle.id, 0));
    const stock = async (inStock?: boolean) => new Set(ids(await h.search('thing', { filter: { category, inStock } })));
    expect(await stock(true)).toEqual(new Set([cheap.id]));
    expect(await stock(false)).toEqual(new Set([middle.id, dear.id]));
    expect(await stock(undefined)).toEqual(new Set([cheap.id, middle.id, dear.id]));
  });

  it('refuses an inverted price range and an empty category', async () => {
    expect(errorCode(await h.searchRaw('', { filter: { minPrice: 10, maxPrice: 5 } }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await h.searchRaw('', { filter: { category: ' ' } }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await h.searchRaw('', { filter: { minPrice: -1 } }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await h.searchRaw('x'.repeat(201)))).toBe('BAD_USER_INPUT');
  });
});

describe('facets', () => {
  it('counts categories over the whole filtered result set before pagination, largest first', async () => {
    const t = tag();
    // The first spelling of a category names its facet.
    await index(snapshot({ name: `Ball ${t}`, category: 'Sports', price: 100 }));
    await index(
      snapshot({ name: `Ball ${t}`, category: 'sports', price: 200 }),
      snapshot({ name: `Ball ${t}`, category: 'Toys', price: 300 }),
      snapshot({ name: `Ball ${t}`, category: 'Pets', price: 5000 }),
      snapshot({ name: `Bat ${t}`, category: 'Sports', price: 100 }),
    );
    const page = await h.search(`ball ${t}`, { first: 1 });
    expect(page.nodes).toHaveLength(1);
    expect(page.totalCount).toBe(4);
    expect(page.facets.categories).toEqual([
      { value: 'Sports', count: 2 },
      { value: 'Pets', count: 1 },
      { value: 'Toys', count: 1 },
    ]);
    const cheap = await h.search(`ball ${t}`, { first: 0, filter: { maxPrice: 1000 } });
    expect(cheap.facets.categories).toEqual([
      { value: 'Sports', count: 2 },
      { value: 'Toys', count: 1 },
    ]);
    expect((await h.search(`nothing ${t}`)).facets.categories).toEqual([]);
  });
});

describe('pagination', () => {
  let t: string;
  let all: Snapshot[];

  beforeAll(async () => {
    t = tag();
    // Three relevance levels so the order is by score, then id.
    all = await index(
      ...Array.from({ length: 45 }, (_, i) =>
        snapshot({ name: i % 3 === 0 ? `Gizmo ${t}` : `Thing ${t}`, description: i % 3 === 1 ? 'a gizmo' : '' }),
      ),
    );
  });

  it('walks every page once: no duplicates, none missing, in relevance order', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: Awaited<ReturnType<typeof h.search>> = await h.search(`${t} `, { first: 10, after });
      expect(page.totalCount).toBe(45);
      seen.push(...ids(page));
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(5);
    expect(seen).toHaveLength(45);
    expect(new Set(seen)).toEqual(new Set(all.map((p) => p.id)));
    const ranked = await h.search(`gizmo ${t}`, { first: 100 });
    const names = all.filter((_, i) => i % 3 === 0).map((p) => p.id).sort();
    const descriptions = all.filter((_, i) => i % 3 === 1).map((p) => p.id).sort();
    expect(ids(ranked)).toEqual([...names, ...descriptions]);
  });

  it('keeps a page boundary when products are added before it', async () => {
    const first = await h.search(`${t} `, { first: 10 });
    // Sorts before every 24-hex id of the first page, with the same relevance.
    await index(snapshot({ id: '000000000000000000000000', name: `Thing ${t}` }));
    const second = await h.search(`${t} `, { first: 10, after: first.pageInfo.endCursor });
    expect(second.totalCount).toBe(46);
    expect(ids(second).some((id) => ids(first).includes(id))).toBe(false);
    const walked = [...ids(first), ...ids(second)];
    const fresh = ids(await h.search(`${t} `, { first: 21 }));
    expect(walked).toEqual(fresh.slice(1));
  });

  it('takes 20 by default and at most 100', async () => {
    expect((await h.search(`${t} `)).nodes).toHaveLength(20);
    expect(errorCode(await h.searchRaw(`${t} `, { first: 101 }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await h.searchRaw(`${t} `, { first: -1 }))).toBe('BAD_USER_INPUT');
    const empty = await h.search(`${t} `, { first: 0 });
    expect(empty.nodes).toEqual([]);
    expect(empty.pageInfo.hasNextPage).toBe(true);
  });

  it('refuses a malformed cursor and a cursor of another search', async () => {
    const page = await h.search(`${t} `, { first: 5 });
    expect(errorCode(await h.searchRaw(`${t} `, { after: 'not-a-cursor' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await h.searchRaw(`gizmo ${t}`, { after: page.pageInfo.endCursor }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await h.searchRaw(`${t} `, { after: page.pageInfo.endCursor, filter: { inStock: true } }))).toBe('BAD_USER_INPUT');
  });
});

describe('operations', () => {
  it('is ready while Redis answers', async () => {
    const origin = new URL(h.url).origin;
    const ready = await fetch(`${origin}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { redis: 'ok' } });
  });
});
