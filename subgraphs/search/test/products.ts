import { createKafka, createPublisher, ensureTopics, parseEvent, topics } from '@shop/events';
import { createSubgraphClient, type SubgraphClient } from '@shop/platform';
import { createProductsSubgraph, type RunningProductsSubgraph } from '@shop/products/app';
import { createTestAuth, createTestMongo, gql, KAFKA_BROKERS, MONGO_URL, uniqueName } from '@shop/testing';
import { log } from './harness.js';

/**
 * A real products subgraph in-process (its own Mongo database, local ES256 keys standing in for
 * the users JWKS) whose product events reach the search subgraph under test.
 */
export interface ProductsFixture {
  app: RunningProductsSubgraph;
  url: string;
  client: SubgraphClient;
  /** The event bridge: set `dropping` to lose this instance's events (as if search had missed them). */
  bridge: Bridge;
  create(input: { name: string; description?: string; category?: string; price?: number }): Promise<{ id: string }>;
  update(id: string, input: Record<string, unknown>): Promise<void>;
  archive(id: string): Promise<void>;
  /** Ids of every active product, read through the public `products` listing. */
  activeIds(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startProducts(topicPrefix: string): Promise<ProductsFixture> {
  const auth = await createTestAuth();
  const admin = await auth.sign('ADMIN', undefined, { expiresIn: '30m' });

  const mongo = await createTestMongo('search_products');
  // The bridge starts first, so no event of this products instance can slip past it.
  // products publishes under a private prefix; the bridge forwards onto the search test's topic.
  const sourcePrefix = `${topicPrefix}products-src.`;
  const bridge = await bridgeProductEvents(sourcePrefix, topicPrefix);
  const app = await createProductsSubgraph({
    port: 0,
    mongoUrl: MONGO_URL,
    database: mongo.name,
    kafkaBrokers: KAFKA_BROKERS,
    kafkaTopicPrefix: sourcePrefix,
    auth: { verifyToken: auth.verifyToken },
    log,
    relay: { pollIntervalMs: 200, maxBackoffMs: 1_000 },
  });

  const fixtureClient = createSubgraphClient({ url: app.url });
  const mutate = async (field: string, query: string, variables: Record<string, unknown>) => {
    const res = await gql(app.url, query, variables, { token: admin });
    const payload = res.data?.[field];
    if (res.errors || !payload || payload.userErrors.length > 0) {
      throw new Error(`${field} failed: ${JSON.stringify(res.errors ?? payload?.userErrors)}`);
    }
    return payload.product as { id: string };
  };

  return {
    app,
    url: app.url,
    client: fixtureClient,
    bridge,
    create: (input) =>
      mutate(
        'createProduct',
        `mutation ($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { field message code } } }`,
        {
          input: {
            sku: uniqueName('SKU').replace(/_/g, '-').toUpperCase(),
            description: '',
            category: 'Tests',
            price: 1000,
            ...input,
          },
        },
      ),
    update: async (id, input) => {
      await mutate(
        'updateProduct',
        `mutation ($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { product { id } userErrors { field message code } } }`,
        { id, input },
      );
    },
    archive: async (id) => {
      await mutate('archiveProduct', `mutation ($id: ID!) { archiveProduct(id: $id) { product { id } userErrors { field message code } } }`, { id });
    },
    async activeIds() {
      const found: string[] = [];
      let after: string | null = null;
      for (;;) {
        const res: { products: { nodes: Array<{ id: string }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
          await fixtureClient.request(`query ($after: String) { products(first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`, { after });
        found.push(...res.products.nodes.map((n) => n.id));
        if (!res.products.pageInfo.hasNextPage) return found;
        after = res.products.pageInfo.endCursor;
      }
    },
    async close() {
      await app.stop();
      await bridge.stop();
      await mongo.drop();
    },
  };
}

/**
 * Forwards, unchanged (same envelope and event id), the products subgraph's events from its own
 * prefixed topic onto the search test's topic, where the search subgraph under test consumes
 * them — unless `dropping` is set, which simulates events search missed (for the reindex tests).
 */
export interface Bridge {
  dropping: boolean;
  /** How many events were dropped while `dropping` was set. */
  dropped: number;
  stop(): Promise<void>;
}

async function bridgeProductEvents(sourcePrefix: string, topicPrefix: string): Promise<Bridge> {
  const kafka = createKafka(KAFKA_BROKERS, uniqueName('search-bridge'));
  const source = sourcePrefix + topics.products;
  await ensureTopics(kafka, [source]);
  const groupId = uniqueName('search-bridge');
  const publisher = createPublisher(kafka, { topicPrefix });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: source, fromBeginning: true });
  const bridge: Bridge = {
    dropping: false,
    dropped: 0,
    async stop() {
      await consumer.disconnect();
      await publisher.close();
    },
  };
  await consumer.run({
    eachMessage: async ({ message }) => {
      const parsed = parseEvent(message.value);
      if (!parsed.ok) return;
      if (bridge.dropping) bridge.dropped += 1;
      else await publisher.publish([{ topic: topics.products, envelope: parsed.event }]);
    },
  });
  return bridge;
}
