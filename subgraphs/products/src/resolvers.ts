import { GraphQLScalarType, Kind } from 'graphql';
import { badUserInput, requireAdmin } from '@shop/platform';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { parseListingArgs } from './listing.js';
import { parseCreateInput, parseUpdateInput } from './validation.js';

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw badUserInput('DateTime must be an ISO-8601 string');
  return date;
}

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: 'A point in time as an ISO-8601 string in UTC.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

/** Thin: authorise, parse input, delegate to the catalogue, shape the payload. */
export const resolvers: Resolvers = {
  DateTime,

  Query: {
    product: (_parent, { id }, ctx) => ctx.productById.load(id),
    products: (_parent, args, ctx) => ctx.catalog.list(parseListingArgs(args)),
  },

  Mutation: {
    createProduct: async (_parent, { input }, ctx) => {
      requireAdmin(ctx.auth);
      const parsed = parseCreateInput(input);
      if (!parsed.ok) return { product: null, userErrors: parsed.userErrors };
      return ctx.catalog.create(parsed.value);
    },
    updateProduct: async (_parent, { id, input }, ctx) => {
      requireAdmin(ctx.auth);
      const parsed = parseUpdateInput(input);
      if (!parsed.ok) return { product: null, userErrors: parsed.userErrors };
      return ctx.catalog.update(id, parsed.value);
    },
    archiveProduct: async (_parent, { id }, ctx) => {
      requireAdmin(ctx.auth);
      return ctx.catalog.archive(id);
    },
  },

  ProductConnection: {
    totalCount: (connection) => connection.countTotal(),
  },

  Product: {
    __resolveReference: (ref, ctx) => ctx.productById.load(ref.id),
    id: (p) => p._id.toHexString(),
    price: (p) => ({ amount: p.price, currency: p.currency }),
  },
};
