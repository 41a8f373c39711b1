import { forbidden, requireUser, userErrorsFromIssues } from '@shop/platform';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { Context } from './context.js';
import { markReadInput, parsePageArgs } from './inbox.js';
import { DateTime } from './scalars.js';

/** A user's notifications are for that user and for admins. */
function assertMayReadInbox(ctx: Context, userId: string): void {
  const viewer = requireUser(ctx.auth);
  if (viewer.id !== userId && viewer.role !== 'ADMIN') throw forbidden("Only the user themselves or an admin can see this user's notifications");
}

export const resolvers: Resolvers = {
  DateTime,

  Mutation: {
    markNotificationsRead: async (_parent, args, ctx) => {
      const viewer = requireUser(ctx.auth);
      const input = markReadInput.safeParse(args);
      if (!input.success) return { updated: 0, userErrors: userErrorsFromIssues(input.error.issues, []) };
      // Reading is the recipient's act: admins too mark only their own.
      return { updated: await ctx.inbox.markRead(viewer.id, input.data.ids), userErrors: [] };
    },
  },

  User: {
    // Any id is a user from here (the users subgraph owns them); an unknown one has no notifications.
    __resolveReference: (reference) => ({ id: String(reference.id) }),
    notifications: (user, args, ctx) => {
      assertMayReadInbox(ctx, user.id);
      return ctx.loaders.inboxPage.load({ userId: user.id, ...parsePageArgs(args) });
    },
  },

  Notification: {
    read: (n) => n.readAt !== null,
  },
};
