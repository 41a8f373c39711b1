import { sql } from 'drizzle-orm';
import { boolean, char, datetime, index, int, mysqlEnum, mysqlTable, text, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';

const ms = { mode: 'date', fsp: 3 } as const;

export const PAYMENT_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED', 'REFUNDED'] as const;

/**
 * What payments knows about an order it heard of: whose it is (for Order.payment) and whether it
 * was cancelled (so a late order.confirmed never charges). Every charge and refund first locks
 * the order's row here, so one order's handlers run one after the other whatever the delivery.
 */
export const knownOrders = mysqlTable('known_orders', {
  orderId: varchar('order_id', { length: 64 }).primaryKey(),
  userId: varchar('user_id', { length: 64 }).notNull(),
  cancelledAt: datetime('cancelled_at', ms),
  cancellationReason: varchar('cancellation_reason', { length: 32 }),
  createdAt: datetime('created_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
});

/**
 * At most one payment per order (UNIQUE order_id). PENDING is written before the provider is
 * called and settled afterwards; a PENDING row is an attempt whose outcome is not recorded yet.
 */
export const payments = mysqlTable(
  'payments',
  {
    id: varchar('id', { length: 36 }).primaryKey(),
    orderId: varchar('order_id', { length: 64 }).notNull(),
    userId: varchar('user_id', { length: 64 }).notNull(),
    status: mysqlEnum('status', PAYMENT_STATUSES).notNull(),
    /** Minor units of `currency`. */
    amount: int('amount').notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    provider: varchar('provider', { length: 32 }).notNull(),
    authorisationId: varchar('authorisation_id', { length: 100 }),
    captureId: varchar('capture_id', { length: 100 }),
    refundId: varchar('refund_id', { length: 100 }),
    failureReason: varchar('failure_reason', { length: 64 }),
    createdAt: datetime('created_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    settledAt: datetime('settled_at', ms),
    refundedAt: datetime('refunded_at', ms),
  },
  (t) => [uniqueIndex('payments_order_unique').on(t.orderId), index('payments_status_idx').on(t.status, t.createdAt)],
);

/**
 * The built-in simulated provider's ledger: every call it answered, keyed by idempotency key,
 * so a retried call returns the first answer and never charges twice. Stands in for the
 * provider's own records: written on the pool, never inside a payments transaction.
 */
export const simulatedProviderCalls = mysqlTable(
  'simulated_provider_calls',
  {
    idempotencyKey: varchar('idempotency_key', { length: 191 }).primaryKey(),
    operation: mysqlEnum('operation', ['authorise', 'capture', 'refund']).notNull(),
    /** The request without its key, as canonical JSON: a key reused for another request is refused. */
    request: text('request').notNull(),
    ok: boolean('ok').notNull(),
    /** The authorisation, capture or refund id this call created (when ok). */
    reference: varchar('reference', { length: 100 }),
    /** What it acted on: the authorisation of a capture, the capture of a refund. */
    parentReference: varchar('parent_reference', { length: 100 }),
    amount: int('amount').notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    reason: varchar('reason', { length: 64 }),
    /** How many times the call was repeated with the same key (answered from this row). */
    replays: int('replays').notNull().default(0),
    createdAt: datetime('created_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [index('simulated_calls_reference_idx').on(t.reference), index('simulated_calls_parent_idx').on(t.parentReference, t.operation)],
);

export const schema = { knownOrders, payments, simulatedProviderCalls };
export type PaymentsSchema = typeof schema;
