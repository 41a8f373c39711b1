import { topics, type EventHandlers, type MysqlTx } from '@shop/events';
import { commitOrder, releaseOrder, reserveOrder } from './reservations.js';

/**
 * What inventory consumes (docs/CHECKOUT.md). It publishes, through its outbox,
 * inventory.reserved / inventory.rejected (src/reservations.ts) and stock.changed (there and in src/stock.ts).
 */
export const consumedTopics = [topics.orders];

export const inventoryHandlers: EventHandlers<MysqlTx> = {
  'order.placed': async (event, tx) => {
    await reserveOrder(tx, { orderId: event.payload.orderId, lines: event.payload.lines });
  },
  'order.cancelled': async (event, tx) => {
    await releaseOrder(tx, event.payload.orderId);
  },
  'order.shipped': async (event, tx) => {
    await commitOrder(tx, event.payload.orderId);
  },
};
