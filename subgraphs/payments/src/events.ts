import {
  consumeInBackground,
  createEvent,
  startEventConsumer,
  topics,
  type ConsumerOptions,
  type EventHandlers,
  type MysqlTx,
  type BackgroundConsumer,
} from '@shop/events';
import type { Payments, PaymentRow } from './payments.js';

// ---- What payments publishes (through its outbox, keyed by order id like every order fact).

const money = (p: PaymentRow) => ({ amount: p.amount, currency: p.currency });

export const paymentSucceeded = (p: PaymentRow) =>
  createEvent('payment.succeeded', p.orderId, { orderId: p.orderId, userId: p.userId, paymentId: p.id, amount: money(p) });

export const paymentFailed = (p: PaymentRow) =>
  createEvent('payment.failed', p.orderId, { orderId: p.orderId, userId: p.userId, paymentId: p.id, reason: p.failureReason ?? 'PAYMENT_DECLINED' });

export const paymentRefunded = (p: PaymentRow) =>
  createEvent('payment.refunded', p.orderId, { orderId: p.orderId, userId: p.userId, paymentId: p.id, amount: money(p) });

// ---- What payments consumes: order facts, in order per order (one topic keyed by order id).

export function paymentHandlers(payments: Payments): EventHandlers<MysqlTx> {
  return {
    'order.confirmed': async (event, tx) => {
      await payments.chargeOrder(event.payload, tx);
    },
    'order.cancelled': async (event, tx) => {
      await payments.refundCancelledOrder(event.payload, tx);
    },
  };
}

export type OrderEventsConsumerOptions = Omit<ConsumerOptions<MysqlTx>, 'topics' | 'handlers'> & { payments: Payments };

export type OrderEventsConsumer = BackgroundConsumer;

/**
 * Consumes the orders topic for as long as the subgraph runs. Kafka being down at start-up does
 * not stop the subgraph from serving (consumeInBackground: joining is retried, a crashed consumer restarted).
 */
export function consumeOrderEvents(opts: OrderEventsConsumerOptions): OrderEventsConsumer {
  const { payments, ...consumerOptions } = opts;
  return consumeInBackground(
    () => startEventConsumer<MysqlTx>({ ...consumerOptions, topics: [topics.orders], handlers: paymentHandlers(payments) }),
    opts.log,
  );
}
