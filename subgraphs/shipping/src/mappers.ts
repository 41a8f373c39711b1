import type { ShipmentStatus } from './db/schema.js';

/** An order as shipping knows it: only its id (orders owns everything else). */
export type OrderModel = {
  id: string;
};

/** A method offered to one destination, with that destination's rate. */
export type ShippingMethodModel = {
  code: string;
  name: string;
  priceAmount: number;
  currency: string;
  estimatedDays: number;
};

export type ShipmentModel = {
  id: string;
  orderId: string;
  /** The order's owner: who besides ADMINs may see the shipment. */
  userId: string;
  status: ShipmentStatus;
  carrier: string;
  trackingNumber: string;
  createdAt: Date;
  updatedAt: Date;
};

export type ShipmentEventModel = {
  status: ShipmentStatus;
  at: Date;
};
