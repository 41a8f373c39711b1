import { optionalUser, requireUser, userErrorsFromIssues } from '@shop/platform';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { assertMayReadPrivate, type Context } from './context.js';
import { addressInput, loginInput, registerInput, updateProfileInput } from './inputs.js';
import type { Outcome } from './outcome.js';
import { DateTime } from './scalars.js';
import type { Session } from './sessions.js';

const noSession = { accessToken: null, refreshToken: null, user: null };

function authPayload(ctx: Context, outcome: Outcome<Session>) {
  if (!outcome.ok) return { ...noSession, userErrors: outcome.userErrors };
  ctx.provenUserIds.add(outcome.value.user.id);
  return { ...outcome.value, userErrors: [] };
}

export const resolvers: Resolvers = {
  DateTime,

  Query: {
    me: async (_parent, _args, ctx) => {
      const viewer = optionalUser(ctx.auth);
      return viewer ? ctx.loaders.userById.load(viewer.id) : null;
    },
  },

  Mutation: {
    register: async (_parent, args, ctx) => {
      const input = registerInput.safeParse(args.input);
      if (!input.success) return { ...noSession, userErrors: userErrorsFromIssues(input.error.issues) };
      return authPayload(ctx, await ctx.accounts.register(input.data));
    },

    login: async (_parent, args, ctx) => {
      const input = loginInput.parse(args.input);
      // Counted before the password check: a refused attempt never reaches argon2.
      await ctx.loginLimits.attempt(input.email, ctx.clientIp);
      const outcome = await ctx.accounts.login(input);
      if (outcome.ok) await ctx.loginLimits.succeeded(input.email);
      return authPayload(ctx, outcome);
    },

    refreshToken: async (_parent, args, ctx) => authPayload(ctx, await ctx.sessions.refresh(args.token)),

    logout: (_parent, args, ctx) => ctx.sessions.logout(args.refreshToken),

    addAddress: async (_parent, args, ctx) => {
      const viewer = requireUser(ctx.auth);
      const input = addressInput.safeParse(args.input);
      if (!input.success) return { address: null, userErrors: userErrorsFromIssues(input.error.issues) };
      const address = await ctx.addressBook.add(viewer.id, input.data);
      ctx.loaders.addressesByUserId.clear(viewer.id);
      return { address, userErrors: [] };
    },

    updateProfile: async (_parent, args, ctx) => {
      const viewer = requireUser(ctx.auth);
      const input = updateProfileInput.safeParse(args.input);
      if (!input.success) return { user: null, userErrors: userErrorsFromIssues(input.error.issues) };
      const outcome = await ctx.accounts.updateProfile(viewer.id, input.data);
      if (!outcome.ok) return { user: null, userErrors: outcome.userErrors };
      ctx.loaders.userById.clear(viewer.id).prime(viewer.id, outcome.value);
      return { user: outcome.value, userErrors: [] };
    },
  },

  User: {
    __resolveReference: (reference, ctx) => ctx.loaders.userById.load(String(reference.id)),
    email: (user, _args, ctx) => {
      assertMayReadPrivate(ctx, user.id);
      return user.email;
    },
    addresses: (user, _args, ctx) => {
      assertMayReadPrivate(ctx, user.id);
      return ctx.loaders.addressesByUserId.load(user.id);
    },
  },
};
