import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKOUT_SUBGRAPHS, errorCode, startShop, type Shop } from '@shop/testing';
import { call, createProduct, createPromotion, orderInput, PLACE_ORDER, timesUsed } from './helpers.js';

let shop: Shop;

beforeAll(async () => {
  // 'fatal': orders logs the failed calls to the stopped owner (expected here).
  shop = await startShop({ logLevel: 'fatal', only: CHECKOUT_SUBGRAPHS });
});
afterAll(async () => {
  await shop?.stop();
});

describe('an owner orders depends on is down', () => {
  it('answers SERVICE_UNAVAILABLE (retryable), places nothing and gives the redeemed coupon back', async () => {
    const customer = await shop.register();
    const product = await createProduct(shop, 1200, 5);
    const coupon = await createPromotion(shop, { kind: 'PERCENT', value: 5 });
    // Tax is asked last, after the coupon was redeemed for the new order id.
    await shop.apps.tax!.stop();

    const res = await call(shop, PLACE_ORDER, { input: orderInput([{ productId: product, quantity: 1 }], { couponCode: coupon }) }, customer.token);
    expect(errorCode(res)).toBe('SERVICE_UNAVAILABLE');
    expect(res.errors![0]!.extensions).toMatchObject({ service: 'tax', retryable: true });
    expect(await shop.sql('orders', 'SELECT id FROM orders WHERE user_id = ?', [customer.userId])).toEqual([]);
    expect(await timesUsed(shop, coupon)).toBe(0);
    const [redemption] = await shop.sql<{ state: string }>('promotions', 'SELECT r.state FROM redemptions r WHERE r.code = ?', [coupon]);
    expect(redemption).toEqual({ state: 'RELEASED' });
  });
});
