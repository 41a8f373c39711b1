import {
  decodeCursor,
  forbidden,
  optionalUser,
  pageSize,
  requireUser,
  unauthenticated,
  userErrorsFromIssues,
} from '@shop/platform';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { mayView, type Context } from './context.js';
import { placeOrderInput, quoteInput } from './inputs.js';
import type { Money } from './mappers.js';
import { isOrdersCursor } from './order-store.js';
import { DateTime } from './scalars.js';

const noQuote = { subtotal: null, discount: null, tax: null, shippingCost: null, total: null };

export const resolvers: Resolvers = {
  DateTime,

  Query: {
    // Another customer's order is null, exactly like a missing one, so order ids cannot be probed.
    order: async (_parent, args, ctx) => {
      requireUser(ctx.auth);
      const order = await ctx.loaders.orderById.load(args.id);
      return order && mayView(ctx, order) ? order : null;
    },

    quote: async (_parent, args, ctx) => {
      const viewer = optionalUser(ctx.auth);
      const input = quoteInput.safeParse(args.input);
      if (!input.success) return { ...noQuote, userErrors: userErrorsFromIssues(input.error.issues) };
      if (input.data.couponCode && !viewer) throw unauthenticated('Sign in to apply a coupon');
      const outcome = await ctx.checkout.quote(input.data, viewer?.id ?? null);
      if (!outcome.ok) return { ...noQuote, userErrors: outcome.userErrors };
      const { currency, ...totals } = outcome.value;
      const money = (amount: number): Money => ({ amount, currency });
      return {
        subtotal: money(totals.subtotal),
        discount: money(totals.discount),
        tax: money(totals.tax),
        shippingCost: money(totals.shippingCost),
        total: money(totals.total),
        userErrors: [],
      };
    },
  },

  Mutation: {
    placeOrder: async (_parent, args, ctx) => {
      const viewer = requireUser(ctx.auth);
      const input = placeOrderInput.safeParse(args.input);
      if (!input.success) return { order: null, userErrors: userErrorsFromIssues(input.error.issues) };
      const outcome = await ctx.checkout.placeOrder(input.data, viewer.id);
      if (!outcome.ok) return { order: null, userErrors: outcome.userErrors };
      ctx.loaders.orderById.prime(outcome.value.id, outcome.value);
      return { order: outcome.value, userErrors: [] };
    },

    cancelOrder: async (_parent, args, ctx) => {
      const viewer = requireUser(ctx.auth);
      const outcome = await ctx.lifecycle.cancel(args.id, { userId: viewer.id, role: viewer.role });
      if (!outcome.ok) return { order: null, userErrors: outcome.userErrors };
      ctx.loaders.orderById.clear(args.id).prime(args.id, outcome.value);
      ctx.loaders.historyByOrderId.clear(args.id);
      return { order: outcome.value, userErrors: [] };
    },
  },

  Order: {
    __resolveReference: async (reference, ctx) => {
      const order = await ctx.loaders.orderById.load(String(reference.id));
      return order && mayView(ctx, order) ? order : null;
    },
    user: (order) => ({ id: order.userId }),
    items: (order, _args, ctx) => ctx.loaders.itemsByOrderId.load(order.id),
    history: (order, _args, ctx) => ctx.loaders.historyByOrderId.load(order.id),
  },

  User: {
    __resolveReference: (reference) => ({ id: String(reference.id) }),
    orders: (user, args, ctx: Context) => {
      const viewer = requireUser(ctx.auth);
      if (viewer.id !== user.id && viewer.role !== 'ADMIN') throw forbidden("Only the user themselves or an admin can see a user's orders");
      const first = pageSize(args.first);
      const afterRaw = args.after ?? null;
      const after = afterRaw === null ? null : decodeCursor(afterRaw, isOrdersCursor);
      return ctx.loaders.ordersPage.load({ userId: user.id, page: { first, after, afterRaw } });
    },
  },
};
