import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/mysql2';
import {
  createKafka,
  migrateEventTables,
  startMysqlOutbox,
  type OutboxRelay,
  type BackgroundConsumer,
  type Outcome,
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
import { Checkout } from './checkout.js';
import { consumerGroup, type OrdersConfig } from './config.js';
import { createContext, type Context } from './context.js';
import { schema, type OrdersDb } from './db/index.js';
import { consumeSagaFacts } from './events.js';
import { Lifecycle } from './lifecycle.js';
import { OrderStore } from './order-store.js';
import { createOwners, type Owners } from './owners.js';
import { resolvers } from './resolvers.js';

export interface OrdersSubgraphOptions {
  log?: Logger;
  /** Tests verify tokens with a local key set instead of the users subgraph's JWKS. */
  verifyToken?: TokenVerifier;
  /** Called with every SQL statement the subgraph sends (tests count queries with it). */
  onSql?: (sql: string, params: unknown[]) => void;
  /** Called after each consumed message is settled (tests wait on it). */
  onEventSettled?: (outcome: Outcome, event: ShopEvent | null) => void;
}

export interface RunningOrdersSubgraph extends RunningSubgraph {
  relay: OutboxRelay;
  /** The saga consumer; `consumer.started` resolves once it is subscribed (start-up does not wait for Kafka). */
  consumer: BackgroundConsumer;
  owners: Owners;
  db: OrdersDb;
}

const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));

export async function createOrdersSubgraph(config: OrdersConfig, options: OrdersSubgraphOptions = {}): Promise<RunningOrdersSubgraph> {
  assertProductionSecrets(config);
  const log = options.log ?? createLogger('orders', config.LOG_LEVEL);
  const mysql = await openMysql(
    {
      url: config.MYSQL_URL,
      database: config.MYSQL_DATABASE,
      migrationsFolder: fileURLToPath(new URL('./db/migrations', import.meta.url)),
    },
    schema,
  );
  const cleanup: Array<() => Promise<void>> = [() => mysql.close()];
  const runCleanup = async () => {
    for (const step of cleanup.reverse()) await step().catch((err: unknown) => log.warn({ err }, 'cleanup step failed'));
  };
  try {
    await migrateEventTables(mysql.db);
    const onSql = options.onSql;
    const db: OrdersDb = onSql ? drizzle(mysql.pool, { schema, mode: 'default', logger: { logQuery: onSql } }) : mysql.db;

    const kafka = createKafka(config.KAFKA_BROKERS, 'orders');
    const { publisher, relay, close: closeOutbox } = startMysqlOutbox({ kafka, pool: mysql.pool, config, log, pollIntervalMs: config.OUTBOX_POLL_MS });
    cleanup.push(closeOutbox);
    const wake = () => relay.wake();

    const owners = createOwners(
      {
        products: config.PRODUCTS_URL,
        inventory: config.INVENTORY_URL,
        shipping: config.SHIPPING_URL,
        tax: config.TAX_URL,
        promotions: config.PROMOTIONS_URL,
        payments: config.PAYMENTS_URL,
      },
      { internalToken: config.INTERNAL_API_TOKEN, timeoutMs: config.DEPENDENCY_TIMEOUT_MS, log: log.child({ component: 'owners' }) },
    );
    const store = new OrderStore(db);
    const lifecycle = new Lifecycle(db, store, log.child({ component: 'lifecycle' }), wake);
    const checkout = new Checkout(db, store, owners, log.child({ component: 'checkout' }), wake);

    const consumer = consumeSagaFacts({
      kafka,
      db,
      groupId: consumerGroup(config),
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      publisher,
      lifecycle,
      log: log.child({ component: 'consumer' }),
      onApplied: wake,
      onSettled: options.onEventSettled,
    });
    cleanup.push(() => consumer.stop());

    const running = await startSubgraph<Context>({
      name: 'orders',
      typeDefs,
      resolvers,
      ...serverSettings(config, options.verifyToken),
      log,
      context: (base) => createContext(base, { store, checkout, lifecycle }),
      // Kafka is deliberately not a readiness check: orders are accepted while it is down (events wait in the outbox).
      readiness: { mysql: () => mysql.ping() },
      // Consumer first (no new effects), then the relay (unsent rows wait in the outbox), then the pool.
      onShutdown: [() => consumer.stop(), closeOutbox, () => mysql.close()],
    });
    return { ...running, relay, consumer, owners, db };
  } catch (err) {
    await runCleanup();
    throw err;
  }
}
