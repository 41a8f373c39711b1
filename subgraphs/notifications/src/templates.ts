/**
 * What each kind of notification says. Pure: facts in, human text out (tested per type).
 */

export const notificationTypes = [
  'ORDER_PLACED',
  'ORDER_CANCELLED',
  'PAYMENT_SUCCEEDED',
  'PAYMENT_FAILED',
  'ORDER_SHIPPED',
  'ORDER_DELIVERED',
] as const;
export type NotificationType = (typeof notificationTypes)[number];

export interface Money {
  /** Integer minor units (cents). */
  amount: number;
  currency: string;
}

export type CancellationReason = 'OUT_OF_STOCK' | 'PAYMENT_DECLINED' | 'CUSTOMER_REQUEST' | 'ADMIN_REQUEST';

/** The facts a notification is written from, one shape per type. */
export type NotificationFacts =
  | { type: 'ORDER_PLACED'; orderId: string; total: Money; itemCount: number }
  | { type: 'ORDER_CANCELLED'; orderId: string; reason: CancellationReason; refundRequired: boolean }
  | { type: 'PAYMENT_SUCCEEDED'; orderId: string; amount: Money }
  | { type: 'PAYMENT_FAILED'; orderId: string; reason: string }
  | { type: 'ORDER_SHIPPED'; orderId: string }
  | { type: 'ORDER_DELIVERED'; orderId: string };

export interface RenderedNotification {
  title: string;
  body: string;
}

const currencyFormats = new Map<string, Intl.NumberFormat>();

function currencyFormat(currency: string): Intl.NumberFormat {
  let format = currencyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    currencyFormats.set(currency, format);
  }
  return format;
}

/**
 * Formats integer minor units for people: 1999 USD -> "$19.99", 500 JPY -> "¥500". The number
 * of minor digits comes from the currency (ISO 4217), so the division is exact for display.
 */
export function formatMoney({ amount, currency }: Money): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`Money amount must be an integer of minor units, got ${amount}`);
  const format = currencyFormat(currency.toUpperCase());
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

/** A short, recognisable order reference: the first 8 characters of the id, upper case. */
export function orderRef(orderId: string): string {
  return `#${orderId.slice(0, 8).toUpperCase()}`;
}

const cancellationReasons: Record<CancellationReason, string> = {
  OUT_OF_STOCK: 'because some items are out of stock',
  PAYMENT_DECLINED: 'because the payment was declined',
  CUSTOMER_REQUEST: 'as you requested',
  ADMIN_REQUEST: 'by the shop',
};

const paymentFailures: Record<string, string> = {
  PAYMENT_DECLINED: 'the card was declined',
  INSUFFICIENT_FUNDS: 'there were not enough funds',
  CARD_EXPIRED: 'the card has expired',
};

/** A provider's reason as a phrase: known codes get words, anything else is shown as given. */
function paymentFailure(reason: string): string {
  const trimmed = reason.trim();
  return paymentFailures[trimmed.toUpperCase()] ?? (trimmed || 'the payment provider refused it');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function renderNotification(facts: NotificationFacts): RenderedNotification {
  const ref = orderRef(facts.orderId);
  switch (facts.type) {
    case 'ORDER_PLACED':
      return {
        title: 'Order received',
        body: `Thank you! We received your order ${ref} (${plural(facts.itemCount, 'item')}, ${formatMoney(facts.total)}). We will let you know when the payment is confirmed.`,
      };
    case 'ORDER_CANCELLED':
      return {
        title: 'Order cancelled',
        body:
          `Your order ${ref} was cancelled ${cancellationReasons[facts.reason]}.` +
          (facts.refundRequired ? ' Your payment will be refunded.' : ' You have not been charged.'),
      };
    case 'PAYMENT_SUCCEEDED':
      return {
        title: 'Payment received',
        body: `We received your payment of ${formatMoney(facts.amount)} for order ${ref}. We are getting it ready to ship.`,
      };
    case 'PAYMENT_FAILED':
      return {
        title: 'Payment failed',
        body: `We could not charge your payment for order ${ref}: ${paymentFailure(facts.reason)}.`,
      };
    case 'ORDER_SHIPPED':
      return { title: 'Order shipped', body: `Your order ${ref} is on its way.` };
    case 'ORDER_DELIVERED':
      return {
        title: 'Order delivered',
        body: `Your order ${ref} was delivered. Enjoy it, and tell other shoppers what you think with a review.`,
      };
  }
}
