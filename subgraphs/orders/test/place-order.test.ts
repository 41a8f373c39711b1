import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, gql } from '@shop/testing';
import { productId, startFakeOwners, type FakeOwners } from './fake-owners.js';
import { ADDRESS, orderInput, PLACE_ORDER, placeOrder, QUOTE, startOrders, type OrdersHarness, type Person } from './helpers.js';

let owners: FakeOwners;
let h: OrdersHarness;
let ann: Person;
let book: string;
let mug: string;

beforeAll(async () => {
  owners = await startFakeOwners();
  h = await startOrders(owners.url);
  ann = await h.auth.person();
  book = owners.addProduct({ id: productId(), price: 2500, category: 'Books' }).id;
  mug = owners.addProduct({ id: productId(), price: 1299, category: 'Kitchen' }).id;
});
afterAll(async () => {
  await h?.close();
  await owners?.stop();
});
beforeEach(() => {
  owners.failing.clear();
  owners.calls.length = 0;
});

const countOrders = async (userId: string) => Number((await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM orders WHERE user_id = ?', [userId]))[0]!.n);

describe('placeOrder', () => {
  it('refuses anonymous callers with UNAUTHENTICATED', async () => {
    const res = await gql(h.url, PLACE_ORDER, { input: orderInput([{ productId: book, quantity: 1 }]) });
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
  });

  it('prices the order from the owners, writes it PENDING with its history, and announces order.placed', async () => {
    owners.coupons.set('TENOFF', { percent: 10, left: 5 });
    const order = await placeOrder(
      h.url,
      ann.token,
      orderInput(
        [
          { productId: book, quantity: 2 },
          { productId: mug, quantity: 1 },
        ],
        { couponCode: 'tenoff' },
      ),
    );
    // subtotal 2*2500 + 1299 = 6299; 10 % off = 629, spread 499 / 130 (largest remainder);
    // CA tax 8.25 % of 4501 = 371.33 -> 371 and of 1169 = 96.44 -> 96.
    expect(order).toMatchObject({
      status: 'PENDING',
      cancellationReason: null,
      couponCode: 'TENOFF',
      shippingMethod: 'STANDARD',
      user: { id: ann.id },
      subtotal: { amount: 6299, currency: 'USD' },
      discount: { amount: 629, currency: 'USD' },
      tax: { amount: 467, currency: 'USD' },
      shippingCost: { amount: 499, currency: 'USD' },
      total: { amount: 6299 - 629 + 467 + 499, currency: 'USD' },
      shippingAddress: { ...ADDRESS, line2: null },
      items: [
        { product: { id: book }, quantity: 2, unitPrice: { amount: 2500, currency: 'USD' }, lineTotal: { amount: 5000, currency: 'USD' } },
        { product: { id: mug }, quantity: 1, unitPrice: { amount: 1299, currency: 'USD' }, lineTotal: { amount: 1299, currency: 'USD' } },
      ],
    });
    expect(order.history.map((c: { status: string }) => c.status)).toEqual(['PENDING']);
    // The discount was redeemed for exactly this order id.
    expect(owners.redemptions.get(order.id)).toBe('TENOFF');
    // Tax was asked on the discounted line amounts with the products' categories.
    const taxCall = owners.calls.find((c) => c.op === 'taxQuote')!.args as { lines: unknown[]; region: string };
    expect(taxCall).toMatchObject({
      country: 'US',
      region: 'CA',
      lines: [
        { key: '0', category: 'Books', amount: 4501 },
        { key: '1', category: 'Kitchen', amount: 1169 },
      ],
    });
    const [placed] = await h.outbox(order.id);
    expect(placed).toMatchObject({
      type: 'order.placed',
      key: order.id,
      payload: {
        orderId: order.id,
        userId: ann.id,
        couponCode: 'TENOFF',
        total: order.total,
        lines: [
          { productId: book, quantity: 2, unitPrice: { amount: 2500, currency: 'USD' } },
          { productId: mug, quantity: 1, unitPrice: { amount: 1299, currency: 'USD' } },
        ],
      },
    });
  });

  it('quotes exactly what placeOrder charges, without redeeming the coupon', async () => {
    owners.coupons.set('QUOTE20', { percent: 20, left: 1 });
    const input = { items: [{ productId: book, quantity: 3 }], shippingAddress: ADDRESS, shippingMethod: 'EXPRESS', couponCode: 'QUOTE20' };
    const quoted = (await gql(h.url, QUOTE, { input }, { token: ann.token })).data!.quote;
    expect(quoted.userErrors).toEqual([]);
    expect(owners.coupons.get('QUOTE20')!.left).toBe(1);
    const order = await placeOrder(h.url, ann.token, { ...input, paymentToken: 'tok_visa' });
    for (const k of ['subtotal', 'discount', 'tax', 'shippingCost', 'total']) expect(order[k]).toEqual(quoted[k]);
    expect(quoted.total.amount).toBe(quoted.subtotal.amount - quoted.discount.amount + quoted.tax.amount + quoted.shippingCost.amount);
  });

  it('quotes for anonymous callers, but asks them to sign in to apply a coupon', async () => {
    const input = { items: [{ productId: book, quantity: 1 }], shippingAddress: ADDRESS, shippingMethod: 'STANDARD' };
    const anonymous = await gql(h.url, QUOTE, { input });
    expect(anonymous.data!.quote.total).toEqual({ amount: 2500 + 206 + 499, currency: 'USD' });
    expect(errorCode(await gql(h.url, QUOTE, { input: { ...input, couponCode: 'X' } }))).toBe('UNAUTHENTICATED');
  });

  it('returns null amounts and the reasons when a quote cannot be priced', async () => {
    const res = await gql(h.url, QUOTE, {
      input: { items: [{ productId: 'nope', quantity: 1 }], shippingAddress: ADDRESS, shippingMethod: 'STANDARD' },
    });
    expect(res.data!.quote).toMatchObject({ subtotal: null, total: null, userErrors: [{ code: 'NOT_FOUND', field: ['input', 'items', '0', 'productId'] }] });
  });

  describe('refuses with userErrors and writes nothing', () => {
    const cases: Array<[string, Record<string, unknown>, { code: string; field: string[] }]> = [
      ['no items', { items: [] }, { code: 'INVALID_INPUT', field: ['input', 'items'] }],
      ['51 items', { items: Array.from({ length: 51 }, (_, i) => ({ productId: `p${i}`, quantity: 1 })) }, { code: 'INVALID_INPUT', field: ['input', 'items'] }],
      ['quantity 0', { items: [{ productId: 'x', quantity: 0 }] }, { code: 'INVALID_INPUT', field: ['input', 'items', '0', 'quantity'] }],
      ['quantity 101', { items: [{ productId: 'x', quantity: 101 }] }, { code: 'INVALID_INPUT', field: ['input', 'items', '0', 'quantity'] }],
      [
        'the same product twice',
        { items: [{ productId: 'x', quantity: 1 }, { productId: 'x', quantity: 2 }] },
        { code: 'INVALID_INPUT', field: ['input', 'items', '1', 'productId'] },
      ],
      ['a lower-case country', { shippingAddress: { ...ADDRESS, country: 'us' } }, { code: 'INVALID_INPUT', field: ['input', 'shippingAddress', 'country'] }],
      ['a three-letter country', { shippingAddress: { ...ADDRESS, country: 'USA' } }, { code: 'INVALID_INPUT', field: ['input', 'shippingAddress', 'country'] }],
      ['an empty payment token', { paymentToken: ' ' }, { code: 'INVALID_INPUT', field: ['input', 'paymentToken'] }],
      ['an idempotency key over 100 characters', { idempotencyKey: 'k'.repeat(101) }, { code: 'INVALID_INPUT', field: ['input', 'idempotencyKey'] }],
      ['an unknown shipping method', { shippingMethod: 'TELEPORT' }, { code: 'INVALID_INPUT', field: ['input', 'shippingMethod'] }],
      ['no shipping to the country', { shippingAddress: { ...ADDRESS, country: 'AQ' } }, { code: 'INVALID_INPUT', field: ['input', 'shippingMethod'] }],
      ['shipping priced in another currency', { shippingMethod: 'EURO' }, { code: 'INVALID_INPUT', field: ['input', 'shippingMethod'] }],
      ['a token the payment provider does not know', { paymentToken: 'tok_unknown' }, { code: 'INVALID_PAYMENT_TOKEN', field: ['input', 'paymentToken'] }],
      ['an unknown coupon', { couponCode: 'NOPE' }, { code: 'INVALID_COUPON', field: ['input', 'couponCode'] }],
    ];
    for (const [what, overrides, expected] of cases) {
      it(`for ${what}`, async () => {
        const before = await countOrders(ann.id);
        const res = await gql(h.url, PLACE_ORDER, { input: orderInput([{ productId: book, quantity: 1 }], overrides) }, { token: ann.token });
        expect(res.errors).toBeUndefined();
        expect(res.data!.placeOrder.order).toBeNull();
        expect(res.data!.placeOrder.userErrors).toContainEqual(expect.objectContaining(expected));
        expect(await countOrders(ann.id)).toBe(before);
      });
    }

    it('for an unknown product (NOT_FOUND) and an archived one (INVALID_INPUT), each at its line', async () => {
      const archived = owners.addProduct({ id: productId(), price: 100, category: 'Old', active: false }).id;
      const res = await gql(
        h.url,
        PLACE_ORDER,
        { input: orderInput([{ productId: book, quantity: 1 }, { productId: 'no-such-product', quantity: 1 }, { productId: archived, quantity: 1 }]) },
        { token: ann.token },
      );
      expect(res.data!.placeOrder.userErrors).toEqual([
        expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'items', '1', 'productId'] }),
        expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'items', '2', 'productId'] }),
      ]);
    });

    it('for more than is in stock (OUT_OF_STOCK), before redeeming any coupon', async () => {
      const scarce = owners.addProduct({ id: productId(), price: 100, category: 'Rare', stock: 2 }).id;
      owners.coupons.set('STOCKTEST', { percent: 10, left: 1 });
      const res = await gql(h.url, PLACE_ORDER, { input: orderInput([{ productId: scarce, quantity: 3 }], { couponCode: 'STOCKTEST' }) }, { token: ann.token });
      expect(res.data!.placeOrder.userErrors).toEqual([
        { code: 'OUT_OF_STOCK', field: ['input', 'items', '0', 'quantity'], message: 'Only 2 left in stock' },
      ]);
      expect(owners.calls.some((c) => c.op === 'redeemPromotion')).toBe(false);
      expect(owners.coupons.get('STOCKTEST')!.left).toBe(1);
    });

    it('for an exhausted coupon (COUPON_EXHAUSTED)', async () => {
      owners.coupons.set('GONE', { percent: 10, left: 0 });
      const res = await gql(h.url, PLACE_ORDER, { input: orderInput([{ productId: book, quantity: 1 }], { couponCode: 'GONE' }) }, { token: ann.token });
      expect(res.data!.placeOrder.userErrors).toEqual([expect.objectContaining({ code: 'COUPON_EXHAUSTED', field: ['input', 'couponCode'] })]);
    });
  });

  it('calls every owner with the internal token', async () => {
    await placeOrder(h.url, ann.token, orderInput([{ productId: mug, quantity: 1 }]));
    expect(owners.unauthorised).toEqual([]);
    expect(new Set(owners.calls.map((c) => c.op))).toEqual(new Set(['products', 'shippingMethods', 'paymentTokenAccepted', 'taxQuote']));
  });

  describe('when an owner is unavailable', () => {
    it('answers SERVICE_UNAVAILABLE and places nothing', async () => {
      for (const op of ['products', 'shippingMethods', 'paymentTokenAccepted', 'taxQuote'] as const) {
        owners.failing.clear();
        owners.failing.add(op);
        const before = await countOrders(ann.id);
        const res = await gql(h.url, PLACE_ORDER, { input: orderInput([{ productId: book, quantity: 1 }]) }, { token: ann.token });
        expect(errorCode(res), op).toBe('SERVICE_UNAVAILABLE');
        expect(res.errors![0]!.extensions).toMatchObject({ retryable: true });
        expect(await countOrders(ann.id)).toBe(before);
      }
    });

    it('gives the coupon back when tax fails after the redemption', async () => {
      owners.coupons.set('TAXDOWN', { percent: 10, left: 1 });
      owners.failing.add('taxQuote');
      const res = await gql(h.url, PLACE_ORDER, { input: orderInput([{ productId: book, quantity: 1 }], { couponCode: 'TAXDOWN' }) }, { token: ann.token });
      expect(errorCode(res)).toBe('SERVICE_UNAVAILABLE');
      const redeemed = owners.calls.find((c) => c.op === 'redeemPromotion')!.args as { orderId: string };
      expect(owners.calls).toContainEqual({ op: 'releasePromotion', args: { orderId: redeemed.orderId } });
      expect(owners.coupons.get('TAXDOWN')!.left).toBe(1);
    });

    it('answers SERVICE_UNAVAILABLE when an owner does not answer at all', async () => {
      const down = await startOrders('http://127.0.0.1:9/graphql');
      try {
        const customer = await down.auth.person();
        const res = await gql(down.url, PLACE_ORDER, { input: orderInput([{ productId: book, quantity: 1 }]) }, { token: customer.token });
        expect(errorCode(res)).toBe('SERVICE_UNAVAILABLE');
        expect(await down.sql('SELECT id FROM orders')).toEqual([]);
      } finally {
        await down.close();
      }
    });
  });

  describe('idempotencyKey', () => {
    it('returns the first order when the same user places with the same key again', async () => {
      const input = orderInput([{ productId: book, quantity: 1 }], { idempotencyKey: 'checkout-1' });
      const first = await placeOrder(h.url, ann.token, input);
      const second = await placeOrder(h.url, ann.token, input);
      expect(second.id).toBe(first.id);
      // Another user's same key is another order.
      const ben = await h.auth.person();
      const bens = await placeOrder(h.url, ben.token, input);
      expect(bens.id).not.toBe(first.id);
    });

    it('places one order for concurrent requests with one key, and gives back the losers’ coupon redemptions', async () => {
      const cat = await h.auth.person();
      owners.coupons.set('RACE', { percent: 10, left: 100 });
      const input = orderInput([{ productId: mug, quantity: 1 }], { idempotencyKey: 'double-click', couponCode: 'RACE' });
      const results = await Promise.all(Array.from({ length: 6 }, () => placeOrder(h.url, cat.token, input)));
      expect(new Set(results.map((o) => o.id)).size).toBe(1);
      expect(await countOrders(cat.id)).toBe(1);
      // Exactly one redemption remains in use: the winner's.
      const held = [...owners.redemptions.entries()].filter(([, code]) => code === 'RACE');
      expect(held).toEqual([[results[0].id, 'RACE']]);
      expect(owners.coupons.get('RACE')!.left).toBe(99);
    });
  });
});
