import DataLoader from 'dataloader';
import type { RequestContext } from '@shop/platform';
import type { RatingsDb } from './db/index.js';
import type { ReviewModel } from './mappers.js';
import { deliveredAmong, purchaseKey, type Purchase } from './purchases.js';
import { reviewPagesOf, type ReviewCursor } from './review-pages.js';
import type { ReviewBook } from './reviews.js';
import { summariesOf, type RatingSummary } from './summaries.js';

export interface RatingsServices {
  db: RatingsDb;
  reviewBook: ReviewBook;
}

/** One product's page of reviews; products asking for the same page shape share a query. */
export interface ReviewPageKey {
  productId: string;
  limit: number;
  after: ReviewCursor | null;
}

export type Context = RequestContext &
  RatingsServices & {
    loaders: {
      /** Every product's summary of one request in one `WHERE product_id IN (...)`. */
      summaryByProductId: DataLoader<string, RatingSummary>;
      /** Pages of reviews of many products in one query per distinct (first, after). */
      reviewPage: DataLoader<ReviewPageKey, ReviewModel[], string>;
      /** Whether the author received the product, for all reviews of the request in one query. */
      delivered: DataLoader<Purchase, boolean, string>;
    };
  };

const MAX_BATCH = 500;
const noReviews: RatingSummary = { average: null, count: 0 };

const pageShape = (k: ReviewPageKey) => `${k.limit}|${k.after ? `${k.after.createdAt.toISOString()}|${k.after.id}` : ''}`;

export function createContext(base: RequestContext, services: RatingsServices): Context {
  const { db } = services;
  return {
    ...base,
    ...services,
    loaders: {
      summaryByProductId: new DataLoader(
        async (ids) => {
          const found = await summariesOf(db, ids);
          return ids.map((id) => found.get(id) ?? noReviews);
        },
        { maxBatchSize: MAX_BATCH },
      ),
      reviewPage: new DataLoader(
        async (keys) => {
          const byShape = new Map<string, ReviewPageKey[]>();
          for (const key of keys) byShape.set(pageShape(key), [...(byShape.get(pageShape(key)) ?? []), key]);
          const pages = new Map<string, ReviewModel[]>();
          await Promise.all(
            [...byShape].map(async ([shape, group]) => {
              const first = group[0]!;
              const found = await reviewPagesOf(db, group.map((k) => k.productId), first.limit, first.after);
              for (const [productId, page] of found) pages.set(`${productId}|${shape}`, page);
            }),
          );
          return keys.map((k) => pages.get(`${k.productId}|${pageShape(k)}`) ?? []);
        },
        { maxBatchSize: MAX_BATCH, cacheKeyFn: (k) => `${k.productId}|${pageShape(k)}` },
      ),
      delivered: new DataLoader(
        async (pairs) => {
          const found = await deliveredAmong(db, pairs);
          return pairs.map((p) => found.has(purchaseKey(p)));
        },
        { maxBatchSize: MAX_BATCH, cacheKeyFn: purchaseKey },
      ),
    },
  };
}
