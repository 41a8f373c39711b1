import { sql } from 'drizzle-orm';
import { datetime, index, int, mysqlTable, primaryKey, text, tinyint, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';

const ms = { mode: 'date', fsp: 3 } as const;

/** Ids of other subgraphs' entities (users' UUIDs, products' ObjectIds) are opaque strings here. */
const foreignId = (name: string) => varchar(name, { length: 64 });

export const reviews = mysqlTable(
  'reviews',
  {
    id: varchar('id', { length: 36 }).primaryKey(),
    productId: foreignId('product_id').notNull(),
    userId: foreignId('user_id').notNull(),
    rating: tinyint('rating').notNull(),
    title: varchar('title', { length: 120 }).notNull(),
    body: text('body').notNull(),
    createdAt: datetime('created_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [
    // One review per customer and product, also under concurrent writes.
    uniqueIndex('reviews_product_user_unique').on(t.productId, t.userId),
    // Newest-first keyset pages of one product.
    index('reviews_product_page_idx').on(t.productId, t.createdAt, t.id),
  ],
);

/**
 * Count and sum of a product's ratings, changed in the same transaction as the review insert
 * or delete (under this row's lock), so the summary always agrees with the reviews.
 */
export const ratingSummaries = mysqlTable('rating_summaries', {
  productId: foreignId('product_id').primaryKey(),
  reviewCount: int('review_count').notNull().default(0),
  ratingTotal: int('rating_total').notNull().default(0),
});

/** (customer, product) pairs of delivered orders, learnt from `order.delivered` events. */
export const purchases = mysqlTable(
  'purchases',
  {
    userId: foreignId('user_id').notNull(),
    productId: foreignId('product_id').notNull(),
    /** The first delivered order that contained the product. */
    orderId: foreignId('order_id').notNull(),
    deliveredAt: datetime('delivered_at', ms).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.productId] })],
);

export const schema = { reviews, ratingSummaries, purchases };
export type RatingsSchema = typeof schema;
