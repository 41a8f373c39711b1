import mysql from 'mysql2/promise';
import {
  createEvent,
  createKafka,
  createPublisher,
  topicOf,
  type EventPayload,
  type EventPublisher,
  type EventType,
  type Outcome,
  type ShopEvent,
} from '@shop/events';
import { createLogger } from '@shop/platform';
import { createTestAuth, createTestDatabase, eventually, gql, KAFKA_BROKERS, MYSQL_URL, uniqueName, type TestAuth, type TestPerson } from '@shop/testing';
import { createOrdersSubgraph, type OrdersSubgraphOptions, type RunningOrdersSubgraph } from '../src/app.js';
import { loadOrdersConfig, type OrdersConfig } from '../src/config.js';

export const INTERNAL_TOKEN = 'orders-test-internal-token';

/** A signed-in person: their id and a bearer token. */
export type Person = TestPerson;

export interface OrdersHarness {
  app: RunningOrdersSubgraph;
  url: string;
  config: OrdersConfig;
  database: string;
  auth: TestAuth;
  /** Publishes a saga fact the way inventory / payments / shipping would, on this harness's topics. */
  publish<T extends EventType>(type: T, key: string, payload: EventPayload<T>): Promise<ShopEvent<T>>;
  /** Publishes an event as it is (e.g. the same one twice). */
  republish(event: ShopEvent): Promise<void>;
  /** Resolves once the consumer settled the event (applied, duplicate, ignored...). */
  settled(eventId: string, timeoutMs?: number): Promise<Outcome>;
  /** The events orders wrote to its outbox for an order, oldest first. */
  outbox(orderId: string): Promise<ShopEvent[]>;
  sql<T = Record<string, unknown>>(statement: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * The orders subgraph in-process on port 0 with a fresh database, its own topic prefix and consumer
 * group, tokens from a local key set, and every owner URL pointing at `ownersUrl`.
 */
export async function startOrders(
  ownersUrl: string,
  env: Record<string, string> = {},
  options: OrdersSubgraphOptions & { skipConsumerWait?: boolean } = {},
): Promise<OrdersHarness> {
  const db = await createTestDatabase('orders');
  const auth = await createTestAuth();
  const prefix = `${uniqueName('t')}.`;
  const config = loadOrdersConfig({
    ...process.env,
    MYSQL_DATABASE: db.name,
    PORT: '0',
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_SUFFIX: `-${uniqueName('g')}`,
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    OUTBOX_POLL_MS: '200',
    PRODUCTS_URL: ownersUrl,
    INVENTORY_URL: ownersUrl,
    SHIPPING_URL: ownersUrl,
    TAX_URL: ownersUrl,
    PROMOTIONS_URL: ownersUrl,
    PAYMENTS_URL: ownersUrl,
    DEPENDENCY_TIMEOUT_MS: '2000',
    ...env,
  });
  const outcomes = new Map<string, Outcome>();
  const app = await createOrdersSubgraph(config, {
    log: createLogger('orders-test', process.env.ORDERS_TEST_LOG_LEVEL ?? 'error'),
    verifyToken: auth.verifyToken,
    ...options,
    onEventSettled: (outcome, event) => {
      if (event) outcomes.set(event.id, outcome);
      options.onEventSettled?.(outcome, event);
    },
  });
  // Start-up does not wait for Kafka; the tests do, unless told that Kafka is unreachable on purpose.
  if (!options.skipConsumerWait) await app.consumer.started;
  const publisher: EventPublisher = createPublisher(createKafka(KAFKA_BROKERS, uniqueName('orders-test')), { topicPrefix: prefix });
  const dbUrl = new URL(MYSQL_URL);
  dbUrl.pathname = `/${db.name}`;
  const pool = mysql.createPool({ uri: dbUrl.toString(), connectionLimit: 3, timezone: 'Z' });

  const harness: OrdersHarness = {
    app,
    url: app.url,
    config,
    database: db.name,
    auth,
    async publish(type, key, payload) {
      const event = createEvent(type, key, payload);
      await publisher.publish([{ topic: topicOf(type), envelope: event }]);
      return event;
    },
    async republish(event) {
      await publisher.publish([{ topic: topicOf(event.type), envelope: event }]);
    },
    settled: (eventId, timeoutMs = 20_000) => eventually(async () => outcomes.get(eventId), timeoutMs, 25),
    async outbox(orderId) {
      const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT envelope FROM outbox WHERE event_key = ? ORDER BY seq', [orderId]);
      return rows.map((r) => JSON.parse(String(r.envelope)) as ShopEvent);
    },
    async sql<T>(statement: string, params: unknown[] = []) {
      const [rows] = await pool.query(statement, params);
      return rows as T[];
    },
    async close() {
      await app.stop();
      await publisher.close();
      await pool.end();
      await db.drop();
    },
  };
  return harness;
}

export const ORDER_FIELDS = `
  id status cancellationReason couponCode shippingMethod placedAt updatedAt
  user { id }
  items { product { id } quantity unitPrice { amount currency } lineTotal { amount currency } }
  subtotal { amount currency } discount { amount currency } tax { amount currency }
  shippingCost { amount currency } total { amount currency }
  shippingAddress { id line1 line2 city region postalCode country }
  history { status at }`;

export const PLACE_ORDER = `mutation ($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { ${ORDER_FIELDS} } userErrors { field message code } }
}`;
export const QUOTE = `query ($input: QuoteInput!) {
  quote(input: $input) {
    subtotal { amount currency } discount { amount currency } tax { amount currency }
    shippingCost { amount currency } total { amount currency }
    userErrors { field message code }
  }
}`;
export const CANCEL_ORDER = `mutation ($id: ID!) {
  cancelOrder(id: $id) { order { ${ORDER_FIELDS} } userErrors { field message code } }
}`;
export const ORDER = `query ($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`;

export const ADDRESS = { line1: '1 Market St', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' };

export function orderInput(items: Array<{ productId: string; quantity: number }>, overrides: Record<string, unknown> = {}) {
  return { items, shippingAddress: ADDRESS, shippingMethod: 'STANDARD', paymentToken: 'tok_visa', ...overrides };
}

/** Places an order and fails the test unless it was accepted. */
export async function placeOrder(url: string, token: string, input: Record<string, unknown>): Promise<any> {
  const res = await gql(url, PLACE_ORDER, { input }, { token });
  const payload = res.data?.placeOrder;
  if (res.errors || !payload?.order) throw new Error(`placeOrder failed: ${JSON.stringify(res.errors ?? payload?.userErrors)}`);
  return payload.order;
}

export async function orderStatus(h: OrdersHarness, orderId: string): Promise<{ status: string; cancellation_reason: string | null }> {
  const [row] = await h.sql<{ status: string; cancellation_reason: string | null }>('SELECT status, cancellation_reason FROM orders WHERE id = ?', [orderId]);
  return row!;
}
