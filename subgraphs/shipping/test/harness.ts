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
import { createTestAuth, createTestDatabase, eventually, KAFKA_BROKERS, MYSQL_URL, readEvents, uniqueName, type EventLog, type TestAuth } from '@shop/testing';
import { createShippingSubgraph, type ShippingSubgraphOptions, type RunningShippingSubgraph } from '../src/app.js';
import { loadShippingConfig, type ShippingConfig } from '../src/config.js';

export { createTestAuth } from '@shop/testing';

/** Every event one system under test settled, by event id (applied / duplicate / ...). */
export type Settled = Array<{ outcome: Outcome; eventId: string | null }>;

export interface ShippingHarness {
  app: RunningShippingSubgraph;
  url: string;
  config: ShippingConfig;
  auth: TestAuth;
  /** Statements the GraphQL side sent (onSql). */
  statements: string[];
  settled: Settled;
  /** Publishes order events on this harness's own prefixed topics. */
  publisher: EventPublisher;
  /** Every event shipping published to Kafka (read back from its prefixed topic). */
  published: EventLog;
  /** Starts one more instance on the same database, topics and consumer group. */
  startAnotherInstance(): Promise<RunningShippingSubgraph>;
  close(): Promise<void>;
}

/**
 * A shipping subgraph in-process on port 0 with a fresh database, its own Kafka topic prefix
 * and consumer group, and a reader of what it publishes.
 */
export async function startShipping(options: ShippingSubgraphOptions = {}): Promise<ShippingHarness> {
  const database = await createTestDatabase('shipping');
  const config = loadShippingConfig({
    ...process.env,
    MYSQL_DATABASE: database.name,
    PORT: '0',
    KAFKA_TOPIC_PREFIX: `${uniqueName('t')}.`,
    KAFKA_GROUP_SUFFIX: `.${uniqueName('g')}`,
  });
  const auth = await createTestAuth();
  const statements: string[] = [];
  const settled: Settled = [];
  const log = createLogger('shipping-test', process.env.LOG_LEVEL ?? 'warn');
  const appOptions: ShippingSubgraphOptions = {
    log,
    verifyToken: auth.verifyToken,
    onSql: (sql) => statements.push(sql),
    onEventSettled: (outcome, event) => settled.push({ outcome, eventId: event?.id ?? null }),
    relay: { pollIntervalMs: 200, maxBackoffMs: 1_000 },
    consumer: { retryBackoffMs: 20 },
    ...options,
  };
  const kafka = createKafka(KAFKA_BROKERS, uniqueName('shipping-test'));
  const publisher = createPublisher(kafka, { topicPrefix: config.KAFKA_TOPIC_PREFIX });
  let published: EventLog | null = null;
  let app: RunningShippingSubgraph;
  try {
    published = await readEvents(config.KAFKA_TOPIC_PREFIX, topics.shipments);
    app = await createShippingSubgraph(config, appOptions);
    await app.consumer.started; // start-up does not wait for the group join; the tests do
  } catch (err) {
    // A start-up that failed leaves nothing behind.
    await published?.stop();
    await publisher.close();
    await database.drop();
    throw err;
  }
  const reader = published;
  const extra: RunningShippingSubgraph[] = [];
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
      const another = await createShippingSubgraph(config, { ...appOptions, onSql: undefined });
      extra.push(another);
      await another.consumer.started;
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
export async function publishOrderEvent<T extends EventType>(h: ShippingHarness, type: T, payload: EventPayload<T>): Promise<ShopEvent<T>> {
  const event = createEvent(type, (payload as { orderId: string }).orderId, payload);
  await h.publisher.publish([{ topic: topics.orders, envelope: event }]);
  return event;
}

/** Publishes an already built envelope again: Kafka delivering the same event twice. */
export async function redeliver(h: ShippingHarness, event: ShopEvent): Promise<void> {
  await h.publisher.publish([{ topic: topics.orders, envelope: event }]);
}

/** Waits until the system under test settled `eventId` `times` times; returns the outcomes. */
export async function settledOutcomes(h: ShippingHarness, eventId: string, times = 1): Promise<Outcome[]> {
  return eventually(async () => {
    const outcomes = h.settled.filter((s) => s.eventId === eventId).map((s) => s.outcome);
    return outcomes.length >= times ? outcomes : undefined;
  }, 30_000);
}

/** An order.paid payload as orders would publish it. */
export function orderPaid(orderId: string, userId: string, shippingMethod = 'EXPRESS'): EventPayload<'order.paid'> {
  return {
    orderId,
    userId,
    shippingAddress: { line1: '1 Main St', line2: null, city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
    shippingMethod,
    lines: [{ productId: 'p1', quantity: 1, unitPrice: { amount: 1000, currency: 'USD' } }],
  };
}


/** Runs SQL directly against the harness's database (assertions only). */
export async function sql<T = Record<string, unknown>>(h: ShippingHarness, statement: string, params: unknown[] = []): Promise<T[]> {
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

export interface ShipmentRow {
  id: string;
  order_id: string;
  user_id: string;
  status: string;
  carrier: string;
  tracking_number: string;
}

export async function shipmentsOfOrder(h: ShippingHarness, orderId: string): Promise<ShipmentRow[]> {
  return sql<ShipmentRow>(h, 'SELECT id, order_id, user_id, status, carrier, tracking_number FROM shipments WHERE order_id = ?', [orderId]);
}

/** Events shipping wrote to its outbox for an order, oldest first. */
export async function outboxEvents(h: ShippingHarness, orderId: string): Promise<ShopEvent[]> {
  const rows = await sql<{ envelope: string }>(h, 'SELECT envelope FROM outbox WHERE event_key = ? ORDER BY seq', [orderId]);
  return rows.map((r) => JSON.parse(r.envelope) as ShopEvent);
}

/** Publishes order.paid and waits until shipping settled it; returns the created shipment row. */
export async function paidOrder(h: ShippingHarness, userId: string, shippingMethod = 'EXPRESS'): Promise<ShipmentRow> {
  const paid = await publishOrderEvent(h, 'order.paid', orderPaid(orderId(), userId, shippingMethod));
  await settledOutcomes(h, paid.id);
  const [row] = await shipmentsOfOrder(h, paid.payload.orderId);
  if (!row) throw new Error('no shipment was created');
  return row;
}

export const UPDATE_STATUS = `
  mutation ($id: ID!, $status: ShipmentStatus!) {
    updateShipmentStatus(id: $id, status: $status) {
      shipment { id status carrier trackingNumber events { status at } }
      userErrors { field message code }
    }
  }`;

export const orderId = () => uniqueName('o');
