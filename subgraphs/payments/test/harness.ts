import { fileURLToPath } from 'node:url';
import { asc, eq } from 'drizzle-orm';
import {
  createEvent,
  createKafka,
  createPublisher,
  migrateEventTables,
  outbox,
  topics,
  type EventPayload,
  type EventPublisher,
  type EventType,
  type Outcome,
  type ShopEvent,
} from '@shop/events';
import { createLogger, openMysql } from '@shop/platform';
import { createTestAuth, createTestDatabase, eventually, KAFKA_BROKERS, MYSQL_URL, readEvents, uniqueName, type TestAuth } from '@shop/testing';
import { createPaymentsSubgraph, type PaymentsSubgraphDeps, type RunningPaymentsSubgraph } from '../src/app.js';
import { loadPaymentsConfig, type PaymentsConfig } from '../src/config.js';
import { payments as paymentsTable, schema, simulatedProviderCalls, type PaymentsDb } from '../src/db/index.js';
import { Payments, type OrderToCharge } from '../src/payments.js';
import type { PaymentProvider } from '../src/providers/provider.js';
import { SimulatedPaymentProvider } from '../src/providers/simulated.js';

export const log = createLogger('payments-test', process.env.LOG_LEVEL ?? 'warn');
export const INTERNAL_TOKEN = 'payments-test-internal-token';

// ---- Counting the provider's calls (and stepping in between them).

export type ProviderOperation = 'authorise' | 'capture' | 'refund';

export interface CountingProvider {
  provider: PaymentProvider;
  calls: Record<ProviderOperation, number>;
  /** Runs before the wrapped provider answers; tests use it to cancel an order mid-charge. */
  before: Partial<Record<ProviderOperation, () => Promise<void>>>;
}

export function countingProvider(inner: PaymentProvider): CountingProvider {
  const counting: CountingProvider = {
    calls: { authorise: 0, capture: 0, refund: 0 },
    before: {},
    provider: {
      name: inner.name,
      acceptsToken: (token) => inner.acceptsToken(token),
      authorise: async (req) => {
        counting.calls.authorise += 1;
        await counting.before.authorise?.();
        return inner.authorise(req);
      },
      capture: async (req) => {
        counting.calls.capture += 1;
        await counting.before.capture?.();
        return inner.capture(req);
      },
      refund: async (req) => {
        counting.calls.refund += 1;
        await counting.before.refund?.();
        return inner.refund(req);
      },
    },
  };
  return counting;
}

// ---- Reading what happened, straight from the database.

export interface OutboxRow {
  type: EventType;
  payload: Record<string, unknown>;
}

export function dbReads(db: PaymentsDb) {
  return {
    /** Events enqueued for one order (the outbox), oldest first. */
    async outbox(orderId: string): Promise<OutboxRow[]> {
      const rows = await db.select({ envelope: outbox.envelope }).from(outbox).where(eq(outbox.eventKey, orderId)).orderBy(asc(outbox.seq));
      return rows.map((r) => {
        const e = JSON.parse(r.envelope) as ShopEvent;
        return { type: e.type, payload: e.payload as Record<string, unknown> };
      });
    },
    async paymentRows(orderId: string) {
      return db.select().from(paymentsTable).where(eq(paymentsTable.orderId, orderId));
    },
    /** The simulated provider's ledger rows for one order's keys. */
    async ledger(orderId: string) {
      const rows = await db.select().from(simulatedProviderCalls);
      return rows.filter((r) => r.idempotencyKey.startsWith(`order:${orderId}:`));
    },
  };
}

// ---- The domain on a fresh database, without Kafka (the outbox shows what would be published).

export const migrationsFolder = fileURLToPath(new URL('../src/db/migrations', import.meta.url));

export async function paymentsFixture() {
  const database = await createTestDatabase('payments');
  const mysql = await openMysql({ url: MYSQL_URL, database: database.name, migrationsFolder }, schema);
  await migrateEventTables(mysql.db);
  const simulated = new SimulatedPaymentProvider(mysql.db);
  const counting = countingProvider(simulated);
  const payments = new Payments({ db: mysql.db, provider: counting.provider, log });
  return {
    db: mysql.db,
    pool: mysql.pool,
    simulated,
    counting,
    payments,
    ...dbReads(mysql.db),
    async close() {
      await mysql.close();
      await database.drop();
    },
  };
}

