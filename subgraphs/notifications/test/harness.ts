import { randomUUID } from 'node:crypto';
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
import { createLogger, type Role } from '@shop/platform';
import { createTestAuth, createTestDatabase, eventually, gql, KAFKA_BROKERS, MYSQL_URL, uniqueName, type TestAuth, type TestPerson } from '@shop/testing';
import { createNotificationsSubgraph, type NotificationsSubgraphOptions, type RunningNotificationsSubgraph } from '../src/app.js';
import { loadNotificationsConfig, type NotificationsConfig } from '../src/config.js';

/** A signed-in person: their user id and access token. */
export type Person = TestPerson;

export const person = (auth: TestAuth, role: Role = 'CUSTOMER'): Promise<Person> => auth.person(role);

export interface NotificationsHarness {
  app: RunningNotificationsSubgraph;
  url: string;
  config: NotificationsConfig;
  database: string;
  auth: TestAuth;
  /** Every consumed event's outcome, in order. */
  settled: Array<{ outcome: Outcome; eventId: string | null }>;
  /** Publishes envelopes to this system's own (prefixed) topics, like orders and payments do. */
  publish(...events: ShopEvent[]): Promise<void>;
  /** Waits until each event id has been settled `times` times (e.g. 2 for a redelivered event). */
  settledAll(eventIds: string[], times?: number, timeoutMs?: number): Promise<void>;
  sql<T = Record<string, unknown>>(statement: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * A notifications subgraph in-process on port 0 against a fresh MariaDB database, with its own
 * Kafka topic prefix and consumer group, so parallel test files never see each other's events.
 */
export async function startNotifications(
  env: Record<string, string> = {},
  options: Omit<NotificationsSubgraphOptions, 'verifyToken' | 'onEventSettled'> = {},
  opts: { waitForConsumer?: boolean } = {},
): Promise<NotificationsHarness> {
  const db = await createTestDatabase('notifications');
  const auth = await createTestAuth();
  const config = loadNotificationsConfig({
    ...process.env,
    MYSQL_DATABASE: db.name,
    PORT: '0',
    KAFKA_TOPIC_PREFIX: `${uniqueName('t')}.`,
    KAFKA_GROUP_SUFFIX: `.${uniqueName('g')}`,
    EVENT_RETRY_BACKOFF_MS: '20',
    DELIVERY_POLL_INTERVAL_MS: '200',
    ...env,
  });
  const settled: NotificationsHarness['settled'] = [];
  const publisher: EventPublisher = createPublisher(createKafka(KAFKA_BROKERS, 'notifications-test'), { topicPrefix: config.KAFKA_TOPIC_PREFIX });
  let app: RunningNotificationsSubgraph;
  try {
    app = await createNotificationsSubgraph(config, {
      log: createLogger('notifications-test', process.env.LOG_LEVEL ?? 'warn'),
      ...options,
      verifyToken: auth.verifyToken,
      onEventSettled: (outcome, event) => settled.push({ outcome, eventId: event?.id ?? null }),
    });
    // Start-up does not wait for the consumer's group join; most tests do.
    if (opts.waitForConsumer ?? true) await app.consumer.started;
  } catch (err) {
    await publisher.close();
    await db.drop();
    throw err;
  }
  const { default: mysql } = await import('mysql2/promise');
  const dbUrl = new URL(MYSQL_URL);
  dbUrl.pathname = `/${db.name}`;
  return {
    app,
    url: app.url,
    config,
    database: db.name,
    auth,
    settled,
    async publish(...events) {
      await publisher.publish(events.map((envelope) => ({ topic: topicOf(envelope.type), envelope })));
    },
    async settledAll(eventIds, times = 1, timeoutMs = 30_000) {
      await eventually(
        async () => (eventIds.every((id) => settled.filter((s) => s.eventId === id).length >= times) ? true : undefined),
        timeoutMs,
        50,
      );
    },
    async sql<T>(statement: string, params: unknown[] = []) {
      const conn = await mysql.createConnection({ uri: dbUrl.toString(), timezone: 'Z' });
      try {
        const [rows] = await conn.query(statement, params);
        return rows as T[];
      } finally {
        await conn.end();
      }
    },
    async close() {
      await app.stop();
      await publisher.close();
      await db.drop();
    },
  };
}

let clock = Date.parse('2030-01-01T00:00:00.000Z');
/** Strictly increasing event times (a second apart), so "newest first" is unambiguous. */
export function nextTime(): string {
  clock += 1_000;
  return new Date(clock).toISOString();
}

/** A catalogued event as its producer would publish it, happening at `occurredAt`. */
export function event<T extends EventType>(type: T, key: string, payload: EventPayload<T>, occurredAt = nextTime()): ShopEvent<T> {
  return { ...createEvent(type, key, payload), occurredAt };
}

const usd = (amount: number) => ({ amount, currency: 'USD' });

/** The customer-facing facts of one order, as orders and payments publish them. */
export function orderEvents(userId: string, orderId: string = randomUUID()) {
  return {
    orderId,
    placed: (total = 4_998) =>
      event('order.placed', orderId, {
        orderId,
        userId,
        lines: [
          { productId: 'p-1', quantity: 2, unitPrice: usd(1_999) },
          { productId: 'p-2', quantity: 1, unitPrice: usd(1_000) },
        ],
        total: usd(total),
        couponCode: null,
        placedAt: new Date().toISOString(),
      }),
    paid: (opts: { withUserId?: boolean; amount?: number } = {}) =>
      event('payment.succeeded', orderId, {
        orderId,
        ...(opts.withUserId === false ? {} : { userId }),
        paymentId: randomUUID(),
        amount: usd(opts.amount ?? 4_998),
      }),
    paymentFailed: (opts: { withUserId?: boolean } = {}) =>
      event('payment.failed', orderId, {
        orderId,
        ...(opts.withUserId === false ? {} : { userId }),
        paymentId: randomUUID(),
        reason: 'PAYMENT_DECLINED',
      }),
    cancelled: (reason: 'OUT_OF_STOCK' | 'PAYMENT_DECLINED' | 'CUSTOMER_REQUEST' | 'ADMIN_REQUEST' = 'CUSTOMER_REQUEST') =>
      event('order.cancelled', orderId, { orderId, userId, reason, refundRequired: false }),
    shipped: () => event('order.shipped', orderId, { orderId, userId }),
    delivered: () => event('order.delivered', orderId, { orderId, userId, productIds: ['p-1', 'p-2'] }),
  };
}

export const NOTIFICATION_FIELDS = 'id type title body read orderId createdAt';

export const INBOX = `
  query Inbox($r: [_Any!]!, $first: Int, $after: String, $unreadOnly: Boolean) {
    _entities(representations: $r) {
      ... on User {
        id
        notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
          nodes { ${NOTIFICATION_FIELDS} }
          pageInfo { hasNextPage endCursor }
          totalCount
        }
      }
    }
  }`;

export const MARK_READ = `
  mutation MarkRead($ids: [ID!]!) {
    markNotificationsRead(ids: $ids) { updated userErrors { field message code } }
  }`;

export interface NotificationView {
  id: string;
  type: string;
  title: string;
  body: string;
  read: boolean;
  orderId: string | null;
  createdAt: string;
}

export interface InboxPage {
  nodes: NotificationView[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** Reads one user's inbox as `viewer` through the entity reference the router would send. */
export async function inbox(
  url: string,
  userId: string,
  viewerToken: string | undefined,
  args: { first?: number; after?: string | null; unreadOnly?: boolean } = {},
) {
  return gql<{ _entities: Array<{ id: string; notifications: InboxPage }> }>(
    url,
    INBOX,
    { r: [{ __typename: 'User', id: userId }], ...args },
    { token: viewerToken },
  );
}

/** The user's inbox as they see it themselves; fails the test on any error. */
export async function ownInbox(url: string, who: Person, args: { first?: number; after?: string | null; unreadOnly?: boolean } = {}): Promise<InboxPage> {
  const res = await inbox(url, who.id, who.token, args);
  if (res.errors || !res.data) throw new Error(`inbox failed: ${JSON.stringify(res.errors)}`);
  return res.data._entities[0]!.notifications;
}
