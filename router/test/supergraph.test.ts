import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@shop/platform';
import { createTestDatabase, createTestMongo, errorCode, gql, KAFKA_BROKERS, uniqueName } from '@shop/testing';
// The subgraph packages' main modules start servers; their app modules export the factories.
import { createUsersSubgraph, JWKS_PATH, type RunningUsersSubgraph } from '../../subgraphs/users/src/app.js';
import { loadUsersConfig } from '../../subgraphs/users/src/config.js';
import { createProductsSubgraph, type RunningProductsSubgraph } from '../../subgraphs/products/src/app.js';
import type { RunningRouter } from '../src/app.js';
import { routerConfig, startRouter } from './fixtures.js';

/**
 * The real users (MariaDB) and products (MongoDB wire server) subgraphs, each on a fresh database,
 * behind a router serving the committed schema/supergraph.graphql with their URLs overridden.
 */
const committedSupergraph = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));
const log = createLogger('router-test', process.env.LOG_LEVEL ?? 'warn');

let mysqlDb: Awaited<ReturnType<typeof createTestDatabase>>;
let mongoDb: Awaited<ReturnType<typeof createTestMongo>>;
let users: RunningUsersSubgraph;
let products: RunningProductsSubgraph;
let router: RunningRouter;
const usersRequests: string[] = [];

beforeAll(async () => {
  mysqlDb = await createTestDatabase('router');
  mongoDb = await createTestMongo('router');
  const usersConfig = loadUsersConfig({ ...process.env, MYSQL_DATABASE: mysqlDb.name, PORT: '0' });
  users = await createUsersSubgraph(usersConfig, { log });
  users.server.on('request', (req) => usersRequests.push(`${req.method} ${req.url}`));
  // Zero trust: products verifies the forwarded token itself, against the users subgraph's JWKS.
  products = await createProductsSubgraph({
    port: 0,
    mongoUrl: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017',
    database: mongoDb.name,
    kafkaBrokers: KAFKA_BROKERS,
    kafkaTopicPrefix: `${uniqueName('test')}.`, // keep test events off the shared topics
    auth: { jwks: new URL(JWKS_PATH, users.url).toString(), issuer: usersConfig.JWT_ISSUER, audience: usersConfig.JWT_AUDIENCE },
    log,
  });
  router = await startRouter(
    routerConfig({ supergraphPath: committedSupergraph, subgraphUrls: { users: users.url, products: products.url } }),
  );
});

afterAll(async () => {
  await router?.stop();
  await products?.stop();
  await users?.stop();
  await mongoDb?.drop();
  await mysqlDb?.drop();
});

const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { accessToken userErrors { code message } } }`;
const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id email } userErrors { code message } } }`;
const CREATE_PRODUCT = `mutation ($input: CreateProductInput!) { createProduct(input: $input) { product { id name } userErrors { code message } } }`;
const ME_AND_PRODUCTS = `{
  me { id email }
  products(first: 2) { nodes { id name price { amount currency } } }
}`;

describe('the router in front of the real users and products subgraphs', () => {
  let customer: { id: string; email: string; token: string };
  const created: string[] = [];

  it('signs in the bootstrap admin through the router and creates products with its token', async () => {
    const login = await gql(router.url, LOGIN, { input: { email: 'admin@shop.local', password: 'admin-password' } });
    expect(login.errors).toBeUndefined();
    const adminToken = login.data.login.accessToken as string;
    expect(adminToken).toBeTruthy();

    for (const [i, name] of ['Router mug', 'Router tee', 'Router cap'].entries()) {
      const res = await gql(
        router.url,
        CREATE_PRODUCT,
        { input: { sku: `ROUTER-${Date.now()}-${i}`, name, description: 'Made through the router', price: 1000 + i, currency: 'USD', category: 'Router', images: [] } },
        { token: adminToken },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data.createProduct.userErrors).toEqual([]);
      created.push(res.data.createProduct.product.id);
    }
  });

  it('answers one operation from both subgraphs, with the Authorization header forwarded to users', async () => {
    const email = `router.${Date.now()}@example.com`;
    const reg = await gql(router.url, REGISTER, { input: { email, password: 'correct horse battery', name: 'Router Tester' } });
    expect(reg.data.register.userErrors).toEqual([]);
    customer = { id: reg.data.register.user.id, email, token: reg.data.register.accessToken };

    const res = await gql(router.url, ME_AND_PRODUCTS, {}, { token: customer.token });
    expect(res.errors).toBeUndefined();
    expect(res.data.me).toEqual({ id: customer.id, email });
    expect(res.data.products.nodes).toHaveLength(2);
    for (const node of res.data.products.nodes) {
      expect(created).toContain(node.id);
      expect(node.price.currency).toBe('USD');
    }
  });

  it('gives me = null without a token, and UNAUTHENTICATED for a token the subgraph cannot verify', async () => {
    const anonymous = await gql(router.url, ME_AND_PRODUCTS);
    expect(anonymous.data.me).toBeNull();
    expect(anonymous.data.products.nodes).toHaveLength(2);

    const forged = await gql(router.url, '{ me { id } }', {}, { token: `${customer.token.slice(0, -4)}AAAA` });
    expect(errorCode(forged)).toBe('UNAUTHENTICATED');
  });

  it('rejects an alias bomb before any subgraph sees it', async () => {
    const before = usersRequests.length;
    const bomb = `{ ${Array.from({ length: 50 }, (_, i) => `m${i}: me { id email addresses { id } }`).join(' ')} }`;
    const res = await gql(router.url, bomb, {}, { token: customer.token });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('QUERY_TOO_COMPLEX');
    expect(usersRequests.length).toBe(before);
  });

  it('is ready when both subgraphs and their datastores are', async () => {
    const res = await fetch(new URL('/ready', router.url));
    const body = (await res.json()) as { ready: boolean; subgraphs: Record<string, string> };
    expect(body.subgraphs.users).toBe('ok');
    expect(body.subgraphs.products).toBe('ok');
    // Other subgraphs of the committed supergraph are not started here.
    expect(res.status).toBe(Object.values(body.subgraphs).every((s) => s === 'ok') ? 200 : 503);
  });

  it('reports products as down in /ready once it stops, while users stays ok', async () => {
    await products.stop();
    const res = await fetch(new URL('/ready', router.url));
    expect(res.status).toBe(503);
    const body = (await res.json()) as { ready: boolean; subgraphs: Record<string, string> };
    expect(body.ready).toBe(false);
    expect(body.subgraphs.users).toBe('ok');
    expect(body.subgraphs.products).toMatch(/^down: /);
  });
});
