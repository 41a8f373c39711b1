import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/mysql2';
import { migrateEventTables, type BackgroundConsumer, type Outcome, type ShopEvent } from '@shop/events';
import {
  createLogger,
  loadTypeDefs,
  openMysql,
  serverSettings,
  startSubgraph,
  type Logger,
  type RunningSubgraph,
  type TokenVerifier,
} from '@shop/platform';
import type { NotificationsConfig } from './config.js';
import { createContext, type Context } from './context.js';
import { schema, type NotificationsDb } from './db/index.js';
import { createDeliverer, type Deliverer } from './delivery.js';
import { consumeNotificationEvents } from './events.js';
import { createInbox } from './inbox.js';
import { resolvers } from './resolvers.js';
import { transportFromConfig, type NotificationTransport, type RecipientDirectory } from './transports.js';

export interface NotificationsSubgraphOptions {
  log?: Logger;
  /** Verifies access tokens; defaults to the users subgraph's JWKS (config JWKS_URL). */
  verifyToken?: TokenVerifier;
  /** Replaces the transport (and directory) NOTIFY_TRANSPORT selects. */
  delivery?: { transport: NotificationTransport; recipients: RecipientDirectory };
  /** Called with every SQL statement the subgraph sends (tests count queries with it). */
  onSql?: (sql: string, params: unknown[]) => void;
  /** Called after each consumed event is settled (tests wait on it). */
  onEventSettled?: (outcome: Outcome, event: ShopEvent | null) => void;
}

export interface RunningNotificationsSubgraph extends RunningSubgraph {
  deliverer: Deliverer;
  transport: NotificationTransport;
  /** Consumes events in the background; `started` resolves once it has joined its group. */
  consumer: BackgroundConsumer;
}

export async function createNotificationsSubgraph(
  config: NotificationsConfig,
  options: NotificationsSubgraphOptions = {},
): Promise<RunningNotificationsSubgraph> {
  const log = options.log ?? createLogger('notifications', config.LOG_LEVEL);
  const mysql = await openMysql(
    {
      url: config.MYSQL_URL,
      database: config.MYSQL_DATABASE,
      migrationsFolder: fileURLToPath(new URL('./db/migrations', import.meta.url)),
    },
    schema,
  );
  let consumer: BackgroundConsumer | undefined;
  let deliverer: Deliverer | undefined;
  try {
    await migrateEventTables(mysql.db);
    const onSql = options.onSql;
    const db: NotificationsDb = onSql ? drizzle(mysql.pool, { schema, mode: 'default', logger: { logQuery: onSql } }) : mysql.db;

    const { transport, recipients } = options.delivery ?? transportFromConfig(config, log);
    const activeDeliverer = createDeliverer({
      db,
      transport,
      recipients,
      log,
      maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
      pollIntervalMs: config.DELIVERY_POLL_INTERVAL_MS,
      retryBackoffMs: config.DELIVERY_RETRY_BACKOFF_MS,
    });
    deliverer = activeDeliverer;
    activeDeliverer.start();

    consumer = consumeNotificationEvents(config, db, {
      log,
      onSettled: (outcome, event) => {
        // The notification committed: send it now rather than at the next poll.
        if (outcome === 'applied') activeDeliverer.wake();
        options.onEventSettled?.(outcome, event);
      },
    });
    const activeConsumer = consumer;

    const inbox = createInbox(db);
    const running = await startSubgraph<Context>({
      name: 'notifications',
      typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
      resolvers,
      ...serverSettings(config, options.verifyToken),
      log,
      context: (base) => createContext(base, { inbox }),
      readiness: { mysql: () => mysql.ping() },
      // Consumer first (no new notifications), then the deliverer (finishes its round), then the pool.
      onShutdown: [() => activeConsumer.stop(), () => activeDeliverer.stop(), () => mysql.close()],
    });
    return { ...running, deliverer: activeDeliverer, transport, consumer: activeConsumer };
  } catch (err) {
    await consumer?.stop().catch(() => undefined);
    await deliverer?.stop().catch(() => undefined);
    await mysql.close();
    throw err;
  }
}
