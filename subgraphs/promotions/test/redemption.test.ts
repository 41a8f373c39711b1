import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql, uniqueName } from '@shop/testing';
import {
  createPromotion,
  INTERNAL,
  QUOTE,
  redeem,
  REDEEM,
  release,
  RELEASE,
  startPromotions,
  timesUsed,
  uniqueOrderId,
  type PromotionsHarness,
} from './harness.js';

let h: PromotionsHarness;
beforeAll(async () => {
  h = await startPromotions();
});
afterAll(async () => {
  await h?.close();
});

const customer = () => uniqueName('customer');

async function quote(code: string, userId: string, subtotal = 10_000, currency = 'USD') {
  const res = await gql(h.url, QUOTE, { code, userId, subtotal, currency }, { headers: INTERNAL });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.promotionQuote;
}

describe('promotionQuote', () => {
  it('gives the discount of a coupon that applies, case-insensitively, without using it up', async () => {
    const { code } = await createPromotion(h, { kind: 'PERCENT', value: 15, usageLimit: 1 });
    for (let i = 0; i < 3; i++) {
      expect(await quote(code.toLowerCase(), customer(), 1_999)).toEqual({ valid: true, discount: 299, errorCode: null, message: null });
    }
    expect(await timesUsed(h, code)).toBe(0);
  });

  it('says why a coupon does not apply', async () => {
    const future = await createPromotion(h, { startsAt: '2099-01-01T00:00:00.000Z' });
    const past = await createPromotion(h, { startsAt: '2000-01-01T00:00:00.000Z', endsAt: '2000-02-01T00:00:00.000Z' });
    const minimum = await createPromotion(h, { minSubtotal: 5_000 });
    const invalid = { valid: false, discount: 0, errorCode: 'INVALID_COUPON', message: expect.any(String) };
    expect(await quote('NO-SUCH-COUPON', customer())).toEqual(invalid);
    expect(await quote(future.code, customer())).toEqual(invalid);
    expect(await quote(past.code, customer())).toEqual(invalid);
    expect(await quote(minimum.code, customer(), 4_999)).toEqual(invalid);
    expect(await quote(minimum.code, customer(), 5_000)).toMatchObject({ valid: true, discount: 500 });
  });

  it('reports COUPON_EXHAUSTED once the coupon is used up', async () => {
    const { code } = await createPromotion(h, { usageLimit: 1 });
    expect((await redeem(h, { code, userId: customer() })).redeemed).toBe(true);
    expect(await quote(code, customer())).toMatchObject({ valid: false, errorCode: 'COUPON_EXHAUSTED' });
  });
});

describe('redeemPromotion', () => {
  it('uses the coupon for the order and counts it', async () => {
    const { code } = await createPromotion(h, { kind: 'FIXED_AMOUNT', value: 750 });
    expect(await redeem(h, { code, userId: customer(), subtotal: 5_000 })).toEqual({ redeemed: true, discount: 750, errorCode: null, message: null });
    expect(await timesUsed(h, code)).toBe(1);
  });

  it('gives a single-use coupon to exactly one of 6 concurrent orders', async () => {
    // Several rounds, so a race that only sometimes slips through is still caught.
    for (let round = 0; round < 3; round++) {
      const { code } = await createPromotion(h, { usageLimit: 1 });
      const answers = await Promise.all(Array.from({ length: 6 }, () => redeem(h, { code, userId: customer() })));
      expect(answers.filter((a) => a.redeemed)).toHaveLength(1);
      expect(answers.filter((a) => !a.redeemed).map((a) => a.errorCode)).toEqual(Array(5).fill('COUPON_EXHAUSTED'));
      expect(await timesUsed(h, code)).toBe(1);
    }
  });

  it('holds a usage limit of 3 under 10 concurrent orders', async () => {
    const { code } = await createPromotion(h, { usageLimit: 3 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => redeem(h, { code, userId: customer() })));
    expect(answers.filter((a) => a.redeemed)).toHaveLength(3);
    expect(await timesUsed(h, code)).toBe(3);
  });

  it('lets one customer use a coupon only as often as the per-customer limit, also concurrently', async () => {
    const { code } = await createPromotion(h, { perCustomerLimit: 2 });
    const greedy = customer();
    const answers = await Promise.all(Array.from({ length: 6 }, () => redeem(h, { code, userId: greedy })));
    expect(answers.filter((a) => a.redeemed)).toHaveLength(2);
    expect(answers.filter((a) => !a.redeemed).map((a) => a.errorCode)).toEqual(Array(4).fill('COUPON_EXHAUSTED'));
    // Another customer is not affected by the first one's limit.
    expect((await redeem(h, { code, userId: customer() })).redeemed).toBe(true);
    expect(await timesUsed(h, code)).toBe(3);
  });

  it('answers a repeated call for the same order with the stored answer and uses the coupon once', async () => {
    const { code } = await createPromotion(h, { kind: 'PERCENT', value: 10, usageLimit: 5 });
    const orderId = uniqueOrderId();
    const userId = customer();
    const first = await redeem(h, { orderId, code, userId, subtotal: 10_000 });
    expect(first).toEqual({ redeemed: true, discount: 1_000, errorCode: null, message: null });
    // A retry (e.g. after a timeout) gets the first answer, even with a different subtotal.
    expect(await redeem(h, { orderId, code, userId, subtotal: 20_000 })).toEqual(first);
    const concurrentRetries = await Promise.all(Array.from({ length: 4 }, () => redeem(h, { orderId, code, userId, subtotal: 10_000 })));
    expect(concurrentRetries).toEqual(Array(4).fill(first));
    expect(await timesUsed(h, code)).toBe(1);
  });

  it('uses the coupon once when the first calls for one order all arrive at the same time', async () => {
    const { code } = await createPromotion(h, { usageLimit: 5 });
    const orderId = uniqueOrderId();
    const userId = customer();
    const answers = await Promise.all(Array.from({ length: 5 }, () => redeem(h, { orderId, code, userId })));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]!.redeemed).toBe(true);
    expect(await timesUsed(h, code)).toBe(1);
  });

  it('refuses an invalid coupon with INVALID_COUPON and records nothing', async () => {
    const { code } = await createPromotion(h, { currency: 'USD', minSubtotal: 1_000 });
    const orderId = uniqueOrderId();
    const userId = customer();
    expect(await redeem(h, { orderId, code: 'UNKNOWN-CODE', userId })).toMatchObject({ redeemed: false, discount: 0, errorCode: 'INVALID_COUPON' });
    expect(await redeem(h, { orderId, code, userId, subtotal: 999 })).toMatchObject({ redeemed: false, errorCode: 'INVALID_COUPON' });
    expect(await redeem(h, { orderId, code, userId, currency: 'EUR' })).toMatchObject({ redeemed: false, errorCode: 'INVALID_COUPON' });
    expect(await timesUsed(h, code)).toBe(0);
    // A refusal is not stored: the same order may redeem once it qualifies.
    expect(await redeem(h, { orderId, code, userId, subtotal: 1_000 })).toMatchObject({ redeemed: true });
  });
});

