import {
  createKafka,
  createPublisher,
  mysqlIdempotencyStore,
  startEventConsumer,
  consumeInBackground,
  topics,
  type EventHandlers,
  type MysqlTx,
  type Outcome,
  type BackgroundConsumer,
  type ShopEvent,
} from '@shop/events';
import type { Logger } from '@shop/platform';
import type { RatingsDb } from './db/index.js';
import { recordDelivery } from './purchases.js';

/** Ratings publishes nothing; it learns verified purchases from orders' `order.delivered`. */
export const handlers: EventHandlers<MysqlTx> = {
  'order.delivered': (event, tx) => recordDelivery(tx, event.payload, new Date(event.occurredAt)),
};

export interface EventConsumerOptions {
  db: RatingsDb;
  brokers: string;
  groupId: string;
  topicPrefix: string;
  log: Logger;
  onSettled?: (outcome: Outcome, event: ShopEvent | null) => void;
}

/**
 * Consumes order events without making start-up depend on Kafka: reviews are read and written while
 * the broker is down, and verified purchases catch up once it is back.
 */
export function consumeOrderEvents(opts: EventConsumerOptions): BackgroundConsumer {
  const kafka = createKafka(opts.brokers, 'ratings');
  // Only for the dead-letter topic.
  const publisher = createPublisher(kafka, { topicPrefix: opts.topicPrefix });
  const consumer = consumeInBackground(
    () =>
      startEventConsumer({
        kafka,
        groupId: opts.groupId,
        topics: [topics.orders],
        topicPrefix: opts.topicPrefix,
        handlers,
        store: mysqlIdempotencyStore(opts.db),
        publisher,
        log: opts.log,
        onSettled: opts.onSettled,
      }),
    opts.log,
  );
  return {
    started: consumer.started,
    async stop() {
      await consumer.stop();
      await publisher.close();
    },
  };
}
