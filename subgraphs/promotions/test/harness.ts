import { createEvent, createKafka, createPublisher, topicOf, topics, type EventPayload, type EventPublisher, type Outcome, type ShopEvent } from '@shop/events';
import { createLogger, LOCAL_INTERNAL_API_TOKEN } from '@shop/platform';
import { createTestAuth, createTestDatabase, gql, KAFKA_BROKERS, MYSQL_URL, uniqueName, type TestAuth } from '@shop/testing';
import { createPromotionsSubgraph, type RunningPromotionsSubgraph } from '../src/app.js';
import { loadPromotionsConfig, type PromotionsConfig } from '../src/config.js';

export const INTERNAL = { 'x-internal-token': LOCAL_INTERNAL_API_TOKEN };

export interface PromotionsHarness {
  app: RunningPromotionsSubgraph;
  url: string;
  auth: TestAuth;
  config: PromotionsConfig;
  database: string;
  /** Every consumed event with how it was settled, in order. */
  settled: Array<{ outcome: Outcome; event: ShopEvent | null }>;
  /** Publishes an order event on this system's own topic prefix, as orders would. */
  publishOrderEvent<T extends 'order.cancelled'>(type: T, payload: EventPayload<T>): Promise<ShopEvent<T>>;
  /** Publishes an already built envelope again (Kafka redelivering it). */
  republish(event: ShopEvent): Promise<void>;
  close(): Promise<void>;
}

/**
 * A promotions subgraph in-process on port 0 against a fresh MariaDB database, with its own
 * Kafka topic prefix and consumer group so parallel test files never see each other's events.
 */
export async function startPromotions(): Promise<PromotionsHarness> {
  const db = await createTestDatabase('promotions');
  const topicPrefix = `${uniqueName('t')}.`;
  const config = loadPromotionsConfig({
    ...process.env,
    MYSQL_URL,
    KAFKA_BROKERS,
    MYSQL_DATABASE: db.name,
    PORT: '0',
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_GROUP_SUFFIX: `.${uniqueName('g')}`,
    INTERNAL_API_TOKEN: LOCAL_INTERNAL_API_TOKEN,
  });
  // The orders topic of this prefix exists before the consumer subscribes (no auto-creation race).
  const admin = createKafka(KAFKA_BROKERS, uniqueName('promotions-test-admin')).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: topicPrefix + topics.orders }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const auth = await createTestAuth();
  const settled: PromotionsHarness['settled'] = [];
  const app = await createPromotionsSubgraph(config, {
    log: createLogger('promotions-test', process.env.LOG_LEVEL ?? 'warn'),
    verifyToken: auth.verifyToken,
    onEventSettled: (outcome, event) => settled.push({ outcome, event }),
  });
  let publisher: EventPublisher | null = null;
  const publish = async (event: ShopEvent) => {
    publisher ??= createPublisher(createKafka(KAFKA_BROKERS, uniqueName('orders-test')), { topicPrefix });
    await publisher.publish([{ topic: topicOf(event.type), envelope: event }]);
  };
  return {
    app,
    url: app.url,
    auth,
    config,
    database: db.name,
    settled,
    async publishOrderEvent(type, payload) {
      const event = createEvent(type, payload.orderId, payload);
      await publish(event);
      return event;
    },
    republish: publish,
    async close() {
      await publisher?.close();
      await app.stop();
      await db.drop();
    },
  };
}

export const PROMOTION_FIELDS = 'code kind value currency minSubtotal usageLimit perCustomerLimit timesUsed startsAt endsAt createdAt';

export const CREATE_PROMOTION = `mutation ($input: CreatePromotionInput!) {
  createPromotion(input: $input) { promotion { ${PROMOTION_FIELDS} } userErrors { field message code } }
}`;

export const PROMOTION = `query ($code: String!) { promotion(code: $code) { ${PROMOTION_FIELDS} } }`;

export const QUOTE = `query ($code: String!, $userId: ID!, $subtotal: Int!, $currency: String!) {
  promotionQuote(code: $code, userId: $userId, subtotal: $subtotal, currency: $currency) { valid discount errorCode message }
}`;

export const REDEEM = `mutation ($input: RedeemPromotionInput!) {
  redeemPromotion(input: $input) { redeemed discount errorCode message }
}`;

export const RELEASE = `mutation ($orderId: ID!) { releasePromotion(orderId: $orderId) }`;

let counter = 0;
/** A fresh coupon code no other test uses. */
export function uniqueCode(prefix = 'SAVE'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`.toUpperCase().slice(0, 32);
}

export function uniqueOrderId(): string {
  return uniqueName('order');
}

/** Creates a promotion as an admin; fails the test on any error. */
export async function createPromotion(h: PromotionsHarness, input: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await gql(h.url, CREATE_PROMOTION, { input: { code: uniqueCode(), kind: 'PERCENT', value: 10, ...input } }, { token: h.auth.admin });
  const payload = res.data?.createPromotion;
  if (res.errors || !payload?.promotion) throw new Error(`createPromotion failed: ${JSON.stringify(res.errors ?? payload?.userErrors)}`);
  return payload.promotion;
}

export async function timesUsed(h: PromotionsHarness, code: string): Promise<number> {
  const res = await gql(h.url, PROMOTION, { code }, { token: h.auth.admin });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.promotion.timesUsed;
}

export interface RedeemArgs {
  orderId?: string;
  userId: string;
  code: string;
  subtotal?: number;
  currency?: string;
}

export async function redeem(h: PromotionsHarness, args: RedeemArgs) {
  const input = { orderId: args.orderId ?? uniqueOrderId(), subtotal: 10_000, currency: 'USD', ...args };
  const res = await gql(h.url, REDEEM, { input }, { headers: INTERNAL });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.redeemPromotion as { redeemed: boolean; discount: number; errorCode: string | null; message: string | null };
}

export async function release(h: PromotionsHarness, orderId: string): Promise<boolean> {
  const res = await gql(h.url, RELEASE, { orderId }, { headers: INTERNAL });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.releasePromotion;
}
