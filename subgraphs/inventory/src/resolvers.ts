import { requireAdmin, userErrorsFromIssues } from '@shop/platform';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { availableOf } from './allocation.js';
import { setStockInput } from './inputs.js';

/** Thin: authorise, parse input, delegate to the stock levels, shape the payload. */
export const resolvers: Resolvers = {
  Mutation: {
    setStock: async (_parent, args, ctx) => {
      requireAdmin(ctx.auth);
      const input = setStockInput.safeParse(args);
      if (!input.success) return { inventory: null, userErrors: userErrorsFromIssues(input.error.issues, []) };
      const outcome = await ctx.stock.setStock(input.data.productId, input.data.quantity);
      if (!outcome.ok) return { inventory: null, userErrors: outcome.userErrors };
      ctx.loaders.inventoryByProductId.clear(input.data.productId).prime(input.data.productId, outcome.value);
      return { inventory: outcome.value, userErrors: [] };
    },
  },

  Product: {
    // Any product id has a stock level (0 when never stocked): no lookup is needed to resolve it.
    __resolveReference: (reference) => ({ id: String(reference.id) }),
    inventory: (product, _args, ctx) => ctx.loaders.inventoryByProductId.load(product.id),
  },

  Inventory: {
    available: (inventory) => availableOf(inventory),
    inStock: (inventory) => availableOf(inventory) > 0,
  },
};
