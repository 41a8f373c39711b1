import mysql from 'mysql2/promise';
import { createProductsSubgraph, type RunningProductsSubgraph } from '@shop/products/app';
import { createLogger } from '@shop/platform';
import { createTestAuth, createTestDatabase, createTestMongo, gql, KAFKA_BROKERS, MONGO_URL, MYSQL_URL, uniqueName, type TestAuth, type TestPerson } from '@shop/testing';
import { createRatingsSubgraph, type RatingsSubgraphOptions, type RunningRatingsSubgraph } from '../src/app.js';
import { loadRatingsConfig, type RatingsConfig } from '../src/config.js';

/** A signed-in customer of the tests. */
export type Customer = TestPerson;

export interface RatingsHarness {
  ratings: RunningRatingsSubgraph;
  /** The real products subgraph (fresh Mongo database) that ratings asks whether products exist. */
  products: RunningProductsSubgraph;
  auth: TestAuth;
  config: RatingsConfig;
  database: string;
  url: string;
  customer(): Promise<Customer>;
  admin(): Promise<Customer>;
  /** Creates a product in the products subgraph and returns its id. */
  createProduct(name?: string): Promise<string>;
  sql<T = Record<string, unknown>>(statement: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * The ratings subgraph in-process on port 0 against a fresh MariaDB database, its own Kafka topic
 * prefix and consumer group, and a real products subgraph on a fresh Mongo database.
 */
export async function startRatings(
  options: Omit<RatingsSubgraphOptions, 'verifyToken'> = {},
  env: Record<string, string> = {},
): Promise<RatingsHarness> {
  const auth = await createTestAuth();
  const log = createLogger('ratings-test', process.env.LOG_LEVEL ?? 'warn');
  const mongo = await createTestMongo('ratings_products');
  const products = await createProductsSubgraph({
    port: 0,
    mongoUrl: MONGO_URL,
    database: mongo.name,
    kafkaBrokers: KAFKA_BROKERS,
    kafkaTopicPrefix: `${uniqueName('test')}.`, // keep test events off the shared topics
    auth: { verifyToken: auth.verifyToken },
    log,
  });
  const db = await createTestDatabase('ratings');
  const config = loadRatingsConfig({
    ...process.env,
    PORT: '0',
    MYSQL_DATABASE: db.name,
    KAFKA_TOPIC_PREFIX: `${uniqueName('t')}.`,
    KAFKA_GROUP_SUFFIX: `.${uniqueName('g')}`,
    PRODUCTS_URL: products.url,
    ...env,
  });
  const ratings = await createRatingsSubgraph(config, { log, ...options, verifyToken: auth.verifyToken });
  const pool = mysql.createPool({ uri: `${MYSQL_URL}/${db.name}`, connectionLimit: 2 });
  return {
    ratings,
    products,
    auth,
    config,
    database: db.name,
    url: ratings.url,
    customer: () => auth.person('CUSTOMER'),
    admin: () => auth.person('ADMIN'),
    async createProduct(name = 'Reviewed product') {
      const res = await gql(
        products.url,
        `mutation ($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { code message } } }`,
        { input: { sku: uniqueName('SKU').replace(/_/g, '-').toUpperCase(), name, price: 1999, category: 'Tests' } },
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
      await ratings.stop();
      await products.stop();
      await pool.end();
      await db.drop();
      await mongo.drop();
    },
  };
}

export const REVIEW_FIELDS = 'id rating title body author { id } product { id } verifiedPurchase createdAt';

export const ADD_REVIEW = `mutation ($input: AddReviewInput!) {
  addReview(input: $input) { review { ${REVIEW_FIELDS} } userErrors { field message code } }
}`;

export const DELETE_REVIEW = `mutation ($id: ID!) {
  deleteReview(id: $id) { product { id rating { average count } } userErrors { field message code } }
}`;

export const PRODUCT_RATINGS = `query ($id: ID!, $first: Int, $after: String) {
  _entities(representations: [{ __typename: "Product", id: $id }]) {
    ... on Product {
      id
      rating { average count }
      reviews(first: $first, after: $after) { nodes { ${REVIEW_FIELDS} } pageInfo { hasNextPage endCursor } totalCount }
    }
  }
}`;

export function reviewInput(productId: string, overrides: Record<string, unknown> = {}) {
  return { productId, rating: 4, title: 'Does the job', body: 'Solid, arrived quickly, would buy again.', ...overrides };
}

export interface ReviewView {
  id: string;
  rating: number;
  title: string;
  body: string;
  author: { id: string };
  product: { id: string };
  verifiedPurchase: boolean;
  createdAt: string;
}

/** Adds a review; fails the test on any error. */
export async function addReview(url: string, token: string, input: Record<string, unknown>): Promise<ReviewView> {
  const res = await gql(url, ADD_REVIEW, { input }, { token });
  const review = res.data?.addReview?.review as ReviewView | undefined;
  if (!review) throw new Error(`addReview failed: ${JSON.stringify(res)}`);
  return review;
}

export interface ProductRatingsView {
  id: string;
  rating: { average: number | null; count: number };
  reviews: { nodes: ReviewView[]; pageInfo: { hasNextPage: boolean; endCursor: string | null }; totalCount: number };
}

export async function productRatings(url: string, id: string, page: { first?: number; after?: string } = {}, token?: string): Promise<ProductRatingsView> {
  const res = await gql(url, PRODUCT_RATINGS, { id, ...page }, { token });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data._entities[0] as ProductRatingsView;
}
