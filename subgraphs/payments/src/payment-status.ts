import type { PAYMENT_STATUSES } from './db/schema.js';

export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * The payment state machine as data: which status may follow which. PENDING is written before the
 * provider is called; FAILED and REFUNDED are final.
 */
export const paymentTransitions: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  PENDING: ['SUCCEEDED', 'FAILED'],
  SUCCEEDED: ['REFUNDED'],
  FAILED: [],
  REFUNDED: [],
};

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return paymentTransitions[from].includes(to);
}

export class IllegalPaymentTransition extends Error {
  constructor(
    readonly from: PaymentStatus,
    readonly to: PaymentStatus,
  ) {
    super(`A payment cannot go from ${from} to ${to}`);
  }
}

export function assertTransition(from: PaymentStatus, to: PaymentStatus): void {
  if (!canTransition(from, to)) throw new IllegalPaymentTransition(from, to);
}

/** Statuses the API shows; a PENDING attempt has no outcome yet and is not exposed. */
export function isSettled(status: PaymentStatus): status is Exclude<PaymentStatus, 'PENDING'> {
  return status !== 'PENDING';
}
