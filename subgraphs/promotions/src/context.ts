import DataLoader from 'dataloader';
import type { RequestContext } from '@shop/platform';
import type { PromotionModel } from './mappers.js';
import type { Promotions } from './promotions.js';

export interface PromotionsServices {
  promotions: Promotions;
}

export type Context = RequestContext &
  PromotionsServices & {
    loaders: {
      /** Batches every promotion lookup of one request into one `WHERE code IN (...)`. */
      promotionByCode: DataLoader<string, PromotionModel | null>;
    };
  };

export function createContext(base: RequestContext, services: PromotionsServices): Context {
  return {
    ...base,
    ...services,
    loaders: {
      promotionByCode: new DataLoader(
        async (codes) => {
          const found = new Map((await services.promotions.byCodes(codes)).map((p) => [p.code, p]));
          return codes.map((code) => found.get(code) ?? null);
        },
        { maxBatchSize: 500 },
      ),
    },
  };
}
