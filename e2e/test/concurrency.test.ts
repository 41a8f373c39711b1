import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKOUT_SUBGRAPHS, startShop, type Shop } from '@shop/testing';
import { available, call, createProduct, orderInput, PLACE_ORDER, waitForStatus } from './helpers.js';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop({ only: CHECKOUT_SUBGRAPHS });
});
afterAll(async () => {
  await shop?.stop();
});

describe('concurrent orders for scarce stock', () => {
  it('sells 5 units to exactly 5 of 20 concurrent customers; the others are refused or cancelled OUT_OF_STOCK', async () => {
    const product = await createProduct(shop, 1250, 5);
    const customers = await Promise.all(Array.from({ length: 20 }, () => shop.register()));

    const results = await Promise.all(
      customers.map((c) => call(shop, PLACE_ORDER, { input: orderInput([{ productId: product, quantity: 1 }]) }, c.token)),
    );
    for (const res of results) expect(res.errors).toBeUndefined();
    const placed = results.flatMap((res, i) => (res.data!.placeOrder.order ? [{ id: res.data!.placeOrder.order.id as string, token: customers[i]!.token }] : []));
    const refused = results.filter((res) => !res.data!.placeOrder.order);
    // Refused at placement by the early stock check, once reservations made the product scarce.
    for (const res of refused) expect(res.data!.placeOrder.userErrors.map((e: { code: string }) => e.code)).toEqual(['OUT_OF_STOCK']);

    const final = await Promise.all(placed.map((o) => waitForStatus(shop, o.id, o.token, ['PAID', 'CANCELLED'], 30_000)));
    const paid = final.filter((o) => o.status === 'PAID');
    const cancelled = final.filter((o) => o.status === 'CANCELLED');
    expect(paid).toHaveLength(5);
    expect(cancelled.length + refused.length).toBe(15);
    for (const o of cancelled) expect(o.cancellationReason).toBe('OUT_OF_STOCK');
    expect(await available(shop, product)).toBe(0);
    const [stock] = await shop.sql<{ on_hand: number; reserved: number }>('inventory', 'SELECT on_hand, reserved FROM stock WHERE product_id = ?', [product]);
    expect(stock).toEqual({ on_hand: 5, reserved: 5 });
  });
});
