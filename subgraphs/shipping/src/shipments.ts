import { randomInt, randomUUID } from 'node:crypto';
import { asc, eq, inArray } from 'drizzle-orm';
import { createEvent, enqueueEvents, type EventPayload, type MysqlTx } from '@shop/events';
import { ErrorCode, userError } from '@shop/platform';
import { shipmentEvents, shipments, shippingMethods, type ShipmentStatus, type ShippingDb } from './db/index.js';
import type { ShipmentEventModel, ShipmentModel } from './mappers.js';
import { ok, refused, type Outcome } from './outcome.js';
import { checkTransition } from './transitions.js';

/** Carrier for an order whose method the shop no longer has (orders checked it at placement). */
export const FALLBACK_CARRIER = 'USPS';

const shipmentColumns = {
  id: shipments.id,
  orderId: shipments.orderId,
  userId: shipments.userId,
  status: shipments.status,
  carrier: shipments.carrier,
  trackingNumber: shipments.trackingNumber,
  createdAt: shipments.createdAt,
  updatedAt: shipments.updatedAt,
};

/** Carrier letters and 16 random digits, e.g. `UPS4820193847561029`. */
export function newTrackingNumber(carrier: string): string {
  const prefix = carrier.toUpperCase().replace(/[^A-Z]/g, '').slice(0, 4) || 'SHP';
  let digits = '';
  for (let i = 0; i < 16; i++) digits += String(randomInt(10));
  return prefix + digits;
}

export type CreateShipmentOutcome = { created: true; shipment: ShipmentModel } | { created: false };

/**
 * order.paid: creates the order's one shipment (LABEL_CREATED, first tracking event) and
 * publishes shipment.created, in the consumer's transaction. An order that already has one is
 * a no-op; the unique order_id settles a concurrent replay (the loser rolls back and retries).
 */
export async function createShipment(tx: MysqlTx, paid: EventPayload<'order.paid'>): Promise<CreateShipmentOutcome> {
  const [existing] = await tx.select({ id: shipments.id }).from(shipments).where(eq(shipments.orderId, paid.orderId));
  if (existing) return { created: false };

  const [method] = await tx.select({ carrier: shippingMethods.carrier }).from(shippingMethods).where(eq(shippingMethods.code, paid.shippingMethod));
  const carrier = method?.carrier ?? FALLBACK_CARRIER;
  const now = new Date();
  const shipment: ShipmentModel = {
    id: randomUUID(),
    orderId: paid.orderId,
    userId: paid.userId,
    status: 'LABEL_CREATED',
    carrier,
    trackingNumber: newTrackingNumber(carrier),
    createdAt: now,
    updatedAt: now,
  };
  await tx.insert(shipments).values({ ...shipment, methodCode: paid.shippingMethod, shipTo: JSON.stringify(paid.shippingAddress) });
  await tx.insert(shipmentEvents).values({ shipmentId: shipment.id, status: 'LABEL_CREATED', at: now });
  await enqueueEvents(tx, [
    createEvent('shipment.created', paid.orderId, {
      orderId: paid.orderId,
      shipmentId: shipment.id,
      carrier,
      trackingNumber: shipment.trackingNumber,
    }),
  ]);
  return { created: true, shipment };
}

export interface Shipments {
  /**
   * Moves a shipment one step forward (src/transitions.ts), records the tracking event and
   * publishes shipment.in_transit / shipment.delivered in the same transaction.
   */
  updateStatus(id: string, status: ShipmentStatus): Promise<Outcome<ShipmentModel>>;
  /** One `WHERE order_id IN (...)` for the whole batch. */
  byOrderIds(orderIds: readonly string[]): Promise<ShipmentModel[]>;
  /** One query for the whole batch; each shipment's events oldest first. */
  eventsByShipmentIds(ids: readonly string[]): Promise<Map<string, ShipmentEventModel[]>>;
}

export function createShipments(db: ShippingDb, hooks: { onEventsWritten(): void }): Shipments {
  return {
    async updateStatus(id, status) {
      const outcome = await db.transaction(async (tx): Promise<Outcome<ShipmentModel>> => {
        const [shipment] = await tx.select(shipmentColumns).from(shipments).where(eq(shipments.id, id)).for('update');
        if (!shipment) return refused(userError(ErrorCode.NOT_FOUND, 'No shipment has this id', ['id']));
        const check = checkTransition(shipment.status, status);
        if (!check.ok) return refused(userError('INVALID_TRANSITION', check.message, ['status']));

        const at = new Date();
        await tx.update(shipments).set({ status, updatedAt: at }).where(eq(shipments.id, id));
        await tx.insert(shipmentEvents).values({ shipmentId: id, status, at });
        const payload = { orderId: shipment.orderId, shipmentId: id, at: at.toISOString() };
        await enqueueEvents(tx, [createEvent(check.transition.announces, shipment.orderId, payload)]);
        return ok({ ...shipment, status, updatedAt: at });
      });
      if (outcome.ok) hooks.onEventsWritten();
      return outcome;
    },

    async byOrderIds(orderIds) {
      if (orderIds.length === 0) return [];
      return db.select(shipmentColumns).from(shipments).where(inArray(shipments.orderId, [...orderIds]));
    },

    async eventsByShipmentIds(ids) {
      const byShipment = new Map<string, ShipmentEventModel[]>();
      if (ids.length === 0) return byShipment;
      const rows = await db
        .select({ shipmentId: shipmentEvents.shipmentId, status: shipmentEvents.status, at: shipmentEvents.at })
        .from(shipmentEvents)
        .where(inArray(shipmentEvents.shipmentId, [...ids]))
        .orderBy(asc(shipmentEvents.shipmentId), asc(shipmentEvents.at), asc(shipmentEvents.id));
      for (const { shipmentId, ...event } of rows) {
        const list = byShipment.get(shipmentId) ?? [];
        list.push(event);
        byShipment.set(shipmentId, list);
      }
      return byShipment;
    },
  };
}
