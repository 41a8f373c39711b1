import { createHash } from 'node:crypto';
import { badUserInput, decodeCursor, encodeCursor, type PageInfo } from '@shop/platform';
import type { ProductModel } from './mappers.js';
import type { SearchIndex } from './search-index.js';
import { MAX_QUERY_WORDS, parseQuery } from './text.js';

export interface SearchFilter {
  category: string | null;
  minPrice: number | null;
  maxPrice: number | null;
  inStock: boolean | null;
}

export interface SearchRequest {
  query: string;
  first: number;
  after: string | null;
  filter: SearchFilter;
}

export interface SearchResultModel {
  nodes: ProductModel[];
  pageInfo: PageInfo;
  totalCount: number;
  facets: { categories: Array<{ value: string; count: number }> };
}

/**
 * The opaque cursor: index version, offset after the page, last id of the page, and a hash of
 * the search it belongs to. The next page starts after the last id wherever it now ranks (so
 * products added or removed elsewhere do not shift it); if that product left the result, the
 * offset is used, unless the index was rebuilt since: then the cursor is refused.
 */
interface Cursor {
  v: string;
  o: number;
  id: string;
  h: string;
}

function isCursor(value: unknown): value is Cursor {
  const c = value as Cursor | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.v === 'string' &&
    typeof c.id === 'string' &&
    typeof c.h === 'string' &&
    Number.isInteger(c.o) &&
    c.o >= 0
  );
}

export async function search(index: SearchIndex, request: SearchRequest): Promise<SearchResultModel> {
  const words = parseQuery(request.query);
  if (words.length > MAX_QUERY_WORDS) throw badUserInput(`A search takes at most ${MAX_QUERY_WORDS} words`);
  const hash = createHash('sha256').update(JSON.stringify([words, request.filter])).digest('base64url').slice(0, 12);
  const after = request.after === null ? null : decodeCursor(request.after, isCursor);
  if (after && after.h !== hash) throw badUserInput('This cursor belongs to another search (query or filter changed)');

  const page = await index.query({
    words,
    ...request.filter,
    first: request.first,
    after: after && { version: after.v, offset: after.o, lastId: after.id },
  });
  if ('stale' in page) {
    throw badUserInput('The search index was rebuilt since this cursor was issued; run the search again');
  }
  const lastId = page.ids.at(-1);
  const end = page.start + page.ids.length;
  return {
    nodes: page.ids.map((id) => ({ id })),
    pageInfo: {
      hasNextPage: end < page.total,
      endCursor: lastId === undefined ? request.after : encodeCursor({ v: page.version, o: end, id: lastId, h: hash } satisfies Cursor),
    },
    totalCount: page.total,
    facets: { categories: page.facets },
  };
}
