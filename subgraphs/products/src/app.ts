import DataLoader from 'dataloader';
import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import type { JWTVerifyGetKey } from 'jose';
import { createKafka, createPublisher, OutboxRelay } from '@shop/events';
import {
  countMongoRoundTrips,
  createLogger,
  createTokenVerifier,
  loadTypeDefs,
  roundTripsEnabled,
  startSubgraph,
  type Logger,
  type RunningSubgraph,
  type TokenVerifier,
} from '@shop/platform';
import { Catalog, ensureProductIndexes, productsCollection } from './catalog.js';
import type { Context } from './context.js';
import { MongoOutboxStore } from './outbox.js';
import { resolvers } from './resolvers.js';

export interface ProductsSubgraphConfig {
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  production?: boolean;
  mongoUrl: string;
  database: string;
  /** e.g. `{ monitorCommands: true }` in tests that count queries. */
  mongoClientOptions?: MongoClientOptions;
  /** Comma-separated; an unreachable broker only delays events, writes still succeed. */
  kafkaBrokers: string;
  /** Prepended to topic names (config KAFKA_TOPIC_PREFIX; tests isolate themselves with it). */
  kafkaTopicPrefix?: string;
  /** Token verification: a ready verifier (tests), or the JWKS (URL or key set) with issuer and audience. */
  auth: { verifyToken: TokenVerifier } | { jwks: string | JWTVerifyGetKey; issuer: string; audience: string };
  log?: Logger;
  relay?: { pollIntervalMs?: number; maxBackoffMs?: number; leaseMs?: number };
}

export interface RunningProductsSubgraph extends RunningSubgraph {
  relay: OutboxRelay;
  outbox: MongoOutboxStore;
  catalog: Catalog;
  client: MongoClient;
  db: Db;
}

const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));

export async function createProductsSubgraph(config: ProductsSubgraphConfig): Promise<RunningProductsSubgraph> {
  const log = config.log ?? createLogger('products');
  const verifyToken =
    'verifyToken' in config.auth
      ? config.auth.verifyToken
      : createTokenVerifier({ jwks: config.auth.jwks, issuer: config.auth.issuer, audience: config.auth.audience });

  // Test mode (or EXPOSE_ROUNDTRIPS=true): Mongo commands per GraphQL request, via command monitoring (platform roundtrips.ts).
  const countRoundTrips = roundTripsEnabled();
  const client = new MongoClient(config.mongoUrl, {
    serverSelectionTimeoutMS: 5_000,
    ...(countRoundTrips ? { monitorCommands: true } : {}),
    ...config.mongoClientOptions,
  });
  if (countRoundTrips) countMongoRoundTrips(client);
  await client.connect();
  const db = client.db(config.database);
  const products = productsCollection(db);

  const publisher = createPublisher(createKafka(config.kafkaBrokers, 'products'), { topicPrefix: config.kafkaTopicPrefix });
  const outbox = new MongoOutboxStore(products, db, { leaseMs: config.relay?.leaseMs });
  const relay = new OutboxRelay({
    store: outbox,
    publisher,
    log: log.child({ component: 'outbox-relay' }),
    pollIntervalMs: config.relay?.pollIntervalMs,
    maxBackoffMs: config.relay?.maxBackoffMs,
  });
  const catalog = new Catalog(products, { onEventsWritten: () => relay.wake() });

  let running: RunningSubgraph;
  try {
    await ensureProductIndexes(products);
    relay.start();
    running = await startSubgraph<Context>({
      name: 'products',
      typeDefs,
      resolvers,
      port: config.port,
      host: config.host,
      production: config.production ?? false,
      log,
      verifyToken,
      context: (base) => ({
        ...base,
        catalog,
        productById: new DataLoader((ids: readonly string[]) => catalog.findByIds(ids)),
      }),
      // Kafka is deliberately not a readiness check: writes go on while it is down (events wait in Mongo).
      readiness: { mongo: async () => void (await db.command({ ping: 1 })) },
      onShutdown: [() => relay.stop(), () => publisher.close(), () => client.close()],
    });
  } catch (err) {
    await relay.stop().catch(() => undefined);
    await publisher.close().catch(() => undefined);
    await client.close().catch(() => undefined);
    throw err;
  }
  return { ...running, relay, outbox, catalog, client, db };
}
