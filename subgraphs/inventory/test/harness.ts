import mysql from 'mysql2/promise';
import {
  createEvent,
  createKafka,
  createPublisher,
  topics,
  type EventPayload,
  type EventPublisher,
  type EventType,
  type Outcome,
  type ShopEvent,
} from '@shop/events';
import { createLogger } from '@shop/platform';
import { createTestAuth, createTestDatabase, eventually, gql, KAFKA_BROKERS, MYSQL_URL, readEvents, uniqueName, type EventLog, type TestAuth } from '@shop/testing';
import { createInventorySubgraph, type InventorySubgraphOptions, type RunningInventorySubgraph } from '../src/app.js';
import { loadInventoryConfig, type InventoryConfig } from '../src/config.js';

/** Every event one system under test settled, by event id (applied / duplicate / ...). */
export type Settled = Array<{ outcome: Outcome; eventId: string | null }>;

export interface InventoryHarness {
  app: RunningInventorySubgraph;
  url: string;
  config: InventoryConfig;
  auth: TestAuth;
  /** Statements the GraphQL side sent (onSql). */
  statements: string[];
  settled: Settled;
  /** Publishes order events on this harness's own prefixed topics. */
  publisher: EventPublisher;
  /** Every event inventory published to Kafka (read back from its prefixed topic). */
  published: EventLog;
  /** Starts one more instance on the same database, topics and consumer group. */
  startAnotherInstance(): Promise<RunningInventorySubgraph>;
  close(): Promise<void>;
}

/**
 * An inventory subgraph in-process on port 0 with a fresh database, its own Kafka topic prefix
 * and consumer group, and a reader of what it publishes.
 */
export async function startInventory(options: InventorySubgraphOptions = {}): Promise<InventoryHarness> {
  const database = await createTestDatabase('inventory');
  const config = loadInventoryConfig({
    ...process.env,
    MYSQL_DATABASE: database.name,
    PORT: '0',
    KAFKA_TOPIC_PREFIX: `${uniqueName('t')}.`,
    KAFKA_GROUP_SUFFIX: `.${uniqueName('g')}`,
  });
  const auth = await createTestAuth();
  const statements: string[] = [];
  const settled: Settled = [];
  const log = createLogger('inventory-test', process.env.LOG_LEVEL ?? 'warn');
  const appOptions: InventorySubgraphOptions = {
    log,
    verifyToken: auth.verifyToken,
    onSql: (sql) => statements.push(sql),
    onEventSettled: (outcome, event) => settled.push({ outcome, eventId: event?.id ?? null }),
    relay: { pollIntervalMs: 200, maxBackoffMs: 1_000 },
    consumer: { retryBackoffMs: 20 },
    // Stands in for the products subgraph: these tests are about stock rules, so every product exists
    // (set-stock.test.ts passes a catalogue of its own to test unknown products).
    products: { canonicalIds: async (ids) => new Map(ids.map((id) => [id, id])) },
    ...options,
  };
  const kafka = createKafka(KAFKA_BROKERS, uniqueName('inventory-test'));
  const publisher = createPublisher(kafka, { topicPrefix: config.KAFKA_TOPIC_PREFIX });
  let published: EventLog | null = null;
  let app: RunningInventorySubgraph;
  try {
    published = await readEvents(config.KAFKA_TOPIC_PREFIX, topics.inventory);
    app = await createInventorySubgraph(config, appOptions);
  } catch (err) {
    // A start-up that failed leaves nothing behind.
    await published?.stop();
    await publisher.close();
    await database.drop();
    throw err;
  }
  const reader = published;
  const extra: RunningInventorySubgraph[] = [];
  return {
    app,
    url: app.url,
    config,
    auth,
    statements,
    settled,
    publisher,
    published: reader,
    async startAnotherInstance() {
      const another = await createInventorySubgraph(config, { ...appOptions, onSql: undefined });
      extra.push(another);
      return another;
    },
    async close() {
      for (const instance of [...extra, app]) await instance.stop();
      await reader.stop();
      await publisher.close();
      await database.drop();
    },
  };
}

