import { sql } from 'drizzle-orm';
import { bigint, char, datetime, index, int, mysqlEnum, mysqlTable, primaryKey, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { ORDER_STATUSES } from '../state-machine.js';

const ms = { mode: 'date', fsp: 3 } as const;


/**
 * One row per order, priced once at placement. The outbox and processed_events tables live in the
 * same database but come from @shop/events' own migrations (migrateEventTables).
 */
export const orders = mysqlTable(
  'orders',
  {
    id: varchar('id', { length: 36 }).primaryKey(),
    userId: varchar('user_id', { length: 36 }).notNull(),
    status: mysqlEnum('status', ORDER_STATUSES).notNull(),
    cancellationReason: varchar('cancellation_reason', { length: 32 }),
    currency: char('currency', { length: 3 }).notNull(),
    subtotal: int('subtotal').notNull(),
    discount: int('discount').notNull(),
    tax: int('tax').notNull(),
    shippingCost: int('shipping_cost').notNull(),
    total: int('total').notNull(),
    couponCode: varchar('coupon_code', { length: 64 }),
    /** The provider's token for the customer's payment method (never card data), for order.confirmed. */
    paymentToken: varchar('payment_token', { length: 200 }).notNull(),
    shipLine1: varchar('ship_line1', { length: 200 }).notNull(),
    shipLine2: varchar('ship_line2', { length: 200 }),
    shipCity: varchar('ship_city', { length: 100 }).notNull(),
    shipRegion: varchar('ship_region', { length: 100 }),
    shipPostalCode: varchar('ship_postal_code', { length: 20 }).notNull(),
    shipCountry: char('ship_country', { length: 2 }).notNull(),
    shippingMethod: varchar('shipping_method', { length: 64 }).notNull(),
    /** Client-chosen; NULLs never collide, so the unique index only binds orders that carry a key. */
    idempotencyKey: varchar('idempotency_key', { length: 100 }),
    placedAt: datetime('placed_at', ms).notNull(),
    updatedAt: datetime('updated_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [
    uniqueIndex('orders_user_idempotency_unique').on(t.userId, t.idempotencyKey),
    index('orders_user_placed_idx').on(t.userId, t.placedAt, t.id),
  ],
);

export const orderItems = mysqlTable(
  'order_items',
  {
    orderId: varchar('order_id', { length: 36 })
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    /** Position of the line in the order as placed (0-based). */
    lineNo: int('line_no').notNull(),
    productId: varchar('product_id', { length: 64 }).notNull(),
    quantity: int('quantity').notNull(),
    unitPrice: int('unit_price').notNull(),
    lineTotal: int('line_total').notNull(),
    /** The line's share of the order discount and its tax, so the totals can be explained later. */
    lineDiscount: int('line_discount').notNull(),
    lineTax: int('line_tax').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.lineNo] })],
);

/** Every status an order entered; an order enters each status at most once (the state machine has no cycles). */
export const orderStatusHistory = mysqlTable(
  'order_status_history',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    orderId: varchar('order_id', { length: 36 })
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    status: mysqlEnum('status', ORDER_STATUSES).notNull(),
    at: datetime('at', ms).notNull(),
  },
  (t) => [uniqueIndex('order_status_history_once').on(t.orderId, t.status)],
);

export const schema = { orders, orderItems, orderStatusHistory };
export type OrdersSchema = typeof schema;
