/** A payment as resolvers see it (a row of `payments`). */
export type PaymentModel = {
  id: string;
  orderId: string;
  userId: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'REFUNDED';
  amount: number;
  currency: string;
  failureReason: string | null;
  createdAt: Date;
};

/** What payments knows of an order: its owner (null when payments never heard of it) and its payment. */
export type OrderModel = {
  id: string;
  ownerId: string | null;
  payment: PaymentModel | null;
};
