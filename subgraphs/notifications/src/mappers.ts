/** A notification as resolvers see it (delivery bookkeeping stays in the deliverer). */
export type NotificationModel = {
  id: string;
  userId: string;
  type: string;
  title: string;
  body: string;
  orderId: string | null;
  createdAt: Date;
  readAt: Date | null;
};

/** A user reference: this subgraph knows users only by id (the users subgraph owns them). */
export type UserModel = {
  id: string;
};
