import { forbidden, optionalUser, pageSize, requireUser, userErrorsFromIssues } from '@shop/platform';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { Context } from './context.js';
import { productIdArg } from './inputs.js';
import { decodeFavouriteCursor, toConnection } from './wishlist.js';

export const resolvers: Resolvers = {
  Mutation: {
    addFavourite: async (_parent, args, ctx) => {
      const viewer = requireUser(ctx.auth);
      const productId = productIdArg.safeParse(args.productId);
      if (!productId.success) return { product: null, userErrors: userErrorsFromIssues(productId.error.issues, ['productId']) };
      const outcome = await ctx.wishlist.add(viewer.id, productId.data);
      if (!outcome.ok) return { product: null, userErrors: outcome.userErrors };
      forget(ctx, outcome.value.productId, viewer.id);
      return { product: { id: outcome.value.productId }, userErrors: [] };
    },

    removeFavourite: async (_parent, args, ctx) => {
      const viewer = requireUser(ctx.auth);
      const productId = productIdArg.safeParse(args.productId);
      if (!productId.success) return { product: null, userErrors: userErrorsFromIssues(productId.error.issues, ['productId']) };
      await ctx.wishlist.remove(viewer.id, productId.data);
      forget(ctx, productId.data, viewer.id);
      return { product: { id: productId.data }, userErrors: [] };
    },
  },

  Product: {
    __resolveReference: (reference) => ({ id: String(reference.id) }),
    isFavourite: (product, _args, ctx) => {
      // Signed out: false. A token that fails verification is still an UNAUTHENTICATED error.
      if (!optionalUser(ctx.auth)) return false;
      return ctx.loaders.isFavourite.load(product.id);
    },
  },

  User: {
    __resolveReference: (reference) => ({ id: String(reference.id) }),
    favourites: async (user, args, ctx) => {
      const viewer = requireUser(ctx.auth);
      if (viewer.id !== user.id && viewer.role !== 'ADMIN') {
        throw forbidden("Only the user themselves or an admin can see this user's favourites");
      }
      const limit = pageSize(args.first);
      const after = args.after ? decodeFavouriteCursor(args.after) : null;
      const [rows, total] = await Promise.all([
        ctx.loaders.favouritesPage.load({ userId: user.id, limit, after }),
        ctx.loaders.favouritesCount.load(user.id),
      ]);
      return toConnection(rows, limit, args.after, total);
    },
  },
};

/** A write in this request makes the cached answers about this user and product stale. */
function forget(ctx: Context, productId: string, userId: string): void {
  ctx.loaders.isFavourite.clear(productId);
  ctx.loaders.favouritesCount.clear(userId);
  ctx.loaders.favouritesPage.clearAll();
}
