import { and, count, desc, eq, inArray, lt, lte, or, sql } from 'drizzle-orm';
import { decodeCursor, encodeCursor, ErrorCode, userError, type Connection } from '@shop/platform';
import { favourites, type FavouritesDb } from './db/index.js';
import { ok, refused, type Outcome } from './outcome.js';
import type { ProductDirectory } from '@shop/platform';

/** A product in a user's favourites. */
export interface Favourite {
  userId: string;
  productId: string;
  createdAt: Date;
}

/** Where a newest-first page starts: after the favourite with this (createdAt, productId). */
export interface FavouriteCursor {
  createdAt: Date;
  productId: string;
}

export interface Wishlist {
  /** Idempotent: a product already there keeps its row (and its place in the list). */
  add(userId: string, productId: string): Promise<Outcome<{ productId: string }>>;
  /** Idempotent: removing a product that is not there succeeds. */
  remove(userId: string, productId: string): Promise<void>;
  /** Which of these products the user saved, in one query. */
  savedAmong(userId: string, productIds: readonly string[]): Promise<Set<string>>;
  /** The first `limit + 1` favourites (newest first) after `after` of each user, in one query. */
  pagesOf(userIds: readonly string[], limit: number, after: FavouriteCursor | null): Promise<Map<string, Favourite[]>>;
  /** How many favourites each user has, in one query. */
  countsOf(userIds: readonly string[]): Promise<Map<string, number>>;
}

export function createWishlist(db: FavouritesDb, products: ProductDirectory): Wishlist {
  return {
    async add(userId, productId) {
      const canonical = (await products.canonicalIds([productId])).get(productId);
      if (!canonical) return refused(userError(ErrorCode.NOT_FOUND, 'This product does not exist', ['productId']));
      // The primary key (user, product) makes concurrent adds one row.
      await db.insert(favourites).ignore().values({ userId, productId: canonical, createdAt: new Date() });
      return ok({ productId: canonical });
    },

    async remove(userId, productId) {
      await db.delete(favourites).where(and(eq(favourites.userId, userId), eq(favourites.productId, productId)));
    },

    async savedAmong(userId, productIds) {
      if (productIds.length === 0) return new Set();
      const rows = await db
        .select({ productId: favourites.productId })
        .from(favourites)
        .where(and(eq(favourites.userId, userId), inArray(favourites.productId, [...productIds])));
      return new Set(rows.map((r) => r.productId));
    },

    async pagesOf(userIds, limit, after) {
      const pages = new Map<string, Favourite[]>(userIds.map((id) => [id, []]));
      if (userIds.length === 0) return pages;
      const ranked = db
        .select({
          userId: favourites.userId,
          productId: favourites.productId,
          createdAt: favourites.createdAt,
          position: sql<number>`row_number() over (partition by ${favourites.userId} order by ${favourites.createdAt} desc, ${favourites.productId} desc)`.as(
            'position',
          ),
        })
        .from(favourites)
        .where(
          and(
            inArray(favourites.userId, [...userIds]),
            after
              ? or(
                  lt(favourites.createdAt, after.createdAt),
                  and(eq(favourites.createdAt, after.createdAt), lt(favourites.productId, after.productId)),
                )
              : undefined,
          ),
        )
        .as('ranked');
      const rows = await db
        .select()
        .from(ranked)
        .where(lte(ranked.position, limit + 1))
        .orderBy(ranked.userId, desc(ranked.createdAt), desc(ranked.productId));
      for (const { position: _position, ...favourite } of rows) pages.get(favourite.userId)?.push(favourite);
      return pages;
    },

    async countsOf(userIds) {
      if (userIds.length === 0) return new Map();
      const rows = await db
        .select({ userId: favourites.userId, n: count() })
        .from(favourites)
        .where(inArray(favourites.userId, [...userIds]))
        .groupBy(favourites.userId);
      return new Map(rows.map((r) => [r.userId, Number(r.n)]));
    },
  };
}

type RawCursor = [string, string];

const isRawCursor = (v: unknown): v is RawCursor =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && v[1].length > 0 && !Number.isNaN(Date.parse(v[0]));

export function encodeFavouriteCursor(f: Pick<Favourite, 'createdAt' | 'productId'>): string {
  return encodeCursor([f.createdAt.toISOString(), f.productId] satisfies RawCursor);
}

/** A malformed cursor is a BAD_USER_INPUT error. */
export function decodeFavouriteCursor(cursor: string): FavouriteCursor {
  const [createdAt, productId] = decodeCursor(cursor, isRawCursor);
  return { createdAt: new Date(createdAt), productId };
}

/** Turns `limit + 1` rows into a page of Product references; an empty page keeps the `after` it was given. */
export function toConnection(rows: Favourite[], limit: number, after: string | null | undefined, totalCount: number): Connection<{ id: string }> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    nodes: page.map((f) => ({ id: f.productId })),
    pageInfo: { hasNextPage: rows.length > limit, endCursor: last ? encodeFavouriteCursor(last) : (after ?? null) },
    totalCount,
  };
}
