import type { RequestContext } from '@shop/platform';
import type { SearchIndex } from './search-index.js';

export type Context = RequestContext & {
  /** The product search index (Redis). */
  index: SearchIndex;
};

export function createContext(base: RequestContext, services: { index: SearchIndex }): Context {
  return { ...base, ...services };
}
