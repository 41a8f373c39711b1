import DataLoader from 'dataloader';
import { forbidden, requireUser, type RequestContext } from '@shop/platform';
import type { ShipmentEventModel, ShipmentModel } from './mappers.js';
import type { ShippingMethods } from './methods.js';
import type { Shipments } from './shipments.js';

export interface ShippingServices {
  methods: ShippingMethods;
  shipments: Shipments;
}

export type Context = RequestContext &
  ShippingServices & {
    loaders: {
      /** Batches every Order.shipment of one request into one `WHERE order_id IN (...)`. */
      shipmentByOrderId: DataLoader<string, ShipmentModel | null>;
      /** Batches every Shipment.events of one request into one query. */
      eventsByShipmentId: DataLoader<string, ShipmentEventModel[]>;
    };
  };

const MAX_BATCH = 500;

export function createContext(base: RequestContext, services: ShippingServices): Context {
  return {
    ...base,
    ...services,
    loaders: {
      shipmentByOrderId: new DataLoader(
        async (orderIds) => {
          const found = new Map((await services.shipments.byOrderIds(orderIds)).map((s) => [s.orderId, s]));
          return orderIds.map((id) => found.get(id) ?? null);
        },
        { maxBatchSize: MAX_BATCH },
      ),
      eventsByShipmentId: new DataLoader(
        async (ids) => {
          const found = await services.shipments.eventsByShipmentIds(ids);
          return ids.map((id) => found.get(id) ?? []);
        },
        { maxBatchSize: MAX_BATCH },
      ),
    },
  };
}

/**
 * A shipment is the order owner's and the ADMINs' business. Anonymous callers are refused even
 * before we look, so whether an order has a shipment does not leak.
 */
export async function visibleShipment(ctx: Context, orderId: string): Promise<ShipmentModel | null> {
  const viewer = requireUser(ctx.auth);
  const shipment = await ctx.loaders.shipmentByOrderId.load(orderId);
  if (!shipment) return null;
  if (viewer.role !== 'ADMIN' && viewer.id !== shipment.userId) throw forbidden("Only the order's owner or an admin can see its shipment");
  return shipment;
}
