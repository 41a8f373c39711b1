/** One subgraph of the supergraph: its name in composition and where it listens locally. */
export interface SubgraphEntry {
  /** The subgraph's name in the supergraph (join__Graph) and its folder under subgraphs/. */
  name: string;
  port: number;
  /** Local URL written into the supergraph; the router can override it per subgraph (SUBGRAPH_<NAME>_URL). */
  url: string;
}

function local(name: string, port: number): SubgraphEntry {
  return { name, port, url: `http://127.0.0.1:${port}/graphql` };
}

/**
 * Every subgraph of the shop. Composition includes those whose subgraphs/<name>/schema.graphql
 * exists, in this order (the order keeps the composed supergraph stable).
 */
export const SUBGRAPHS: readonly SubgraphEntry[] = [
  local('users', 4001),
  local('products', 4002),
  local('inventory', 4003),
  local('orders', 4004),
  local('payments', 4005),
  local('shipping', 4006),
  local('promotions', 4007),
  local('tax', 4008),
  local('ratings', 4009),
  local('search', 4010),
  local('favourites', 4011),
  local('notifications', 4012),
];
