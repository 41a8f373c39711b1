import { describe, expect, it } from 'vitest';
import { ORDER_EVENTS, ORDER_STATUSES, transition, type Actor, type OrderEvent, type OrderStatus } from '../src/state-machine.js';

const OWNER = 'owner-1';
const owner: Actor = { userId: OWNER, role: 'CUSTOMER' };
const stranger: Actor = { userId: 'someone-else', role: 'CUSTOMER' };
const admin: Actor = { userId: 'admin-1', role: 'ADMIN' };

/** The whole machine, written out: every (status, event) pair not listed here must be refused. */
const ALLOWED: Partial<Record<OrderStatus, Partial<Record<OrderEvent, { to: OrderStatus; reason?: string; announce: string | null; refund?: true }>>>> = {
  PENDING: {
    STOCK_RESERVED: { to: 'CONFIRMED', announce: 'order.confirmed' },
    STOCK_REJECTED: { to: 'CANCELLED', reason: 'OUT_OF_STOCK', announce: 'order.cancelled' },
    CUSTOMER_CANCEL: { to: 'CANCELLED', reason: 'CUSTOMER_REQUEST', announce: 'order.cancelled' },
    ADMIN_CANCEL: { to: 'CANCELLED', reason: 'ADMIN_REQUEST', announce: 'order.cancelled' },
  },
  CONFIRMED: {
    PAYMENT_SUCCEEDED: { to: 'PAID', announce: 'order.paid' },
    PAYMENT_FAILED: { to: 'CANCELLED', reason: 'PAYMENT_DECLINED', announce: 'order.cancelled' },
    CUSTOMER_CANCEL: { to: 'CANCELLED', reason: 'CUSTOMER_REQUEST', announce: 'order.cancelled' },
    ADMIN_CANCEL: { to: 'CANCELLED', reason: 'ADMIN_REQUEST', announce: 'order.cancelled' },
  },
  PAID: {
    SHIPMENT_IN_TRANSIT: { to: 'SHIPPED', announce: 'order.shipped' },
    CUSTOMER_CANCEL: { to: 'CANCELLED', reason: 'CUSTOMER_REQUEST', announce: 'order.cancelled', refund: true },
    ADMIN_CANCEL: { to: 'CANCELLED', reason: 'ADMIN_REQUEST', announce: 'order.cancelled', refund: true },
  },
  SHIPPED: {
    SHIPMENT_DELIVERED: { to: 'DELIVERED', announce: 'order.delivered' },
  },
  CANCELLED: {
    PAYMENT_REFUNDED: { to: 'REFUNDED', announce: null },
  },
};

const actorFor = (event: OrderEvent): Actor | undefined => (event === 'CUSTOMER_CANCEL' ? owner : event === 'ADMIN_CANCEL' ? admin : undefined);

describe('order state machine', () => {
  for (const status of ORDER_STATUSES) {
    for (const event of ORDER_EVENTS) {
      const expected = ALLOWED[status]?.[event];
      if (expected) {
        it(`${event} moves a ${status} order to ${expected.to}`, () => {
          const result = transition({ status, userId: OWNER }, event, actorFor(event));
          expect(result).toEqual({
            ok: true,
            from: status,
            to: expected.to,
            cancellationReason: expected.reason ?? null,
            announce: expected.announce,
            refundRequired: expected.refund ?? false,
          });
        });
      } else {
        it(`ignores ${event} for a ${status} order`, () => {
          const result = transition({ status, userId: OWNER }, event, actorFor(event));
          expect(result).toEqual({ ok: false, from: status, reason: 'NOT_ALLOWED_FROM_STATUS' });
        });
      }
    }
  }

  it('lets only the owner cancel as a customer', () => {
    expect(transition({ status: 'PENDING', userId: OWNER }, 'CUSTOMER_CANCEL', stranger)).toEqual({
      ok: false,
      from: 'PENDING',
      reason: 'GUARD_REFUSED',
    });
    expect(transition({ status: 'PENDING', userId: OWNER }, 'CUSTOMER_CANCEL').ok).toBe(false);
  });

  it('lets only an admin cancel as an admin', () => {
    expect(transition({ status: 'PAID', userId: OWNER }, 'ADMIN_CANCEL', owner)).toMatchObject({ ok: false, reason: 'GUARD_REFUSED' });
    expect(transition({ status: 'PAID', userId: OWNER }, 'ADMIN_CANCEL', admin)).toMatchObject({ ok: true, to: 'CANCELLED' });
  });

  it('never leaves a final status (DELIVERED, REFUNDED) and never re-enters a status', () => {
    for (const event of ORDER_EVENTS) {
      expect(transition({ status: 'DELIVERED', userId: OWNER }, event, actorFor(event)).ok).toBe(false);
      expect(transition({ status: 'REFUNDED', userId: OWNER }, event, actorFor(event)).ok).toBe(false);
    }
    for (const [from, events] of Object.entries(ALLOWED)) {
      for (const t of Object.values(events)) expect(t.to).not.toBe(from);
    }
  });
});
