import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addReview, productRatings, reviewInput, startRatings, type RatingsHarness } from './harness.js';

let h: RatingsHarness;

beforeAll(async () => {
  // Nothing listens on port 1: the consumer keeps retrying in the background.
  h = await startRatings({}, { KAFKA_BROKERS: '127.0.0.1:1' });
});
afterAll(async () => {
  await h?.close();
});

describe('without Kafka', () => {
  it('is ready (readiness checks MySQL only) and takes and shows reviews', async () => {
    const ready = await fetch(new URL('/ready', h.url));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { mysql: 'ok' } });
    const product = await h.createProduct();
    const review = await addReview(h.url, (await h.customer()).token, reviewInput(product, { rating: 3 }));
    expect(review.verifiedPurchase).toBe(false);
    expect((await productRatings(h.url, product)).rating).toEqual({ average: 3, count: 1 });
  });

  it('still stops promptly', async () => {
    const started = Date.now();
    await h.ratings.stop();
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
