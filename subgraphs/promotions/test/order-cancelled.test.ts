import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, uniqueName } from '@shop/testing';
import type { ShopEvent } from '@shop/events';
import { createPromotion, redeem, startPromotions, timesUsed, uniqueOrderId, type PromotionsHarness } from './harness.js';

let h: PromotionsHarness;
beforeAll(async () => {
  h = await startPromotions();
  await h.app.consumerStarted;
});
afterAll(async () => {
  await h?.close();
});

/** Waits until the consumer settled this event (once more when `times` > 1) and returns the outcomes. */
async function settledOutcomes(event: ShopEvent, times = 1) {
  return eventually(async () => {
    const outcomes = h.settled.filter((s) => s.event?.id === event.id).map((s) => s.outcome);
    return outcomes.length >= times ? outcomes : undefined;
  }, 30_000);
}

const cancelled = (orderId: string, userId: string) =>
  h.publishOrderEvent('order.cancelled', { orderId, userId, reason: 'CUSTOMER_REQUEST', refundRequired: false });

describe('order.cancelled (Kafka)', () => {
  it("gives the coupon use back: timesUsed goes down and the same customer can use the coupon again", async () => {
    const { code } = await createPromotion(h, { usageLimit: 1, perCustomerLimit: 1 });
    const userId = uniqueName('customer');
    const orderId = uniqueOrderId();
    expect((await redeem(h, { orderId, code, userId })).redeemed).toBe(true);
    expect(await redeem(h, { code, userId })).toMatchObject({ redeemed: false, errorCode: 'COUPON_EXHAUSTED' });

    const event = await cancelled(orderId, userId);
    expect(await settledOutcomes(event)).toEqual(['applied']);
    expect(await timesUsed(h, code)).toBe(0);
    expect((await redeem(h, { code, userId })).redeemed).toBe(true);
    expect(await timesUsed(h, code)).toBe(1);
  });

  it('changes nothing when Kafka delivers the same order.cancelled again', async () => {
    const { code } = await createPromotion(h, { usageLimit: 2 });
    const userId = uniqueName('customer');
    const orderId = uniqueOrderId();
    await redeem(h, { orderId, code, userId });
    await redeem(h, { code, userId });
    expect(await timesUsed(h, code)).toBe(2);

    const event = await cancelled(orderId, userId);
    await settledOutcomes(event);
    expect(await timesUsed(h, code)).toBe(1);

    await h.republish(event);
    expect(await settledOutcomes(event, 2)).toEqual(['applied', 'duplicate']);
    expect(await timesUsed(h, code)).toBe(1);
  });

  it('changes nothing for a cancelled order that used no coupon', async () => {
    const { code } = await createPromotion(h, {});
    await redeem(h, { code, userId: uniqueName('customer') });
    const event = await cancelled(uniqueOrderId(), uniqueName('customer'));
    expect(await settledOutcomes(event)).toEqual(['applied']);
    expect(await timesUsed(h, code)).toBe(1);
  });
});
