import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/mysql2';
import {
  createKafka,
  createPublisher,
  migrateEventTables,
  MysqlOutboxStore,
  mysqlIdempotencyStore,
  OutboxRelay,
  startEventConsumer,
  topics,
  type IdempotencyStore,
  type MysqlTx,
  type Outcome as ConsumeOutcome,
  type RunningConsumer,
  type ShopEvent,
} from '@shop/events';
import {
  assertProductionSecrets,
  createLogger,
  createTokenVerifier,
  loadTypeDefs,
  openMysql,
  startSubgraph,
  type Logger,
  type RunningSubgraph,
  type TokenVerifier,
} from '@shop/platform';
import { consumerGroup, type InventoryConfig } from './config.js';
import { createContext, type Context } from './context.js';
import { schema, type InventoryDb } from './db/index.js';
import { consumedTopics, inventoryHandlers } from './events.js';
import { ensureTopics } from '@shop/events';
import { resolvers } from './resolvers.js';
import { createStockLevels, type StockLevels } from './stock.js';

export interface InventorySubgraphOptions {
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

export interface BackgroundConsumer {
  /** Resolves once the consumer has joined its group and runs (start-up does not wait for it). */
  started: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the consumer without holding up start-up: joining the group can take until Kafka is back,
 * or until the session of a killed predecessor expires (30 s), and meanwhile the checkout still
 * needs `Product.inventory` from this subgraph. It keeps trying until it runs or is stopped.
 */
function consumeInBackground(start: () => Promise<RunningConsumer>, log: Logger): BackgroundConsumer {
  let stopped = false;
  let running: RunningConsumer | null = null;
  let wakeUp: (() => void) | null = null;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const loop = (async () => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        const consumer = await start();
        if (stopped) return void (await consumer.stop());
        running = consumer;
        return markStarted();
      } catch (err) {
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        log.warn({ err: (err as Error).message, retryInMs: delay }, 'event consumer could not start, retrying');
        await new Promise<void>((resolve) => {
          wakeUp = resolve;
          setTimeout(resolve, delay).unref();
        });
      }
    }
  })();
  return {
    started,
    async stop() {
      stopped = true;
      (wakeUp as (() => void) | null)?.();
      await loop;
      await running?.stop();
      running = null;
    },
  };
}

const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));

/** Idempotent store that wakes the relay after every applied event (its effects enqueued events). */
function wakingStore(store: IdempotencyStore<MysqlTx>, relay: OutboxRelay): IdempotencyStore<MysqlTx> {
  return {
    async runOnce(consumer, eventId, effect) {
      const outcome = await store.runOnce(consumer, eventId, effect);
      if (outcome === 'applied') relay.wake();
      return outcome;
    },
  };
}

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
    const publisher = createPublisher(kafka, { topicPrefix: config.KAFKA_TOPIC_PREFIX });
    closers.push(() => publisher.close());
    const relay = new OutboxRelay({
      // GET_LOCK names are server-wide: one lease per database.
      store: new MysqlOutboxStore(mysql.pool, `outbox-relay:${config.MYSQL_DATABASE}`),
      publisher,
      log: log.child({ component: 'outbox-relay' }),
      pollIntervalMs: options.relay?.pollIntervalMs,
      maxBackoffMs: options.relay?.maxBackoffMs,
    });
    relay.start();
    closers.push(() => relay.stop());

    const prefix = config.KAFKA_TOPIC_PREFIX;
    const consumer = consumeInBackground(async () => {
      await ensureTopics(kafka, [...consumedTopics, topics.inventory, topics.deadLetter].map((t) => prefix + t));
      return startEventConsumer({
        kafka,
        groupId: consumerGroup(config),
        topics: consumedTopics,
        handlers: inventoryHandlers,
        store: wakingStore(mysqlIdempotencyStore(mysql.db), relay),
        publisher,
        log: log.child({ component: 'consumer' }),
        topicPrefix: prefix,
        maxAttempts: options.consumer?.maxAttempts,
        retryBackoffMs: options.consumer?.retryBackoffMs,
        onSettled: options.onEventSettled,
      });
    }, log.child({ component: 'consumer' }));
    closers.push(() => consumer.stop());

    const stock = createStockLevels(db, { onEventsWritten: () => relay.wake() });
    const running = await startSubgraph<Context>({
      name: 'inventory',
      typeDefs,
      resolvers,
      port: config.PORT,
      host: config.HOST,
      production: config.NODE_ENV === 'production',
      log,
      verifyToken:
        options.verifyToken ?? createTokenVerifier({ issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, jwks: config.JWKS_URL }),
      internalToken: config.INTERNAL_API_TOKEN,
      context: (base) => createContext(base, { stock }),
      // Kafka is deliberately not a readiness check: events wait in the outbox while it is down.
      readiness: { mysql: () => mysql.ping() },
      // Stop consuming first; events still pending stay in the outbox for the next start.
      onShutdown: [() => consumer.stop(), () => relay.stop(), () => publisher.close(), () => mysql.close()],
    });
    return { ...running, db, stock, relay, consumer };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
