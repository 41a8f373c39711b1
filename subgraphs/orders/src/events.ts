import {
  createKafka,
  consumeInBackground,
  ensureTopics,
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
import type { OrdersDb } from './db/index.js';
import type { Lifecycle } from './lifecycle.js';

/**
 * What orders publishes: order.placed (checkout.ts, with the order) and order.confirmed / paid /
 * shipped / delivered / cancelled (lifecycle.ts, on entering the status), all through the outbox.
 *
 * What it consumes: the saga facts of inventory, payments and shipping, each mapped to a
 * state-machine event. A fact the current status does not allow is a logged no-op.
 */
export function sagaHandlers(lifecycle: Lifecycle, log: Logger): EventHandlers<MysqlTx> {
  const fact =
    (event: Parameters<Lifecycle['onFact']>[2]) =>
    (e: ShopEvent & { payload: { orderId: string } }, tx: MysqlTx) =>
      lifecycle.onFact(tx, e.payload.orderId, event, e.id);
  return {
    'inventory.reserved': fact('STOCK_RESERVED'),
    'inventory.rejected': fact('STOCK_REJECTED'),
    'payment.succeeded': fact('PAYMENT_SUCCEEDED'),
    'payment.failed': fact('PAYMENT_FAILED'),
    'payment.refunded': fact('PAYMENT_REFUNDED'),
    // The shipment itself is read from shipping (Order.shipment); its creation changes no status.
    'shipment.created': async (e) => {
      log.debug({ orderId: e.payload.orderId, shipmentId: e.payload.shipmentId }, 'shipment created');
    },
    'shipment.in_transit': fact('SHIPMENT_IN_TRANSIT'),
    'shipment.delivered': fact('SHIPMENT_DELIVERED'),
  };
}

export const CONSUMED_TOPICS = [topics.inventory, topics.payments, topics.shipments];

export interface OrdersConsumerOptions {
  kafka: ReturnType<typeof createKafka>;
  db: OrdersDb;
  groupId: string;
  topicPrefix: string;
  publisher: EventPublisher;
  lifecycle: Lifecycle;
  log: Logger;
  /** After a handler's transaction committed (its outbox rows are visible): wake the relay. */
  onApplied: () => void;
  onSettled?: (outcome: Outcome, event: ShopEvent | null) => void;
}

/**
 * Consumes the saga facts without holding up start-up: while Kafka is unreachable orders are
 * still placed (their events wait in the outbox) and the consumer keeps trying to connect.
 */
export function consumeSagaFacts(opts: OrdersConsumerOptions): BackgroundConsumer {
  return consumeInBackground(async () => {
    // kafkajs cannot subscribe to a topic the broker is still auto-creating (e.g. a fresh test prefix).
    await ensureTopics(opts.kafka, [...CONSUMED_TOPICS, topics.orders, topics.deadLetter].map((t) => opts.topicPrefix + t));
    return startEventConsumer({
      kafka: opts.kafka,
      groupId: opts.groupId,
      topics: CONSUMED_TOPICS,
      topicPrefix: opts.topicPrefix,
      handlers: sagaHandlers(opts.lifecycle, opts.log),
      store: mysqlIdempotencyStore(opts.db),
      publisher: opts.publisher,
      log: opts.log,
      onSettled: (outcome, event) => {
        if (outcome === 'applied') opts.onApplied();
        opts.onSettled?.(outcome, event);
      },
    });
  }, opts.log);
}
