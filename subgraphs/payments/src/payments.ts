import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { enqueueEvents, type EventPayload, type MysqlTx } from '@shop/events';
import type { Logger } from '@shop/platform';
import { knownOrders, payments, type PaymentsDb } from './db/index.js';
import { paymentFailed, paymentRefunded, paymentSucceeded } from './events.js';
import { assertTransition } from './payment-status.js';
import type { PaymentProvider } from './providers/provider.js';

export type PaymentRow = typeof payments.$inferSelect;
export type OrderToCharge = EventPayload<'order.confirmed'>;
export type OrderCancellation = EventPayload<'order.cancelled'>;

export type ChargeOutcome =
  | { kind: 'succeeded'; payment: PaymentRow }
  | { kind: 'failed'; payment: PaymentRow }
  /** Another delivery (or a concurrent one) already settled this order's charge: nothing done. */
  | { kind: 'already-settled'; payment: PaymentRow }
  /** The order was cancelled before it was charged: the provider is never called. */
  | { kind: 'order-cancelled' };

export type CancellationOutcome =
  | { kind: 'refunded'; payment: PaymentRow }
  | { kind: 'already-refunded'; payment: PaymentRow }
  /** Nothing was taken (no attempt, or a declined one); the cancellation is recorded. */
  | { kind: 'not-charged'; payment: PaymentRow | null }
  /** A charge is between the provider and its settlement: settling it will see the cancellation and refund. */
  | { kind: 'charge-in-flight'; payment: PaymentRow };

/**
 * Provider idempotency keys derive from the order id alone, so every attempt at one order's charge
 * (a redelivery, a restart after a crash, a concurrent duplicate) asks the provider the same question
 * and gets the first answer back: one charge per order, one refund per order.
 */
export function providerKeys(orderId: string) {
  return { authorise: `order:${orderId}:authorise`, capture: `order:${orderId}:capture`, refund: `order:${orderId}:refund` };
}

type ProviderAnswer = { ok: true; authorisationId: string; captureId: string } | { ok: false; reason: string; authorisationId: string | null };

export class RefundRefusedError extends Error {
  constructor(
    readonly orderId: string,
    readonly reason: string,
  ) {
    super(`The provider refused to refund order ${orderId}: ${reason}`);
  }
}

export interface PaymentsDeps {
  db: PaymentsDb;
  provider: PaymentProvider;
  log: Logger;
  /** Called after a transaction this module opened itself committed events (wakes the outbox relay). */
  onEventsCommitted?: () => void;
}

/**
 * Charging and refunding orders. At most one successful charge per order, whatever Kafka
 * redelivers and wherever the process crashes:
 *   1. record the attempt: a PENDING payment (UNIQUE order_id), committed on its own;
 *   2. ask the provider (authorise, capture) with keys derived from the order id, outside any
 *      transaction: a crash after this step and before 3 re-runs it and gets the same answer;
 *   3. settle: PENDING -> SUCCEEDED | FAILED and the event, in the caller's transaction (the
 *      consumer's, which also records the processed event id).
 * Every step first locks the order's `known_orders` row, so one order's steps never interleave.
 */
export class Payments {
  constructor(private readonly deps: PaymentsDeps) {}

  get provider(): PaymentProvider {
    return this.deps.provider;
  }

  async chargeOrder(order: OrderToCharge, tx?: MysqlTx): Promise<ChargeOutcome> {
    const attempt = await this.recordAttempt(order);
    if (!attempt) return { kind: 'order-cancelled' };
    if (attempt.status !== 'PENDING') return { kind: 'already-settled', payment: attempt };
    const answer = await this.askProvider(attempt, order.paymentToken);
    return this.inTransaction(tx, (t) => this.settleCharge(t, attempt, answer));
  }

  /** order.cancelled: remembers the cancellation; refunds once if the order was charged. */
  async refundCancelledOrder(cancellation: OrderCancellation, tx?: MysqlTx): Promise<CancellationOutcome> {
    return this.inTransaction(tx, async (t) => {
      const { orderId } = cancellation;
      await lockOrder(t, orderId, cancellation.userId);
      await t
        .update(knownOrders)
        .set({ cancelledAt: new Date(), cancellationReason: cancellation.reason })
        .where(and(eq(knownOrders.orderId, orderId), sql`${knownOrders.cancelledAt} IS NULL`));
      const payment = await paymentOfOrder(t, orderId);
      if (!payment) {
        if (cancellation.refundRequired) this.deps.log.warn({ orderId }, 'order.cancelled asks for a refund but this order was never charged');
        return { kind: 'not-charged', payment: null };
      }
      switch (payment.status) {
        case 'SUCCEEDED':
          return { kind: 'refunded', payment: await this.refund(t, payment) };
        case 'REFUNDED':
          return { kind: 'already-refunded', payment };
        case 'FAILED':
          return { kind: 'not-charged', payment };
        case 'PENDING':
          return { kind: 'charge-in-flight', payment };
      }
    });
  }

