/**
 * The order state machine, as data: which fact moves an order from which statuses to which one,
 * under which guard, and what orders announces when it does. Pure: no I/O, tested on its own.
 */

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'REFUNDED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type CancellationReason = 'OUT_OF_STOCK' | 'PAYMENT_DECLINED' | 'CUSTOMER_REQUEST' | 'ADMIN_REQUEST';

/** What happened to an order: a saga fact from another subgraph, or a request to orders. */
export const ORDER_EVENTS = [
  'STOCK_RESERVED',
  'STOCK_REJECTED',
  'PAYMENT_SUCCEEDED',
  'PAYMENT_FAILED',
  'PAYMENT_REFUNDED',
  'SHIPMENT_IN_TRANSIT',
  'SHIPMENT_DELIVERED',
  'CUSTOMER_CANCEL',
  'ADMIN_CANCEL',
] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

/** What orders publishes when it enters a status (the catalogued order.* event types). */
export type Announcement = 'order.confirmed' | 'order.paid' | 'order.shipped' | 'order.delivered' | 'order.cancelled';

export interface Actor {
  userId: string;
  role: 'CUSTOMER' | 'ADMIN';
}

/** What a guard may look at. */
export interface TransitionSubject {
  status: OrderStatus;
  userId: string;
}

interface Transition {
  from: readonly OrderStatus[];
  to: OrderStatus;
  reason?: CancellationReason;
  /** Extra condition beyond the from-status; false refuses the transition. */
  guard?: (order: TransitionSubject, actor: Actor | undefined) => boolean;
}

const CANCELLABLE: readonly OrderStatus[] = ['PENDING', 'CONFIRMED', 'PAID'];

export const TRANSITIONS: Readonly<Record<OrderEvent, Transition>> = {
  STOCK_RESERVED: { from: ['PENDING'], to: 'CONFIRMED' },
  STOCK_REJECTED: { from: ['PENDING'], to: 'CANCELLED', reason: 'OUT_OF_STOCK' },
  PAYMENT_SUCCEEDED: { from: ['CONFIRMED'], to: 'PAID' },
  PAYMENT_FAILED: { from: ['CONFIRMED'], to: 'CANCELLED', reason: 'PAYMENT_DECLINED' },
  // Payments refunds only what it captured of a cancelled order (cancelled when PAID, or while the charge was in flight).
  PAYMENT_REFUNDED: { from: ['CANCELLED'], to: 'REFUNDED' },
  SHIPMENT_IN_TRANSIT: { from: ['PAID'], to: 'SHIPPED' },
  SHIPMENT_DELIVERED: { from: ['SHIPPED'], to: 'DELIVERED' },
  CUSTOMER_CANCEL: {
    from: CANCELLABLE,
    to: 'CANCELLED',
    reason: 'CUSTOMER_REQUEST',
    guard: (order, actor) => actor !== undefined && actor.userId === order.userId,
  },
  ADMIN_CANCEL: { from: CANCELLABLE, to: 'CANCELLED', reason: 'ADMIN_REQUEST', guard: (_order, actor) => actor?.role === 'ADMIN' },
};

/** What entering a status announces to the other subgraphs. */
export const ANNOUNCEMENTS: Readonly<Record<OrderStatus, Announcement | null>> = {
  PENDING: null, // order.placed is written by placeOrder itself, with the lines and prices
  CONFIRMED: 'order.confirmed',
  PAID: 'order.paid',
  SHIPPED: 'order.shipped',
  DELIVERED: 'order.delivered',
  CANCELLED: 'order.cancelled',
  REFUNDED: null,
};

export type TransitionResult =
  | {
      ok: true;
      from: OrderStatus;
      to: OrderStatus;
      /** Set when the order becomes CANCELLED. */
      cancellationReason: CancellationReason | null;
      announce: Announcement | null;
      /** For order.cancelled: payments must refund (the order was PAID). */
      refundRequired: boolean;
    }
  | { ok: false; from: OrderStatus; reason: 'NOT_ALLOWED_FROM_STATUS' | 'GUARD_REFUSED' };

/** Decides what `event` does to `order`; a refusal is data, never an exception. */
export function transition(order: TransitionSubject, event: OrderEvent, actor?: Actor): TransitionResult {
  const t = TRANSITIONS[event];
  if (!t.from.includes(order.status)) return { ok: false, from: order.status, reason: 'NOT_ALLOWED_FROM_STATUS' };
  if (t.guard && !t.guard(order, actor)) return { ok: false, from: order.status, reason: 'GUARD_REFUSED' };
  return {
    ok: true,
    from: order.status,
    to: t.to,
    cancellationReason: t.reason ?? null,
    announce: ANNOUNCEMENTS[t.to],
    refundRequired: t.to === 'CANCELLED' && order.status === 'PAID',
  };
}

/** Statuses from which the owner or an admin may still cancel. */
export function isCancellable(status: OrderStatus): boolean {
  return CANCELLABLE.includes(status);
}
