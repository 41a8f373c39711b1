import DataLoader from 'dataloader';
import { forbidden, requireUser, type RequestContext } from '@shop/platform';
import type { PaymentsDb } from './db/index.js';
import type { OrderModel } from './mappers.js';
import type { PaymentProvider } from './providers/provider.js';
import { ordersByIds } from './reads.js';

export interface PaymentsServices {
  db: PaymentsDb;
  provider: PaymentProvider;
}

export type Context = RequestContext &
  PaymentsServices & {
    loaders: {
      /** Batches every Order reference of one request into one `WHERE order_id IN (...)`. */
      orderById: DataLoader<string, OrderModel>;
    };
  };

const MAX_BATCH = 500;

export function createContext(base: RequestContext, services: PaymentsServices): Context {
  return {
    ...base,
    ...services,
    loaders: {
      orderById: new DataLoader((ids) => ordersByIds(services.db, ids), { maxBatchSize: MAX_BATCH }),
    },
  };
}

/**
 * An order's payment is for the customer who placed it and for admins: anonymous callers get
 * UNAUTHENTICATED, anyone else FORBIDDEN (also when reached directly, not through the router).
 */
export function assertMayReadPayment(ctx: Context, order: OrderModel): void {
  const viewer = requireUser(ctx.auth);
  if (viewer.role === 'ADMIN' || order.ownerId === null || order.ownerId === viewer.id) return;
  throw forbidden("Only the customer who placed the order or an admin can see its payment");
}
