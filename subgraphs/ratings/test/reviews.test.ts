import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '@shop/testing';
import {
  ADD_REVIEW,
  DELETE_REVIEW,
  addReview,
  productRatings,
  reviewInput,
  startRatings,
  type Customer,
  type RatingsHarness,
} from './harness.js';

let h: RatingsHarness;
let productId: string;

beforeAll(async () => {
  h = await startRatings();
  productId = await h.createProduct();
});
afterAll(async () => {
  await h?.close();
});

async function tryAdd(token: string | undefined, input: Record<string, unknown>) {
  const res = await gql(h.url, ADD_REVIEW, { input }, { token });
  return { res, payload: res.data?.addReview as { review: { id: string } | null; userErrors: Array<{ field: string[] | null; code: string }> } };
}

/** What the summary row says and what the reviews add up to, straight from the database. */
async function storedSummary(id: string) {
  const [summary] = await h.sql<{ count: number; total: number }>(
    'SELECT review_count AS count, rating_total AS total FROM rating_summaries WHERE product_id = ?',
    [id],
  );
  const [actual] = await h.sql<{ count: number; total: number | null }>(
    'SELECT COUNT(*) AS count, SUM(rating) AS total FROM reviews WHERE product_id = ?',
    [id],
  );
  return { summary: { count: Number(summary?.count ?? 0), total: Number(summary?.total ?? 0) }, actual: { count: Number(actual!.count), total: Number(actual!.total ?? 0) } };
}

describe('addReview', () => {
  it('stores a signed-in customer’s review, trimmed, and counts it in the product’s rating', async () => {
    const me = await h.customer();
    const product = await h.createProduct();
    const review = await addReview(h.url, me.token, reviewInput(product, { rating: 5, title: '  Great  ', body: '\n Love it. \n' }));
    expect(review).toMatchObject({ rating: 5, title: 'Great', body: 'Love it.', author: { id: me.id }, product: { id: product }, verifiedPurchase: false });
    expect(Date.parse(review.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    const view = await productRatings(h.url, product);
    expect(view.rating).toEqual({ average: 5, count: 1 });
    expect(view.reviews.nodes.map((r) => r.id)).toEqual([review.id]);
  });

  it('requires sign-in', async () => {
    const { res } = await tryAdd(undefined, reviewInput(productId));
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    const bad = await tryAdd('not-a-token', reviewInput(productId));
    expect(errorCode(bad.res)).toBe('UNAUTHENTICATED');
  });

  it.each([0, 6, -1, 100])('refuses the rating %i: ratings are whole numbers from 1 to 5', async (rating) => {
    const me = await h.customer();
    const { payload } = await tryAdd(me.token, reviewInput(productId, { rating }));
    expect(payload.review).toBeNull();
    expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'rating'] })]);
  });

  it('refuses a title or body that is blank, and a title over 120 or a body over 5000 characters', async () => {
    const me = await h.customer();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ title: '   ' }, 'title'],
      [{ title: 'x'.repeat(121) }, 'title'],
      [{ body: '' }, 'body'],
      [{ body: 'x'.repeat(5001) }, 'body'],
    ];
    for (const [override, field] of cases) {
      const { payload } = await tryAdd(me.token, reviewInput(productId, override));
      expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', field] })]);
    }
    // Reported together, and nothing was stored.
    const { payload } = await tryAdd(me.token, reviewInput(productId, { rating: 9, title: '', body: ' ' }));
    expect(payload.userErrors.map((e) => e.field![1]).sort()).toEqual(['body', 'rating', 'title']);
    expect(await h.sql('SELECT id FROM reviews WHERE user_id = ?', [me.id])).toHaveLength(0);
  });

  it('accepts exactly 120 and 5000 characters (counted after trimming)', async () => {
    const me = await h.customer();
    const review = await addReview(h.url, me.token, reviewInput(productId, { title: ` ${'t'.repeat(120)} `, body: `${'b'.repeat(5000)}  ` }));
    expect(review.title).toHaveLength(120);
    expect(review.body).toHaveLength(5000);
  });

  it('refuses a review of a product the catalogue does not know', async () => {
    const me = await h.customer();
    for (const unknown of ['0123456789abcdef01234567', 'not-a-product-id']) {
      const { payload } = await tryAdd(me.token, reviewInput(unknown));
      expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'productId'] })]);
    }
  });

  it('refuses a second review of the same product by the same user', async () => {
    const me = await h.customer();
    await addReview(h.url, me.token, reviewInput(productId, { rating: 2 }));
    const { payload } = await tryAdd(me.token, reviewInput(productId, { rating: 5, title: 'Changed my mind' }));
    expect(payload.review).toBeNull();
    expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'ALREADY_REVIEWED', field: ['input', 'productId'] })]);
    expect(await h.sql('SELECT rating FROM reviews WHERE user_id = ?', [me.id])).toEqual([{ rating: 2 }]);
  });

  it('keeps exactly one of several concurrent reviews by the same user of the same product', async () => {
    const me = await h.customer();
    const product = await h.createProduct();
    const results = await Promise.all([1, 2, 3, 4, 5].map((rating) => tryAdd(me.token, reviewInput(product, { rating }))));
    expect(results.map((r) => r.res.errors)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    const accepted = results.filter((r) => r.payload.review);
    expect(accepted).toHaveLength(1);
    expect(results.filter((r) => r.payload.userErrors[0]?.code === 'ALREADY_REVIEWED')).toHaveLength(4);
    const { summary, actual } = await storedSummary(product);
    expect(actual.count).toBe(1);
    expect(summary).toEqual(actual);
  });
});

