import { forbidden, pageSize, requireUser, userError, userErrorsFromIssues, ErrorCode } from '@shop/platform';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { Context } from './context.js';
import { addReviewInput } from './inputs.js';
import { decodeReviewCursor, toConnection } from './review-pages.js';
import { DateTime } from './scalars.js';

export const resolvers: Resolvers = {
  DateTime,

  Mutation: {
    addReview: async (_parent, args, ctx) => {
      const author = requireUser(ctx.auth);
      const input = addReviewInput.safeParse(args.input);
      if (!input.success) return { review: null, userErrors: userErrorsFromIssues(input.error.issues) };
      const outcome = await ctx.reviewBook.addReview(author.id, input.data);
      if (!outcome.ok) return { review: null, userErrors: outcome.userErrors };
      forgetProduct(ctx, outcome.value.productId);
      return { review: outcome.value, userErrors: [] };
    },

    deleteReview: async (_parent, args, ctx) => {
      const actor = requireUser(ctx.auth);
      const outcome = await ctx.reviewBook.deleteReview(args.id, actor);
      switch (outcome.kind) {
        case 'forbidden':
          throw forbidden('Only the author of a review or an admin can delete it');
        case 'not-found':
          return { product: null, userErrors: [userError(ErrorCode.NOT_FOUND, 'This review does not exist', ['id'])] };
        case 'deleted':
          forgetProduct(ctx, outcome.productId);
          return { product: { id: outcome.productId }, userErrors: [] };
      }
    },
  },

  Product: {
    __resolveReference: (reference) => ({ id: String(reference.id) }),
    rating: (product, _args, ctx) => ctx.loaders.summaryByProductId.load(product.id),
    reviews: async (product, args, ctx) => {
      const limit = pageSize(args.first);
      const after = args.after ? decodeReviewCursor(args.after) : null;
      const [rows, summary] = await Promise.all([
        ctx.loaders.reviewPage.load({ productId: product.id, limit, after }),
        ctx.loaders.summaryByProductId.load(product.id),
      ]);
      return toConnection(rows, limit, args.after, summary.count);
    },
  },

  Review: {
    author: (review) => ({ id: review.userId }),
    product: (review) => ({ id: review.productId }),
    verifiedPurchase: (review, _args, ctx) => ctx.loaders.delivered.load({ userId: review.userId, productId: review.productId }),
  },
};

/** A write in this request makes the product's cached summary and pages stale. */
function forgetProduct(ctx: Context, productId: string): void {
  ctx.loaders.summaryByProductId.clear(productId);
  ctx.loaders.reviewPage.clearAll();
}
