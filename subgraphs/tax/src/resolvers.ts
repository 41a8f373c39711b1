import { badUserInput, requireAdmin, requireInternalCaller, userErrorsFromIssues } from '@shop/platform';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { country, setTaxRateInput, taxQuoteInput } from './inputs.js';

function issuesText(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues.map((i) => `${i.path.map(String).join('.') || 'value'}: ${i.message}`).join('; ');
}

export const resolvers: Resolvers = {
  Query: {
    taxRates: (_parent, args, ctx) => {
      const parsed = country.safeParse(args.country);
      if (!parsed.success) throw badUserInput(issuesText(parsed.error.issues));
      return ctx.taxRates.ofCountry(parsed.data);
    },

    taxQuote: (_parent, args, ctx) => {
      requireInternalCaller(ctx);
      // Internal callers are other subgraphs: malformed input is their bug, a GraphQL error.
      const parsed = taxQuoteInput.safeParse(args.input);
      if (!parsed.success) throw badUserInput(issuesText(parsed.error.issues));
      return ctx.taxRates.quote(parsed.data);
    },
  },

  Mutation: {
    setTaxRate: async (_parent, args, ctx) => {
      requireAdmin(ctx.auth);
      const input = setTaxRateInput.safeParse(args.input);
      if (!input.success) return { taxRate: null, userErrors: userErrorsFromIssues(input.error.issues) };
      return { taxRate: await ctx.taxRates.set(input.data), userErrors: [] };
    },
  },
};
