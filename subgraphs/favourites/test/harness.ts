import mysql from 'mysql2/promise';
import { createProductsSubgraph, type RunningProductsSubgraph } from '@shop/products/app';
import { createLogger, type RunningSubgraph } from '@shop/platform';
import { createTestAuth, createTestDatabase, createTestMongo, gql, KAFKA_BROKERS, MONGO_URL, MYSQL_URL, uniqueName, type TestPerson } from '@shop/testing';
import { createFavouritesSubgraph, type FavouritesSubgraphOptions } from '../src/app.js';
import { loadFavouritesConfig } from '../src/config.js';

/** A signed-in user of the tests. */
export type Shopper = TestPerson;

export interface FavouritesHarness {
  favourites: RunningSubgraph;
  /** The real products subgraph (fresh Mongo database) that favourites asks whether products exist. */
  products: RunningProductsSubgraph;
  url: string;
  database: string;
  customer(): Promise<Shopper>;
  admin(): Promise<Shopper>;
  /** Creates a product in the products subgraph and returns its id. */
  createProduct(name?: string): Promise<string>;
  sql<T = Record<string, unknown>>(statement: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** The favourites subgraph in-process on port 0 against a fresh MariaDB database, and a real products subgraph. */
export async function startFavourites(options: Omit<FavouritesSubgraphOptions, 'verifyToken'> = {}): Promise<FavouritesHarness> {
  const auth = await createTestAuth();
  const log = createLogger('favourites-test', process.env.LOG_LEVEL ?? 'warn');
  const mongo = await createTestMongo('favourites_products');
  const products = await createProductsSubgraph({
    port: 0,
    mongoUrl: MONGO_URL,
    database: mongo.name,
    kafkaBrokers: KAFKA_BROKERS,
    kafkaTopicPrefix: `${uniqueName('test')}.`, // keep test events off the shared topics
    auth: { verifyToken: auth.verifyToken },
    log,
  });
  const db = await createTestDatabase('favourites');
  const config = loadFavouritesConfig({ ...process.env, PORT: '0', MYSQL_DATABASE: db.name, PRODUCTS_URL: products.url });
  const favourites = await createFavouritesSubgraph(config, { log, ...options, verifyToken: auth.verifyToken });
  const pool = mysql.createPool({ uri: `${MYSQL_URL}/${db.name}`, connectionLimit: 2 });
  return {
    favourites,
    products,
    url: favourites.url,
    database: db.name,
    customer: () => auth.person('CUSTOMER'),
    admin: () => auth.person('ADMIN'),
    async createProduct(name = 'Wished-for product') {
      const res = await gql(
        products.url,
        `mutation ($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { code message } } }`,
        { input: { sku: uniqueName('SKU').replace(/_/g, '-').toUpperCase(), name, price: 999, category: 'Tests' } },
        { token: auth.admin },
      );
      const id = res.data?.createProduct?.product?.id as string | undefined;
      if (!id) throw new Error(`createProduct failed: ${JSON.stringify(res)}`);
      return id;
    },
    async sql<T>(statement: string, params: unknown[] = []) {
      const [rows] = await pool.query(statement, params);
      return rows as T[];
    },
    async close() {
      await favourites.stop();
      await products.stop();
      await pool.end();
      await db.drop();
      await mongo.drop();
    },
  };
}

export const ADD = `mutation ($productId: ID!) {
  addFavourite(productId: $productId) { product { id isFavourite } userErrors { field message code } }
}`;
export const REMOVE = `mutation ($productId: ID!) {
  removeFavourite(productId: $productId) { product { id isFavourite } userErrors { field message code } }
}`;
export const IS_FAVOURITE = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id isFavourite } } }`;
export const FAVOURITES = `query ($id: ID!, $first: Int, $after: String) {
  _entities(representations: [{ __typename: "User", id: $id }]) {
    ... on User { id favourites(first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } totalCount } }
  }
}`;

export const productRefs = (ids: string[]) => ids.map((id) => ({ __typename: 'Product', id }));

/** Adds a favourite; fails the test on any error. */
export async function addFavourite(url: string, token: string, productId: string): Promise<void> {
  const res = await gql(url, ADD, { productId }, { token });
  if (res.errors || res.data?.addFavourite?.userErrors?.length) throw new Error(`addFavourite failed: ${JSON.stringify(res)}`);
}

export interface FavouritesPage {
  nodes: Array<{ id: string }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export async function favouritesOf(url: string, userId: string, token: string, page: { first?: number; after?: string } = {}): Promise<FavouritesPage> {
  const res = await gql(url, FAVOURITES, { id: userId, ...page }, { token });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data._entities[0].favourites as FavouritesPage;
}
