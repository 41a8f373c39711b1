import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, createTestMongo, eventually, gql, KAFKA_BROKERS, MONGO_URL, MYSQL_URL, uniqueName, type GraphQLResponse } from '@shop/testing';
import { ownersOf } from '@shop/schema/subgraphs';

/**
 * Production mode (NODE_ENV=production) of the router and every subgraph, started from their real
 * entry points in one child process whose whole output the test keeps. A full flow (register,
 * sign in with a password, refresh, place an order with a payment token, sign out) must leave no
 * secret in any log line; errors carry no stack trace and no SQL; introspection and the landing
 * pages are off; and users refuses to start with the default admin password.
 */

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const SUBGRAPHS = ['users', 'products', 'inventory', 'payments', 'shipping', 'promotions', 'tax', 'notifications', 'orders', 'ratings', 'favourites', 'search'] as const;
type Name = (typeof SUBGRAPHS)[number];
const MYSQL_SUBGRAPHS = SUBGRAPHS.filter((n) => n !== 'products' && n !== 'search');

const secrets = {
  adminPassword: `admin-${randomBytes(12).toString('hex')}`,
  internalToken: `internal-${randomBytes(16).toString('hex')}`,
  customerPassword: `customer-${randomBytes(12).toString('hex')}`,
  wrongPassword: `wrong-${randomBytes(12).toString('hex')}`,
  paymentToken: 'tok_visa',
};

let child: ChildProcess;
let output = '';
let routerUrl = '';
const urls = {} as Record<Name, string>;
const databases = {} as Record<Name, string>;
const cleanups: Array<() => Promise<void>> = [];
const searchKeyPrefix = uniqueName('prod_search');
/** Every token the flow saw, to look for in the logs afterwards. */
const seenTokens: Record<string, string> = {};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function sqlIn(database: string, statement: string): Promise<void> {
  const url = new URL(MYSQL_URL);
  url.pathname = `/${database}`;
  const conn = await mysql.createConnection(url.toString());
  try {
    await conn.query(statement);
  } finally {
    await conn.end();
  }
}

