import { describe, expect, it } from 'vitest';
import { formatMoney, notificationTypes, orderRef, renderNotification, type NotificationFacts } from '../src/templates.js';

const orderId = '3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b';
const usd = (amount: number) => ({ amount, currency: 'USD' });

describe('formatMoney', () => {
  it('formats integer minor units for people, with the currency’s own number of decimals', () => {
    expect(formatMoney(usd(1_999))).toBe('$19.99');
    expect(formatMoney(usd(5))).toBe('$0.05');
    expect(formatMoney(usd(123_456_789))).toBe('$1,234,567.89');
    expect(formatMoney({ amount: 1_050, currency: 'EUR' })).toBe('€10.50');
    expect(formatMoney({ amount: 500, currency: 'JPY' })).toBe('¥500');
  });

  it('refuses a fractional amount: money is integer minor units', () => {
    expect(() => formatMoney(usd(19.99))).toThrow(RangeError);
  });
});

describe('renderNotification', () => {
  it('refers to an order by the first 8 characters of its id', () => {
    expect(orderRef(orderId)).toBe('#3F2A9C1E');
  });

  it('ORDER_PLACED: confirms the order with its item count and total', () => {
    expect(renderNotification({ type: 'ORDER_PLACED', orderId, total: usd(4_998), itemCount: 3 })).toEqual({
      title: 'Order received',
      body: 'Thank you! We received your order #3F2A9C1E (3 items, $49.98). We will let you know when the payment is confirmed.',
    });
    expect(renderNotification({ type: 'ORDER_PLACED', orderId, total: usd(999), itemCount: 1 }).body).toContain('(1 item, $9.99)');
  });

  it('ORDER_CANCELLED: says why, and whether the payment is refunded', () => {
    expect(renderNotification({ type: 'ORDER_CANCELLED', orderId, reason: 'OUT_OF_STOCK', refundRequired: false })).toEqual({
      title: 'Order cancelled',
      body: 'Your order #3F2A9C1E was cancelled because some items are out of stock. You have not been charged.',
    });
    expect(renderNotification({ type: 'ORDER_CANCELLED', orderId, reason: 'CUSTOMER_REQUEST', refundRequired: true }).body).toBe(
      'Your order #3F2A9C1E was cancelled as you requested. Your payment will be refunded.',
    );
    expect(renderNotification({ type: 'ORDER_CANCELLED', orderId, reason: 'PAYMENT_DECLINED', refundRequired: false }).body).toContain(
      'because the payment was declined',
    );
    expect(renderNotification({ type: 'ORDER_CANCELLED', orderId, reason: 'ADMIN_REQUEST', refundRequired: true }).body).toContain('by the shop');
  });

  it('PAYMENT_SUCCEEDED: confirms the amount charged', () => {
    expect(renderNotification({ type: 'PAYMENT_SUCCEEDED', orderId, amount: usd(4_998) })).toEqual({
      title: 'Payment received',
      body: 'We received your payment of $49.98 for order #3F2A9C1E. We are getting it ready to ship.',
    });
  });

  it('PAYMENT_FAILED: explains a known decline code in words and shows any other reason as given', () => {
    expect(renderNotification({ type: 'PAYMENT_FAILED', orderId, reason: 'PAYMENT_DECLINED' })).toEqual({
      title: 'Payment failed',
      body: 'We could not charge your payment for order #3F2A9C1E: the card was declined.',
    });
    expect(renderNotification({ type: 'PAYMENT_FAILED', orderId, reason: 'provider timeout' }).body).toBe(
      'We could not charge your payment for order #3F2A9C1E: provider timeout.',
    );
  });

  it('ORDER_SHIPPED: says the order is on its way', () => {
    expect(renderNotification({ type: 'ORDER_SHIPPED', orderId })).toEqual({ title: 'Order shipped', body: 'Your order #3F2A9C1E is on its way.' });
  });

  it('ORDER_DELIVERED: says it arrived and invites a review', () => {
    expect(renderNotification({ type: 'ORDER_DELIVERED', orderId })).toEqual({
      title: 'Order delivered',
      body: 'Your order #3F2A9C1E was delivered. Enjoy it, and tell other shoppers what you think with a review.',
    });
  });

  it('has a distinct title for every type', () => {
    const facts: Record<(typeof notificationTypes)[number], NotificationFacts> = {
      ORDER_PLACED: { type: 'ORDER_PLACED', orderId, total: usd(1), itemCount: 1 },
      ORDER_CANCELLED: { type: 'ORDER_CANCELLED', orderId, reason: 'OUT_OF_STOCK', refundRequired: false },
      PAYMENT_SUCCEEDED: { type: 'PAYMENT_SUCCEEDED', orderId, amount: usd(1) },
      PAYMENT_FAILED: { type: 'PAYMENT_FAILED', orderId, reason: 'x' },
      ORDER_SHIPPED: { type: 'ORDER_SHIPPED', orderId },
      ORDER_DELIVERED: { type: 'ORDER_DELIVERED', orderId },
    };
    const titles = notificationTypes.map((t) => renderNotification(facts[t]).title);
    expect(new Set(titles).size).toBe(notificationTypes.length);
  });
});
