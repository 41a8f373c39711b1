import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { providerKeys } from '../src/payments.js';
import { confirmedOrder, paymentsFixture, type PaymentsFixture } from './harness.js';

let fx: PaymentsFixture;
beforeAll(async () => {
  fx = await paymentsFixture();
});
afterAll(async () => {
  await fx?.close();
});
beforeEach(() => {
  fx.counting.calls = { authorise: 0, capture: 0, refund: 0 };
  fx.counting.before = {};
});

const cancellation = (order: { orderId: string; userId: string }, refundRequired = false) => ({
  orderId: order.orderId,
  userId: order.userId,
  reason: 'CUSTOMER_REQUEST' as const,
  refundRequired,
});

/** Stands for the process dying after the provider answered and before our transaction committed. */
class Crash extends Error {}

describe('charging an order (order.confirmed)', () => {
  it('charges tok_visa: the payment SUCCEEDED and payment.succeeded carries the order total', async () => {
    const order = confirmedOrder({ amount: { amount: 12_345, currency: 'USD' } });
    const outcome = await fx.payments.chargeOrder(order);
    expect(outcome.kind).toBe('succeeded');
    const [payment] = await fx.paymentRows(order.orderId);
    expect(payment).toMatchObject({ status: 'SUCCEEDED', amount: 12_345, currency: 'USD', userId: order.userId, failureReason: null });
    expect(await fx.outbox(order.orderId)).toEqual([
      { type: 'payment.succeeded', payload: { orderId: order.orderId, userId: order.userId, paymentId: payment!.id, amount: { amount: 12_345, currency: 'USD' } } },
    ]);
  });

  it('records tok_decline as FAILED with PAYMENT_DECLINED and announces payment.failed', async () => {
    const order = confirmedOrder({ paymentToken: 'tok_decline' });
    expect((await fx.payments.chargeOrder(order)).kind).toBe('failed');
    const [payment] = await fx.paymentRows(order.orderId);
    expect(payment).toMatchObject({ status: 'FAILED', failureReason: 'PAYMENT_DECLINED', captureId: null });
    expect(await fx.outbox(order.orderId)).toEqual([
      { type: 'payment.failed', payload: { orderId: order.orderId, userId: order.userId, paymentId: payment!.id, reason: 'PAYMENT_DECLINED' } },
    ]);
    expect(fx.counting.calls.capture).toBe(0);
  });

  it('uses provider keys derived from the order id alone', async () => {
    const order = confirmedOrder();
    await fx.payments.chargeOrder(order);
    const keys = (await fx.ledger(order.orderId)).map((r) => r.idempotencyKey).sort();
    expect(keys).toEqual([providerKeys(order.orderId).authorise, providerKeys(order.orderId).capture].sort());
  });

  it('charges once when the same order.confirmed is handled twice', async () => {
    const order = confirmedOrder();
    const first = await fx.payments.chargeOrder(order);
    const second = await fx.payments.chargeOrder(order);
    expect(first.kind).toBe('succeeded');
    expect(second).toMatchObject({ kind: 'already-settled', payment: { id: first.kind === 'succeeded' ? first.payment.id : '' } });
    expect(fx.counting.calls).toEqual({ authorise: 1, capture: 1, refund: 0 });
    expect(await fx.paymentRows(order.orderId)).toHaveLength(1);
    expect((await fx.outbox(order.orderId)).map((e) => e.type)).toEqual(['payment.succeeded']);
  });

  it('charges once when five deliveries of one order.confirmed race each other', async () => {
    const order = confirmedOrder();
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => fx.payments.chargeOrder(order)));
    expect(outcomes.filter((o) => o.kind === 'succeeded')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'already-settled')).toHaveLength(4);
    const paymentIds = new Set(outcomes.map((o) => (o.kind === 'order-cancelled' ? null : o.payment.id)));
    expect(paymentIds.size).toBe(1);
    expect(await fx.paymentRows(order.orderId)).toHaveLength(1);
    // The provider may be asked more than once, but with one key per step it captures once.
    const captures = (await fx.ledger(order.orderId)).filter((r) => r.operation === 'capture');
    expect(captures).toHaveLength(1);
    expect((await fx.outbox(order.orderId)).map((e) => e.type)).toEqual(['payment.succeeded']);
  });

  it('survives a crash between the provider call and the commit: the re-run gets the same answer, no second charge', async () => {
    const order = confirmedOrder();
    await expect(
      fx.db.transaction(async (tx) => {
        await fx.payments.chargeOrder(order, tx);
        throw new Crash('process died before commit');
      }),
    ).rejects.toThrow(Crash);
    // The provider charged; our settlement and its event were rolled back with the crash.
    const [capturedBeforeCrash] = (await fx.ledger(order.orderId)).filter((r) => r.operation === 'capture');
    expect(capturedBeforeCrash).toBeDefined();
    expect((await fx.paymentRows(order.orderId))[0]).toMatchObject({ status: 'PENDING', captureId: null });
    expect(await fx.outbox(order.orderId)).toEqual([]);

    // Kafka redelivers order.confirmed (its processed-event record was rolled back too).
    const rerun = await fx.payments.chargeOrder(order);
    expect(rerun.kind).toBe('succeeded');
    expect((await fx.paymentRows(order.orderId))[0]).toMatchObject({ status: 'SUCCEEDED', captureId: capturedBeforeCrash!.reference });
    const captures = (await fx.ledger(order.orderId)).filter((r) => r.operation === 'capture');
    expect(captures).toHaveLength(1);
    expect(captures[0]!.replays).toBe(1);
    expect((await fx.outbox(order.orderId)).map((e) => e.type)).toEqual(['payment.succeeded']);
  });
});

