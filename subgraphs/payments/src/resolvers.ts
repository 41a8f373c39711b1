import { requireInternalCaller } from '@shop/platform';
import { z } from 'zod';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { assertMayReadPayment } from './context.js';
import { isSettled } from './payment-status.js';
import { DateTime } from './scalars.js';

const paymentToken = z.string().min(1).max(200);

export const resolvers: Resolvers = {
  DateTime,

  Query: {
    paymentTokenAccepted: async (_parent, args, ctx) => {
      requireInternalCaller(ctx);
      const token = paymentToken.safeParse(args.token);
      return token.success && (await ctx.provider.acceptsToken(token.data));
    },
  },

  Order: {
    __resolveReference: (reference, ctx) => ctx.loaders.orderById.load(String(reference.id)),
    payment: (order, _args, ctx) => {
      assertMayReadPayment(ctx, order);
      // A PENDING attempt has no outcome yet: the order shows no payment until it has one.
      return order.payment && isSettled(order.payment.status) ? order.payment : null;
    },
  },

  Payment: {
    status: (payment) => {
      if (!isSettled(payment.status)) throw new Error(`Payment ${payment.id} is not settled`);
      return payment.status;
    },
    amount: (payment) => ({ amount: payment.amount, currency: payment.currency }),
  },
};
