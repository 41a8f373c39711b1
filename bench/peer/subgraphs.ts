import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { GraphQLSchema } from 'graphql';
import { gql } from 'graphql-tag';
import type { PeerData, ReviewRow } from './data.js';

/**
 * The four subgraphs of the federation gateways benchmark, written from its README
 * (../shared/peer-bench/gateways-benchmark/README.md). They serve static data and do as little
 * as possible so that the gateway, not the subgraphs, is what the load measures.
 */
export const PEER_SUBGRAPH_NAMES = ['accounts', 'inventory', 'products', 'reviews'] as const;
export type PeerSubgraphName = (typeof PEER_SUBGRAPH_NAMES)[number];

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires", "@provides"])';

type Resolvers = GraphQLResolverMap<unknown>;
type Ref<K extends string> = { __typename: string } & Record<K, string>;

function accounts(data: PeerData): { typeDefs: ReturnType<typeof gql>; resolvers: Resolvers } {
  const byId = new Map(data.users.map((u) => [u.id, u]));
  return {
    typeDefs: gql`
      ${LINK}
      type Query {
        me: User
        user(id: ID!): User
        users: [User]
      }
      type User @key(fields: "id") {
        id: ID!
        name: String
        username: String
        birthday: Int
      }
    `,
    resolvers: {
      Query: {
        me: () => byId.get('1') ?? null,
        user: (_: unknown, args: { id: string }) => byId.get(args.id) ?? null,
        users: () => data.users,
      },
      User: {
        __resolveReference: (ref: Ref<'id'>) => byId.get(ref.id) ?? null,
      },
    },
  };
}

function products(data: PeerData): { typeDefs: ReturnType<typeof gql>; resolvers: Resolvers } {
  const byUpc = new Map(data.products.map((p) => [p.upc, p]));
  return {
    typeDefs: gql`
      ${LINK}
      type Query {
        topProducts(first: Int = 5): [Product]
      }
      type Product @key(fields: "upc") {
        upc: String!
        name: String
        price: Int
        weight: Int
      }
    `,
    resolvers: {
      Query: {
        topProducts: (_: unknown, args: { first?: number | null }) => data.products.slice(0, Math.max(0, args.first ?? 5)),
      },
      Product: {
        __resolveReference: (ref: Ref<'upc'>) => byUpc.get(ref.upc) ?? null,
      },
    },
  };
}

interface InventoryProduct {
  upc: string;
  inStock: boolean;
  price?: number | null;
  weight?: number | null;
}

/**
 * shippingEstimate requires price and weight: 0 when price > 1000, weight / 2 (integer division)
 * otherwise, null when price (or weight) is missing.
 *
 * The Product entity is resolved by upc from data.json's inventory rows, which carry no price or
 * weight, so the estimate is null, exactly as in the benchmark's own inventory subgraph (its entity
 * resolver looks up the row by upc and ignores the representation) and as expected-shape.json
 * records it (`"shippingEstimate": null` everywhere). The gateway still plans the @requires fetch
 * and sends price and weight in every representation, so the gateway's work is the same.
 */
export function shippingEstimate(product: { price?: number | null; weight?: number | null }): number | null {
  if (product.price == null) return null;
  if (product.price > 1000) return 0;
  if (product.weight == null) return null;
  return Math.trunc(product.weight / 2);
}

function inventory(data: PeerData): { typeDefs: ReturnType<typeof gql>; resolvers: Resolvers } {
  const byUpc = new Map<string, InventoryProduct>(data.inventory.map((row) => [row.upc, { upc: row.upc, inStock: row.inStock }]));
  return {
    typeDefs: gql`
      ${LINK}
      type Product @key(fields: "upc") {
        upc: String!
        weight: Int @external
        price: Int @external
        inStock: Boolean
        shippingEstimate: Int @requires(fields: "price weight")
      }
    `,
    resolvers: {
      Product: {
        __resolveReference: (ref: Ref<'upc'>) => byUpc.get(ref.upc) ?? null,
        shippingEstimate: (product: InventoryProduct) => shippingEstimate(product),
      },
    },
  };
}

interface ReviewsUser {
  id: string;
  username: string;
  reviews: ReviewRow[];
}

function reviews(data: PeerData): { typeDefs: ReturnType<typeof gql>; resolvers: Resolvers } {
  const byId = new Map(data.reviews.map((r) => [r.id, r]));
  const byProduct = new Map<string, ReviewRow[]>();
  for (const r of data.reviews) byProduct.set(r.productUpc, [...(byProduct.get(r.productUpc) ?? []), r]);
  const firstTwo = data.reviews.slice(0, 2);
  // Review.author: always user 1, "urigo" (provided), whose reviews are the first two.
  const author: ReviewsUser = { id: '1', username: 'urigo', reviews: firstTwo };
  return {
    typeDefs: gql`
      ${LINK}
      type Review @key(fields: "id") {
        id: ID!
        body: String
        product: Product
        author: User @provides(fields: "username")
      }
      type User @key(fields: "id") {
        id: ID!
        username: String @external
        reviews: [Review]
      }
      type Product @key(fields: "upc") {
        upc: String!
        reviews: [Review]
      }
    `,
    resolvers: {
      Review: {
        __resolveReference: (ref: Ref<'id'>) => byId.get(ref.id) ?? null,
        product: (review: ReviewRow) => ({ upc: review.productUpc }),
        author: () => author,
      },
      User: {
        // Any id: that id, username "user" and the first two reviews.
        __resolveReference: (ref: Ref<'id'>): ReviewsUser => ({ id: ref.id, username: 'user', reviews: firstTwo }),
        reviews: (user: ReviewsUser) => user.reviews,
      },
      Product: {
        __resolveReference: (ref: Ref<'upc'>) => ({ upc: ref.upc }),
        reviews: (product: { upc: string }) => byProduct.get(product.upc) ?? [],
      },
    },
  };
}

const builders = { accounts, inventory, products, reviews } satisfies Record<PeerSubgraphName, unknown>;

/** The federation schemas of the four peer subgraphs, keyed by name (= URL path). */
export function peerSubgraphSchemas(data: PeerData): Record<PeerSubgraphName, GraphQLSchema> {
  const out = {} as Record<PeerSubgraphName, GraphQLSchema>;
  for (const name of PEER_SUBGRAPH_NAMES) out[name] = buildSubgraphSchema(builders[name](data));
  return out;
}
