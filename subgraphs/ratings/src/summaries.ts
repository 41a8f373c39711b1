import { inArray } from 'drizzle-orm';
import { ratingSummaries, type RatingsDb } from './db/index.js';

export interface RatingSummary {
  /** Mean rating rounded half-up to 2 decimals; null without reviews. */
  average: number | null;
  count: number;
}

/** The average of `count` ratings adding up to `total`, rounded half-up to 2 decimals. */
export function averageRating(total: number, count: number): number | null {
  if (count <= 0) return null;
  return Math.round((total * 100) / count) / 100;
}

/** Summaries of many products in one query; a product without reviews has count 0. */
export async function summariesOf(db: RatingsDb, productIds: readonly string[]): Promise<Map<string, RatingSummary>> {
  const found = new Map<string, RatingSummary>();
  if (productIds.length === 0) return found;
  const rows = await db.select().from(ratingSummaries).where(inArray(ratingSummaries.productId, [...productIds]));
  for (const row of rows) found.set(row.productId, { average: averageRating(row.ratingTotal, row.reviewCount), count: row.reviewCount });
  return found;
}
