import DataLoader from 'dataloader';
import type { RequestContext } from '@shop/platform';
import type { Favourite, FavouriteCursor, Wishlist } from './wishlist.js';

export interface FavouritesServices {
  wishlist: Wishlist;
}

/** One user's page of favourites; users asking for the same page shape share a query. */
export interface FavouritesPageKey {
  userId: string;
  limit: number;
  after: FavouriteCursor | null;
}

export type Context = RequestContext &
  FavouritesServices & {
    loaders: {
      /** Whether the signed-in viewer saved a product: every product of the request in one query. */
      isFavourite: DataLoader<string, boolean>;
      /** Pages of many users' favourites in one query per distinct (first, after). */
      favouritesPage: DataLoader<FavouritesPageKey, Favourite[], string>;
      /** Many users' favourite counts in one query. */
      favouritesCount: DataLoader<string, number>;
    };
  };

const MAX_BATCH = 500;

const pageShape = (k: FavouritesPageKey) => `${k.limit}|${k.after ? `${k.after.createdAt.toISOString()}|${k.after.productId}` : ''}`;
const pageKey = (k: FavouritesPageKey) => `${k.userId}|${pageShape(k)}`;

export function createContext(base: RequestContext, services: FavouritesServices): Context {
  const { wishlist } = services;
  return {
    ...base,
    ...services,
    loaders: {
      isFavourite: new DataLoader(
        async (productIds) => {
          // Only loaded for a signed-in viewer (resolvers answer false for anonymous callers).
          const viewerId = base.auth.user?.id;
          if (!viewerId) return productIds.map(() => false);
          const saved = await wishlist.savedAmong(viewerId, productIds);
          return productIds.map((id) => saved.has(id));
        },
        { maxBatchSize: MAX_BATCH },
      ),
      favouritesPage: new DataLoader(
        async (keys) => {
          const byShape = new Map<string, FavouritesPageKey[]>();
          for (const key of keys) byShape.set(pageShape(key), [...(byShape.get(pageShape(key)) ?? []), key]);
          const pages = new Map<string, Favourite[]>();
          await Promise.all(
            [...byShape].map(async ([shape, group]) => {
              const first = group[0]!;
              const found = await wishlist.pagesOf(group.map((k) => k.userId), first.limit, first.after);
              for (const [userId, page] of found) pages.set(`${userId}|${shape}`, page);
            }),
          );
          return keys.map((k) => pages.get(pageKey(k)) ?? []);
        },
        { maxBatchSize: MAX_BATCH, cacheKeyFn: pageKey },
      ),
      favouritesCount: new DataLoader(
        async (userIds) => {
          const counts = await wishlist.countsOf(userIds);
          return userIds.map((id) => counts.get(id) ?? 0);
        },
        { maxBatchSize: MAX_BATCH },
      ),
    },
  };
}
