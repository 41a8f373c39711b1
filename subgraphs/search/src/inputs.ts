import { z } from 'zod';
import { badUserInput, pageSize } from '@shop/platform';
import type { SearchRequest } from './search.js';

const MAX_PRICE = 1_000_000_000;

const filterSchema = z
  .object({
    category: z.string().trim().min(1, 'category must not be empty').max(100).nullish(),
    minPrice: z.number().int().min(0).max(MAX_PRICE).nullish(),
    maxPrice: z.number().int().min(0).max(MAX_PRICE).nullish(),
    inStock: z.boolean().nullish(),
  })
  .refine((f) => f.minPrice == null || f.maxPrice == null || f.minPrice <= f.maxPrice, {
    message: 'minPrice must not exceed maxPrice',
    path: ['minPrice'],
  });

const searchArgsSchema = z.object({
  query: z.string().max(200, 'query must be at most 200 characters'),
  first: z.number().nullish(),
  after: z.string().max(1000).nullish(),
  filter: filterSchema.nullish(),
});

/** The search arguments as the domain takes them; anything invalid is a BAD_USER_INPUT error. */
export function parseSearchArgs(args: unknown): SearchRequest {
  const parsed = searchArgsSchema.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badUserInput(`${issue.path.join('.') || 'arguments'}: ${issue.message}`);
  }
  const { query, first, after, filter } = parsed.data;
  return {
    query,
    first: pageSize(first),
    after: after ?? null,
    filter: {
      category: filter?.category ?? null,
      minPrice: filter?.minPrice ?? null,
      maxPrice: filter?.maxPrice ?? null,
      inStock: filter?.inStock ?? null,
    },
  };
}
