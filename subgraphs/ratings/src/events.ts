import {
  createKafka,
  createPublisher,
  mysqlIdempotencyStore,
  startEventConsumer,
  topics,
  type EventHandlers,
  type MysqlTx,
  type Outcome,
  type RunningConsumer,
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

export interface BackgroundConsumer {
  /** Resolves once the consumer has joined its group (tests wait for it). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the consumer without making start-up depend on Kafka: reviews are read and written
 * while the broker is down, and verified purchases catch up once it is back (retried with backoff).
 */
export function consumeInBackground(opts: EventConsumerOptions): BackgroundConsumer {
  const kafka = createKafka(opts.brokers, 'ratings');
  // Only for the dead-letter topic.
  const publisher = createPublisher(kafka, { topicPrefix: opts.topicPrefix });
  let stopped = false;
  let running: RunningConsumer | null = null;
  let wakeUp: (() => void) | null = null;

  const ready = (async () => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        const started = await startEventConsumer({
          kafka,
          groupId: opts.groupId,
          topics: [topics.orders],
          topicPrefix: opts.topicPrefix,
          handlers,
          store: mysqlIdempotencyStore(opts.db),
          publisher,
          log: opts.log,
          onSettled: opts.onSettled,
        });
        if (stopped) await started.stop();
        else running = started;
        return;
      } catch (err) {
        const delay = Math.min(10_000, 250 * 2 ** attempt);
        opts.log.warn({ err: (err as Error).message, retryInMs: delay }, 'ratings: Kafka consumer not started, will retry');
        await new Promise<void>((resolve) => {
          wakeUp = resolve;
          setTimeout(resolve, delay).unref();
        });
      }
    }
  })();
  ready.catch(() => undefined);

  return {
    ready,
    async stop() {
      stopped = true;
      wakeUp?.();
      await ready.catch(() => undefined);
      await running?.stop();
      await publisher.close();
    },
  };
}
