import DataLoader from 'dataloader';
import type { RequestContext } from '@shop/platform';
import type { InventoryModel } from './mappers.js';
import { noStock, type StockLevels } from './stock.js';

export interface InventoryServices {
  stock: StockLevels;
}

export type Context = RequestContext &
  InventoryServices & {
    loaders: {
      /** Batches every stock lookup of one request into one `WHERE product_id IN (...)`. */
      inventoryByProductId: DataLoader<string, InventoryModel>;
    };
  };

const MAX_BATCH = 500;

export function createContext(base: RequestContext, services: InventoryServices): Context {
  return {
    ...base,
    ...services,
    loaders: {
      inventoryByProductId: new DataLoader(
        async (ids) => {
          const found = new Map((await services.stock.byProductIds(ids)).map((l) => [l.productId, l]));
          return ids.map((id) => found.get(id) ?? noStock(id));
        },
        { maxBatchSize: MAX_BATCH },
      ),
    },
  };
}