describe('releasePromotion', () => {
  it('gives the use back, so the same customer can use a single-use coupon again', async () => {
    const { code } = await createPromotion(h, { usageLimit: 1, perCustomerLimit: 1 });
    const userId = customer();
    const orderId = uniqueOrderId();
    expect((await redeem(h, { orderId, code, userId })).redeemed).toBe(true);
    expect(await redeem(h, { code, userId })).toMatchObject({ redeemed: false, errorCode: 'COUPON_EXHAUSTED' });

    expect(await release(h, orderId)).toBe(true);
    expect(await timesUsed(h, code)).toBe(0);
    expect((await redeem(h, { code, userId })).redeemed).toBe(true);
    expect(await timesUsed(h, code)).toBe(1);
  });

  it('changes nothing when released twice', async () => {
    const { code } = await createPromotion(h, {});
    const orderId = uniqueOrderId();
    await redeem(h, { orderId, code, userId: customer() });
    await redeem(h, { code, userId: customer() });
    expect(await timesUsed(h, code)).toBe(2);
    expect(await release(h, orderId)).toBe(true);
    expect(await release(h, orderId)).toBe(true);
    expect(await timesUsed(h, code)).toBe(1);
  });

  it('refuses a late redeem of an order that was already released', async () => {
    const { code } = await createPromotion(h, {});
    const redeemed = uniqueOrderId();
    await redeem(h, { orderId: redeemed, code, userId: customer() });
    await release(h, redeemed);
    expect(await redeem(h, { orderId: redeemed, code, userId: customer() })).toMatchObject({ redeemed: false, errorCode: 'INVALID_COUPON' });

    // Released before the redeem ever arrived (orders gave up after a timeout): false, and the redeem is refused.
    const neverRedeemed = uniqueOrderId();
    expect(await release(h, neverRedeemed)).toBe(false);
    expect(await redeem(h, { orderId: neverRedeemed, code, userId: customer() })).toMatchObject({ redeemed: false, errorCode: 'INVALID_COUPON' });
    expect(await timesUsed(h, code)).toBe(0);
  });
});

describe('internal operations', () => {
  const calls = () => [
    gql(h.url, QUOTE, { code: 'ANY', userId: 'u1', subtotal: 100, currency: 'USD' }, { token: h.auth.admin }),
    gql(h.url, REDEEM, { input: { orderId: 'o1', userId: 'u1', code: 'ANY', subtotal: 100, currency: 'USD' } }, { token: h.auth.admin }),
    gql(h.url, RELEASE, { orderId: 'o1' }, { token: h.auth.customer }),
    gql(h.url, QUOTE, { code: 'ANY', userId: 'u1', subtotal: 100, currency: 'USD' }, { headers: { 'x-internal-token': 'not-the-internal-token' } }),
    gql(h.url, RELEASE, { orderId: 'o1' }),
  ];

  it('are FORBIDDEN without the internal token, even to an admin', async () => {
    const results = await Promise.all(calls());
    expect(results.map(errorCode)).toEqual(Array(results.length).fill('FORBIDDEN'));
  });

  it('refuse malformed arguments with BAD_USER_INPUT', async () => {
    const res = await gql(h.url, REDEEM, { input: { orderId: 'o2', userId: 'u1', code: 'ANY', subtotal: -1, currency: 'US' } }, { headers: INTERNAL });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});
