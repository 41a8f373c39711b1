import type { Kafka } from 'kafkajs';
import {
  consumeInBackground,
  mysqlIdempotencyStore,
  startEventConsumer,
  topics,
  type EventHandlers,
  type EventPublisher,
  type MysqlTx,
  type Outcome,
  type BackgroundConsumer,
  type ShopEvent,
} from '@shop/events';
import type { Logger } from '@shop/platform';
import type { PromotionsDb } from './db/index.js';
import { releaseRedemption } from './promotions.js';

/** Promotions publishes nothing; it consumes order.cancelled to give the order's coupon use back. */
export function promotionEventHandlers(log: Logger): EventHandlers<MysqlTx> {
  return {
    'order.cancelled': async (event, tx) => {
      const result = await releaseRedemption(tx, event.payload.orderId, new Date());
      if (result === 'released') log.info({ orderId: event.payload.orderId, reason: event.payload.reason }, 'coupon released: order cancelled');
    },
  };
}

export interface PromotionConsumerOptions {
  kafka: Kafka;
  db: PromotionsDb;
  publisher: EventPublisher;
  groupId: string;
  topicPrefix: string;
  log: Logger;
  onSettled?: (outcome: Outcome, event: ShopEvent | null) => void;
}

/**
 * Starts the order.cancelled consumer without holding up start-up: while Kafka is unreachable
 * the subgraph still serves quotes and redemptions, and the consumer keeps trying to connect.
 */
export function consumeOrderEvents(opts: PromotionConsumerOptions): BackgroundConsumer {
  return consumeInBackground(
    () =>
      startEventConsumer({
        kafka: opts.kafka,
        groupId: opts.groupId,
        topics: [topics.orders],
        topicPrefix: opts.topicPrefix,
        handlers: promotionEventHandlers(opts.log),
        store: mysqlIdempotencyStore(opts.db),
        publisher: opts.publisher,
        log: opts.log,
        onSettled: opts.onSettled,
      }),
    opts.log,
  );
}
