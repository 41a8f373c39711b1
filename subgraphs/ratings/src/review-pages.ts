import { and, desc, eq, inArray, lt, lte, or, sql } from 'drizzle-orm';
import { decodeCursor, encodeCursor, type Connection } from '@shop/platform';
import { reviews, type RatingsDb } from './db/index.js';
import type { ReviewModel } from './mappers.js';

/** Where a newest-first page starts: after the review with this (createdAt, id). */
export interface ReviewCursor {
  createdAt: Date;
  id: string;
}

type RawCursor = [string, string];

const isRawCursor = (v: unknown): v is RawCursor =>
  Array.isArray(v) &&
  v.length === 2 &&
  typeof v[0] === 'string' &&
  typeof v[1] === 'string' &&
  v[1].length > 0 &&
  !Number.isNaN(Date.parse(v[0]));

export function encodeReviewCursor(review: Pick<ReviewModel, 'createdAt' | 'id'>): string {
  return encodeCursor([review.createdAt.toISOString(), review.id] satisfies RawCursor);
}

/** A malformed cursor is a BAD_USER_INPUT error. */
export function decodeReviewCursor(cursor: string): ReviewCursor {
  const [createdAt, id] = decodeCursor(cursor, isRawCursor);
  return { createdAt: new Date(createdAt), id };
}

/**
 * The first `limit + 1` reviews (newest first) after `after` of each product, in ONE query for
 * the whole list of products (a window function numbers each product's reviews); the extra
 * review tells whether another page follows.
 */
export async function reviewPagesOf(
  db: RatingsDb,
  productIds: readonly string[],
  limit: number,
  after: ReviewCursor | null,
): Promise<Map<string, ReviewModel[]>> {
  const pages = new Map<string, ReviewModel[]>(productIds.map((id) => [id, []]));
  if (productIds.length === 0) return pages;
  const newestFirst = sql`${reviews.createdAt} desc, ${reviews.id} desc`;
  const ranked = db
    .select({
      id: reviews.id,
      productId: reviews.productId,
      userId: reviews.userId,
      rating: reviews.rating,
      title: reviews.title,
      body: reviews.body,
      createdAt: reviews.createdAt,
      position: sql<number>`row_number() over (partition by ${reviews.productId} order by ${newestFirst})`.as('position'),
    })
    .from(reviews)
    .where(
      and(
        inArray(reviews.productId, [...productIds]),
        after
          ? or(lt(reviews.createdAt, after.createdAt), and(eq(reviews.createdAt, after.createdAt), lt(reviews.id, after.id)))
          : undefined,
      ),
    )
    .as('ranked');
  const rows = await db
    .select()
    .from(ranked)
    .where(lte(ranked.position, limit + 1))
    .orderBy(ranked.productId, desc(ranked.createdAt), desc(ranked.id));
  for (const { position: _position, ...review } of rows) pages.get(review.productId)?.push(review);
  return pages;
}

/** Turns `limit + 1` rows into a page; an empty page keeps the `after` it was given as its end. */
export function toConnection(rows: ReviewModel[], limit: number, after: string | null | undefined, totalCount: number): Connection<ReviewModel> {
  const nodes = rows.slice(0, limit);
  const last = nodes.at(-1);
  return {
    nodes,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: last ? encodeReviewCursor(last) : (after ?? null) },
    totalCount,
  };
}
