import { describe, expect, it } from 'vitest';
import {
  discountFor,
  evaluateCoupon,
  formatMoney,
  isWithinWindow,
  normaliseCode,
  type CouponTerms,
  type CouponUsage,
} from '../src/coupons.js';

const NOW = new Date('2025-06-15T12:00:00.000Z');
const unused: CouponUsage = { total: 0, byCustomer: 0 };
const usd = (subtotal: number) => ({ subtotal, currency: 'USD' });

function terms(overrides: Partial<CouponTerms> = {}): CouponTerms {
  return {
    code: 'SAVE10',
    kind: 'PERCENT',
    value: 10,
    currency: 'USD',
    minSubtotal: null,
    usageLimit: null,
    perCustomerLimit: null,
    startsAt: null,
    endsAt: null,
    ...overrides,
  };
}

describe('discountFor', () => {
  it.each([
    // kind, value, subtotal, discount
    ['PERCENT', 10, 10_000, 1_000],
    ['PERCENT', 10, 999, 99], // 99.9 rounds down
    ['PERCENT', 15, 1_999, 299], // 299.85 rounds down
    ['PERCENT', 33, 1, 0], // 0.33 rounds down to nothing
    ['PERCENT', 1, 99, 0],
    ['PERCENT', 1, 100, 1],
    ['PERCENT', 100, 4_321, 4_321], // everything, never more
    ['PERCENT', 50, 0, 0],
    ['PERCENT', 100, 2_147_483_647, 2_147_483_647], // the largest GraphQL Int, exactly
    ['PERCENT', 99, 2_147_483_647, 2_126_008_810], // floor(2147483647 × 0.99) without float error
    ['FIXED_AMOUNT', 500, 10_000, 500],
    ['FIXED_AMOUNT', 500, 500, 500],
    ['FIXED_AMOUNT', 500, 499, 499], // capped at the subtotal
    ['FIXED_AMOUNT', 500, 0, 0],
    ['FIXED_AMOUNT', 1, 1, 1],
  ] as const)('%s %i off %i is %i', (kind, value, subtotal, discount) => {
    expect(discountFor(kind, value, subtotal)).toBe(discount);
  });

  it('is never negative and never more than the subtotal, whatever it is given', () => {
    for (const kind of ['PERCENT', 'FIXED_AMOUNT'] as const) {
      for (const value of [-5, 0, 1, 7, 100, 150, 1_000_000]) {
        for (const subtotal of [-100, 0, 1, 3, 99, 101, 12_345]) {
          const d = discountFor(kind, value, subtotal);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(Math.max(subtotal, 0));
          expect(Number.isInteger(d)).toBe(true);
        }
      }
    }
  });
});

describe('validity window: startsAt ≤ now < endsAt', () => {
  const start = new Date('2025-06-15T12:00:00.000Z');
  const end = new Date('2025-06-16T12:00:00.000Z');
  it.each([
    ['no bounds', null, null, NOW, 'ok'],
    ['exactly at the start', start, end, start, 'ok'],
    ['a millisecond before the start', start, end, new Date(start.getTime() - 1), 'not-started'],
    ['a millisecond before the end', start, end, new Date(end.getTime() - 1), 'ok'],
    ['exactly at the end', start, end, end, 'expired'],
    ['after the end', start, end, new Date(end.getTime() + 60_000), 'expired'],
    ['only a start, later', start, null, new Date('2030-01-01T00:00:00Z'), 'ok'],
    ['only an end, before it', null, end, new Date('2000-01-01T00:00:00Z'), 'ok'],
  ] as const)('%s', (_label, startsAt, endsAt, now, verdict) => {
    expect(isWithinWindow({ startsAt, endsAt }, now)).toBe(verdict);
  });
});

describe('evaluateCoupon', () => {
  it('gives the discount of a coupon that applies', () => {
    expect(evaluateCoupon(terms(), usd(2_000), unused, NOW)).toEqual({ valid: true, discount: 200 });
    expect(evaluateCoupon(terms({ kind: 'FIXED_AMOUNT', value: 750 }), usd(2_000), unused, NOW)).toEqual({ valid: true, discount: 750 });
  });

  it.each([
    ['an unknown code', null, usd(2_000), unused],
    ['a coupon that has not started', terms({ startsAt: new Date(NOW.getTime() + 1) }), usd(2_000), unused],
    ['an expired coupon', terms({ endsAt: NOW }), usd(2_000), unused],
    ['a subtotal below the minimum', terms({ minSubtotal: 5_000 }), usd(4_999), unused],
    ['an order in another currency', terms(), { subtotal: 2_000, currency: 'EUR' }, unused],
  ] as const)('refuses %s with INVALID_COUPON', (_label, coupon, order, usage) => {
    const verdict = evaluateCoupon(coupon, order, usage, NOW);
    expect(verdict).toEqual({ valid: false, errorCode: 'INVALID_COUPON', message: expect.any(String) });
  });

  it('accepts a subtotal exactly at the minimum', () => {
    expect(evaluateCoupon(terms({ minSubtotal: 5_000 }), usd(5_000), unused, NOW)).toEqual({ valid: true, discount: 500 });
  });

  it('says how much the minimum subtotal is, in money', () => {
    const verdict = evaluateCoupon(terms({ minSubtotal: 5_000 }), usd(100), unused, NOW);
    expect(verdict.valid === false && verdict.message).toContain('$50.00');
  });

  it.each([
    ['the usage limit is reached', terms({ usageLimit: 3 }), { total: 3, byCustomer: 0 }],
    ['the usage limit is exceeded', terms({ usageLimit: 1 }), { total: 2, byCustomer: 0 }],
    ['the customer reached their own limit', terms({ perCustomerLimit: 1 }), { total: 1, byCustomer: 1 }],
    ['both limits are reached', terms({ usageLimit: 2, perCustomerLimit: 2 }), { total: 2, byCustomer: 2 }],
  ] as const)('refuses with COUPON_EXHAUSTED when %s', (_label, coupon, usage) => {
    expect(evaluateCoupon(coupon, usd(2_000), usage, NOW)).toEqual({ valid: false, errorCode: 'COUPON_EXHAUSTED', message: expect.any(String) });
  });

  it('accepts the last remaining use under both limits', () => {
    const coupon = terms({ usageLimit: 3, perCustomerLimit: 2 });
    expect(evaluateCoupon(coupon, usd(2_000), { total: 2, byCustomer: 1 }, NOW)).toEqual({ valid: true, discount: 200 });
  });

  it('reports an invalid coupon before an exhausted one (an expired, used-up coupon is INVALID_COUPON)', () => {
    const verdict = evaluateCoupon(terms({ usageLimit: 1, endsAt: NOW }), usd(2_000), { total: 1, byCustomer: 1 }, NOW);
    expect(verdict).toMatchObject({ valid: false, errorCode: 'INVALID_COUPON' });
  });
});

describe('codes', () => {
  it('are compared trimmed and in upper case', () => {
    expect(normaliseCode('  summer-sale_25 ')).toBe('SUMMER-SALE_25');
  });
});

describe('formatMoney', () => {
  it('formats minor units in the currency', () => {
    expect(formatMoney(1_999, 'USD')).toBe('$19.99');
    expect(formatMoney(500, 'JPY')).toBe('¥500');
  });
});
