import DataLoader from 'dataloader';
import type { Connection, RequestContext } from '@shop/platform';
import type { Inbox, InboxPageKey } from './inbox.js';
import type { NotificationModel } from './mappers.js';

export interface NotificationsServices {
  inbox: Inbox;
}

export type Context = RequestContext &
  NotificationsServices & {
    loaders: {
      /** Batches every inbox page of one request: one page query per distinct page arguments, one count query. */
      inboxPage: DataLoader<InboxPageKey, Connection<NotificationModel>, string>;
    };
  };

const MAX_BATCH = 500;

export function createContext(base: RequestContext, services: NotificationsServices): Context {
  return {
    ...base,
    ...services,
    loaders: {
      inboxPage: new DataLoader((keys) => services.inbox.pages(keys), {
        maxBatchSize: MAX_BATCH,
        cacheKeyFn: (key) => JSON.stringify([key.userId, key.limit, key.after, key.unreadOnly]),
      }),
    },
  };
}
