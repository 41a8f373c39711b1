import type { RequestContext } from '@shop/platform';
import type { TaxRates } from './tax-rates.js';

export interface TaxServices {
  taxRates: TaxRates;
}

/** Tax has no entities and no list-to-entity hops, so no DataLoaders: each field is one query. */
export type Context = RequestContext & TaxServices;

export function createContext(base: RequestContext, services: TaxServices): Context {
  return { ...base, ...services };
}
