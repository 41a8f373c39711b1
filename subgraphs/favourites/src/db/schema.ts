import { sql } from 'drizzle-orm';
import { datetime, index, mysqlTable, primaryKey, varchar } from 'drizzle-orm/mysql-core';

const ms = { mode: 'date', fsp: 3 } as const;

/** Ids of other subgraphs' entities (users' UUIDs, products' ObjectIds) are opaque strings here. */
const foreignId = (name: string) => varchar(name, { length: 64 });

/** A user's saved products: at most one row per (user, product), also under concurrent adds. */
export const favourites = mysqlTable(
  'favourites',
  {
    userId: foreignId('user_id').notNull(),
    productId: foreignId('product_id').notNull(),
    createdAt: datetime('created_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.productId] }),
    // Newest-first keyset pages of one user's list.
    index('favourites_user_page_idx').on(t.userId, t.createdAt, t.productId),
  ],
);

export const schema = { favourites };
export type FavouritesSchema = typeof schema;