export type PaymentsFixture = Awaited<ReturnType<typeof paymentsFixture>>;

export function confirmedOrder(overrides: Partial<OrderToCharge> = {}): OrderToCharge {
  return {
    orderId: uniqueName('order'),
    userId: uniqueName('user'),
    amount: { amount: 4_299, currency: 'USD' },
    paymentToken: 'tok_visa',
    ...overrides,
  };
}

// ---- The whole subgraph in-process (port 0), with its own database, topic prefix and group.

export interface PaymentsHarness {
  app: RunningPaymentsSubgraph;
  url: string;
  origin: string;
  config: PaymentsConfig;
  counting: CountingProvider;
  auth: TestAuth;
  /** Every consumed message's outcome, in order. */
  settled: Array<{ outcome: Outcome; eventId: string | null }>;
  /** Publishes an order fact as the orders subgraph would (same prefix, keyed by order id). */
  publishOrderEvent<T extends 'order.confirmed' | 'order.cancelled'>(type: T, payload: EventPayload<T>): Promise<ShopEvent<T>>;
  /** Publishes an already built envelope again (a redelivery). */
  republish(event: ShopEvent): Promise<void>;
  /** Payment events read back from Kafka (this harness's prefix), in arrival order. */
  paymentEvents: ShopEvent[];
  reads: ReturnType<typeof dbReads>;
  waitSettled(eventId: string, times?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startPayments(deps: PaymentsSubgraphDeps = {}): Promise<PaymentsHarness> {
  const database = await createTestDatabase('payments');
  const prefix = `${uniqueName('t')}.`;
  const config = loadPaymentsConfig({
    ...process.env,
    MYSQL_DATABASE: database.name,
    PORT: '0',
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_SUFFIX: `.${uniqueName('g')}`,
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
  });
  const kafka = createKafka(KAFKA_BROKERS, uniqueName('payments-test'));
  // Fresh prefixed topics: create them up front rather than racing auto-creation.
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [topics.orders, topics.payments].map((t) => ({ topic: prefix + t })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const auth = await createTestAuth();
  const settled: PaymentsHarness['settled'] = [];
  let counting: CountingProvider | undefined;
  const app = await createPaymentsSubgraph(config, {
    log,
    verifyToken: auth.verifyToken,
    relay: { pollIntervalMs: 200, maxBackoffMs: 1_000 },
    consumer: { retryBackoffMs: 50 },
    ...deps,
    wrapProvider: (p) => {
      counting = countingProvider(deps.wrapProvider ? deps.wrapProvider(p) : p);
      return counting.provider;
    },
    onEventSettled: (outcome, event) => {
      settled.push({ outcome, eventId: event?.id ?? null });
      deps.onEventSettled?.(outcome, event);
    },
  });

  const publisher: EventPublisher = createPublisher(kafka, { topicPrefix: prefix });
  // What payments published, read back from its topic.
  const reader = await readEvents(prefix, topics.payments);
  const paymentEvents = reader.events;

  const harness: PaymentsHarness = {
    app,
    url: app.url,
    origin: new URL(app.url).origin,
    config,
    counting: counting!,
    auth,
    settled,
    paymentEvents,
    reads: dbReads(app.db),
    async publishOrderEvent(type, payload) {
      const event = createEvent(type, payload.orderId, payload);
      await publisher.publish([{ topic: topics.orders, envelope: event }]);
      return event;
    },
    async republish(event) {
      await publisher.publish([{ topic: topics.orders, envelope: event }]);
    },
    async waitSettled(eventId, times = 1) {
      await eventually(async () => (settled.filter((s) => s.eventId === eventId).length >= times ? true : undefined), 30_000);
    },
    async close() {
      await Promise.all([reader.stop().catch(() => undefined), publisher.close().catch(() => undefined), app.stop()]);
      await database.drop();
    },
  };
  return harness;
}

/** Payment events about one order that arrived on Kafka. */
export function eventsFor(h: PaymentsHarness, orderId: string): ShopEvent[] {
  return h.paymentEvents.filter((e) => e.key === orderId);
}
