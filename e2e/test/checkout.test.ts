import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, eventually, startShop, type Shop, type ShopUser } from '@shop/testing';
import {
  ADDRESS,
  available,
  call,
  createProduct,
  createPromotion,
  orderInput,
  PLACE_ORDER,
  placeOrder,
  setTaxRate,
  timesUsed,
  updateShipmentStatus,
  viewOrder,
  waitForStatus,
} from './helpers.js';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop();
  // California: 8.25 % on everything, 10 % on Books; the rest of the US 5 %.
  await setTaxRate(shop, { country: 'US', rateBasisPoints: 500 });
  await setTaxRate(shop, { country: 'US', region: 'CA', rateBasisPoints: 825 });
  await setTaxRate(shop, { country: 'US', region: 'CA', category: 'Books', rateBasisPoints: 1000 });
});
afterAll(async () => {
  await shop?.stop();
});

const statuses = (order: { history: Array<{ status: string }> }) => order.history.map((c) => c.status);

describe('checkout through the router', () => {
  it('takes an order from placement to delivery: PENDING → CONFIRMED → PAID → SHIPPED → DELIVERED, and the money adds up', async () => {
    const customer = await shop.register();
    const book = await createProduct(shop, 2500, 10, 'Books');
    const toy = await createProduct(shop, 1999, 10, 'Toys');
    const coupon = await createPromotion(shop, { kind: 'PERCENT', value: 10, perCustomerLimit: 1 });
    const items = [
      { productId: book, quantity: 2 },
      { productId: toy, quantity: 1 },
    ];

    const quote = await call(
      shop,
      `query ($input: QuoteInput!) { quote(input: $input) {
        subtotal { amount currency } discount { amount currency } tax { amount currency }
        shippingCost { amount currency } total { amount currency } userErrors { code field message } } }`,
      { input: { items, shippingAddress: ADDRESS, shippingMethod: 'STANDARD', couponCode: coupon } },
      customer.token,
    );
    expect(quote.errors).toBeUndefined();
    expect(quote.data!.quote.userErrors).toEqual([]);

    const orderId = await placeOrder(shop, customer.token, orderInput(items, { couponCode: coupon }));
    const placed = await viewOrder(shop, orderId, customer.token);
    // subtotal 6999; 10 % off = 699, spread 499 / 200 over the lines (largest remainder);
    // tax: Books (CA Books rate) 10 % of 4501 = 450.1 -> 450, Toys (CA rate) 8.25 % of 1799 = 148.4 -> 148; shipping 499.
    expect(placed).toMatchObject({
      user: { id: customer.userId },
      couponCode: coupon,
      subtotal: { amount: 6999, currency: 'USD' },
      discount: { amount: 699, currency: 'USD' },
      tax: { amount: 598, currency: 'USD' },
      shippingCost: { amount: 499, currency: 'USD' },
      total: { amount: 6999 - 699 + 598 + 499, currency: 'USD' },
    });
    for (const k of ['subtotal', 'discount', 'tax', 'shippingCost', 'total']) expect(placed[k]).toEqual(quote.data!.quote[k]);

    const paid = await waitForStatus(shop, orderId, customer.token, 'PAID');
    expect(paid.payment).toMatchObject({ status: 'SUCCEEDED', amount: paid.total, failureReason: null });
    expect(paid.total.amount).toBe(paid.subtotal.amount - paid.discount.amount + paid.tax.amount + paid.shippingCost.amount);
    // Stock is reserved for the order.
    expect(await available(shop, book)).toBe(8);
    expect(await available(shop, toy)).toBe(9);

    const labelled = await eventually(async () => {
      const o = await viewOrder(shop, orderId, customer.token);
      return o.shipment?.status === 'LABEL_CREATED' ? o : undefined;
    });
    expect(labelled.shipment.trackingNumber).toEqual(expect.any(String));

    expect((await updateShipmentStatus(shop, labelled.shipment.id, 'IN_TRANSIT')).data!.updateShipmentStatus.userErrors).toEqual([]);
    const shipped = await waitForStatus(shop, orderId, customer.token, 'SHIPPED');
    expect(shipped.shipment.status).toBe('IN_TRANSIT');
    expect((await updateShipmentStatus(shop, labelled.shipment.id, 'DELIVERED')).data!.updateShipmentStatus.userErrors).toEqual([]);
    const delivered = await waitForStatus(shop, orderId, customer.token, 'DELIVERED');

    expect(statuses(delivered)).toEqual(['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'DELIVERED']);
    expect(delivered.shipment.events.map((e: { status: string }) => e.status)).toEqual(['LABEL_CREATED', 'IN_TRANSIT', 'DELIVERED']);
    expect(delivered.payment.amount).toEqual(delivered.total);
    // The shipped units left for good: still not available.
    expect(await available(shop, book)).toBe(8);
    expect(await timesUsed(shop, coupon)).toBe(1);

    const mine = await call(shop, `{ me { orders { totalCount nodes { id status } } } }`, {}, customer.token);
    expect(mine.data!.me.orders).toEqual({ totalCount: 1, nodes: [{ id: orderId, status: 'DELIVERED' }] });
  });

  it('cancels a declined card with PAYMENT_DECLINED, and gives the stock and the coupon back', async () => {
    const customer = await shop.register();
    const product = await createProduct(shop, 1500, 5);
    const coupon = await createPromotion(shop, { kind: 'FIXED_AMOUNT', value: 300, perCustomerLimit: 1 });

    const orderId = await placeOrder(shop, customer.token, orderInput([{ productId: product, quantity: 2 }], { couponCode: coupon, paymentToken: 'tok_decline' }));
    const cancelled = await waitForStatus(shop, orderId, customer.token, 'CANCELLED');
    expect(cancelled.cancellationReason).toBe('PAYMENT_DECLINED');
    expect(cancelled.payment).toMatchObject({ status: 'FAILED' });
    expect(statuses(cancelled)).toEqual(['PENDING', 'CONFIRMED', 'CANCELLED']);

    await eventually(async () => ((await available(shop, product)) === 5 ? true : undefined));
    await eventually(async () => ((await timesUsed(shop, coupon)) === 0 ? true : undefined));
    // The single-use-per-customer coupon is the customer's to use again.
    const again = await placeOrder(shop, customer.token, orderInput([{ productId: product, quantity: 1 }], { couponCode: coupon }));
    expect((await waitForStatus(shop, again, customer.token, 'PAID')).discount.amount).toBe(300);
  });

  it('refuses more than is in stock (OUT_OF_STOCK) and reserves nothing', async () => {
    const customer = await shop.register();
    const product = await createProduct(shop, 1000, 2);
    const res = await call(shop, PLACE_ORDER, { input: orderInput([{ productId: product, quantity: 3 }]) }, customer.token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.placeOrder).toEqual({
      order: null,
      userErrors: [expect.objectContaining({ code: 'OUT_OF_STOCK', field: ['input', 'items', '0', 'quantity'] })],
    });
    expect(await available(shop, product)).toBe(2);
    const held = await shop.sql('inventory', `SELECT * FROM reservations WHERE product_id = ? AND state = 'RESERVED'`, [product]);
    expect(held).toEqual([]);
  });

  it('refunds a PAID order that is cancelled (REFUNDED, payment REFUNDED, stock back)', async () => {
    const customer = await shop.register();
    const product = await createProduct(shop, 4200, 3);
    const orderId = await placeOrder(shop, customer.token, orderInput([{ productId: product, quantity: 3 }]));
    await waitForStatus(shop, orderId, customer.token, 'PAID');
    expect(await available(shop, product)).toBe(0);

    const res = await call(
      shop,
      `mutation ($id: ID!) { cancelOrder(id: $id) { order { status cancellationReason } userErrors { code } } }`,
      { id: orderId },
      customer.token,
    );
    expect(res.data!.cancelOrder).toEqual({ order: { status: 'CANCELLED', cancellationReason: 'CUSTOMER_REQUEST' }, userErrors: [] });
    const refunded = await waitForStatus(shop, orderId, customer.token, 'REFUNDED');
    expect(refunded.payment).toMatchObject({ status: 'REFUNDED', amount: refunded.total });
    expect(statuses(refunded)).toEqual(['PENDING', 'CONFIRMED', 'PAID', 'CANCELLED', 'REFUNDED']);
    await eventually(async () => ((await available(shop, product)) === 3 ? true : undefined));
  });

  it('refuses to cancel a SHIPPED order (NOT_CANCELLABLE)', async () => {
    const customer = await shop.register();
    const product = await createProduct(shop, 800, 4);
    const orderId = await placeOrder(shop, customer.token, orderInput([{ productId: product, quantity: 1 }]));
    const shipment = await eventually(async () => (await viewOrder(shop, orderId, customer.token)).shipment ?? undefined);
    await updateShipmentStatus(shop, shipment.id, 'IN_TRANSIT');
    await waitForStatus(shop, orderId, customer.token, 'SHIPPED');
    for (const token of [customer.token, shop.adminToken]) {
      const res = await call(shop, `mutation ($id: ID!) { cancelOrder(id: $id) { order { id } userErrors { code } } }`, { id: orderId }, token);
      expect(res.data!.cancelOrder).toEqual({ order: null, userErrors: [{ code: 'NOT_CANCELLABLE' }] });
    }
    expect((await viewOrder(shop, orderId, customer.token)).status).toBe('SHIPPED');
  });
});

describe('authorisation through the router', () => {
  let ann: ShopUser;
  let ben: ShopUser;
  let annsOrder: string;
  let product: string;

  beforeAll(async () => {
    [ann, ben] = await Promise.all([shop.register(), shop.register()]);
    product = await createProduct(shop, 500, 10);
    annsOrder = await placeOrder(shop, ann.token, orderInput([{ productId: product, quantity: 1 }]));
  });

  it('hides another customer’s order: null by id, FORBIDDEN for their order list, NOT_FOUND to cancel', async () => {
    const byId = await call(shop, `query ($id: ID!) { order(id: $id) { id } }`, { id: annsOrder }, ben.token);
    expect(byId.errors).toBeUndefined();
    expect(byId.data!.order).toBeNull();
    const cancel = await call(shop, `mutation ($id: ID!) { cancelOrder(id: $id) { userErrors { code } } }`, { id: annsOrder }, ben.token);
    expect(cancel.data!.cancelOrder.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
    // The owner and an admin do see it.
    expect((await viewOrder(shop, annsOrder, ann.token)).id).toBe(annsOrder);
    expect((await viewOrder(shop, annsOrder, shop.adminToken)).id).toBe(annsOrder);
  });

  it('refuses admin mutations to customers with FORBIDDEN', async () => {
    const attempts: Array<[string, Record<string, unknown>]> = [
      [`mutation ($id: ID!) { setStock(productId: $id, quantity: 1000) { userErrors { code } } }`, { id: product }],
      [`mutation { createPromotion(input: { code: "FREE-STUFF", kind: PERCENT, value: 100 }) { userErrors { code } } }`, {}],
      [`mutation { setTaxRate(input: { country: "US", rateBasisPoints: 0 }) { userErrors { code } } }`, {}],
      [`mutation { updateShipmentStatus(id: "any", status: DELIVERED) { userErrors { code } } }`, {}],
    ];
    for (const [query, variables] of attempts) {
      const res = await call(shop, query, variables, ann.token);
      expect(errorCode(res), query).toBe('FORBIDDEN');
    }
    expect(await available(shop, product)).toBe(9);
  });

  it('refuses anonymous callers with UNAUTHENTICATED', async () => {
    const attempts: Array<[string, Record<string, unknown>]> = [
      [PLACE_ORDER, { input: orderInput([{ productId: product, quantity: 1 }]) }],
      [`query ($id: ID!) { order(id: $id) { id } }`, { id: annsOrder }],
      [`mutation ($id: ID!) { cancelOrder(id: $id) { userErrors { code } } }`, { id: annsOrder }],
      [`mutation ($id: ID!) { setStock(productId: $id, quantity: 1000) { userErrors { code } } }`, { id: product }],
      [`mutation { createPromotion(input: { code: "FREE-STUFF", kind: PERCENT, value: 100 }) { userErrors { code } } }`, {}],
      [`mutation { updateShipmentStatus(id: "any", status: DELIVERED) { userErrors { code } } }`, {}],
    ];
    for (const [query, variables] of attempts) expect(errorCode(await call(shop, query, variables, null)), query).toBe('UNAUTHENTICATED');
  });
});
