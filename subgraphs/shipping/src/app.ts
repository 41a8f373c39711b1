import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/mysql2';
import {
  createKafka,
  ensureTopics,
  migrateEventTables,
  mysqlIdempotencyStore,
  startMysqlOutbox,
  type OutboxRelay,
  wakingAfterApplied,
  startEventConsumer,
  consumeInBackground,
  topics,
  type Outcome as ConsumeOutcome,
  type BackgroundConsumer,
  type ShopEvent,
} from '@shop/events';
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
import { consumerGroup, type ShippingConfig } from './config.js';
import { createContext, type Context } from './context.js';
import { schema, type ShippingDb } from './db/index.js';
import { consumedTopics, shippingHandlers } from './events.js';
import { resolvers } from './resolvers.js';
import { createShippingMethods, type ShippingMethods } from './methods.js';
import { createShipments, type Shipments } from './shipments.js';

export interface ShippingSubgraphOptions {
  log?: Logger;
  /** Token verification; defaults to the users subgraph's JWKS (config JWKS_URL). Tests pass a local key set. */
  verifyToken?: TokenVerifier;
  /** Called with every SQL statement the subgraph's GraphQL side sends (tests count queries with it). */
  onSql?: (sql: string, params: unknown[]) => void;
  /** Called after each consumed event is settled (tests wait on it). */
  onEventSettled?: (outcome: ConsumeOutcome, event: ShopEvent | null) => void;
  relay?: { pollIntervalMs?: number; maxBackoffMs?: number };
  consumer?: { maxAttempts?: number; retryBackoffMs?: number };
}

export interface RunningShippingSubgraph extends RunningSubgraph {
  db: ShippingDb;
  methods: ShippingMethods;
  shipments: Shipments;
  relay: OutboxRelay;
  consumer: BackgroundConsumer;
}

const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));


export async function createShippingSubgraph(
  config: ShippingConfig,
  options: ShippingSubgraphOptions = {},
): Promise<RunningShippingSubgraph> {
  assertProductionSecrets(config);
  const log = options.log ?? createLogger('shipping', config.LOG_LEVEL);
  const mysql = await openMysql(
    {
      url: config.MYSQL_URL,
      database: config.MYSQL_DATABASE,
      migrationsFolder: fileURLToPath(new URL('./db/migrations', import.meta.url)),
    },
    schema,
  );
  const closers: Array<() => Promise<void>> = [() => mysql.close()];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((err: unknown) => log.warn({ err }, 'close failed'));
  };
  try {
    await migrateEventTables(mysql.db);
    const onSql = options.onSql;
    const db: ShippingDb = onSql ? drizzle(mysql.pool, { schema, mode: 'default', logger: { logQuery: onSql } }) : mysql.db;

    const kafka = createKafka(config.KAFKA_BROKERS, 'shipping');
    const { publisher, relay, close: closeOutbox } = startMysqlOutbox({ kafka, pool: mysql.pool, config, log, ...options.relay });
    closers.push(closeOutbox);

    const prefix = config.KAFKA_TOPIC_PREFIX;
    const consumerLog = log.child({ component: 'consumer' });
    // In the background: shipments are read and their status updated while Kafka is unreachable.
    const consumer = consumeInBackground(async () => {
      await ensureTopics(kafka, [...consumedTopics, topics.shipments, topics.deadLetter].map((t) => prefix + t));
      return startEventConsumer({
        kafka,
        groupId: consumerGroup(config),
        topics: consumedTopics,
        handlers: shippingHandlers,
        store: wakingAfterApplied(mysqlIdempotencyStore(mysql.db), relay),
        publisher,
        log: consumerLog,
        topicPrefix: prefix,
        maxAttempts: options.consumer?.maxAttempts,
        retryBackoffMs: options.consumer?.retryBackoffMs,
        onSettled: options.onEventSettled,
      });
    }, consumerLog);
    closers.push(() => consumer.stop());

    const methods = createShippingMethods(db);
    const shipments = createShipments(db, { onEventsWritten: () => relay.wake() });
    const running = await startSubgraph<Context>({
      name: 'shipping',
      typeDefs,
      resolvers,
      ...serverSettings(config, options.verifyToken),
      log,
      context: (base) => createContext(base, { methods, shipments }),
      // Kafka is deliberately not a readiness check: events wait in the outbox while it is down.
      readiness: { mysql: () => mysql.ping() },
      // Stop consuming first; events still pending stay in the outbox for the next start.
      onShutdown: [() => consumer.stop(), closeOutbox, () => mysql.close()],
    });
    return { ...running, db, methods, shipments, relay, consumer };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
