import type { MongoClientOptions } from 'mongodb';
import { createKafka, ensureTopics, parseEvent, topics, type ShopEvent } from '@shop/events';
import { createLogger } from '@shop/platform';
import { eventually, gql, KAFKA_BROKERS, MONGO_URL, uniqueName, type TestAuth } from '@shop/testing';
import { createProductsSubgraph, type RunningProductsSubgraph } from '../src/app.js';

export { createTestAuth, type TestAuth } from '@shop/testing';

/** This test process's own product topic, so test events never reach the shared dev topics. */
export const TOPIC_PREFIX = `${uniqueName('products')}.`;

export function startProducts(
  database: string,
  auth: TestAuth,
  opts: { kafkaBrokers?: string; mongoClientOptions?: MongoClientOptions; maxBackoffMs?: number; pollIntervalMs?: number } = {},
): Promise<RunningProductsSubgraph> {
  return createProductsSubgraph({
    port: 0,
    mongoUrl: MONGO_URL,
    database,
    kafkaBrokers: opts.kafkaBrokers ?? KAFKA_BROKERS,
    kafkaTopicPrefix: TOPIC_PREFIX,
    auth: { verifyToken: auth.verifyToken },
    log: createLogger('products-test', process.env.LOG_LEVEL ?? 'warn'),
    mongoClientOptions: opts.mongoClientOptions,
    relay: { pollIntervalMs: opts.pollIntervalMs ?? 200, maxBackoffMs: opts.maxBackoffMs ?? 1_000 },
  });
}

export const PRODUCT_FIELDS = `id sku name description price { amount currency } category images active createdAt updatedAt`;

export const CREATE = `mutation ($input: CreateProductInput!) {
  createProduct(input: $input) { product { ${PRODUCT_FIELDS} } userErrors { field message code } }
}`;
export const UPDATE = `mutation ($id: ID!, $input: UpdateProductInput!) {
  updateProduct(id: $id, input: $input) { product { ${PRODUCT_FIELDS} } userErrors { field message code } }
}`;
export const ARCHIVE = `mutation ($id: ID!) {
  archiveProduct(id: $id) { product { ${PRODUCT_FIELDS} } userErrors { field message code } }
}`;

export function productInput(overrides: Record<string, unknown> = {}) {
  return {
    sku: uniqueName('SKU').replace(/_/g, '-').toUpperCase(),
    name: 'Test product',
    description: 'A product made by a test',
    price: 1999,
    category: 'Tests',
    images: ['https://img.example.com/a.jpg'],
    ...overrides,
  };
}

export interface ProductView {
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
}

/** Creates a product through GraphQL as an admin; fails the test on any error. */
export async function createProduct(url: string, token: string, overrides: Record<string, unknown> = {}): Promise<ProductView> {
  const res = await gql(url, CREATE, { input: productInput(overrides) }, { token });
  if (res.errors || !res.data?.createProduct?.product) {
    throw new Error(`createProduct failed: ${JSON.stringify(res.errors ?? res.data?.createProduct?.userErrors)}`);
  }
  return res.data.createProduct.product as ProductView;
}

/**
 * Reads the products topic from the beginning with a fresh consumer group and returns the
 * events keyed by one of `ids`, once `done` says enough arrived.
 */
export interface ReceivedEvent {
  event: ShopEvent;
  /** The Kafka message key, which must be the product id. */
  messageKey: string | undefined;
}

export async function consumeProductEvents(
  ids: ReadonlySet<string>,
  done: (events: ReceivedEvent[]) => boolean,
  timeoutMs = 30_000,
): Promise<ReceivedEvent[]> {
  const kafka = createKafka(KAFKA_BROKERS, uniqueName('products-test'));
  const consumer = kafka.consumer({ groupId: uniqueName('products-test'), sessionTimeout: 10_000 });
  const events: ReceivedEvent[] = [];
  await consumer.connect();
  try {
    await ensureTopics(kafka, [TOPIC_PREFIX + topics.products]);
    await consumer.subscribe({ topic: TOPIC_PREFIX + topics.products, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const parsed = parseEvent(message.value);
        if (!parsed.ok) return;
        if (!ids.has(parsed.event.key)) return;
        events.push({ event: parsed.event, messageKey: message.key?.toString() });
      },
    });
    await eventually(async () => (done(events) ? true : undefined), timeoutMs, 100);
    return events;
  } finally {
    await consumer.disconnect();
  }
}
