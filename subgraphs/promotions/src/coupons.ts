/**
 * Coupon rules, pure: whether a promotion applies to an order now and what it takes off.
 * No I/O; the caller passes the clock and how often the coupon is already in use.
 */

export type PromotionKind = 'PERCENT' | 'FIXED_AMOUNT';

export const CouponErrorCode = {
  /** Unknown code, not started, expired, another currency, or subtotal below the minimum. */
  INVALID_COUPON: 'INVALID_COUPON',
  /** The usage limit or the customer's own limit is reached. */
  COUPON_EXHAUSTED: 'COUPON_EXHAUSTED',
} as const;
export type CouponErrorCode = (typeof CouponErrorCode)[keyof typeof CouponErrorCode];

/** The terms of a promotion, as stored. */
export interface CouponTerms {
  code: string;
  kind: PromotionKind;
  value: number;
  currency: string;
  minSubtotal: number | null;
  usageLimit: number | null;
  perCustomerLimit: number | null;
  startsAt: Date | null;
  endsAt: Date | null;
}

export interface OrderForCoupon {
  /** Minor units, before discount. */
  subtotal: number;
  currency: string;
}

/** Orders currently holding the coupon (ACTIVE redemptions), in total and of this customer. */
export interface CouponUsage {
  total: number;
  byCustomer: number;
}

export type CouponVerdict =
  | { valid: true; discount: number }
  | { valid: false; errorCode: CouponErrorCode; message: string };

export const CODE_PATTERN = /^[A-Z0-9_-]{3,32}$/;

/** Codes are compared trimmed and in upper case. */
export function normaliseCode(code: string): string {
  return code.trim().toUpperCase();
}

/**
 * PERCENT: floor(subtotal × value / 100); FIXED_AMOUNT: min(value, subtotal).
 * Integer arithmetic only; never negative, never more than the subtotal.
 */
export function discountFor(kind: PromotionKind, value: number, subtotal: number): number {
  if (!Number.isSafeInteger(subtotal) || subtotal <= 0) return 0;
  if (!Number.isSafeInteger(value) || value <= 0) return 0;
  const raw =
    kind === 'PERCENT'
      ? Number((BigInt(subtotal) * BigInt(Math.min(value, 100))) / 100n) // BigInt division truncates: floor for positives
      : value;
  return Math.min(raw, subtotal);
}

/** startsAt ≤ now < endsAt; a missing bound is open. */
export function isWithinWindow(terms: Pick<CouponTerms, 'startsAt' | 'endsAt'>, now: Date): 'ok' | 'not-started' | 'expired' {
  if (terms.startsAt && now.getTime() < terms.startsAt.getTime()) return 'not-started';
  if (terms.endsAt && now.getTime() >= terms.endsAt.getTime()) return 'expired';
  return 'ok';
}

function invalid(message: string): CouponVerdict {
  return { valid: false, errorCode: CouponErrorCode.INVALID_COUPON, message };
}

function exhausted(message: string): CouponVerdict {
  return { valid: false, errorCode: CouponErrorCode.COUPON_EXHAUSTED, message };
}

/** An amount in minor units as the customer reads it, e.g. 5000 USD → "$50.00". */
export function formatMoney(amount: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amount / 10 ** digits);
  } catch {
    return `${amount} ${currency} minor units`;
  }
}

/**
 * Whether the coupon applies to the order now, and its discount. Checks, in order: the code
 * exists, the validity window, the currency, the minimum subtotal, then the usage limits.
 */
export function evaluateCoupon(
  terms: CouponTerms | null,
  order: OrderForCoupon,
  usage: CouponUsage,
  now: Date,
): CouponVerdict {
  if (!terms) return invalid('This coupon code does not exist');
  const window = isWithinWindow(terms, now);
  if (window === 'not-started') return invalid('This coupon is not valid yet');
  if (window === 'expired') return invalid('This coupon has expired');
  if (order.currency !== terms.currency) return invalid(`This coupon applies to orders in ${terms.currency} only`);
  if (terms.minSubtotal !== null && order.subtotal < terms.minSubtotal) {
    return invalid(`This coupon needs an order subtotal of at least ${formatMoney(terms.minSubtotal, terms.currency)}`);
  }
  if (terms.usageLimit !== null && usage.total >= terms.usageLimit) return exhausted('This coupon has been used up');
  if (terms.perCustomerLimit !== null && usage.byCustomer >= terms.perCustomerLimit) {
    return exhausted('You have already used this coupon as often as it allows');
  }
  return { valid: true, discount: discountFor(terms.kind, terms.value, order.subtotal) };
}
