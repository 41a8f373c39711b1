import type { Redis } from 'ioredis';
import {
  createKafka,
  createPublisher,
  startEventConsumer,
  consumeInBackground,
  type Outcome as ConsumeOutcome,
  type BackgroundConsumer,
  type ShopEvent,
} from '@shop/events';
import {
  assertProductionSecrets,
  countRedisRoundTrips,
  createLogger,
  loadTypeDefs,
  roundTripsEnabled,
  serverSettings,
  startSubgraph,
  type Logger,
  type RunningSubgraph,
  type TokenVerifier,
} from '@shop/platform';
import { consumerGroup, type SearchConfig } from './config.js';
import { createContext, type Context } from './context.js';
import { consumedTopics, redisIdempotencyStore, searchHandlers } from './events.js';
import { connectRedis } from './redis.js';
import { resolvers } from './resolvers.js';
import { SearchIndex } from './search-index.js';

export interface SearchSubgraphOptions {
  log?: Logger;
  /** Token verification; defaults to the users subgraph's JWKS (config JWKS_URL). Search itself is public. */
  verifyToken?: TokenVerifier;
  /** Called after each consumed event is settled (tests wait on it). */
  onEventSettled?: (outcome: ConsumeOutcome, event: ShopEvent | null) => void;
  consumer?: { maxAttempts?: number; retryBackoffMs?: number };
}

export interface RunningSearchSubgraph extends RunningSubgraph {
  index: SearchIndex;
  redis: Redis;
  consumer: BackgroundConsumer;
}

const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));

export async function createSearchSubgraph(config: SearchConfig, options: SearchSubgraphOptions = {}): Promise<RunningSearchSubgraph> {
  assertProductionSecrets(config);
  const log = options.log ?? createLogger('search', config.LOG_LEVEL);
  const redis = connectRedis(config.REDIS_URL);
  // Test mode (or EXPOSE_ROUNDTRIPS=true): Redis commands per GraphQL request (platform roundtrips.ts).
  if (roundTripsEnabled()) countRedisRoundTrips(redis);
  const closers: Array<() => Promise<void>> = [async () => void (await redis.quit())];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((err: unknown) => log.warn({ err }, 'close failed'));
  };
  try {
    const index = new SearchIndex(redis, config.SEARCH_KEY_PREFIX);
    await index.init();

    const kafka = createKafka(config.KAFKA_BROKERS, 'search');
    // Only for dead letters: search publishes no events of its own.
    const publisher = createPublisher(kafka, { topicPrefix: config.KAFKA_TOPIC_PREFIX });
    closers.push(() => publisher.close());
    const consumerLog = log.child({ component: 'consumer' });
    // In the background: queries are answered from the index while Kafka is unreachable.
    const consumer = consumeInBackground(
      () =>
        startEventConsumer({
          kafka,
          groupId: consumerGroup(config),
          topics: consumedTopics,
          handlers: searchHandlers,
          store: redisIdempotencyStore(index, config.SEARCH_PROCESSED_TTL_SECONDS),
          publisher,
          log: consumerLog,
          topicPrefix: config.KAFKA_TOPIC_PREFIX,
          maxAttempts: options.consumer?.maxAttempts,
          retryBackoffMs: options.consumer?.retryBackoffMs,
          onSettled: options.onEventSettled,
        }),
      consumerLog,
    );
    closers.push(() => consumer.stop());

    const running = await startSubgraph<Context>({
      name: 'search',
      typeDefs,
      resolvers,
      ...serverSettings(config, options.verifyToken),
      log,
      context: (base) => createContext(base, { index }),
      // Kafka is deliberately not a readiness check: queries are answered from the index while it is down.
      readiness: { redis: async () => void (await redis.ping()) },
      // Stop consuming first, then let go of Redis.
      onShutdown: [() => consumer.stop(), () => publisher.close(), async () => void (await redis.quit())],
    });
    return { ...running, index, redis, consumer };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
