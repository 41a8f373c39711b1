import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '@shop/testing';
import { PRODUCT_RATINGS, addReview, productRatings, reviewInput, startRatings, type RatingsHarness, type ReviewView } from './harness.js';

let h: RatingsHarness;
let product: string;
/** Newest first. */
let written: ReviewView[];

beforeAll(async () => {
  h = await startRatings();
  product = await h.createProduct();
  written = [];
  for (let i = 0; i < 7; i++) {
    written.unshift(await addReview(h.url, (await h.customer()).token, reviewInput(product, { title: `Review ${i}` })));
  }
});
afterAll(async () => {
  await h?.close();
});

describe('Product.reviews pages', () => {
  it('lists the newest review first', async () => {
    const view = await productRatings(h.url, product);
    expect(view.reviews.nodes.map((r) => r.title)).toEqual(['Review 6', 'Review 5', 'Review 4', 'Review 3', 'Review 2', 'Review 1', 'Review 0']);
    expect(view.reviews).toMatchObject({ totalCount: 7, pageInfo: { hasNextPage: false } });
  });

  it('walks every review exactly once with cursors', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const { reviews } = await productRatings(h.url, product, { first: 3, after });
      pages += 1;
      expect(reviews.totalCount).toBe(7);
      seen.push(...reviews.nodes.map((r) => r.id));
      if (!reviews.pageInfo.hasNextPage) break;
      after = reviews.pageInfo.endCursor!;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(written.map((r) => r.id));
  });

  it('orders reviews written in the same millisecond by id, so pages neither skip nor repeat them', async () => {
    const tied = await h.createProduct();
    const at = '2025-01-01 12:00:00.000';
    const ids = ['r-a', 'r-b', 'r-c', 'r-d'];
    for (const [i, id] of ids.entries()) {
      await h.sql('INSERT INTO reviews (id, product_id, user_id, rating, title, body, created_at) VALUES (?, ?, ?, 3, ?, ?, ?)', [
        id, tied, `tied-user-${i}`, `t${i}`, 'b', at,
      ]);
    }
    const first = await productRatings(h.url, tied, { first: 2 });
    const second = await productRatings(h.url, tied, { first: 2, after: first.reviews.pageInfo.endCursor! });
    expect([...first.reviews.nodes, ...second.reviews.nodes].map((r) => r.id)).toEqual(['r-d', 'r-c', 'r-b', 'r-a']);
    expect(second.reviews.pageInfo.hasNextPage).toBe(false);
  });

  it('keeps a page stable while newer reviews arrive', async () => {
    const { reviews } = await productRatings(h.url, product, { first: 2 });
    await addReview(h.url, (await h.customer()).token, reviewInput(product, { title: 'Late review' }));
    const next = await productRatings(h.url, product, { first: 2, after: reviews.pageInfo.endCursor! });
    expect(next.reviews.nodes.map((r) => r.id)).toEqual([written[2]!.id, written[3]!.id]);
  });

  it('answers an empty page for first: 0 and past the end, keeping the cursor it was given', async () => {
    const none = await productRatings(h.url, product, { first: 0 });
    expect(none.reviews).toMatchObject({ nodes: [], pageInfo: { hasNextPage: true, endCursor: null } });
    const last = await productRatings(h.url, product, { first: 100 });
    const end = last.reviews.pageInfo.endCursor!;
    const past = await productRatings(h.url, product, { first: 5, after: end });
    expect(past.reviews).toMatchObject({ nodes: [], pageInfo: { hasNextPage: false, endCursor: end } });
  });

  it('refuses a malformed cursor and an out-of-range page size with BAD_USER_INPUT', async () => {
    for (const page of [{ after: 'garbage' }, { after: Buffer.from('{"x":1}').toString('base64url') }, { first: 101 }, { first: -1 }]) {
      const res = await gql(h.url, PRODUCT_RATINGS, { id: product, ...page });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
    }
  });
});
