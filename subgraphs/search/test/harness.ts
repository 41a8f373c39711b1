import { randomBytes } from 'node:crypto';
import { createEvent, createKafka, createPublisher, topicOf, type EventPublisher, type Outcome, type ShopEvent } from '@shop/events';
import { createLogger } from '@shop/platform';
import { eventually, gql, uniqueName, type GraphQLResponse } from '@shop/testing';
import { createSearchSubgraph, type RunningSearchSubgraph } from '../src/app.js';
import { loadSearchConfig, type SearchConfig } from '../src/config.js';
import { connectRedis } from '../src/redis.js';
import { SearchIndex } from '../src/search-index.js';

export const log = createLogger('search-test', process.env.LOG_LEVEL ?? 'warn');

export interface SearchHarness {
  app: RunningSearchSubgraph;
  url: string;
  config: SearchConfig;
  index: SearchIndex;
  /** Kafka topic prefix of this system under test (events for it go there). */
  topicPrefix: string;
  /** Publishes events to the test's topics and waits until the search consumer settled every one. */
  publish(...events: ShopEvent[]): Promise<void>;
  /** Outcomes the consumer reported for an event id, in order. */
  outcomesOf(eventId: string): Outcome[];
  search(query: string, variables?: SearchVariables): Promise<SearchView>;
  searchRaw(query: string, variables?: SearchVariables): Promise<GraphQLResponse<{ search: SearchView }>>;
  close(): Promise<void>;
}

export interface SearchVariables {
  first?: number;
  after?: string | null;
  filter?: { category?: string; minPrice?: number; maxPrice?: number; inStock?: boolean };
}

export interface SearchView {
  nodes: Array<{ id: string }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
  facets: { categories: Array<{ value: string; count: number }> };
}

export const SEARCH = `query Search($query: String!, $first: Int, $after: String, $filter: SearchFilter) {
  search(query: $query, first: $first, after: $after, filter: $filter) {
    nodes { id }
    pageInfo { hasNextPage endCursor }
    totalCount
    facets { categories { value count } }
  }
}`;

/**
 * A search subgraph in-process on port 0 with its own Redis key prefix, Kafka topic prefix and
 * consumer group, so parallel test files never see each other's index or events.
 */
export async function startSearch(
  env: Record<string, string> = {},
  opts: { waitForConsumer?: boolean } = {},
): Promise<SearchHarness> {
  const topicPrefix = `${uniqueName('t')}.`;
  const config = loadSearchConfig({
    ...process.env,
    PORT: '0',
    SEARCH_KEY_PREFIX: uniqueName('tsearch'),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_GROUP_SUFFIX: `.${uniqueName('g')}`,
    ...env,
  });
  const outcomes = new Map<string, Outcome[]>();
  const app = await createSearchSubgraph(config, {
    log,
    onEventSettled: (outcome, event) => {
      if (!event) return;
      outcomes.set(event.id, [...(outcomes.get(event.id) ?? []), outcome]);
    },
    consumer: { maxAttempts: 2, retryBackoffMs: 10 },
  });
  // Start-up does not wait for the consumer's group join; most tests do.
  if (opts.waitForConsumer ?? true) await app.consumer.started;
  const publisher: EventPublisher = createPublisher(createKafka(config.KAFKA_BROKERS, uniqueName('search-test')), { topicPrefix });

  const searchRaw = (query: string, variables: SearchVariables = {}) =>
    gql<{ search: SearchView }>(app.url, SEARCH, { query, ...variables });

  const harness: SearchHarness = {
    app,
    url: app.url,
    config,
    index: app.index,
    topicPrefix,
    async publish(...events) {
      const before = new Map(events.map((e) => [e.id, outcomes.get(e.id)?.length ?? 0]));
      await publisher.publish(events.map((envelope) => ({ topic: topicOf(envelope.type), envelope })));
      await eventually(
        async () => (events.every((e) => (outcomes.get(e.id)?.length ?? 0) > before.get(e.id)!) ? true : undefined),
        20_000,
        20,
      );
    },
    outcomesOf: (eventId) => outcomes.get(eventId) ?? [],
    async search(query, variables) {
      const res = await searchRaw(query, variables);
      if (res.errors || !res.data) throw new Error(`search failed: ${JSON.stringify(res.errors)}`);
      return res.data.search;
    },
    searchRaw,
    async close() {
      await app.stop();
      await publisher.close();
      // app.stop() closed its connection: clean up the test's keys with a connection of our own.
      const redis = connectRedis(config.REDIS_URL);
      await new SearchIndex(redis, config.SEARCH_KEY_PREFIX).destroy();
      await redis.quit();
    },
  };
  return harness;
}

/** A random word of letters, so a test finds only the products it wrote. */
export function tag(): string {
  const letters = 'bcdfghjklmnpqrstvwxz';
  return `q${[...randomBytes(9)].map((b) => letters[b % letters.length]).join('')}`;
}

/** A product id like the products subgraph's (24 hex characters). */
export function productId(): string {
  return randomBytes(12).toString('hex');
}

export interface Snapshot {
  id: string;
  sku: string;
  name: string;
  description: string;
  price: { amount: number; currency: string };
  category: string;
  images: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
  revision: number;
}

export function snapshot(overrides: Partial<Omit<Snapshot, 'price'>> & { price?: number | Snapshot['price'] } = {}): Snapshot {
  const now = new Date().toISOString();
  const { price, ...rest } = overrides;
  return {
    id: productId(),
    sku: `SKU-${randomBytes(4).toString('hex').toUpperCase()}`,
    name: 'Plain product',
    description: '',
    category: 'Misc',
    images: [],
    active: true,
    createdAt: now,
    updatedAt: now,
    revision: 1,
    ...rest,
    price: typeof price === 'number' ? { amount: price, currency: 'USD' } : (price ?? { amount: 1000, currency: 'USD' }),
  };
}

export const upserted = (s: Snapshot) => createEvent('product.upserted', s.id, s);
export const archived = (id: string, revision: number) =>
  createEvent('product.archived', id, { id, revision, archivedAt: new Date().toISOString() });
export const stockChanged = (productId: string, available: number) => createEvent('stock.changed', productId, { productId, available });

export const ids = (view: SearchView) => view.nodes.map((n) => n.id);
