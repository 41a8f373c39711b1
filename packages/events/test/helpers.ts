import mysql from 'mysql2/promise';
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import { pino } from 'pino';
import type { Kafka } from 'kafkajs';
import { createTestDatabase, MYSQL_URL, KAFKA_BROKERS, uniqueName } from '@shop/testing';
import { createKafka, createPublisher, migrateEventTables, type EventPublisher } from '../src/index.js';

export const log = pino({ level: 'silent' });

export interface EventsFixture {
  pool: mysql.Pool;
  db: MySql2Database<Record<string, never>>;
  kafka: Kafka;
  publisher: EventPublisher;
  /** This fixture's own topics: every test system isolates its events with a unique prefix. */
  topicPrefix: string;
  close(): Promise<void>;
}

/** A fresh database with the event tables and an `applied` table the test handlers write to. */
export async function eventsFixture(): Promise<EventsFixture> {
  const database = await createTestDatabase('events');
  const url = new URL(MYSQL_URL);
  url.pathname = `/${database.name}`;
  const pool = mysql.createPool({ uri: url.toString(), connectionLimit: 5 });
  const db = drizzle(pool, { mode: 'default' }) as MySql2Database<Record<string, never>>;
  await migrateEventTables(db);
  await pool.query('CREATE TABLE applied (event_id VARCHAR(36) NOT NULL, product_id VARCHAR(100) NOT NULL)');
  const kafka = createKafka(KAFKA_BROKERS, uniqueName('events-test'));
  const topicPrefix = `${uniqueName('events')}.`;
  const publisher = createPublisher(kafka, { topicPrefix });
  return {
    pool,
    db,
    kafka,
    publisher,
    topicPrefix,
    async close() {
      await publisher.close();
      await pool.end();
      await database.drop();
    },
  };
}

export async function appliedCount(pool: mysql.Pool, productId: string): Promise<number> {
  const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM applied WHERE product_id = ?', [productId]);
  return Number(rows[0]?.n ?? 0);
}

export function productSnapshot(id: string) {
  const now = new Date().toISOString();
  return {
    id,
    sku: `SKU-${id}`,
    name: 'Test product',
    description: 'For the events tests',
    price: { amount: 1999, currency: 'USD' },
    category: 'test',
    images: [],
    active: true,
    createdAt: now,
    updatedAt: now,
    revision: 1,
  };
}