/** Sends one order event the way orders would (keyed by order id), on the harness's topics. */
export async function publishOrderEvent<T extends EventType>(h: InventoryHarness, type: T, payload: EventPayload<T>): Promise<ShopEvent<T>> {
  const event = createEvent(type, (payload as { orderId: string }).orderId, payload);
  await h.publisher.publish([{ topic: topics.orders, envelope: event }]);
  return event;
}

/** Publishes an already built envelope again: Kafka delivering the same event twice. */
export async function redeliver(h: InventoryHarness, event: ShopEvent): Promise<void> {
  await h.publisher.publish([{ topic: topics.orders, envelope: event }]);
}

/** Waits until the system under test settled `eventId` `times` times; returns the outcomes. */
export async function settledOutcomes(h: InventoryHarness, eventId: string, times = 1): Promise<Outcome[]> {
  return eventually(async () => {
    const outcomes = h.settled.filter((s) => s.eventId === eventId).map((s) => s.outcome);
    return outcomes.length >= times ? outcomes : undefined;
  }, 30_000);
}

export function orderPlaced(orderId: string, lines: Array<{ productId: string; quantity: number }>): EventPayload<'order.placed'> {
  return {
    orderId,
    userId: 'user-1',
    lines: lines.map((l) => ({ ...l, unitPrice: { amount: 1000, currency: 'USD' } })),
    total: { amount: 1000 * lines.reduce((n, l) => n + l.quantity, 0), currency: 'USD' },
    couponCode: null,
    placedAt: new Date().toISOString(),
  };
}

/** Runs SQL directly against the harness's database (assertions only). */
export async function sql<T = Record<string, unknown>>(h: InventoryHarness, statement: string, params: unknown[] = []): Promise<T[]> {
  const url = new URL(MYSQL_URL);
  url.pathname = `/${h.config.MYSQL_DATABASE}`;
  const conn = await mysql.createConnection(url.toString());
  try {
    const [rows] = await conn.query(statement, params);
    return rows as T[];
  } finally {
    await conn.end();
  }
}

export interface StockRow {
  on_hand: number;
  reserved: number;
}

export async function stockRow(h: InventoryHarness, productId: string): Promise<StockRow | undefined> {
  const [row] = await sql<StockRow>(h, 'SELECT on_hand, reserved FROM stock WHERE product_id = ?', [productId]);
  return row;
}

export async function reservationStates(h: InventoryHarness, orderId: string): Promise<Record<string, string>> {
  const rows = await sql<{ product_id: string; state: string }>(h, 'SELECT product_id, state FROM reservations WHERE order_id = ?', [orderId]);
  return Object.fromEntries(rows.map((r) => [r.product_id, r.state]));
}

/** Event types inventory wrote to its outbox for a key (order id or product id), oldest first. */
export async function outboxEvents(h: InventoryHarness, key: string): Promise<ShopEvent[]> {
  const rows = await sql<{ envelope: string }>(h, 'SELECT envelope FROM outbox WHERE event_key = ? ORDER BY seq', [key]);
  return rows.map((r) => JSON.parse(r.envelope) as ShopEvent);
}

export const SET_STOCK = `
  mutation ($productId: ID!, $quantity: Int!) {
    setStock(productId: $productId, quantity: $quantity) {
      inventory { available inStock }
      userErrors { field message code }
    }
  }`;

/** Sets stock as an admin; fails the test on any error. */
export async function setStock(h: InventoryHarness, productId: string, quantity: number): Promise<void> {
  const res = await gql(h.url, SET_STOCK, { productId, quantity }, { token: h.auth.admin });
  if (res.errors || res.data?.setStock.userErrors.length) throw new Error(`setStock failed: ${JSON.stringify(res)}`);
}

export const productId = () => uniqueName('p');
export const orderId = () => uniqueName('o');
