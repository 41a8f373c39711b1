import { createSubgraphClient } from './subgraph-client.js';

/**
 * Whether products exist, asked of the products subgraph, which owns the catalogue (favourites,
 * ratings and inventory refuse to write about a product it does not know).
 */
export interface ProductDirectory {
  /**
   * The canonical id of each product products knows (archived ones included), keyed by the id
   * asked for; unknown or malformed ids are missing. One call for the whole list.
   */
  canonicalIds(ids: readonly string[]): Promise<Map<string, string>>;
}

const ENTITIES = `query ProductsExist($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id } }
}`;

/** Asks the products subgraph directly through its public `_entities` field. */
export function productsSubgraph(url: string, timeoutMs: number): ProductDirectory {
  const client = createSubgraphClient({ url, timeoutMs });
  return {
    async canonicalIds(ids) {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return new Map();
      const data = await client.request<{ _entities: Array<{ id: string } | null> }>(ENTITIES, {
        representations: unique.map((id) => ({ __typename: 'Product', id })),
      });
      const found = new Map<string, string>();
      unique.forEach((id, i) => {
        const entity = data._entities[i];
        if (entity) found.set(id, entity.id);
      });
      return found;
    },
  };
}
