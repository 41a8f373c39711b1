import { bigint, datetime, index, int, longtext, mysqlTable, primaryKey, text, varchar } from 'drizzle-orm/mysql-core';

/**
 * Tables every MySQL-backed producer/consumer has in its own database. They are created by
 * `migrateEventTables(db)` from this package's migrations (own journal table): do not re-export
 * them into a subgraph's drizzle schema, or drizzle-kit would create them a second time.
 */

/** Transactional outbox: written in the same transaction as the state change it announces. */
export const outbox = mysqlTable(
  'outbox',
  {
    seq: bigint('seq', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    eventId: varchar('event_id', { length: 36 }).notNull().unique(),
    topic: varchar('topic', { length: 200 }).notNull(),
    eventKey: varchar('event_key', { length: 200 }).notNull(),
    eventType: varchar('event_type', { length: 100 }).notNull(),
    envelope: longtext('envelope').notNull(),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull(),
    sentAt: datetime('sent_at', { mode: 'date', fsp: 3 }),
    attempts: int('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [index('outbox_pending_idx').on(t.sentAt, t.seq)],
);

/** Idempotent consumers: one row per (consumer, event), inserted in the effect's transaction. */
export const processedEvents = mysqlTable(
  'processed_events',
  {
    consumer: varchar('consumer', { length: 100 }).notNull(),
    eventId: varchar('event_id', { length: 36 }).notNull(),
    processedAt: datetime('processed_at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
);
