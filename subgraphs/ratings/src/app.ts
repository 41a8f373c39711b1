import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/mysql2';
import { migrateEventTables, type Outcome, type ShopEvent } from '@shop/events';
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
import { consumerGroup, type RatingsConfig } from './config.js';
import { createContext, type Context } from './context.js';
import { schema, type RatingsDb } from './db/index.js';
import { consumeOrderEvents } from './events.js';
import { resolvers } from './resolvers.js';
import { createReviewBook } from './reviews.js';

export interface RatingsSubgraphOptions {
  log?: Logger;
  /** Called with every SQL statement the subgraph sends (tests count queries with it). */
  onSql?: (sql: string, params: unknown[]) => void;
  /** Token verification; against the users subgraph's JWKS (config JWKS_URL) when omitted. Tests pass a local key set. */
  verifyToken?: TokenVerifier;
  /** Where product ids are checked; the products subgraph at PRODUCTS_URL when omitted. */
  products?: ProductDirectory;
  /** Called after each consumed event is settled (tests observe redeliveries with it). */
  onEventSettled?: (outcome: Outcome, event: ShopEvent | null) => void;
}

export interface RunningRatingsSubgraph extends RunningSubgraph {
  /** Resolves once the Kafka consumer has joined its group. */
  consumerReady: Promise<void>;
}

export async function createRatingsSubgraph(config: RatingsConfig, options: RatingsSubgraphOptions = {}): Promise<RunningRatingsSubgraph> {
  assertProductionSecrets(config);
  const log = options.log ?? createLogger('ratings', config.LOG_LEVEL);
  const mysql = await openMysql(
    {
      url: config.MYSQL_URL,
      database: config.MYSQL_DATABASE,
      migrationsFolder: fileURLToPath(new URL('./db/migrations', import.meta.url)),
    },
    schema,
  );
  try {
    const onSql = options.onSql;
    const db: RatingsDb = onSql ? drizzle(mysql.pool, { schema, mode: 'default', logger: { logQuery: onSql } }) : mysql.db;
    // processed_events for the idempotent consumer (the outbox table stays empty: ratings publishes nothing).
    await migrateEventTables(mysql.db);

    const products = options.products ?? productsSubgraph(config.PRODUCTS_URL, config.DEPENDENCY_TIMEOUT_MS);
    const reviewBook = createReviewBook(db, products);
    const consumer = consumeOrderEvents({
      db: mysql.db,
      brokers: config.KAFKA_BROKERS,
      groupId: consumerGroup(config),
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      log: log.child({ component: 'consumer' }),
      onSettled: options.onEventSettled,
    });

    let running: RunningSubgraph;
    try {
      running = await startSubgraph<Context>({
        name: 'ratings',
        typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
        resolvers,
        ...serverSettings(config, options.verifyToken),
        log,
        context: (base) => createContext(base, { db, reviewBook }),
        // Kafka is not a readiness condition: reviews work without it, verified purchases catch up later.
        readiness: { mysql: () => mysql.ping() },
        onShutdown: [() => consumer.stop(), () => mysql.close()],
      });
    } catch (err) {
      await consumer.stop().catch(() => undefined);
      throw err;
    }
    return { ...running, consumerReady: consumer.started };
  } catch (err) {
    await mysql.close();
    throw err;
  }
}
