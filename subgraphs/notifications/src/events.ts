import {
  consumeInBackground,
  ensureTopics,
  createKafka,
  createPublisher,
  mysqlIdempotencyStore,
  startEventConsumer,
  topics,
  type EventHandlers,
  type MysqlTx,
  type Outcome,
  type BackgroundConsumer,
  type ShopEvent,
} from '@shop/events';
import type { Logger } from '@shop/platform';
import { consumerGroup, type NotificationsConfig } from './config.js';
import type { NotificationsDb } from './db/index.js';
import { paymentRecipient, recordNotification, rememberOrderOwner } from './notifications.js';

/**
 * What this subgraph consumes (it publishes nothing): every order-lifecycle fact a customer
 * should hear about becomes one notification. Order events also teach it who owns each order,
 * for payment events that come without a userId.
 */
export const notificationHandlers: EventHandlers<MysqlTx> = {
  'order.placed': async (event, tx) => {
    const { orderId, userId, total, lines } = event.payload;
    await rememberOrderOwner(tx, orderId, userId);
    const itemCount = lines.reduce((sum, line) => sum + line.quantity, 0);
    await recordNotification(tx, {
      eventId: event.id,
      userId,
      occurredAt: occurredAt(event),
      facts: { type: 'ORDER_PLACED', orderId, total, itemCount },
    });
  },

  'order.cancelled': async (event, tx) => {
    const { orderId, userId, reason, refundRequired } = event.payload;
    await rememberOrderOwner(tx, orderId, userId);
    await recordNotification(tx, {
      eventId: event.id,
      userId,
      occurredAt: occurredAt(event),
      facts: { type: 'ORDER_CANCELLED', orderId, reason, refundRequired },
    });
  },

  'order.shipped': async (event, tx) => {
    const { orderId, userId } = event.payload;
    await rememberOrderOwner(tx, orderId, userId);
    await recordNotification(tx, { eventId: event.id, userId, occurredAt: occurredAt(event), facts: { type: 'ORDER_SHIPPED', orderId } });
  },

  'order.delivered': async (event, tx) => {
    const { orderId, userId } = event.payload;
    await rememberOrderOwner(tx, orderId, userId);
    await recordNotification(tx, { eventId: event.id, userId, occurredAt: occurredAt(event), facts: { type: 'ORDER_DELIVERED', orderId } });
  },

  'payment.succeeded': async (event, tx) => {
    const { orderId, amount } = event.payload;
    const userId = await paymentRecipient(tx, event.payload);
    await recordNotification(tx, {
      eventId: event.id,
      userId,
      occurredAt: occurredAt(event),
      facts: { type: 'PAYMENT_SUCCEEDED', orderId, amount },
    });
  },

  'payment.failed': async (event, tx) => {
    const { orderId, reason } = event.payload;
    const userId = await paymentRecipient(tx, event.payload);
    await recordNotification(tx, {
      eventId: event.id,
      userId,
      occurredAt: occurredAt(event),
      facts: { type: 'PAYMENT_FAILED', orderId, reason },
    });
  },
};

function occurredAt(event: ShopEvent): Date {
  return new Date(event.occurredAt);
}

export interface NotificationConsumerOptions {
  log: Logger;
  /** Called after each event is settled; the app wakes the deliverer on 'applied'. */
  onSettled?: (outcome: Outcome, event: ShopEvent | null) => void;
}

const consumedTopics = [topics.orders, topics.payments];

/**
 * Consumes order and payment events into notifications, exactly once per event. In the background:
 * the inbox is served while Kafka is unreachable, and notifications catch up once it is back.
 */
export function consumeNotificationEvents(
  config: NotificationsConfig,
  db: NotificationsDb,
  opts: NotificationConsumerOptions,
): BackgroundConsumer {
  const kafka = createKafka(config.KAFKA_BROKERS, 'notifications');
  // Only for parking poison messages on the dead-letter topic.
  const publisher = createPublisher(kafka, { topicPrefix: config.KAFKA_TOPIC_PREFIX });
  const consumer = consumeInBackground(async () => {
    await ensureTopics(kafka, [...consumedTopics, topics.deadLetter].map((t) => config.KAFKA_TOPIC_PREFIX + t));
    return startEventConsumer({
      kafka,
      groupId: consumerGroup(config),
      topics: consumedTopics,
      handlers: notificationHandlers,
      store: mysqlIdempotencyStore(db),
      publisher,
      log: opts.log,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      maxAttempts: config.EVENT_MAX_ATTEMPTS,
      retryBackoffMs: config.EVENT_RETRY_BACKOFF_MS,
      onSettled: opts.onSettled,
    });
  }, opts.log);
  return {
    started: consumer.started,
    async stop() {
      await consumer.stop();
      await publisher.close();
    },
  };
}
