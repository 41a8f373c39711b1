import { sql } from 'drizzle-orm';
import { bigint, char, datetime, index, int, mysqlEnum, mysqlTable, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';

const ms = { mode: 'date', fsp: 3 } as const;

export const promotions = mysqlTable('promotions', {
  /** Normalised to upper case, so the primary key makes codes case-insensitive. */
  code: varchar('code', { length: 32 }).primaryKey(),
  kind: mysqlEnum('kind', ['PERCENT', 'FIXED_AMOUNT']).notNull(),
  value: int('value').notNull(),
  currency: char('currency', { length: 3 }).notNull(),
  minSubtotal: int('min_subtotal'),
  usageLimit: int('usage_limit'),
  perCustomerLimit: int('per_customer_limit'),
  /** Number of ACTIVE redemptions; kept in step with them inside the redeem/release transactions. */
  timesUsed: int('times_used').notNull().default(0),
  startsAt: datetime('starts_at', ms),
  endsAt: datetime('ends_at', ms),
  createdAt: datetime('created_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
});

/**
 * One row per order that used (or was told it may no longer use) a coupon. `order_id` is unique:
 * that is what makes redeeming idempotent per order. A RELEASED row without a code is a tombstone
 * for an order released before it redeemed, so a late redeem cannot use the coupon up.
 */
export const redemptions = mysqlTable(
  'redemptions',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    orderId: varchar('order_id', { length: 64 }).notNull(),
    code: varchar('code', { length: 32 }),
    userId: varchar('user_id', { length: 64 }),
    discount: int('discount').notNull().default(0),
    currency: char('currency', { length: 3 }),
    state: mysqlEnum('state', ['ACTIVE', 'RELEASED']).notNull(),
    redeemedAt: datetime('redeemed_at', ms),
    releasedAt: datetime('released_at', ms),
  },
  (t) => [
    uniqueIndex('redemptions_order_unique').on(t.orderId),
    index('redemptions_code_state_user_idx').on(t.code, t.state, t.userId),
  ],
);

export const schema = { promotions, redemptions };
export type PromotionsSchema = typeof schema;
