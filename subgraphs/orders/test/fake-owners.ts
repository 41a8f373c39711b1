import { GraphQLError, parse } from 'graphql';
import { createLogger, forbidden, startSubgraph, type RunningSubgraph } from '@shop/platform';
import { INTERNAL_TOKEN } from './helpers.js';

/**
 * One small federation subgraph standing in for the six owners orders calls (products, inventory,
 * shipping, tax, promotions, payments), speaking the operations of docs/CHECKOUT.md. It holds its
 * data in memory, records every call, insists on the internal token for internal operations, and
 * can be told to fail, so orders' own tests can check every branch. The real owners are exercised
 * by the end-to-end tests in e2e/.
 */
const SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Money { amount: Int! currency: String! }
type Inventory { available: Int! }
type Product @key(fields: "id") { id: ID! price: Money! category: String! active: Boolean! inventory: Inventory! }
type ShippingMethod { code: String! name: String! price: Money! estimatedDays: Int! }
input TaxLineInput { key: String! category: String! amount: Int! }
input TaxQuoteInput { country: String! region: String lines: [TaxLineInput!]! }
type TaxLine { key: String! rateBasisPoints: Int! tax: Int! }
type TaxQuote { lines: [TaxLine!]! total: Int! }
type PromotionQuote { valid: Boolean! discount: Int! errorCode: String message: String }
input RedeemPromotionInput { orderId: ID! userId: ID! code: String! subtotal: Int! currency: String! }
type RedeemPromotionResult { redeemed: Boolean! discount: Int! errorCode: String message: String }
type Query {
  shippingMethods(country: String!): [ShippingMethod!]!
  taxQuote(input: TaxQuoteInput!): TaxQuote!
  promotionQuote(code: String!, userId: ID!, subtotal: Int!, currency: String!): PromotionQuote!
  paymentTokenAccepted(token: String!): Boolean!
}
type Mutation {
  redeemPromotion(input: RedeemPromotionInput!): RedeemPromotionResult!
  releasePromotion(orderId: ID!): Boolean!
}
`;

export interface FakeProduct {
  id: string;
  price: number;
  currency?: string;
  category: string;
  active?: boolean;
  stock?: number;
}

export interface FakeCoupon {
  /** Percent off the subtotal. */
  percent: number;
  /** How many redemptions are left. */
  left: number;
}

type Operation = 'products' | 'inventory' | 'shippingMethods' | 'taxQuote' | 'promotionQuote' | 'redeemPromotion' | 'releasePromotion' | 'paymentTokenAccepted';

export interface FakeOwners {
  url: string;
  products: Map<string, FakeProduct>;
  /** Basis points by country (and `country:region`). */
  taxRates: Map<string, number>;
  coupons: Map<string, FakeCoupon>;
  /** orderId -> code, for redemptions not released. */
  redemptions: Map<string, string>;
  /** Order ids whose redemption was released (or refused before it happened). */
  released: Set<string>;
  calls: Array<{ op: Operation; args: unknown }>;
  /** Operations that answer with an internal error until removed. */
  failing: Set<Operation>;
  /** Operations called without the internal token. */
  unauthorised: Operation[];
  addProduct(p: FakeProduct): FakeProduct;
  stop(): Promise<void>;
}

let seq = 0;
export function productId(): string {
  seq += 1;
  return `${Date.now().toString(16)}${String(seq).padStart(12, '0')}`.slice(-24).padStart(24, '0');
}

export async function startFakeOwners(): Promise<FakeOwners> {
  const state: Omit<FakeOwners, 'url' | 'stop' | 'addProduct'> = {
    products: new Map(),
    taxRates: new Map([
      ['US', 500],
      ['US:CA', 825],
      ['DE', 1900],
    ]),
    coupons: new Map(),
    redemptions: new Map(),
    released: new Set(),
    calls: [],
    failing: new Set(),
    unauthorised: [],
  };
  type Ctx = { internalCaller: boolean };
  const enter = (op: Operation, ctx: Ctx, args: unknown) => {
    if (!ctx.internalCaller) {
      state.unauthorised.push(op);
      throw forbidden('Internal operation');
    }
    state.calls.push({ op, args });
    if (state.failing.has(op)) throw new GraphQLError(`${op} is failing`, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };
  const discountOf = (code: string, subtotal: number) => {
    const coupon = state.coupons.get(code.toUpperCase());
    if (!coupon) return { ok: false as const, errorCode: 'INVALID_COUPON', message: 'No such coupon' };
    if (coupon.left <= 0) return { ok: false as const, errorCode: 'COUPON_EXHAUSTED', message: 'This coupon is used up' };
    return { ok: true as const, coupon, discount: Math.floor((subtotal * coupon.percent) / 100) };
  };

  const running: RunningSubgraph = await startSubgraph({
    name: 'fake-owners',
    typeDefs: parse(SDL),
    port: 0,
    production: false,
    log: createLogger('fake-owners', 'silent'),
    verifyToken: async () => ({ user: null, error: null }),
    internalToken: INTERNAL_TOKEN,
    context: (base) => base,
    resolvers: {
      Product: {
        __resolveReference: (ref: { id: string }, ctx: Ctx) => {
          enter('products', ctx, ref.id);
          const p = state.products.get(ref.id);
          return p ? { ...p } : null;
        },
        price: (p: FakeProduct) => ({ amount: p.price, currency: p.currency ?? 'USD' }),
        active: (p: FakeProduct) => p.active ?? true,
        inventory: (p: FakeProduct) => ({ available: p.stock ?? 100 }),
      },
      Query: {
        shippingMethods: (_: unknown, args: { country: string }, ctx: Ctx) => {
          enter('shippingMethods', ctx, args);
          if (args.country === 'AQ') return [];
          return [
            { code: 'STANDARD', name: 'Standard', price: { amount: 499, currency: 'USD' }, estimatedDays: 5 },
            { code: 'EXPRESS', name: 'Express', price: { amount: 1499, currency: 'USD' }, estimatedDays: 1 },
            { code: 'EURO', name: 'Priced in euros', price: { amount: 900, currency: 'EUR' }, estimatedDays: 3 },
          ];
        },
        taxQuote: (
          _: unknown,
          args: { input: { country: string; region: string | null; lines: Array<{ key: string; category: string; amount: number }> } },
          ctx: Ctx,
        ) => {
          enter('taxQuote', ctx, args.input);
          const { country, region } = args.input;
          const rate = state.taxRates.get(`${country}:${region}`) ?? state.taxRates.get(country) ?? 0;
          const lines = args.input.lines.map((l) => ({ key: l.key, rateBasisPoints: rate, tax: Math.floor((l.amount * rate + 5_000) / 10_000) }));
          return { lines, total: lines.reduce((s, l) => s + l.tax, 0) };
        },
        promotionQuote: (_: unknown, args: { code: string; subtotal: number }, ctx: Ctx) => {
          enter('promotionQuote', ctx, args);
          const d = discountOf(args.code, args.subtotal);
          return d.ok
            ? { valid: true, discount: d.discount, errorCode: null, message: null }
            : { valid: false, discount: 0, errorCode: d.errorCode, message: d.message };
        },
        paymentTokenAccepted: (_: unknown, args: { token: string }, ctx: Ctx) => {
          enter('paymentTokenAccepted', ctx, args);
          return args.token === 'tok_visa' || args.token === 'tok_decline';
        },
      },
      Mutation: {
        redeemPromotion: (_: unknown, args: { input: { orderId: string; code: string; subtotal: number } }, ctx: Ctx) => {
          enter('redeemPromotion', ctx, args.input);
          const { orderId, code, subtotal } = args.input;
          if (state.released.has(orderId)) return { redeemed: false, discount: 0, errorCode: 'INVALID_COUPON', message: 'Released' };
          const d = discountOf(code, subtotal);
          if (!d.ok) return { redeemed: false, discount: 0, errorCode: d.errorCode, message: d.message };
          if (!state.redemptions.has(orderId)) {
            d.coupon.left -= 1;
            state.redemptions.set(orderId, code.toUpperCase());
          }
          return { redeemed: true, discount: d.discount, errorCode: null, message: null };
        },
        releasePromotion: (_: unknown, args: { orderId: string }, ctx: Ctx) => {
          enter('releasePromotion', ctx, args);
          state.released.add(args.orderId);
          const code = state.redemptions.get(args.orderId);
          if (!code) return false;
          state.redemptions.delete(args.orderId);
          state.coupons.get(code)!.left += 1;
          return true;
        },
      },
    },
  });
  return {
    ...state,
    url: running.url,
    addProduct(p) {
      state.products.set(p.id, p);
      return p;
    },
    stop: () => running.stop(),
  };
}