function call(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<any>> {
  return gql(routerUrl, query, variables, { token });
}

beforeAll(async () => {
  const topicPrefix = `${uniqueName('prod')}.`;
  const groupSuffix = `-${uniqueName('g')}`;
  const ports = {} as Record<Name | 'router', number>;
  for (const name of [...SUBGRAPHS, 'router'] as const) ports[name] = await freePort();
  for (const name of SUBGRAPHS) urls[name] = `http://127.0.0.1:${ports[name]}/graphql`;
  routerUrl = `http://127.0.0.1:${ports.router}/graphql`;

  for (const name of MYSQL_SUBGRAPHS) {
    const db = await createTestDatabase(`prod_${name}`);
    databases[name] = db.name;
    cleanups.push(() => db.drop());
  }
  const mongo = await createTestMongo('prod_products');
  databases.products = mongo.name;
  cleanups.push(() => mongo.drop());
  cleanups.push(async () => {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const keys = await redis.keys(`${searchKeyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      const limits = await redis.keys(`users:${databases.users}:*`);
      if (limits.length > 0) await redis.del(...limits);
    } finally {
      redis.disconnect();
    }
  });

  const { composeSupergraph } = (await import(pathToFileURL(path.join(repoRoot, 'schema', 'src', 'supergraph.ts')).href)) as {
    composeSupergraph: (o: unknown) => { supergraphSdl?: string; message: string };
  };
  const composed = composeSupergraph({ root: repoRoot, check: true, subgraphs: SUBGRAPHS.map((name) => ({ name, port: ports[name], url: urls[name] })) });
  if (!composed.supergraphSdl) throw new Error(composed.message);
  const dir = mkdtempSync(path.join(tmpdir(), 'prod-supergraph-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'supergraph.graphql'), composed.supergraphSdl);

  const common = (name: Name): Record<string, string> => ({
    NODE_ENV: 'production',
    // Debug, not info: no secret may reach the logs even at the chattiest level a team would switch on.
    LOG_LEVEL: 'debug',
    HOST: '127.0.0.1',
    PORT: String(ports[name]),
    MYSQL_URL,
    MONGO_URL,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    KAFKA_BROKERS,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_GROUP_SUFFIX: groupSuffix,
    INTERNAL_API_TOKEN: secrets.internalToken,
    JWKS_URL: `http://127.0.0.1:${ports.users}/.well-known/jwks.json`,
    ...(databases[name] && name !== 'products' ? { MYSQL_DATABASE: databases[name] } : {}),
    // The owners it calls directly (schema/src/subgraphs.ts), on their ports here.
    ...Object.fromEntries(ownersOf(name).map((o) => [`${o.toUpperCase()}_URL`, urls[o as Name]])),
  });
  const extra: Partial<Record<Name, Record<string, string>>> = {
    users: { BOOTSTRAP_ADMIN_EMAIL: 'admin@shop.local', BOOTSTRAP_ADMIN_PASSWORD: secrets.adminPassword },
    products: { MONGO_DATABASE: databases.products },
    orders: { OUTBOX_POLL_MS: '200' },
    search: { SEARCH_KEY_PREFIX: searchKeyPrefix },
  };
  const plan = [
    ...SUBGRAPHS.map((name) => ({ name, entry: path.join(repoRoot, 'subgraphs', name, 'src', 'index.ts'), env: { ...common(name), ...extra[name] } })),
    {
      name: 'router',
      entry: path.join(repoRoot, 'router', 'src', 'index.ts'),
      env: { NODE_ENV: 'production', LOG_LEVEL: 'debug', HOST: '127.0.0.1', PORT: String(ports.router), SUPERGRAPH_PATH: path.join(dir, 'supergraph.graphql'), SUPERGRAPH_POLL_MS: '60000' },
    },
  ];

  child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./prod-shop.child.ts', import.meta.url))], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PROD_SHOP_PLAN: JSON.stringify(plan) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`production shop exited (${code}):\n${output.slice(-3000)}`))));
  await Promise.race([eventually(async () => (output.includes('PROD-SHOP-READY') ? true : undefined), 90_000, 200), exited]);
  await eventually(async () => ((await fetch(routerUrl.replace('/graphql', '/ready'))).status === 200 ? true : undefined), 30_000, 200);
}, 150_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(undefined);
      }, 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  }
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('a full flow in production mode', () => {
  let orderId = '';

  it('registers, signs in with a password, refreshes, places a paid order and signs out', async () => {
    const admin = await call('mutation ($i: LoginInput!) { login(input: $i) { accessToken refreshToken userErrors { code } } }', {
      i: { email: 'admin@shop.local', password: secrets.adminPassword },
    });
    const adminToken = admin.data?.login?.accessToken as string;
    expect(adminToken).toEqual(expect.any(String));
    seenTokens.adminAccess = adminToken;
    seenTokens.adminRefresh = admin.data!.login.refreshToken;

    const email = `${uniqueName('prod')}@example.com`;
    const registered = await call('mutation ($i: RegisterInput!) { register(input: $i) { accessToken refreshToken userErrors { code } } }', {
      i: { email, password: secrets.customerPassword, name: 'Prod Customer' },
    });
    expect(registered.data?.register.userErrors).toEqual([]);
    seenTokens.registerAccess = registered.data!.register.accessToken;
    seenTokens.registerRefresh = registered.data!.register.refreshToken;

    const wrong = await call('mutation ($i: LoginInput!) { login(input: $i) { accessToken userErrors { code } } }', { i: { email, password: secrets.wrongPassword } });
    expect(wrong.data?.login.userErrors[0].code).toBe('INVALID_CREDENTIALS');
    const login = await call('mutation ($i: LoginInput!) { login(input: $i) { accessToken refreshToken userErrors { code } } }', {
      i: { email, password: secrets.customerPassword },
    });
    seenTokens.loginAccess = login.data!.login.accessToken;
    seenTokens.loginRefresh = login.data!.login.refreshToken;

    const refreshed = await call('mutation ($t: String!) { refreshToken(token: $t) { accessToken refreshToken userErrors { code } } }', { t: seenTokens.loginRefresh });
    expect(refreshed.data?.refreshToken.userErrors).toEqual([]);
    seenTokens.refreshedAccess = refreshed.data!.refreshToken.accessToken;
    seenTokens.refreshedRefresh = refreshed.data!.refreshToken.refreshToken;
    const token = seenTokens.refreshedAccess;

    const product = await call(
      'mutation ($i: CreateProductInput!) { createProduct(input: $i) { product { id } userErrors { code message } } }',
      { i: { sku: uniqueName('PROD').replace(/_/g, '-').toUpperCase(), name: 'Production kettle', description: 'd', price: 3000, category: 'Kitchen', images: [] } },
      adminToken,
    );
    const productId = product.data!.createProduct.product.id as string;
    const stock = await call('mutation ($id: ID!) { setStock(productId: $id, quantity: 5) { userErrors { code } } }', { id: productId }, adminToken);
    expect(stock.data?.setStock.userErrors).toEqual([]);

    const placed = await call(
      'mutation ($i: PlaceOrderInput!) { placeOrder(input: $i) { order { id status } userErrors { code message } } }',
      {
        i: {
          items: [{ productId, quantity: 1 }],
          shippingAddress: { line1: '1 Market St', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' },
          shippingMethod: 'STANDARD',
          paymentToken: secrets.paymentToken,
        },
      },
      token,
    );
    expect(placed.data?.placeOrder.userErrors).toEqual([]);
    orderId = placed.data!.placeOrder.order.id;
    const paid = await eventually(async () => {
      const res = await call('query ($id: ID!) { order(id: $id) { status payment { status } } }', { id: orderId }, token);
      return res.data?.order?.status === 'PAID' && res.data.order.payment?.status === 'SUCCEEDED' ? res.data.order : undefined;
    }, 30_000, 200);
    expect(paid.status).toBe('PAID');
    await eventually(async () => {
      const res = await call('{ me { notifications(first: 10) { totalCount } } }', {}, token);
      return (res.data?.me?.notifications?.totalCount ?? 0) >= 2 ? true : undefined;
    }, 30_000, 200);

    const out = await call('mutation ($t: String!) { logout(refreshToken: $t) }', { t: seenTokens.refreshedRefresh });
    expect(out.data?.logout).toBe(true);
  }, 90_000);

  it('hides every internal of a failure: no stack trace, no SQL, no driver message, only a code', async () => {
    await sqlIn(databases.tax, 'RENAME TABLE tax_rates TO tax_rates_away');
    try {
      const viaRouter = await call('{ taxRates(country: "US") { rateBasisPoints } }');
      const direct = await gql(urls.tax, '{ taxRates(country: "US") { rateBasisPoints } }');
      for (const res of [viaRouter, direct]) {
        expect(res.errors?.[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
        expect(Object.keys(res.errors![0]!.extensions!)).toEqual(['code']);
        const text = JSON.stringify(res);
        expect(text).not.toMatch(/stacktrace|tax_rates|select|sql|mysql|\.ts:\d/i);
        expect(text).not.toMatch(/\bER_[A-Z_]+/); // driver error codes
      }
      // A business error keeps its public code and message, nothing more.
      const unauth = await call('{ promotion(code: "X") { code } }');
      expect(unauth.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    } finally {
      await sqlIn(databases.tax, 'RENAME TABLE tax_rates_away TO tax_rates');
    }
  });

  it('turns introspection, field suggestions and the landing pages off, at the router and at every subgraph', async () => {
    const schemaQuery = '{ __schema { queryType { name } } }';
    for (const url of [routerUrl, ...Object.values(urls)]) {
      const intro = await gql(url, schemaQuery);
      expect(intro.data ?? undefined, url).toBeUndefined();
      expect(intro.errors?.[0]?.message, url).toMatch(/introspection/i);
      const page = await fetch(url.replace('/graphql', '/'), { headers: { accept: 'text/html' } });
      const body = await page.text();
      expect(page.headers.get('content-type') ?? '', url).not.toContain('text/html');
      expect(body, url).not.toMatch(/<html|<script|sandbox|embed/i);
    }
    const suggestion = await call('{ produc { id } }');
    expect(suggestion.errors?.[0]?.message).not.toMatch(/did you mean/i);
  });
});

describe('the logs of that flow', () => {
  it('contain none of the passwords, tokens, the internal secret or the payment token', async () => {
    // Let the last lines (consumers, relays) land.
    await new Promise((r) => setTimeout(r, 1000));
    expect(output.length).toBeGreaterThan(1000);
    expect(output).toContain('"level":20'); // debug lines really were written
    // Every service's lines are in there.
    for (const service of [...SUBGRAPHS, 'router']) expect(output, service).toContain(`"service":"${service}"`);
    const wanted: Record<string, string> = {
      adminPassword: secrets.adminPassword,
      customerPassword: secrets.customerPassword,
      wrongPassword: secrets.wrongPassword,
      internalToken: secrets.internalToken,
      paymentToken: secrets.paymentToken,
    };
    for (const [name, token] of Object.entries(seenTokens)) {
      wanted[name] = token;
      // A JWT's signature alone is enough to find a logged (maybe cut) token.
      if (token.split('.').length === 3) wanted[`${name} (signature)`] = token.split('.')[2]!;
    }
    const hits = Object.entries(wanted)
      .filter(([, secret]) => output.includes(secret))
      .map(([name, secret]) => `${name}: ${output.split('\n').find((l) => l.includes(secret))?.slice(0, 300)}`);
    expect(hits).toEqual([]);
  });
});

describe('start-up in production', () => {
  it('users refuses to start with the default admin password', async () => {
    const db = await createTestDatabase('prod_default_admin');
    try {
      const run = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'subgraphs', 'users', 'src', 'index.ts')], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: '0', MYSQL_URL, MYSQL_DATABASE: db.name, INTERNAL_API_TOKEN: secrets.internalToken },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      run.stdout!.on('data', (d: Buffer) => (text += d.toString()));
      run.stderr!.on('data', (d: Buffer) => (text += d.toString()));
      const code = await new Promise<number | null>((resolve) => run.once('exit', resolve));
      expect(code).toBe(1);
      expect(text).toMatch(/Refusing to start: NODE_ENV=production with the default BOOTSTRAP_ADMIN_PASSWORD/);
    } finally {
      await db.drop();
    }
  }, 30_000);
});
