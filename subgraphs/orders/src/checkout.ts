import { randomUUID } from 'node:crypto';
import { createEvent, enqueueEvents } from '@shop/events';
import { isDuplicateKeyError, unauthenticated, userError, type Logger, type UserError } from '@shop/platform';
import type { OrdersDb } from './db/index.js';
import type { PlaceOrderInput, QuoteInput } from './inputs.js';
import type { OrderModel } from './mappers.js';
import type { OrderStore } from './order-store.js';
import type { CatalogueProduct, Owners, ShippingMethod } from './owners.js';
import { ok, refused, type Outcome } from './outcome.js';
import { discountedLineAmounts, lineTotal, subtotalOf, totalsOf, type Totals } from './pricing.js';

/** A basket priced from the owners' data. */
export interface PricedBasket {
  currency: string;
  lines: Array<{ productId: string; quantity: number; unitPrice: number; lineTotal: number; lineDiscount: number; lineTax: number }>;
  totals: Totals;
}

type Basket = Pick<QuoteInput, 'items' | 'shippingAddress' | 'shippingMethod'>;

interface Catalogued {
  currency: string;
  products: CatalogueProduct[];
  method: ShippingMethod;
}

/**
 * Quoting and placing orders: prices only ever come from their owners (products, promotions, tax,
 * shipping), never from the client.
 */
export class Checkout {
  constructor(
    private readonly db: OrdersDb,
    private readonly store: OrderStore,
    private readonly owners: Owners,
    private readonly log: Logger,
    private readonly onEventsCommitted: () => void,
  ) {}

  /** The price of a basket now; the coupon is checked, not redeemed. */
  async quote(input: QuoteInput, userId: string | null): Promise<Outcome<Totals & { currency: string }>> {
    const [products, methods] = await Promise.all([
      this.owners.products(input.items.map((i) => i.productId)),
      this.owners.shippingMethods(input.shippingAddress.country),
    ]);
    const checked = checkBasket(input, products, methods);
    if (!checked.ok) return checked;
    const subtotal = subtotalOf(pricedLines(input, checked.value));
    let discount = 0;
    if (input.couponCode) {
      if (!userId) throw unauthenticated('Sign in to apply a coupon');
      const promo = await this.owners.promotionQuote({ code: input.couponCode, userId, subtotal, currency: checked.value.currency });
      if (!promo.applied) return refused(couponError(promo));
      discount = promo.discount;
    }
    const priced = await this.price(input, checked.value, discount);
    return ok({ ...priced.totals, currency: priced.currency });
  }

  /**
   * Places an order (PENDING). Order: check everything that can be checked without side effects,
   * redeem the coupon keyed by the new order id, price tax, then write order, items, history and
   * the order.placed outbox row in one transaction. If that write fails the redemption is given back.
   */
  async placeOrder(input: PlaceOrderInput, userId: string): Promise<Outcome<OrderModel>> {
    if (input.idempotencyKey) {
      const existing = await this.store.byIdempotencyKey(userId, input.idempotencyKey);
      if (existing) return ok(existing);
    }
    const productIds = input.items.map((i) => i.productId);
    const [products, methods, available, tokenAccepted] = await Promise.all([
      this.owners.products(productIds),
      this.owners.shippingMethods(input.shippingAddress.country),
      this.owners.available(productIds),
      this.owners.paymentTokenAccepted(input.paymentToken),
    ]);
    const checked = checkBasket(input, products, methods);
    const errors: UserError[] = checked.ok ? [] : [...checked.userErrors];
    input.items.forEach((item, i) => {
      const left = available.get(item.productId) ?? 0;
      if (products.has(item.productId) && left < item.quantity) {
        errors.push(
          userError('OUT_OF_STOCK', left === 0 ? 'This product is out of stock' : `Only ${left} left in stock`, ['input', 'items', String(i), 'quantity']),
        );
      }
    });
    if (!tokenAccepted) errors.push(userError('INVALID_PAYMENT_TOKEN', 'This payment method is not accepted', ['input', 'paymentToken']));
    if (!checked.ok || errors.length > 0) return refused(...errors);

    const orderId = randomUUID();
    const subtotal = subtotalOf(pricedLines(input, checked.value));
    let discount = 0;
    let redeemed = false;
    if (input.couponCode) {
      let promo;
      try {
        promo = await this.owners.redeemPromotion(orderId, { code: input.couponCode, userId, subtotal, currency: checked.value.currency });
      } catch (err) {
        // The redemption may have happened with its answer lost: give it back (a later redeem for this id is refused).
        await this.releaseCoupon(orderId);
        throw err;
      }
      if (!promo.applied) return refused(couponError(promo));
      redeemed = true;
      discount = promo.discount;
    }

    try {
      const priced = await this.price(input, checked.value, discount);
      const order = await this.write(orderId, userId, input, priced);
      this.onEventsCommitted();
      return ok(order);
    } catch (err) {
      if (redeemed) await this.releaseCoupon(orderId);
      if (input.idempotencyKey && isDuplicateKeyError(err)) {
        // A concurrent request with the same key won the race: answer with its order.
        const winner = await this.store.byIdempotencyKey(userId, input.idempotencyKey);
        if (winner) return ok(winner);
      }
      throw err;
    }
  }

