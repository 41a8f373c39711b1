import { ObjectId, type Filter, type Sort } from 'mongodb';
import { z } from 'zod';
import { badUserInput, decodeCursor, encodeCursor, pageSize } from '@shop/platform';
import type { ProductModel } from './mappers.js';
import { MAX_PRICE } from './validation.js';

/**
 * Listing rules: which products a `products` query returns and in what order, as a Mongo query.
 * Pure (no database), so the query shapes are unit-tested too.
 *
 * Injection safety: every client value is checked by zod to be a plain string or integer and is
 * placed under an explicit `$eq`/`$gte`/`$lte`, so a value can never become an operator.
 */

export type SortField = 'CREATED_AT' | 'PRICE' | 'NAME';
export type SortDirection = 'ASC' | 'DESC';

/** The stored field each sort reads; `_id` breaks ties so pages never overlap or skip. */
const SORT_KEYS = { CREATED_AT: 'createdAt', PRICE: 'price', NAME: 'nameKey' } as const;

const filterSchema = z
  .object({
    category: z.string().max(100, 'category filter is too long').nullish(),
    minPrice: z.number().int().min(0, 'minPrice cannot be negative').max(MAX_PRICE).nullish(),
    maxPrice: z.number().int().min(0, 'maxPrice cannot be negative').max(MAX_PRICE).nullish(),
  })
  .strict();

const sortSchema = z
  .object({
    field: z.enum(['CREATED_AT', 'PRICE', 'NAME']).nullish(),
    direction: z.enum(['ASC', 'DESC']).nullish(),
  })
  .strict();

const argsSchema = z.object({
  first: z.number().int().nullish(),
  after: z.string().max(1000, 'Invalid cursor').nullish(),
  filter: filterSchema.nullish(),
  sort: sortSchema.nullish(),
});

export interface ListingQuery {
  limit: number;
  field: SortField;
  direction: SortDirection;
  after: Cursor | null;
  category: string | null;
  minPrice: number | null;
  maxPrice: number | null;
}

/** Position in a listing: the sort it belongs to, the last item's sort value and id. */
export interface Cursor {
  f: SortField;
  d: SortDirection;
  /** CREATED_AT: epoch milliseconds; PRICE: amount; NAME: lower-cased name. */
  v: number | string;
  id: string;
}

function isCursor(value: unknown): value is Cursor {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const c = value as Record<string, unknown>;
  if (Object.keys(c).length !== 4) return false;
  if (c.d !== 'ASC' && c.d !== 'DESC') return false;
  if (typeof c.id !== 'string' || !/^[0-9a-f]{24}$/.test(c.id)) return false;
  switch (c.f) {
    case 'CREATED_AT':
    case 'PRICE':
      return typeof c.v === 'number' && Number.isSafeInteger(c.v);
    case 'NAME':
      return typeof c.v === 'string' && c.v.length <= 1000;
    default:
      return false;
  }
}

/** Validates `products` arguments; anything wrong is a BAD_USER_INPUT GraphQL error. */
export function parseListingArgs(args: unknown): ListingQuery {
  const parsed = argsSchema.safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badUserInput(`Invalid ${issue?.path.join('.') || 'arguments'}: ${issue?.message ?? 'bad value'}`);
  }
  const { first, after, filter, sort } = parsed.data;
  const field = sort?.field ?? 'CREATED_AT';
  const direction = sort?.direction ?? 'DESC';
  const cursor = after == null ? null : decodeCursor(after, isCursor);
  if (cursor && (cursor.f !== field || cursor.d !== direction)) {
    throw badUserInput('Invalid cursor: it belongs to a listing with a different sort');
  }
  return {
    limit: pageSize(first),
    field,
    direction,
    after: cursor,
    category: filter?.category ?? null,
    minPrice: filter?.minPrice ?? null,
    maxPrice: filter?.maxPrice ?? null,
  };
}

/** What every listing matches: active products meeting the filter. Also what totalCount counts. */
export function matchFilter(q: Pick<ListingQuery, 'category' | 'minPrice' | 'maxPrice'>): Filter<ProductModel> {
  const filter: Filter<ProductModel> = { active: { $eq: true } };
  if (q.category !== null) filter.category = { $eq: q.category };
  if (q.minPrice !== null || q.maxPrice !== null) {
    filter.price = {
      ...(q.minPrice !== null ? { $gte: q.minPrice } : {}),
      ...(q.maxPrice !== null ? { $lte: q.maxPrice } : {}),
    };
  }
  return filter;
}

function sortValue(field: SortField, v: number | string): Date | number | string {
  return field === 'CREATED_AT' ? new Date(v as number) : v;
}

/** The page query: the filter, then everything strictly after the cursor in (sort key, _id) order. */
export function pageFilter(q: ListingQuery): Filter<ProductModel> {
  const base = matchFilter(q);
  if (!q.after) return base;
  const key = SORT_KEYS[q.field];
  const value = sortValue(q.field, q.after.v);
  const id = new ObjectId(q.after.id);
  const beyond = q.direction === 'ASC' ? '$gt' : '$lt';
  const keyset = {
    $or: [{ [key]: { [beyond]: value } }, { [key]: { $eq: value }, _id: { [beyond]: id } }],
  } as Filter<ProductModel>;
  return { $and: [base, keyset] };
}

export function pageSort(q: Pick<ListingQuery, 'field' | 'direction'>): Sort {
  const dir = q.direction === 'ASC' ? 1 : -1;
  return { [SORT_KEYS[q.field]]: dir, _id: dir };
}

export function cursorOf(q: Pick<ListingQuery, 'field' | 'direction'>, p: ProductModel): string {
  const v = q.field === 'CREATED_AT' ? p.createdAt.getTime() : q.field === 'PRICE' ? p.price : p.nameKey;
  return encodeCursor({ f: q.field, d: q.direction, v, id: p._id.toHexString() } satisfies Cursor);
}
