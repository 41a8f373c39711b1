import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestMongo, errorCode, gql } from '@shop/testing';
import { encodeCursor } from '@shop/platform';
import type { RunningProductsSubgraph } from '../src/app.js';
import { Catalog, productsCollection } from '../src/catalog.js';
import type { ProductModel } from '../src/mappers.js';
import { createProductInputSchema } from '../src/validation.js';
import { createTestAuth, startProducts } from './helpers.js';

let mongo: Awaited<ReturnType<typeof createTestMongo>>;
let app: RunningProductsSubgraph;
let url: string;
/** The active products of the data set, as stored. */
let active: ProductModel[];

const CATEGORIES = ['Toys', 'Garden', 'Music'];
const NAMES = ['Widget', 'apple', 'Apple', 'Zebra', 'banana', 'Widget', 'cherry'];

beforeAll(async () => {
  mongo = await createTestMongo('products');
  app = await startProducts(mongo.name, await createTestAuth());
  url = app.url;
  // A clock that repeats each instant three times: many products share createdAt (ties).
  let tick = 0;
  const base = Date.parse('2025-01-01T00:00:00.000Z');
  const catalog = new Catalog(productsCollection(mongo.db), { now: () => new Date(base + Math.floor(tick++ / 3) * 1000) });
  const created: ProductModel[] = [];
  for (let i = 0; i < 31; i++) {
    const input = createProductInputSchema.parse({
      sku: `LIST-${String(i).padStart(3, '0')}`,
      name: NAMES[i % NAMES.length],
      price: (i % 5) * 500, // 0, 500, 1000, 1500, 2000: many price ties
      category: CATEGORIES[i % CATEGORIES.length],
    });
    const { product } = await catalog.create(input);
    created.push(product!);
  }
  // Two archived products that must never be listed.
  await catalog.archive(created[0]!._id.toHexString());
  await catalog.archive(created[7]!._id.toHexString());
  active = created.filter((_, i) => i !== 0 && i !== 7);
});

afterAll(async () => {
  await app?.stop();
  await mongo?.drop();
});

