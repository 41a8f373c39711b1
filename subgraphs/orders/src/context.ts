import DataLoader from 'dataloader';
import { optionalUser, type Connection, type RequestContext } from '@shop/platform';
import type { Checkout } from './checkout.js';
import type { Lifecycle } from './lifecycle.js';
import type { OrderItemModel, OrderModel, OrderStatusChangeModel } from './mappers.js';
import type { OrderStore, PageRequest } from './order-store.js';

export interface OrdersServices {
  store: OrderStore;
  checkout: Checkout;
  lifecycle: Lifecycle;
}

export interface OrdersPageKey {
  userId: string;
  page: PageRequest;
}

export type Context = RequestContext &
  OrdersServices & {
    loaders: {
      /** Batches every order lookup of one request (references included) into one `WHERE id IN (...)`. */
      orderById: DataLoader<string, OrderModel | null>;
      itemsByOrderId: DataLoader<string, OrderItemModel[]>;
      historyByOrderId: DataLoader<string, OrderStatusChangeModel[]>;
      /** Users' order pages: one windowed query per distinct (first, after) in the batch. */
      ordersPage: DataLoader<OrdersPageKey, Connection<OrderModel>, string>;
    };
  };

const MAX_BATCH = 500;

export function createContext(base: RequestContext, services: OrdersServices): Context {
  const { store } = services;
  return {
    ...base,
    ...services,
    loaders: {
      orderById: new DataLoader(
        async (ids) => {
          const found = await store.byIds(ids);
          return ids.map((id) => found.get(id) ?? null);
        },
        { maxBatchSize: MAX_BATCH },
      ),
      itemsByOrderId: new DataLoader(
        async (ids) => {
          const found = await store.itemsByOrderIds(ids);
          return ids.map((id) => found.get(id) ?? []);
        },
        { maxBatchSize: MAX_BATCH },
      ),
      historyByOrderId: new DataLoader(
        async (ids) => {
          const found = await store.historyByOrderIds(ids);
          return ids.map((id) => found.get(id) ?? []);
        },
        { maxBatchSize: MAX_BATCH },
      ),
      ordersPage: new DataLoader(
        async (keys) => {
          const groups = new Map<string, { page: PageRequest; userIds: string[] }>();
          for (const key of keys) {
            const g = JSON.stringify([key.page.first, key.page.afterRaw]);
            const group = groups.get(g) ?? { page: key.page, userIds: [] };
            group.userIds.push(key.userId);
            groups.set(g, group);
          }
          const pages = new Map<string, Connection<OrderModel>>();
          for (const [g, group] of groups) {
            const found = await store.pagesOfUsers(group.userIds, group.page);
            for (const [userId, page] of found) pages.set(`${g}|${userId}`, page);
          }
          return keys.map((k) => pages.get(`${JSON.stringify([k.page.first, k.page.afterRaw])}|${k.userId}`)!);
        },
        { maxBatchSize: MAX_BATCH, cacheKeyFn: (k) => JSON.stringify([k.userId, k.page.first, k.page.afterRaw]) },
      ),
    },
  };
}

/** The owner, an ADMIN, or another subgraph holding the internal token may see an order. */
export function mayView(ctx: Context, order: OrderModel): boolean {
  if (ctx.internalCaller) return true;
  const viewer = optionalUser(ctx.auth);
  return viewer !== null && (viewer.id === order.userId || viewer.role === 'ADMIN');
}
