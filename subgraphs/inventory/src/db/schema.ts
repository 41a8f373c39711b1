import { sql } from 'drizzle-orm';
import { check, datetime, index, int, mysqlEnum, mysqlTable, primaryKey, varchar } from 'drizzle-orm/mysql-core';

const ms = { mode: 'date', fsp: 3 } as const;

/**
 * One row per stocked product. `available` is on_hand − reserved; the checks make overselling
 * impossible even for a buggy statement (MariaDB enforces CHECK constraints).
 */
export const stock = mysqlTable(
  'stock',
  {
    productId: varchar('product_id', { length: 64 }).primaryKey(),
    /** Units in the warehouse, reserved ones included (what setStock sets). */
    onHand: int('on_hand').notNull().default(0),
    /** Units held by RESERVED reservations of pending orders. */
    reserved: int('reserved').notNull().default(0),
    updatedAt: datetime('updated_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [
    check('stock_on_hand_not_negative', sql`${t.onHand} >= 0`),
    check('stock_reserved_not_negative', sql`${t.reserved} >= 0`),
    check('stock_reserved_within_on_hand', sql`${t.reserved} <= ${t.onHand}`),
  ],
);

export const reservationStates = ['RESERVED', 'RELEASED', 'COMMITTED', 'REJECTED'] as const;
export type ReservationState = (typeof reservationStates)[number];

/**
 * What inventory decided for each product of an order, one row per (order, product) with the
 * order's lines for that product summed. REJECTED rows hold no stock: they only record that the
 * order was refused, so a replayed order.placed cannot reserve it later.
 */
export const reservations = mysqlTable(
  'reservations',
  {
    orderId: varchar('order_id', { length: 64 }).notNull(),
    productId: varchar('product_id', { length: 64 }).notNull(),
    quantity: int('quantity').notNull(),
    state: mysqlEnum('state', reservationStates).notNull(),
    createdAt: datetime('created_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    updatedAt: datetime('updated_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.productId] }),
    index('reservations_product_state_idx').on(t.productId, t.state),
    check('reservations_quantity_positive', sql`${t.quantity} > 0`),
  ],
);

export const schema = { stock, reservations };
export type InventorySchema = typeof schema;
