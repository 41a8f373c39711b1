import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/mysql2';
import { createKafka, createPublisher, migrateEventTables, type Outcome, type ShopEvent } from '@shop/events';
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
import { consumerGroup, type PromotionsConfig } from './config.js';
import { createContext, type Context } from './context.js';
import { schema, type PromotionsDb } from './db/index.js';
import { consumeOrderEvents } from './events.js';
import { createPromotions, type Promotions } from './promotions.js';
import { resolvers } from './resolvers.js';

export interface PromotionsSubgraphDeps {
  log?: Logger;
  /** Token verification; defaults to the users subgraph's JWKS (tests pass a local key set). */
  verifyToken?: TokenVerifier;
  /** Called with every SQL statement the subgraph sends (tests count queries with it). */
  onSql?: (sql: string, params: unknown[]) => void;
  /** Called after each consumed event is settled (tests wait for it). */
  onEventSettled?: (outcome: Outcome, event: ShopEvent | null) => void;
}

export interface RunningPromotionsSubgraph extends RunningSubgraph {
  promotions: Promotions;
  /** Resolves once the order events consumer has joined its group. */
  consumerStarted: Promise<void>;
}

export async function createPromotionsSubgraph(
  config: PromotionsConfig,
  deps: PromotionsSubgraphDeps = {},
): Promise<RunningPromotionsSubgraph> {
  assertProductionSecrets(config);
  const log = deps.log ?? createLogger('promotions', config.LOG_LEVEL);
  const mysql = await openMysql(
    {
      url: config.MYSQL_URL,
      database: config.MYSQL_DATABASE,
      migrationsFolder: fileURLToPath(new URL('./db/migrations', import.meta.url)),
    },
    schema,
  );
  const onSql = deps.onSql;
  const db: PromotionsDb = onSql ? drizzle(mysql.pool, { schema, mode: 'default', logger: { logQuery: onSql } }) : mysql.db;
  const kafka = createKafka(config.KAFKA_BROKERS, 'promotions');
  // Only for dead-lettering poison messages: promotions publishes no events, so it has no outbox relay.
  const publisher = createPublisher(kafka, { topicPrefix: config.KAFKA_TOPIC_PREFIX });
  let consumer: ReturnType<typeof consumeOrderEvents> | undefined;
  try {
    await migrateEventTables(mysql.db);
    const promotions = createPromotions(db, { log });
    consumer = consumeOrderEvents({
      kafka,
      db,
      publisher,
      groupId: consumerGroup(config),
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      log: log.child({ component: 'order-events' }),
      onSettled: deps.onEventSettled,
    });
    const orderEvents = consumer;
    const running = await startSubgraph<Context>({
      name: 'promotions',
      typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
      resolvers,
      ...serverSettings(config, deps.verifyToken),
      log,
      context: (base) => createContext(base, { promotions }),
      // Kafka is deliberately not a readiness check: coupons are quoted and redeemed without it.
      readiness: { mysql: () => mysql.ping() },
      onShutdown: [() => orderEvents.stop(), () => publisher.close(), () => mysql.close()],
    });
    return { ...running, promotions, consumerStarted: orderEvents.started };
  } catch (err) {
    await consumer?.stop().catch(() => undefined);
    await publisher.close().catch(() => undefined);
    await mysql.close();
    throw err;
  }
}
