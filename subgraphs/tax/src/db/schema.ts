import { sql } from 'drizzle-orm';
import { char, datetime, int, mysqlTable, primaryKey, varchar } from 'drizzle-orm/mysql-core';

const ms = { mode: 'date', fsp: 3 } as const;

/** An empty region or category means "any": NULL would defeat the primary key (NULLs never collide). */
export const ANY = '';

export const taxRates = mysqlTable(
  'tax_rates',
  {
    country: char('country', { length: 2 }).notNull(),
    region: varchar('region', { length: 100 }).notNull().default(ANY),
    category: varchar('category', { length: 100 }).notNull().default(ANY),
    rateBasisPoints: int('rate_basis_points').notNull(),
    updatedAt: datetime('updated_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  // The database collation is case-insensitive, so `Books` and `books` are one key.
  (t) => [primaryKey({ name: 'tax_rates_pk', columns: [t.country, t.region, t.category] })],
);

export const schema = { taxRates };
export type TaxSchema = typeof schema;
