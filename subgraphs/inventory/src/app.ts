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
  type BackgroundConsumer,
  consumeInBackground,
  topics,
  type Outcome as ConsumeOutcome,
  type ShopEvent,
} from '@shop/events';
import {
  assertProductionSecrets,
  createLogger,
  loadTypeDefs,
  openMysql,
  productsSubgraph,
  serverSettings,
  startSubgraph,
  type Logger,
  type ProductDirectory,
  type RunningSubgraph,
  type TokenVerifier,
} from '@shop/platform';
import { consumerGroup, type InventoryConfig } from './config.js';
import { createContext, type Context } from './context.js';
import { schema, type InventoryDb } from './db/index.js';
import { consumedTopics, inventoryHandlers } from './events.js';
import { resolvers } from './resolvers.js';
import { createStockLevels, type StockLevels } from './stock.js';

export interface InventorySubgraphOptions {
  /** Whether products exist (setStock); defaults to asking the products subgraph at PRODUCTS_URL. */
  products?: ProductDirectory;
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

export interface RunningInventorySubgraph extends RunningSubgraph {
  db: InventoryDb;
  stock: StockLevels;
  relay: OutboxRelay;
  consumer: BackgroundConsumer;
}


const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));


export async function createInventorySubgraph(
  config: InventoryConfig,
  options: InventorySubgraphOptions = {},
): Promise<RunningInventorySubgraph> {
  assertProductionSecrets(config);
  const log = options.log ?? createLogger('inventory', config.LOG_LEVEL);
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
    const db: InventoryDb = onSql ? drizzle(mysql.pool, { schema, mode: 'default', logger: { logQuery: onSql } }) : mysql.db;

    const kafka = createKafka(config.KAFKA_BROKERS, 'inventory');
    const { publisher, relay, close: closeOutbox } = startMysqlOutbox({ kafka, pool: mysql.pool, config, log, ...options.relay });
    closers.push(closeOutbox);

    const prefix = config.KAFKA_TOPIC_PREFIX;
    const consumer = consumeInBackground(async () => {
      await ensureTopics(kafka, [...consumedTopics, topics.inventory, topics.deadLetter].map((t) => prefix + t));
      return startEventConsumer({
        kafka,
        groupId: consumerGroup(config),
        topics: consumedTopics,
        handlers: inventoryHandlers,
        store: wakingAfterApplied(mysqlIdempotencyStore(mysql.db), relay),
        publisher,
        log: log.child({ component: 'consumer' }),
        topicPrefix: prefix,
        maxAttempts: options.consumer?.maxAttempts,
        retryBackoffMs: options.consumer?.retryBackoffMs,
        onSettled: options.onEventSettled,
      });
    }, log.child({ component: 'consumer' }));
    closers.push(() => consumer.stop());

    const products = options.products ?? productsSubgraph(config.PRODUCTS_URL, config.DEPENDENCY_TIMEOUT_MS);
    const stock = createStockLevels(db, products, { onEventsWritten: () => relay.wake() });
    const running = await startSubgraph<Context>({
      name: 'inventory',
      typeDefs,
      resolvers,
      ...serverSettings(config, options.verifyToken),
      log,
      context: (base) => createContext(base, { stock }),
      // Kafka is deliberately not a readiness check: events wait in the outbox while it is down.
      readiness: { mysql: () => mysql.ping() },
      // Stop consuming first; events still pending stay in the outbox for the next start.
      onShutdown: [() => consumer.stop(), closeOutbox, () => mysql.close()],
    });
    return { ...running, db, stock, relay, consumer };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
