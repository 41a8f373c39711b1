import type { Resolvers } from './__generated__/resolvers-types.js';
import { parseSearchArgs } from './inputs.js';
import { search } from './search.js';

/** Thin: search is public; parse the arguments, delegate to the index. */
export const resolvers: Resolvers = {
  Query: {
    search: (_parent, args, ctx) => search(ctx.index, parseSearchArgs(args)),
  },
};