  /**
   * Step 1. Returns the order's payment (PENDING when new), or null when the order was cancelled
   * before any attempt. A PENDING payment of a cancelled order is an attempt a crash interrupted:
   * it is finished with the same keys (the provider may already have charged) and then refunded.
   */
  private recordAttempt(order: OrderToCharge): Promise<PaymentRow | null> {
    return this.deps.db.transaction(async (t) => {
      const known = await lockOrder(t, order.orderId, order.userId);
      const existing = await paymentOfOrder(t, order.orderId);
      if (existing) return existing;
      if (known.cancelledAt) {
        this.deps.log.info({ orderId: order.orderId }, 'order was cancelled before it was charged: not charging');
        return null;
      }
      await t.insert(payments).values({
        id: randomUUID(),
        orderId: order.orderId,
        userId: order.userId,
        status: 'PENDING',
        amount: order.amount.amount,
        currency: order.amount.currency,
        provider: this.deps.provider.name,
      });
      return (await paymentOfOrder(t, order.orderId))!;
    });
  }

  /** Step 2: no transaction open on our side while the provider works. */
  private async askProvider(payment: PaymentRow, token: string): Promise<ProviderAnswer> {
    const keys = providerKeys(payment.orderId);
    const amount = { amount: payment.amount, currency: payment.currency };
    const auth = await this.deps.provider.authorise({ amount, token, idempotencyKey: keys.authorise });
    if (!auth.ok) return { ok: false, reason: auth.reason, authorisationId: null };
    const capture = await this.deps.provider.capture({ authorisationId: auth.authorisationId, amount, idempotencyKey: keys.capture });
    if (!capture.ok) return { ok: false, reason: capture.reason, authorisationId: auth.authorisationId };
    return { ok: true, authorisationId: auth.authorisationId, captureId: capture.captureId };
  }

  /** Step 3. Only the first settlement of a PENDING payment changes anything. */
  private async settleCharge(t: MysqlTx, attempt: PaymentRow, answer: ProviderAnswer): Promise<ChargeOutcome> {
    const known = await lockOrder(t, attempt.orderId, attempt.userId);
    const payment = (await paymentOfOrder(t, attempt.orderId))!;
    if (payment.status !== 'PENDING') return { kind: 'already-settled', payment };
    const now = new Date();
    if (!answer.ok) {
      assertTransition(payment.status, 'FAILED');
      await t
        .update(payments)
        .set({ status: 'FAILED', failureReason: answer.reason, authorisationId: answer.authorisationId, settledAt: now })
        .where(and(eq(payments.id, payment.id), eq(payments.status, 'PENDING')));
      const failed = { ...payment, status: 'FAILED' as const, failureReason: answer.reason, authorisationId: answer.authorisationId, settledAt: now };
      await enqueueEvents(t, [paymentFailed(failed)]);
      return { kind: 'failed', payment: failed };
    }
    assertTransition(payment.status, 'SUCCEEDED');
    await t
      .update(payments)
      .set({ status: 'SUCCEEDED', authorisationId: answer.authorisationId, captureId: answer.captureId, settledAt: now })
      .where(and(eq(payments.id, payment.id), eq(payments.status, 'PENDING')));
    let succeeded: PaymentRow = { ...payment, status: 'SUCCEEDED', authorisationId: answer.authorisationId, captureId: answer.captureId, settledAt: now };
    await enqueueEvents(t, [paymentSucceeded(succeeded)]);
    // Cancelled while the charge was in flight: give the money back at once.
    if (known.cancelledAt) succeeded = await this.refund(t, succeeded);
    return { kind: 'succeeded', payment: succeeded };
  }

  /** SUCCEEDED -> REFUNDED, idempotent at the provider by the order's refund key. */
  private async refund(t: MysqlTx, payment: PaymentRow): Promise<PaymentRow> {
    assertTransition(payment.status, 'REFUNDED');
    const result = await this.deps.provider.refund({
      captureId: payment.captureId!,
      amount: { amount: payment.amount, currency: payment.currency },
      idempotencyKey: providerKeys(payment.orderId).refund,
    });
    // Thrown, not swallowed: the consumer retries, then dead-letters it for an operator to look at.
    if (!result.ok) throw new RefundRefusedError(payment.orderId, result.reason);
    const now = new Date();
    await t
      .update(payments)
      .set({ status: 'REFUNDED', refundId: result.refundId, refundedAt: now })
      .where(and(eq(payments.id, payment.id), eq(payments.status, 'SUCCEEDED')));
    const refunded: PaymentRow = { ...payment, status: 'REFUNDED', refundId: result.refundId, refundedAt: now };
    await enqueueEvents(t, [paymentRefunded(refunded)]);
    return refunded;
  }

  private async inTransaction<T>(tx: MysqlTx | undefined, work: (t: MysqlTx) => Promise<T>): Promise<T> {
    if (tx) return work(tx); // the caller commits (and wakes the relay)
    const result = await this.deps.db.transaction(work);
    this.deps.onEventsCommitted?.();
    return result;
  }
}

/**
 * Takes the order's row lock (creating the row on first sight): every step of one order's charge
 * and refund starts here, so they serialise and never deadlock on each other.
 */
async function lockOrder(t: MysqlTx, orderId: string, userId: string): Promise<typeof knownOrders.$inferSelect> {
  await t
    .insert(knownOrders)
    .values({ orderId, userId })
    .onDuplicateKeyUpdate({ set: { orderId: sql`${knownOrders.orderId}` } });
  const [row] = await t.select().from(knownOrders).where(eq(knownOrders.orderId, orderId)).for('update');
  return row!;
}

/** The order's payment, read with a lock (the latest committed version, not a snapshot). */
async function paymentOfOrder(t: MysqlTx, orderId: string): Promise<PaymentRow | null> {
  const [row] = await t.select().from(payments).where(eq(payments.orderId, orderId)).for('update');
  return row ?? null;
}
