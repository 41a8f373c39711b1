import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/mysql2';
import { createKafka, migrateEventTables, mysqlIdempotencyStore, startMysqlOutbox, type MysqlOutbox, type OutboxRelay, type Outcome, type ShopEvent } from '@shop/events';
import {
  assertProductionSecrets,
  createLogger,
  loadTypeDefs,
  openMysql,
  serverSettings,
  startSubgraph,
  type Logger,
  type RunningSubgraph,
  type TokenVerifier,
} from '@shop/platform';
import { consumerGroup, type PaymentsConfig } from './config.js';
import { createContext, type Context } from './context.js';
import { schema, type PaymentsDb } from './db/index.js';
import { consumeOrderEvents, type OrderEventsConsumer } from './events.js';
import { Payments } from './payments.js';
import type { PaymentProvider } from './providers/provider.js';
import { createPaymentProvider } from './providers/registry.js';
import { resolvers } from './resolvers.js';

export interface PaymentsSubgraphDeps {
  log?: Logger;
  /** Tests verify tokens against a local key set; by default the users subgraph's JWKS. */
  verifyToken?: TokenVerifier;
  /** Wraps the configured provider (tests count calls or simulate a crash with it). */
  wrapProvider?: (provider: PaymentProvider) => PaymentProvider;
  /** Called with every SQL statement of the GraphQL reads (tests count queries with it). */
  onSql?: (sql: string, params: unknown[]) => void;
  /** Called after each consumed message is settled (tests wait on it). */
  onEventSettled?: (outcome: Outcome, event: ShopEvent | null) => void;
  relay?: { pollIntervalMs?: number; maxBackoffMs?: number };
  consumer?: { maxAttempts?: number; retryBackoffMs?: number };
}

export interface RunningPaymentsSubgraph extends RunningSubgraph {
  payments: Payments;
  provider: PaymentProvider;
  relay: OutboxRelay;
  db: PaymentsDb;
}

export async function createPaymentsSubgraph(config: PaymentsConfig, deps: PaymentsSubgraphDeps = {}): Promise<RunningPaymentsSubgraph> {
  assertProductionSecrets(config);
  const log = deps.log ?? createLogger('payments', config.LOG_LEVEL);
  const mysql = await openMysql(
    {
      url: config.MYSQL_URL,
      database: config.MYSQL_DATABASE,
      migrationsFolder: fileURLToPath(new URL('./db/migrations', import.meta.url)),
    },
    schema,
  );
  const kafka = createKafka(config.KAFKA_BROKERS, 'payments');
  let outbox: MysqlOutbox | undefined;
  let consumer: OrderEventsConsumer | undefined;
  try {
    await migrateEventTables(mysql.db);
    outbox = startMysqlOutbox({ kafka, pool: mysql.pool, config, log, ...deps.relay });
    const { publisher, relay, close: closeOutbox } = outbox;
    const db = mysql.db;
    const configured = createPaymentProvider(config.PAYMENT_PROVIDER, { db, env: process.env });
    if (config.NODE_ENV === 'production' && configured.name === 'simulated') {
      log.warn('PAYMENT_PROVIDER=simulated in production: no real money moves');
    }
    const provider = deps.wrapProvider ? deps.wrapProvider(configured) : configured;
    const payments = new Payments({ db, provider, log, onEventsCommitted: () => relay.wake() });
    consumer = consumeOrderEvents({
      kafka,
      groupId: consumerGroup(config),
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      store: mysqlIdempotencyStore(db),
      publisher,
      log: log.child({ component: 'order-events' }),
      payments,
      maxAttempts: deps.consumer?.maxAttempts,
      retryBackoffMs: deps.consumer?.retryBackoffMs,
      onSettled: (outcome, event) => {
        if (outcome === 'applied') relay.wake(); // its events committed with the processed-event record
        deps.onEventSettled?.(outcome, event);
      },
    });

    const readDb: PaymentsDb = deps.onSql ? drizzle(mysql.pool, { schema, mode: 'default', logger: { logQuery: deps.onSql } }) : db;
    const stopConsumer = consumer;
    const running = await startSubgraph<Context>({
      name: 'payments',
      typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
      resolvers,
      ...serverSettings(config, deps.verifyToken),
      log,
      context: (base) => createContext(base, { db: readDb, provider }),
      // Kafka is deliberately not a readiness check: events wait in the outbox and on the topic.
      readiness: { mysql: () => mysql.ping() },
      onShutdown: [() => stopConsumer.stop(), closeOutbox, () => mysql.close()],
    });
    return { ...running, payments, provider, relay, db };
  } catch (err) {
    await consumer?.stop().catch(() => undefined);
    await outbox?.close().catch(() => undefined);
    await mysql.close();
    throw err;
  }
}