  private async price(basket: Basket, catalogued: Catalogued, discount: number): Promise<PricedBasket> {
    const lines = pricedLines(basket, catalogued);
    const subtotal = subtotalOf(lines);
    const cappedDiscount = Math.max(0, Math.min(discount, subtotal));
    const { lineDiscounts, taxableAmounts } = discountedLineAmounts(lines, cappedDiscount);
    const tax = await this.owners.taxQuote({
      country: basket.shippingAddress.country,
      region: basket.shippingAddress.region,
      lines: lines.map((line, i) => ({ key: String(i), category: catalogued.products[i]!.category, amount: taxableAmounts[i]! })),
    });
    const taxByKey = new Map(tax.lines.map((l) => [l.key, l.tax]));
    const lineTaxes = lines.map((_, i) => taxByKey.get(String(i)) ?? 0);
    return {
      currency: catalogued.currency,
      lines: lines.map((line, i) => ({ ...line, lineTotal: lineTotal(line), lineDiscount: lineDiscounts[i]!, lineTax: lineTaxes[i]! })),
      totals: totalsOf({
        subtotal,
        discount: cappedDiscount,
        tax: lineTaxes.reduce((s, t) => s + t, 0),
        shippingCost: catalogued.method.price.amount,
      }),
    };
  }

  private async write(orderId: string, userId: string, input: PlaceOrderInput, priced: PricedBasket): Promise<OrderModel> {
    const placedAt = new Date();
    const { totals, currency } = priced;
    const address = input.shippingAddress;
    await this.db.transaction(async (tx) => {
      await this.store.insertPlaced(
        tx,
        {
          id: orderId,
          userId,
          status: 'PENDING',
          cancellationReason: null,
          currency,
          ...totals,
          couponCode: input.couponCode ? input.couponCode.toUpperCase() : null,
          paymentToken: input.paymentToken,
          shipLine1: address.line1,
          shipLine2: address.line2,
          shipCity: address.city,
          shipRegion: address.region,
          shipPostalCode: address.postalCode,
          shipCountry: address.country,
          shippingMethod: input.shippingMethod,
          idempotencyKey: input.idempotencyKey,
          placedAt,
          updatedAt: placedAt,
        },
        priced.lines.map((line, lineNo) => ({ orderId, lineNo, ...line })),
      );
      await enqueueEvents(tx, [
        createEvent('order.placed', orderId, {
          orderId,
          userId,
          lines: priced.lines.map((l) => ({ productId: l.productId, quantity: l.quantity, unitPrice: { amount: l.unitPrice, currency } })),
          total: { amount: totals.total, currency },
          couponCode: input.couponCode ? input.couponCode.toUpperCase() : null,
          placedAt: placedAt.toISOString(),
        }),
      ]);
    });
    const [order] = (await this.store.byIds([orderId])).values();
    if (!order) throw new Error(`order ${orderId} vanished after commit`);
    return order;
  }

  /** Compensation for a redemption whose order was never written; best effort (see README: residual window). */
  private async releaseCoupon(orderId: string): Promise<void> {
    try {
      await this.owners.releasePromotion(orderId);
    } catch (err) {
      this.log.error({ err, orderId }, 'could not release the coupon of an order that was not written');
    }
  }
}

function pricedLines(basket: Pick<Basket, 'items'>, catalogued: Catalogued) {
  return basket.items.map((item, i) => ({ productId: item.productId, quantity: item.quantity, unitPrice: catalogued.products[i]!.price.amount }));
}

/** Every product exists, is active and priced in one currency; the shipping method exists for the country in that currency. */
function checkBasket(basket: Basket, products: Map<string, CatalogueProduct>, methods: ShippingMethod[]): Outcome<Catalogued> {
  const errors: UserError[] = [];
  const found: CatalogueProduct[] = [];
  let currency: string | null = null;
  basket.items.forEach((item, i) => {
    const field = ['input', 'items', String(i), 'productId'];
    const product = products.get(item.productId);
    if (!product) return void errors.push(userError('NOT_FOUND', 'No such product', field));
    if (!product.active) return void errors.push(userError('INVALID_INPUT', 'This product is no longer sold', field));
    currency ??= product.price.currency;
    if (product.price.currency !== currency) {
      return void errors.push(userError('INVALID_INPUT', `Priced in ${product.price.currency}, unlike the rest of the order (${currency})`, field));
    }
    found.push(product);
  });
  const method = methods.find((m) => m.code === basket.shippingMethod);
  if (!method) {
    errors.push(
      userError('INVALID_INPUT', `No shipping method ${basket.shippingMethod} for ${basket.shippingAddress.country}`, ['input', 'shippingMethod']),
    );
  } else if (currency && method.price.currency !== currency) {
    errors.push(userError('INVALID_INPUT', `This shipping method is priced in ${method.price.currency}, the order in ${currency}`, ['input', 'shippingMethod']));
  }
  if (errors.length > 0 || !method || !currency) return refused(...errors);
  return ok({ currency, products: found, method });
}

function couponError(answer: { errorCode: string | null; message: string | null }): UserError {
  return userError(answer.errorCode ?? 'INVALID_COUPON', answer.message ?? 'This coupon cannot be used', ['input', 'couponCode']);
}