describe('the rating summary', () => {
  it('averages the ratings rounded to 2 decimals, and is null without reviews', async () => {
    const product = await h.createProduct();
    expect((await productRatings(h.url, product)).rating).toEqual({ average: null, count: 0 });
    for (const rating of [5, 5, 4]) await addReview(h.url, (await h.customer()).token, reviewInput(product, { rating }));
    expect((await productRatings(h.url, product)).rating).toEqual({ average: 4.67, count: 3 });
  });

  it('stays consistent with the reviews under 20 concurrent reviews by different customers', async () => {
    const product = await h.createProduct();
    const customers = await Promise.all(Array.from({ length: 20 }, () => h.customer()));
    const ratings = customers.map((_, i) => (i % 5) + 1);
    const results = await Promise.all(customers.map((c, i) => tryAdd(c.token, reviewInput(product, { rating: ratings[i] }))));
    expect(results.filter((r) => r.payload?.review)).toHaveLength(20);
    const { summary, actual } = await storedSummary(product);
    expect(actual).toEqual({ count: 20, total: 60 });
    expect(summary).toEqual(actual);
    const view = await productRatings(h.url, product, { first: 100 });
    expect(view.rating).toEqual({ average: 3, count: 20 });
    expect(view.reviews.totalCount).toBe(20);
    expect(view.reviews.nodes).toHaveLength(20);
  });

  it('stays consistent when reviews are added and deleted concurrently', async () => {
    const product = await h.createProduct();
    const first = await Promise.all(Array.from({ length: 8 }, () => h.customer()));
    const written = await Promise.all(first.map((c) => addReview(h.url, c.token, reviewInput(product, { rating: 3 }))));
    const second = await Promise.all(Array.from({ length: 8 }, () => h.customer()));
    await Promise.all([
      ...written.map((r, i) => gql(h.url, DELETE_REVIEW, { id: r.id }, { token: first[i]!.token })),
      ...second.map((c) => tryAdd(c.token, reviewInput(product, { rating: 5 }))),
    ]);
    const { summary, actual } = await storedSummary(product);
    expect(actual).toEqual({ count: 8, total: 40 });
    expect(summary).toEqual(actual);
  });
});

describe('deleteReview', () => {
  let author: Customer;
  let other: Customer;
  let product: string;

  beforeAll(async () => {
    author = await h.customer();
    other = await h.customer();
    product = await h.createProduct();
  });

  it('refuses deletion by a customer who is not the author (FORBIDDEN), and by nobody signed in', async () => {
    const review = await addReview(h.url, author.token, reviewInput(product));
    const res = await gql(h.url, DELETE_REVIEW, { id: review.id }, { token: other.token });
    expect(errorCode(res)).toBe('FORBIDDEN');
    const anonymous = await gql(h.url, DELETE_REVIEW, { id: review.id });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    expect(await h.sql('SELECT id FROM reviews WHERE id = ?', [review.id])).toHaveLength(1);
    await gql(h.url, DELETE_REVIEW, { id: review.id }, { token: author.token });
  });

  it('lets the author delete their review, which leaves the summary', async () => {
    await addReview(h.url, other.token, reviewInput(product, { rating: 2 }));
    const review = await addReview(h.url, author.token, reviewInput(product, { rating: 5 }));
    expect((await productRatings(h.url, product)).rating).toEqual({ average: 3.5, count: 2 });
    const res = await gql(h.url, DELETE_REVIEW, { id: review.id }, { token: author.token });
    expect(res.errors).toBeUndefined();
    expect(res.data.deleteReview).toEqual({ product: { id: product, rating: { average: 2, count: 1 } }, userErrors: [] });
    const view = await productRatings(h.url, product);
    expect(view.rating).toEqual({ average: 2, count: 1 });
    expect(view.reviews.nodes.map((r) => r.id)).not.toContain(review.id);
    // Deleted, the author may review the product again.
    await addReview(h.url, author.token, reviewInput(product, { rating: 1 }));
    expect((await productRatings(h.url, product)).rating).toEqual({ average: 1.5, count: 2 });
  });

  it('lets an admin delete anyone’s review', async () => {
    const someone = await h.customer();
    const review = await addReview(h.url, someone.token, reviewInput(product, { rating: 4 }));
    const res = await gql(h.url, DELETE_REVIEW, { id: review.id }, { token: (await h.admin()).token });
    expect(res.data.deleteReview.userErrors).toEqual([]);
    expect(await h.sql('SELECT id FROM reviews WHERE id = ?', [review.id])).toHaveLength(0);
    const { summary, actual } = await storedSummary(product);
    expect(summary).toEqual(actual);
  });

  it('answers NOT_FOUND for an unknown review, and for one deleted twice', async () => {
    const res = await gql(h.url, DELETE_REVIEW, { id: 'no-such-review' }, { token: author.token });
    expect(res.data.deleteReview).toEqual({ product: null, userErrors: [expect.objectContaining({ code: 'NOT_FOUND', field: ['id'] })] });
    const someone = await h.customer();
    const review = await addReview(h.url, someone.token, reviewInput(product));
    const both = await Promise.all([1, 2].map(() => gql(h.url, DELETE_REVIEW, { id: review.id }, { token: someone.token })));
    expect(both.map((r) => r.data.deleteReview.userErrors.map((e: { code: string }) => e.code)).sort()).toEqual([[], ['NOT_FOUND']]);
    const { summary, actual } = await storedSummary(product);
    expect(summary).toEqual(actual);
  });
});
