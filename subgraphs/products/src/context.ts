import type DataLoader from 'dataloader';
import type { RequestContext } from '@shop/platform';
import type { Catalog } from './catalog.js';
import type { ProductModel } from './mappers.js';

export type Context = RequestContext & {
  /** Business operations on the catalogue. */
  catalog: Catalog;
  /** Per-request loader: every product looked up by id in one tick is one Mongo query. */
  productById: DataLoader<string, ProductModel | null>;
};