describe('cancelling an order (order.cancelled)', () => {
  it('refunds a charged order once, even when order.cancelled is handled twice', async () => {
    const order = confirmedOrder({ amount: { amount: 2_500, currency: 'USD' } });
    await fx.payments.chargeOrder(order);
    expect((await fx.payments.refundCancelledOrder(cancellation(order, true))).kind).toBe('refunded');
    expect((await fx.payments.refundCancelledOrder(cancellation(order, true))).kind).toBe('already-refunded');
    const [payment] = await fx.paymentRows(order.orderId);
    expect(payment).toMatchObject({ status: 'REFUNDED', refundId: expect.stringMatching(/^sim_ref_/) });
    expect(fx.counting.calls.refund).toBe(1);
    expect((await fx.ledger(order.orderId)).filter((r) => r.operation === 'refund')).toHaveLength(1);
    expect(await fx.outbox(order.orderId)).toEqual([
      expect.objectContaining({ type: 'payment.succeeded' }),
      { type: 'payment.refunded', payload: { orderId: order.orderId, userId: order.userId, paymentId: payment!.id, amount: { amount: 2_500, currency: 'USD' } } },
    ]);
  });

  it('refunds a SUCCEEDED payment even when the event does not say refundRequired', async () => {
    const order = confirmedOrder();
    await fx.payments.chargeOrder(order);
    expect((await fx.payments.refundCancelledOrder(cancellation(order, false))).kind).toBe('refunded');
  });

  it('refunds nothing for a declined payment', async () => {
    const order = confirmedOrder({ paymentToken: 'tok_decline' });
    await fx.payments.chargeOrder(order);
    expect((await fx.payments.refundCancelledOrder(cancellation(order))).kind).toBe('not-charged');
    expect(fx.counting.calls.refund).toBe(0);
    expect((await fx.paymentRows(order.orderId))[0]!.status).toBe('FAILED');
  });

  it('never charges an order whose cancellation arrived before its confirmation', async () => {
    const order = confirmedOrder();
    expect((await fx.payments.refundCancelledOrder(cancellation(order))).kind).toBe('not-charged');
    expect(await fx.payments.chargeOrder(order)).toEqual({ kind: 'order-cancelled' });
    expect(fx.counting.calls).toEqual({ authorise: 0, capture: 0, refund: 0 });
    expect(await fx.paymentRows(order.orderId)).toEqual([]);
    expect(await fx.outbox(order.orderId)).toEqual([]);
  });

  it('refunds at settlement an order cancelled while its charge was with the provider', async () => {
    const order = confirmedOrder();
    let duringCharge: string | undefined;
    fx.counting.before.capture = async () => {
      duringCharge = (await fx.payments.refundCancelledOrder(cancellation(order))).kind;
    };
    const outcome = await fx.payments.chargeOrder(order);
    expect(duringCharge).toBe('charge-in-flight');
    expect(outcome).toMatchObject({ kind: 'succeeded', payment: { status: 'REFUNDED' } });
    expect((await fx.paymentRows(order.orderId))[0]!.status).toBe('REFUNDED');
    expect((await fx.outbox(order.orderId)).map((e) => e.type)).toEqual(['payment.succeeded', 'payment.refunded']);
  });

  it('finishes a crashed charge of an order cancelled meanwhile with the same keys, then refunds it once', async () => {
    const order = confirmedOrder();
    await expect(
      fx.db.transaction(async (tx) => {
        await fx.payments.chargeOrder(order, tx);
        throw new Crash();
      }),
    ).rejects.toThrow(Crash);
    expect((await fx.payments.refundCancelledOrder(cancellation(order))).kind).toBe('charge-in-flight');
    // The redelivered order.confirmed completes the attempt the provider already charged, and gives it back.
    expect(await fx.payments.chargeOrder(order)).toMatchObject({ kind: 'succeeded', payment: { status: 'REFUNDED' } });
    const ledger = await fx.ledger(order.orderId);
    expect(ledger.filter((r) => r.operation === 'capture')).toHaveLength(1);
    expect(ledger.filter((r) => r.operation === 'refund')).toHaveLength(1);
  });
});
