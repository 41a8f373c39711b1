import DataLoader from 'dataloader';
import { forbidden, optionalUser, type RequestContext } from '@shop/platform';
import type { Accounts } from './accounts.js';
import type { AddressBook } from './addresses.js';
import type { LoginLimits } from './login-limits.js';
import type { AddressModel, UserModel } from './mappers.js';
import type { Sessions } from './sessions.js';

export interface UsersServices {
  accounts: Accounts;
  sessions: Sessions;
  addressBook: AddressBook;
  loginLimits: LoginLimits;
}

export type Context = RequestContext &
  UsersServices & {
    loaders: {
      /** Batches every user lookup of one request into one `WHERE id IN (...)`. */
      userById: DataLoader<string, UserModel | null>;
      addressesByUserId: DataLoader<string, AddressModel[]>;
    };
    /**
     * Users who proved who they are in this request (register, login, refresh) before they
     * hold an access token: they may read their own private fields in the payload.
     */
    provenUserIds: Set<string>;
  };

const MAX_BATCH = 500;

export function createContext(base: RequestContext, services: UsersServices): Context {
  return {
    ...base,
    ...services,
    loaders: {
      userById: new DataLoader(
        async (ids) => {
          const found = new Map((await services.accounts.usersByIds(ids)).map((u) => [u.id, u]));
          return ids.map((id) => found.get(id) ?? null);
        },
        { maxBatchSize: MAX_BATCH },
      ),
      addressesByUserId: new DataLoader(
        async (ids) => {
          const found = await services.addressBook.byUserIds(ids);
          return ids.map((id) => found.get(id) ?? []);
        },
        { maxBatchSize: MAX_BATCH },
      ),
    },
    provenUserIds: new Set(),
  };
}

/**
 * Private fields (email, addresses) are for the user themselves and for admins; anyone else,
 * including another subgraph's anonymous reference, gets FORBIDDEN on that field.
 */
export function assertMayReadPrivate(ctx: Context, userId: string): void {
  if (ctx.provenUserIds.has(userId)) return;
  const viewer = optionalUser(ctx.auth);
  if (viewer && (viewer.id === userId || viewer.role === 'ADMIN')) return;
  throw forbidden("Only the user themselves or an admin can see this user's private details");
}
