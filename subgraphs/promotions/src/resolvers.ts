import type { z } from 'zod';
import { badUserInput, requireAdmin, requireInternalCaller, userErrorsFromIssues } from '@shop/platform';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { normaliseCode } from './coupons.js';
import { couponRequest, createPromotionInput, orderId, redeemRequest } from './inputs.js';
import { DateTime } from './scalars.js';

/** Internal callers are other subgraphs: malformed arguments are their bug, a GraphQL error. */
function parseInternal<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw badUserInput(parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

export const resolvers: Resolvers = {
  DateTime,

  Query: {
    promotion: (_parent, args, ctx) => {
      requireAdmin(ctx.auth);
      return ctx.loaders.promotionByCode.load(normaliseCode(args.code));
    },

    promotionQuote: (_parent, args, ctx) => {
      requireInternalCaller(ctx);
      return ctx.promotions.quote(parseInternal(couponRequest, args));
    },
  },

  Mutation: {
    createPromotion: async (_parent, args, ctx) => {
      requireAdmin(ctx.auth);
      const input = createPromotionInput.safeParse(args.input);
      if (!input.success) return { promotion: null, userErrors: userErrorsFromIssues(input.error.issues) };
      const outcome = await ctx.promotions.create(input.data);
      if (!outcome.ok) return { promotion: null, userErrors: outcome.userErrors };
      ctx.loaders.promotionByCode.prime(outcome.value.code, outcome.value);
      return { promotion: outcome.value, userErrors: [] };
    },

    redeemPromotion: (_parent, args, ctx) => {
      requireInternalCaller(ctx);
      return ctx.promotions.redeem(parseInternal(redeemRequest, args.input));
    },

    releasePromotion: (_parent, args, ctx) => {
      requireInternalCaller(ctx);
      return ctx.promotions.release(parseInternal(orderId, args.orderId));
    },
  },
};
