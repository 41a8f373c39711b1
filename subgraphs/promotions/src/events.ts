import type { Kafka } from 'kafkajs';
import {
  mysqlIdempotencyStore,
  startEventConsumer,
  topics,
  type EventHandlers,
  type EventPublisher,
  type MysqlTx,
  type Outcome,
  type RunningConsumer,
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

export interface BackgroundConsumer {
  /** Resolves once the consumer has joined its group (tests wait for it). */
  started: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the order.cancelled consumer without holding up start-up: while Kafka is unreachable
 * the subgraph still serves quotes and redemptions, and the consumer keeps trying to connect.
 */
export function consumeOrderEvents(opts: PromotionConsumerOptions): BackgroundConsumer {
  let stopped = false;
  let running: RunningConsumer | null = null;
  let wakeUp: (() => void) | null = null;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });

  const loop = (async () => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        const consumer = await startEventConsumer({
          kafka: opts.kafka,
          groupId: opts.groupId,
          topics: [topics.orders],
          topicPrefix: opts.topicPrefix,
          handlers: promotionEventHandlers(opts.log),
          store: mysqlIdempotencyStore(opts.db),
          publisher: opts.publisher,
          log: opts.log,
          onSettled: opts.onSettled,
        });
        if (stopped) {
          await consumer.stop();
          return;
        }
        running = consumer;
        markStarted();
        return;
      } catch (err) {
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        opts.log.warn({ err: (err as Error).message, retryInMs: delay }, 'order events consumer could not start, retrying');
        await new Promise<void>((resolve) => {
          wakeUp = resolve;
          setTimeout(resolve, delay).unref();
        });
      }
    }
  })();

  return {
    started,
    async stop() {
      stopped = true;
      (wakeUp as (() => void) | null)?.();
      await loop;
      await running?.stop();
      running = null;
    },
  };
}
