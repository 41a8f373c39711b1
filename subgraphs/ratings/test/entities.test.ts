import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '@shop/testing';
import { addReview, reviewInput, startRatings, type RatingsHarness } from './harness.js';

const statements: string[] = [];
let h: RatingsHarness;
let reviewed: string[];

beforeAll(async () => {
  h = await startRatings({ onSql: (sql) => statements.push(sql) });
  reviewed = [];
  for (let i = 0; i < 3; i++) {
    const product = await h.createProduct(`Entity ${i}`);
    reviewed.push(product);
    for (const rating of [i + 1, 5]) await addReview(h.url, (await h.customer()).token, reviewInput(product, { rating }));
  }
});
afterAll(async () => {
  await h?.close();
});

const ENTITIES = `query ($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on Product {
      id
      rating { average count }
      reviews(first: 5) { nodes { id rating author { id } product { id } verifiedPurchase } pageInfo { hasNextPage } totalCount }
    }
  }
}`;

const refs = (ids: string[]) => ids.map((id) => ({ __typename: 'Product', id }));
const selects = () => statements.filter((s) => /^\s*select/i.test(s));

/** Product ids nobody reviewed: ratings answers for any id products hands out. */
const unreviewed = (n: number) => Array.from({ length: n }, (_, i) => `ffffffffffffffff${String(i).padStart(8, '0')}`);

describe('Product entity references', () => {
  it('resolves 50 products with their rating, reviews and verified flags in 3 SQL queries', async () => {
    const ids = [...reviewed, ...unreviewed(47)];
    statements.length = 0;
    const res = await gql(h.url, ENTITIES, { r: refs(ids) });
    expect(res.errors).toBeUndefined();
    const products = res.data._entities as Array<{ id: string; rating: { average: number | null; count: number }; reviews: { nodes: unknown[]; totalCount: number } }>;
    expect(products.map((p) => p.id)).toEqual(ids);
    expect(products.slice(0, 3).map((p) => p.rating)).toEqual([
      { average: 3, count: 2 },
      { average: 3.5, count: 2 },
      { average: 4, count: 2 },
    ]);
    expect(products.slice(0, 3).map((p) => p.reviews.nodes.length)).toEqual([2, 2, 2]);
    expect(products[10]).toMatchObject({ rating: { average: null, count: 0 }, reviews: { nodes: [], totalCount: 0 } });
    // One for the summaries, one for every product's page of reviews, one for the verified flags.
    expect(selects()).toHaveLength(3);
  });

  it('costs the same number of queries for 5 products as for 50', async () => {
    statements.length = 0;
    await gql(h.url, ENTITIES, { r: refs([...reviewed, ...unreviewed(2)]) });
    const few = selects().length;
    statements.length = 0;
    await gql(h.url, ENTITIES, { r: refs([...reviewed, ...unreviewed(47)]) });
    expect(selects().length).toBe(few);
  });
});
