import { topics, type EventHandlers, type MysqlTx } from '@shop/events';
import { createShipment } from './shipments.js';

/**
 * What shipping consumes (docs/CHECKOUT.md). It publishes, through its outbox, shipment.created
 * (from here) and shipment.in_transit / shipment.delivered (updateShipmentStatus), keyed by order id.
 */
export const consumedTopics = [topics.orders];

export const shippingHandlers: EventHandlers<MysqlTx> = {
  'order.paid': async (event, tx) => {
    await createShipment(tx, event.payload);
  },
};
