import { sql } from 'drizzle-orm';
import { datetime, index, int, mysqlEnum, mysqlTable, text, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';

const ms = { mode: 'date', fsp: 3 } as const;

export const deliveryStatuses = ['PENDING', 'SENT', 'FAILED'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/**
 * One row per (event, user). `event_id` is UNIQUE: besides processed_events, a second guard
 * that a redelivered event never writes a second notification. The row is also its own
 * delivery outbox: the deliverer sends PENDING rows after they commit.
 */
export const notifications = mysqlTable(
  'notifications',
  {
    id: varchar('id', { length: 36 }).primaryKey(),
    userId: varchar('user_id', { length: 64 }).notNull(),
    type: varchar('type', { length: 40 }).notNull(),
    title: varchar('title', { length: 200 }).notNull(),
    body: text('body').notNull(),
    orderId: varchar('order_id', { length: 64 }),
    /** The event that produced it. */
    eventId: varchar('event_id', { length: 36 }).notNull(),
    /** When the event happened (its occurredAt), which orders the inbox. */
    createdAt: datetime('created_at', ms).notNull(),
    readAt: datetime('read_at', ms),
    deliveryStatus: mysqlEnum('delivery_status', deliveryStatuses).notNull().default('PENDING'),
    deliveryAttempts: int('delivery_attempts').notNull().default(0),
    /** Earliest next delivery attempt; also the lease of a claimed row (a crashed sender's claim expires). */
    nextDeliveryAt: datetime('next_delivery_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    deliveryClaim: varchar('delivery_claim', { length: 36 }),
    deliveredAt: datetime('delivered_at', ms),
    lastDeliveryError: varchar('last_delivery_error', { length: 500 }),
  },
  (t) => [
    uniqueIndex('notifications_event_unique').on(t.eventId),
    index('notifications_inbox_idx').on(t.userId, t.createdAt, t.id),
    index('notifications_delivery_idx').on(t.deliveryStatus, t.nextDeliveryAt),
    index('notifications_claim_idx').on(t.deliveryClaim),
  ],
);

/**
 * Who placed each order, learnt from order events: payment events may come without a userId
 * and are attributed through this table.
 */
export const orderOwners = mysqlTable('order_owners', {
  orderId: varchar('order_id', { length: 64 }).primaryKey(),
  userId: varchar('user_id', { length: 64 }).notNull(),
  learnedAt: datetime('learned_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
});

export const schema = { notifications, orderOwners };
export type NotificationsSchema = typeof schema;
