import { createEvent, enqueueEvents, type ShopEvent } from '@shop/events';
import { userError, type Logger, type UserError } from '@shop/platform';
import type { OrdersDb } from './db/index.js';
import type { OrderModel } from './mappers.js';
import { toOrderModel, type OrderRow, type OrderStore, type Tx } from './order-store.js';
import { ok, refused, type Outcome } from './outcome.js';
import { isCancellable, transition, type Actor, type OrderEvent, type TransitionResult } from './state-machine.js';

export type AdvanceOutcome =
  | { kind: 'applied'; order: OrderModel; result: Extract<TransitionResult, { ok: true }> }
  | { kind: 'refused'; order: OrderModel; result: Extract<TransitionResult, { ok: false }> }
  | { kind: 'missing' };

/**
 * Moves orders through the state machine: one status change, its history entry and the event it
 * announces, all in the caller's transaction, with the order row locked.
 */
export class Lifecycle {
  constructor(
    private readonly db: OrdersDb,
    private readonly store: OrderStore,
    private readonly log: Logger,
    private readonly onEventsCommitted: () => void,
  ) {}

  /**
   * Applies `event` to the order inside `tx`. A fact that is not allowed from the order's current
   * status (late, duplicate, raced by a cancellation) changes nothing: it is reported, not thrown,
   * so a consumer never dead-letters it.
   */
  async advance(tx: Tx, orderId: string, event: OrderEvent, actor?: Actor, now = new Date()): Promise<AdvanceOutcome> {
    const row = await this.store.lockForUpdate(tx, orderId);
    if (!row) return { kind: 'missing' };
    const result = transition({ status: row.status, userId: row.userId }, event, actor);
    if (!result.ok) return { kind: 'refused', order: toOrderModel(row), result };
    await this.store.setStatus(tx, orderId, result.to, result.cancellationReason, now);
    await enqueueEvents(tx, await this.announcements(tx, row, result));
    const updated: OrderRow = {
      ...row,
      status: result.to,
      cancellationReason: result.cancellationReason ?? row.cancellationReason,
      updatedAt: now,
    };
    return { kind: 'applied', order: toOrderModel(updated), result };
  }

  /** A saga fact from another subgraph; refusals and unknown orders are logged no-ops. */
  async onFact(tx: Tx, orderId: string, event: OrderEvent, eventId: string): Promise<void> {
    const outcome = await this.advance(tx, orderId, event);
    if (outcome.kind === 'missing') {
      this.log.warn({ orderId, event, eventId }, 'event for an unknown order ignored');
    } else if (outcome.kind === 'refused') {
      this.log.info({ orderId, event, eventId, status: outcome.order.status }, 'event not applicable in the current status: ignored');
    } else {
      this.log.debug({ orderId, event, from: outcome.result.from, to: outcome.result.to }, 'order status changed');
    }
  }

  /**
   * Cancels an order for its owner (CUSTOMER_REQUEST) or an admin (ADMIN_REQUEST) before it ships.
   * Another customer's order is NOT_FOUND, exactly like a missing one, so ids cannot be probed.
   */
  async cancel(orderId: string, actor: Actor): Promise<Outcome<OrderModel>> {
    const notFound = (): Outcome<OrderModel> => refused(userError('NOT_FOUND', 'No such order', ['id']));
    const outcome = await this.db.transaction(async (tx) => {
      const row = await this.store.lockForUpdate(tx, orderId);
      if (!row || (actor.role !== 'ADMIN' && row.userId !== actor.userId)) return null;
      return this.advance(tx, orderId, actor.role === 'ADMIN' ? 'ADMIN_CANCEL' : 'CUSTOMER_CANCEL', actor);
    });
    if (!outcome || outcome.kind === 'missing') return notFound();
    if (outcome.kind === 'refused') return refused(notCancellable(outcome.order));
    this.onEventsCommitted();
    return ok(outcome.order);
  }

  private async announcements(tx: Tx, row: OrderRow, result: Extract<TransitionResult, { ok: true }>): Promise<ShopEvent[]> {
    const orderId = row.id;
    const userId = row.userId;
    switch (result.announce) {
      case null:
        return [];
      case 'order.confirmed':
        return [
          createEvent('order.confirmed', orderId, {
            orderId,
            userId,
            amount: { amount: row.total, currency: row.currency },
            paymentToken: row.paymentToken,
          }),
        ];
      case 'order.paid': {
        const items = await this.store.itemsInTx(tx, orderId);
        return [
          createEvent('order.paid', orderId, {
            orderId,
            userId,
            shippingAddress: {
              line1: row.shipLine1,
              line2: row.shipLine2,
              city: row.shipCity,
              region: row.shipRegion,
              postalCode: row.shipPostalCode,
              country: row.shipCountry,
            },
            shippingMethod: row.shippingMethod,
            lines: items.map((i) => ({
              productId: i.productId,
              quantity: i.quantity,
              unitPrice: { amount: i.unitPrice, currency: row.currency },
            })),
          }),
        ];
      }
      case 'order.shipped':
        return [createEvent('order.shipped', orderId, { orderId, userId })];
      case 'order.delivered': {
        const items = await this.store.itemsInTx(tx, orderId);
        return [createEvent('order.delivered', orderId, { orderId, userId, productIds: items.map((i) => i.productId) })];
      }
      case 'order.cancelled':
        return [
          createEvent('order.cancelled', orderId, {
            orderId,
            userId,
            reason: result.cancellationReason ?? 'ADMIN_REQUEST',
            refundRequired: result.refundRequired,
          }),
        ];
    }
  }
}

function notCancellable(order: OrderModel): UserError {
  const why = isCancellable(order.status) ? 'cannot be cancelled by you' : `is ${order.status} and can no longer be cancelled`;
  return userError('NOT_CANCELLABLE', `The order ${why}`, ['id']);
}
