import type { CancellationReason, OrderStatus } from './state-machine.js';

/** Money as the schema shows it: integer minor units and a currency code. */
export interface Money {
  amount: number;
  currency: string;
}

/** An order as resolvers see it: amounts already as Money, the address already shaped. */
export type OrderModel = {
  id: string;
  userId: string;
  status: OrderStatus;
  cancellationReason: CancellationReason | null;
  currency: string;
  subtotal: Money;
  discount: Money;
  tax: Money;
  shippingCost: Money;
  total: Money;
  couponCode: string | null;
  shippingAddress: AddressModel;
  shippingMethod: string;
  placedAt: Date;
  updatedAt: Date;
};

/** The address an order ships to; its id is derived from the order's (it is not one of the user's saved addresses). */
export type AddressModel = {
  id: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
};

export type OrderItemModel = {
  orderId: string;
  lineNo: number;
  product: { id: string };
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
};

export type OrderStatusChangeModel = {
  status: OrderStatus;
  at: Date;
};

/** A user reference: orders knows users only by id. */
export type UserModel = { id: string };
