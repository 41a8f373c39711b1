import {
  createEvent,
  startEventConsumer,
  topics,
  type ConsumerOptions,
  type EventHandlers,
  type MysqlTx,
  type RunningConsumer,
} from '@shop/events';
import type { Logger } from '@shop/platform';
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

export interface OrderEventsConsumer {
  stop(): Promise<void>;
}

/**
 * Consumes the orders topic for as long as the subgraph runs. Kafka being down at start-up does
 * not stop the subgraph from serving: joining is retried with backoff (capped at 5 s), and a
 * consumer that crashed for good is started again.
 */
export function consumeOrderEvents(opts: OrderEventsConsumerOptions): OrderEventsConsumer {
  const log: Logger = opts.log;
  let stopped = false;
  let current: RunningConsumer | null = null;
  let wakeUp: (() => void) | null = null;
  let loop: Promise<void> = Promise.resolve();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const start = (): Promise<void> =>
    (async () => {
      for (let failures = 0; !stopped; failures++) {
        try {
          const running = await startEventConsumer<MysqlTx>({ ...opts, topics: [topics.orders], handlers: paymentHandlers(opts.payments) });
          current = running;
          if (stopped) return;
          running.consumer.on(running.consumer.events.CRASH, (e) => {
            if (e.payload.restart || stopped) return; // kafkajs restarts by itself on retriable errors
            log.error({ err: e.payload.error?.message }, 'order events consumer crashed; starting it again');
            current = null;
            void running.stop().catch(() => undefined);
            loop = start();
          });
          return;
        } catch (err) {
          const delay = Math.min(5_000, 200 * 2 ** failures);
          log.warn({ err: (err as Error).message, retryInMs: delay }, 'cannot consume order events yet, will retry');
          await sleep(delay);
        }
      }
    })();

  loop = start();
  return {
    async stop() {
      stopped = true;
      (wakeUp as (() => void) | null)?.();
      await loop;
      await current?.stop();
    },
  };
}
