/** One subgraph of the supergraph: its name in composition and where it listens locally. */
export interface SubgraphEntry {
  /** The subgraph's name in the supergraph (join__Graph) and its folder under subgraphs/. */
  name: string;
  port: number;
  /** Local URL written into the supergraph; the router can override it per subgraph (SUBGRAPH_<NAME>_URL). */
  url: string;
  /**
   * The subgraphs it calls directly (never through the router), each given to it as `<OWNER>_URL`:
   * what has to run for it to work. The test shops, the bench and docker-compose follow this list.
   */
  owners: readonly string[];
}

function local(name: string, port: number, owners: readonly string[] = []): SubgraphEntry {
  return { name, port, url: `http://127.0.0.1:${port}/graphql`, owners };
}

/**
 * Every subgraph of the shop. Composition includes those whose subgraphs/<name>/schema.graphql
 * exists, in this order (the order keeps the composed supergraph stable).
 */
export const SUBGRAPHS: readonly SubgraphEntry[] = [
  local('users', 4001),
  local('products', 4002),
  local('inventory', 4003, ['products']),
  local('orders', 4004, ['products', 'inventory', 'payments', 'shipping', 'promotions', 'tax']),
  local('payments', 4005),
  local('shipping', 4006),
  local('promotions', 4007),
  local('tax', 4008),
  local('ratings', 4009, ['products']),
  local('search', 4010, ['products', 'inventory']),
  local('favourites', 4011, ['products']),
  local('notifications', 4012),
];

/** The owners a subgraph calls directly (`SubgraphEntry.owners`); none for an unknown name. */
export function ownersOf(name: string): readonly string[] {
  return SUBGRAPHS.find((s) => s.name === name)?.owners ?? [];
}
