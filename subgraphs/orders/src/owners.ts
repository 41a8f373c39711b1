import { GraphQLError } from 'graphql';
import { createSubgraphClient, SubgraphCallError, type Logger, type SubgraphClient } from '@shop/platform';
import type { Money } from './mappers.js';

/**
 * The owners orders asks while quoting and placing: products (prices), inventory (early stock
 * check), shipping (methods), tax (rates), promotions (coupons), payments (tokens). Called
 * directly with the internal token, never through the router (docs/CHECKOUT.md).
 */

export interface CatalogueProduct {
  id: string;
  price: Money;
  category: string;
  active: boolean;
}

export interface ShippingMethod {
  code: string;
  name: string;
  price: Money;
  estimatedDays: number;
}

export interface TaxQuoteRequest {
  country: string;
  region: string | null;
  lines: Array<{ key: string; category: string; amount: number }>;
}

export interface TaxQuote {
  lines: Array<{ key: string; rateBasisPoints: number; tax: number }>;
  total: number;
}

export interface PromotionAnswer {
  /** True when the coupon applies (quote) or now counts as used by the order (redeem). */
  applied: boolean;
  discount: number;
  errorCode: string | null;
  message: string | null;
}

export interface PromotionRequest {
  code: string;
  userId: string;
  subtotal: number;
  currency: string;
}

export interface Owners {
  /** Products by id; absent from the map = no such product. */
  products(ids: readonly string[]): Promise<Map<string, CatalogueProduct>>;
  /** Units available now per product id. */
  available(ids: readonly string[]): Promise<Map<string, number>>;
  shippingMethods(country: string): Promise<ShippingMethod[]>;
  taxQuote(request: TaxQuoteRequest): Promise<TaxQuote>;
  promotionQuote(request: PromotionRequest): Promise<PromotionAnswer>;
  redeemPromotion(orderId: string, request: PromotionRequest): Promise<PromotionAnswer>;
  releasePromotion(orderId: string): Promise<boolean>;
  paymentTokenAccepted(token: string): Promise<boolean>;
}

export interface OwnerUrls {
  products: string;
  inventory: string;
  shipping: string;
  tax: string;
  promotions: string;
  payments: string;
}

type OwnerName = keyof OwnerUrls;

/** An owner could not answer: the caller may retry; nothing was placed. */
export function ownerUnavailable(owner: string, cause?: unknown): GraphQLError {
  return new GraphQLError(`The ${owner} service is unavailable right now; nothing was changed, please retry`, {
    extensions: { code: 'SERVICE_UNAVAILABLE', service: owner, retryable: true },
    originalError: cause instanceof Error ? cause : undefined,
  });
}

const PRODUCTS = `query OrdersProducts($r: [_Any!]!) {
  _entities(representations: $r) { ... on Product { id price { amount currency } category active } }
}`;
const INVENTORY = `query OrdersStock($r: [_Any!]!) {
  _entities(representations: $r) { ... on Product { id inventory { available } } }
}`;
const SHIPPING_METHODS = `query OrdersShippingMethods($country: String!) {
  shippingMethods(country: $country) { code name price { amount currency } estimatedDays }
}`;
const TAX_QUOTE = `query OrdersTaxQuote($input: TaxQuoteInput!) {
  taxQuote(input: $input) { lines { key rateBasisPoints tax } total }
}`;
const PROMOTION_QUOTE = `query OrdersPromotionQuote($code: String!, $userId: ID!, $subtotal: Int!, $currency: String!) {
  promotionQuote(code: $code, userId: $userId, subtotal: $subtotal, currency: $currency) { valid discount errorCode message }
}`;
const REDEEM = `mutation OrdersRedeemPromotion($input: RedeemPromotionInput!) {
  redeemPromotion(input: $input) { redeemed discount errorCode message }
}`;
const RELEASE = `mutation OrdersReleasePromotion($orderId: ID!) { releasePromotion(orderId: $orderId) }`;
const TOKEN = `query OrdersPaymentToken($token: String!) { paymentTokenAccepted(token: $token) }`;

export function createOwners(urls: OwnerUrls, opts: { internalToken: string; timeoutMs: number; log: Logger }): Owners {
  const clients = Object.fromEntries(
    Object.entries(urls).map(([name, url]) => [name, createSubgraphClient({ url, internalToken: opts.internalToken, timeoutMs: opts.timeoutMs })]),
  ) as Record<OwnerName, SubgraphClient>;

  const call = async <T>(owner: OwnerName, query: string, variables: Record<string, unknown>): Promise<T> => {
    try {
      return await clients[owner].request<T>(query, variables);
    } catch (err) {
      if (err instanceof SubgraphCallError) {
        opts.log.warn({ owner, err: err.message, retryable: err.retryable }, 'owner call failed');
        throw ownerUnavailable(owner, err);
      }
      throw err;
    }
  };
  const refs = (ids: readonly string[]) => ids.map((id) => ({ __typename: 'Product', id }));

  return {
    async products(ids) {
      const data = await call<{ _entities: Array<CatalogueProduct | null> }>('products', PRODUCTS, { r: refs(ids) });
      const found = new Map<string, CatalogueProduct>();
      for (const p of data._entities) if (p) found.set(p.id, p);
      return found;
    },
    async available(ids) {
      const data = await call<{ _entities: Array<{ id: string; inventory: { available: number } } | null> }>('inventory', INVENTORY, {
        r: refs(ids),
      });
      const found = new Map<string, number>();
      data._entities.forEach((p, i) => found.set(ids[i]!, p?.inventory.available ?? 0));
      return found;
    },
    async shippingMethods(country) {
      const data = await call<{ shippingMethods: ShippingMethod[] }>('shipping', SHIPPING_METHODS, { country });
      return data.shippingMethods;
    },
    async taxQuote(request) {
      const data = await call<{ taxQuote: TaxQuote }>('tax', TAX_QUOTE, { input: request });
      return data.taxQuote;
    },
    async promotionQuote(request) {
      const data = await call<{ promotionQuote: { valid: boolean; discount: number; errorCode: string | null; message: string | null } }>(
        'promotions',
        PROMOTION_QUOTE,
        { ...request },
      );
      const q = data.promotionQuote;
      return { applied: q.valid, discount: q.discount, errorCode: q.errorCode, message: q.message };
    },
    async redeemPromotion(orderId, request) {
      const data = await call<{ redeemPromotion: { redeemed: boolean; discount: number; errorCode: string | null; message: string | null } }>(
        'promotions',
        REDEEM,
        { input: { orderId, ...request } },
      );
      const r = data.redeemPromotion;
      return { applied: r.redeemed, discount: r.discount, errorCode: r.errorCode, message: r.message };
    },
    async releasePromotion(orderId) {
      const data = await call<{ releasePromotion: boolean }>('promotions', RELEASE, { orderId });
      return data.releasePromotion;
    },
    async paymentTokenAccepted(token) {
      const data = await call<{ paymentTokenAccepted: boolean }>('payments', TOKEN, { token });
      return data.paymentTokenAccepted;
    },
  };
}
