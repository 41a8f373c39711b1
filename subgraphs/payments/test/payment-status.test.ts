import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, IllegalPaymentTransition, isSettled, paymentTransitions, type PaymentStatus } from '../src/payment-status.js';

const all = Object.keys(paymentTransitions) as PaymentStatus[];
const allowed = (from: PaymentStatus) => all.filter((to) => canTransition(from, to));

describe('the payment state machine', () => {
  it('settles a PENDING payment as SUCCEEDED or FAILED, nothing else', () => {
    expect(allowed('PENDING')).toEqual(['SUCCEEDED', 'FAILED']);
  });

  it('lets only a SUCCEEDED payment be REFUNDED', () => {
    expect(allowed('SUCCEEDED')).toEqual(['REFUNDED']);
    expect(all.filter((from) => canTransition(from, 'REFUNDED'))).toEqual(['SUCCEEDED']);
  });

  it('treats FAILED and REFUNDED as final', () => {
    expect(allowed('FAILED')).toEqual([]);
    expect(allowed('REFUNDED')).toEqual([]);
  });

  it('refuses an illegal transition with an error naming both states', () => {
    expect(() => assertTransition('FAILED', 'SUCCEEDED')).toThrow(IllegalPaymentTransition);
    expect(() => assertTransition('REFUNDED', 'REFUNDED')).toThrow('cannot go from REFUNDED to REFUNDED');
    expect(() => assertTransition('PENDING', 'SUCCEEDED')).not.toThrow();
  });

  it('exposes every status but PENDING', () => {
    expect(all.filter(isSettled)).toEqual(['SUCCEEDED', 'FAILED', 'REFUNDED']);
  });
});