const LIST = `query ($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {
  products(first: $first, after: $after, filter: $filter, sort: $sort) {
    nodes { id name price { amount } category createdAt }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

type Page = {
  nodes: Array<{ id: string; name: string; price: { amount: number }; category: string; createdAt: string }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
};

async function page(variables: Record<string, unknown>): Promise<Page> {
  const res = await gql(url, LIST, variables);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.products as Page;
}

/** Follows endCursor until hasNextPage is false; returns the ids in order. */
async function walk(variables: Record<string, unknown>, first: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const p = await page({ ...variables, first, after });
    pages += 1;
    ids.push(...p.nodes.map((n) => n.id));
    if (!p.pageInfo.hasNextPage) return { ids, pages };
    expect(p.nodes).toHaveLength(first);
    after = p.pageInfo.endCursor;
    if (pages > 100) throw new Error('pagination does not end');
  }
}

type Field = 'CREATED_AT' | 'PRICE' | 'NAME';
const keyOf = (field: Field, p: ProductModel): number | string =>
  field === 'CREATED_AT' ? p.createdAt.getTime() : field === 'PRICE' ? p.price : p.nameKey;

/** The order the API promises: sort key, then id, both in the requested direction. */
function expectedOrder(products: ProductModel[], field: Field, direction: 'ASC' | 'DESC'): string[] {
  const sign = direction === 'ASC' ? 1 : -1;
  return [...products]
    .sort((a, b) => {
      const ka = keyOf(field, a);
      const kb = keyOf(field, b);
      if (ka !== kb) return (ka < kb ? -1 : 1) * sign;
      const ia = a._id.toHexString();
      const ib = b._id.toHexString();
      return (ia < ib ? -1 : ia > ib ? 1 : 0) * sign;
    })
    .map((p) => p._id.toHexString());
}

describe('pagination', () => {
  it('returns 20 newest active products by default, with the total count', async () => {
    const p = await page({});
    expect(p.totalCount).toBe(29);
    expect(p.nodes.map((n) => n.id)).toEqual(expectedOrder(active, 'CREATED_AT', 'DESC').slice(0, 20));
    expect(p.pageInfo.hasNextPage).toBe(true);
    expect(p.pageInfo.endCursor).toEqual(expect.any(String));
  });

  it('walks first, middle and last pages without gaps; the last page has hasNextPage=false and an endCursor', async () => {
    const expected = expectedOrder(active, 'CREATED_AT', 'DESC');
    const first = await page({ first: 10 });
    expect(first.nodes.map((n) => n.id)).toEqual(expected.slice(0, 10));
    expect(first.pageInfo.hasNextPage).toBe(true);
    const middle = await page({ first: 10, after: first.pageInfo.endCursor });
    expect(middle.nodes.map((n) => n.id)).toEqual(expected.slice(10, 20));
    expect(middle.pageInfo.hasNextPage).toBe(true);
    const last = await page({ first: 10, after: middle.pageInfo.endCursor });
    expect(last.nodes.map((n) => n.id)).toEqual(expected.slice(20));
    expect(last.pageInfo.hasNextPage).toBe(false);
    expect(last.pageInfo.endCursor).toEqual(expect.any(String));
    expect(last.totalCount).toBe(29);
    // After the end: an empty page that stays at the end.
    const beyond = await page({ first: 10, after: last.pageInfo.endCursor });
    expect(beyond.nodes).toEqual([]);
    expect(beyond.pageInfo).toEqual({ hasNextPage: false, endCursor: last.pageInfo.endCursor });
  });

  it('an exactly full last page says there is nothing after it', async () => {
    const p = await page({ first: 29 });
    expect(p.nodes).toHaveLength(29);
    expect(p.pageInfo.hasNextPage).toBe(false);
  });

  it('first: 0 returns no nodes but says whether products exist', async () => {
    const p = await page({ first: 0 });
    expect(p).toEqual({ nodes: [], pageInfo: { hasNextPage: true, endCursor: null }, totalCount: 29 });
    const empty = await page({ first: 0, filter: { category: 'Nothing' } });
    expect(empty).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 });
  });

  it('accepts first: 100 and refuses first: 101 or a negative first with BAD_USER_INPUT', async () => {
    expect((await page({ first: 100 })).nodes).toHaveLength(29);
    for (const first of [101, -1]) {
      const res = await gql(url, LIST, { first });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.data ?? null).toBeNull();
    }
  });

  it.each([
    ['garbage', 'not base64 JSON'],
    [Buffer.from('{"hello":1}').toString('base64url'), 'wrong shape'],
    [encodeCursor({ f: 'CREATED_AT', d: 'DESC', v: { $gt: 0 }, id: '0'.repeat(24) }), 'an operator as the value'],
    [encodeCursor({ f: 'CREATED_AT', d: 'DESC', v: 0, id: { $ne: null } }), 'an operator as the id'],
    [encodeCursor({ f: 'PRICE', d: 'ASC', v: 500, id: '0'.repeat(24) }), 'a cursor of another sort'],
  ])('refuses the cursor %s (%s) with BAD_USER_INPUT', async (after) => {
    const res = await gql(url, LIST, { after });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});

describe('counting', () => {
  /** MongoDB commands the products subgraph sent for one listing request (its test-mode counters). */
  async function mongoCommandsFor(query: string): Promise<number> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    const body = (await res.json()) as { errors?: unknown; extensions?: { roundTrips?: { mongo?: number } } };
    expect(body.errors).toBeUndefined();
    return body.extensions?.roundTrips?.mongo ?? Number.NaN;
  }

  it('counts the matching products only when totalCount is selected', async () => {
    expect(await mongoCommandsFor('{ products(first: 5) { nodes { id } pageInfo { hasNextPage } } }')).toBe(1);
    expect(await mongoCommandsFor('{ products(first: 5) { nodes { id } totalCount } }')).toBe(2);
  });

  it('counts once however often totalCount is selected in one listing', async () => {
    expect(await mongoCommandsFor('{ products(first: 5) { totalCount again: totalCount nodes { id } } }')).toBe(2);
  });
});

describe('sorting', () => {
  const sorts: Array<[Field, 'ASC' | 'DESC']> = [
    ['CREATED_AT', 'ASC'],
    ['CREATED_AT', 'DESC'],
    ['PRICE', 'ASC'],
    ['PRICE', 'DESC'],
    ['NAME', 'ASC'],
    ['NAME', 'DESC'],
  ];

  it.each(sorts)('sorts by %s %s with ties broken by id, stable across pages of 4', async (field, direction) => {
    const sort = { field, direction };
    const { ids } = await walk({ sort }, 4);
    expect(ids).toEqual(expectedOrder(active, field, direction));
    expect(new Set(ids).size).toBe(active.length); // no duplicates, nothing missing
    // The same order in one page.
    expect((await page({ sort, first: 100 })).nodes.map((n) => n.id)).toEqual(ids);
  });

  it('sorts names case-insensitively', async () => {
    const p = await page({ sort: { field: 'NAME', direction: 'ASC' }, first: 100 });
    const names = p.nodes.map((n) => n.name.toLowerCase());
    expect(names).toEqual([...names].sort());
    expect(names[0]).toBe('apple');
  });

  it('defaults the direction to DESC and the field to CREATED_AT', async () => {
    const byPriceDefault = await page({ sort: { field: 'PRICE' }, first: 100 });
    expect(byPriceDefault.nodes.map((n) => n.id)).toEqual(expectedOrder(active, 'PRICE', 'DESC'));
    const ascDefault = await page({ sort: { direction: 'ASC' }, first: 100 });
    expect(ascDefault.nodes.map((n) => n.id)).toEqual(expectedOrder(active, 'CREATED_AT', 'ASC'));
  });
});

describe('filters', () => {
  const ids = (pred: (p: ProductModel) => boolean, field: Field = 'CREATED_AT', direction: 'ASC' | 'DESC' = 'DESC') =>
    expectedOrder(active.filter(pred), field, direction);

  it('filters by category', async () => {
    const p = await page({ filter: { category: 'Toys' }, first: 100 });
    expect(p.nodes.map((n) => n.id)).toEqual(ids((x) => x.category === 'Toys'));
    expect(p.totalCount).toBe(p.nodes.length);
    expect(p.nodes.every((n) => n.category === 'Toys')).toBe(true);
    // Exact and case-sensitive: no prefix or case-folded match.
    expect((await page({ filter: { category: 'toys' } })).totalCount).toBe(0);
    expect((await page({ filter: { category: 'Toy' } })).totalCount).toBe(0);
  });

  it('filters by minimum and maximum price, bounds included', async () => {
    const min = await page({ filter: { minPrice: 1000 }, first: 100 });
    expect(min.nodes.map((n) => n.id)).toEqual(ids((x) => x.price >= 1000));
    const max = await page({ filter: { maxPrice: 500 }, first: 100 });
    expect(max.nodes.map((n) => n.id)).toEqual(ids((x) => x.price <= 500));
    const range = await page({ filter: { minPrice: 500, maxPrice: 1500 }, first: 100 });
    expect(range.nodes.map((n) => n.id)).toEqual(ids((x) => x.price >= 500 && x.price <= 1500));
    expect((await page({ filter: { minPrice: 2000, maxPrice: 500 } })).totalCount).toBe(0);
  });

  it('combines category, price range and a sort, across pages', async () => {
    const filter = { category: 'Garden', minPrice: 500, maxPrice: 2000 };
    const sort = { field: 'PRICE', direction: 'ASC' };
    const expected = ids((x) => x.category === 'Garden' && x.price >= 500 && x.price <= 2000, 'PRICE', 'ASC');
    expect(expected.length).toBeGreaterThan(3);
    const { ids: walked } = await walk({ filter, sort }, 2);
    expect(walked).toEqual(expected);
    expect((await page({ filter, sort })).totalCount).toBe(expected.length);
  });

  it('refuses negative prices in the filter with BAD_USER_INPUT', async () => {
    const res = await gql(url, LIST, { filter: { minPrice: -1 } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});

describe('NoSQL operator injection', () => {
  it.each(['{"$ne":null}', '{"$gt":""}', '.*', '{"$regex":".*"}'])('a category string %s matches nothing', async (category) => {
    const p = await page({ filter: { category } });
    expect(p).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 });
  });

  it('the same strings inline in the query match nothing', async () => {
    const res = await gql(url, `{ products(filter: { category: "{\\"$ne\\":null}" }) { nodes { id } totalCount } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.products).toEqual({ nodes: [], totalCount: 0 });
  });

  it.each([
    [{ filter: { category: { $ne: null } } }],
    [{ filter: { category: { $gt: '' } } }],
    [{ filter: { category: ['Toys'] } }],
    [{ filter: { minPrice: { $gt: 0 } } }],
    [{ filter: { maxPrice: '1000' } }],
    [{ filter: { category: 'Toys', $where: 'true' } }],
    [{ sort: { field: { $ne: null } } }],
    [{ after: { $gt: '' } }],
  ])('a JSON object where a scalar is expected (%j) is a BAD_USER_INPUT error, nothing returned', async (variables) => {
    const res = await gql(url, LIST, variables);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.data ?? null).toBeNull();
  });

  it('an operator object as a product id is refused', async () => {
    const res = await gql(url, `query ($id: ID!) { product(id: $id) { id } }`, { id: { $ne: null } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.data ?? null).toBeNull();
  });
});
