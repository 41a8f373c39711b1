import http from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql, startShop, uniqueName, type Shop, type ShopUser } from '@shop/testing';
import { createCatalogueProduct } from '../engagement-helpers.js';
import { ADDRESS } from '../helpers.js';
import { bearer, fingerprints, post, undocumentedCodes } from './support.js';

/**
 * The limits a hostile client meets, through the router: request body size, JSON nesting, query
 * depth / cost / aliases / directives / tokens, batched operations, `first` on every connection, and
 * login attempts per email and per IP (users, counted in Redis).
 */

const PASSWORD = 'limits password 123';
const MAX_BODY = 1_000_000;
let shop: Shop;
let customer: ShopUser;
let product: string;
let redis: Redis;

beforeAll(async () => {
  shop = await startShop();
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  customer = await shop.register();
  product = await createCatalogueProduct(shop, { name: 'Limits kettle', price: 1000, category: 'Limits' }, 5);
}, 120_000);

afterAll(async () => {
  redis?.disconnect();
  await shop?.stop();
});

describe('request size', () => {
  it('answers a body over MAX_BODY_BYTES with 413 and closes the connection', async () => {
    const body = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(MAX_BODY) } });
    const res = await fetch(shop.routerUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('answers 413 to a chunked body that announces no length, once it passes the limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(shop.routerUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(`{"query":"{ __typename }","variables":{"pad":"`);
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 2 * MAX_BODY) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end('"}}');
      };
      pump();
    });
    expect(status).toBe(413);
  });

  it('refuses JSON nested deeper than MAX_JSON_DEPTH (64) with 400, in a POST body and in GET variables', async () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    // DateTime is a custom scalar: the router cannot type-check it, so only the nesting limit stops this.
    const query = 'mutation ($s: DateTime) { createPromotion(input: { code: "NESTED", kind: PERCENT, value: 5, startsAt: $s }) { userErrors { code } } }';
    const deep = await post(shop.routerUrl, `{"query":${JSON.stringify(query)},"variables":{"s":${nested(200_000)}}}`, bearer(shop.adminToken));
    expect(deep.status).toBe(400);
    expect(deep.json.errors[0].extensions.code).toBe('BAD_REQUEST');
    const get = await fetch(`${shop.routerUrl}?query=${encodeURIComponent('query ($v: [ID!]) { __typename }')}&variables=${encodeURIComponent(`{"v":${nested(100)}}`)}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(400);
    // Within the limit: an ordinary answer (a DateTime the promotions subgraph refuses is the client's BAD_USER_INPUT).
    const shallow = await post(shop.routerUrl, { query, variables: { s: [[['2025']]] } }, bearer(shop.adminToken));
    expect(shallow.status).toBe(200);
    expect(shallow.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(shallow.text).not.toContain('http://');
  });
});

describe('malformed requests', () => {
  it('answers every malformed body with a 4xx and a documented code, never a 5xx', async () => {
    const bodies: Array<string | Buffer> = [
      '',
      'null',
      '"{ __typename }"',
      '123',
      '{',
      '{"query": 5}',
      '{"query": null}',
      '{"query": ["{ __typename }"]}',
      '{"query": "{ __typename }", "variables": "x"}',
      '{"query": "{ __typename }", "variables": [1]}',
      '{"query": "{ __typename }", "operationName": 5}',
      '{"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}}',
      '{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}}',
      '{"query": "{ __typename }", "extensions": 7}',
      '{"query": "\u0000"}',
      '{"query": "{ __typename }", "__proto__": {"admin": true}}',
      Buffer.from([0x7b, 0x22, 0x71, 0xff, 0xfe, 0x22, 0x7d]), // not UTF-8
    ];
    const answers: string[] = [];
    for (const body of bodies) {
      const res = await fetch(shop.routerUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      answers.push(`${res.status} ${JSON.stringify(body.toString()).slice(0, 60)} -> ${undocumentedCodes(json).join(',') || 'documented'}`);
      expect(res.status, text).toBeLessThan(500);
      expect(undocumentedCodes(json), text).toEqual([]);
    }
    expect(answers.filter((a) => a.startsWith('5'))).toEqual([]);
  });

  it('refuses a GET mutation and the POSTs a browser sends cross-site without a preflight (CSRF) without running them', async () => {
    const before = await fingerprints(shop, ['users']);
    const mutation = 'mutation { addAddress(input: { line1: "x", city: "y", postalCode: "1", country: "US" }) { address { id } } }';
    const get = await fetch(`${shop.routerUrl}?query=${encodeURIComponent(mutation)}`, { headers: { 'apollo-require-preflight': 'true', ...bearer(customer.token) } });
    expect(get.status).toBe(405);
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
      const res = await fetch(shop.routerUrl, { method: 'POST', headers: { 'content-type': type, ...bearer(customer.token) }, body: JSON.stringify({ query: mutation }) });
      expect(res.status, type).toBeGreaterThanOrEqual(400);
      expect(res.status, type).toBeLessThan(500);
    }
    expect(await fingerprints(shop, ['users'])).toEqual(before);
  });
});

describe('query complexity (QUERY_TOO_COMPLEX before anything is planned)', () => {
  /** `me { orders { nodes { items { product { reviews { ... } } } } } } }`, `levels` fields deep including the leaf. */
  const nested = (levels: number) => {
    const path = ['me', 'orders', 'nodes', 'items', 'product', 'reviews', 'nodes', 'author', 'orders', 'nodes', 'items', 'product', 'reviews', 'nodes', 'author'];
    const leafAfter = ['id', 'totalCount', 'id', 'quantity', 'id', 'totalCount', 'id', 'id', 'totalCount', 'id', 'quantity', 'id', 'totalCount', 'id', 'id'];
    const fields = path.slice(0, levels - 1);
    return `{ ${fields.map((f) => `${f} {`).join(' ')} ${leafAfter[levels - 2]} ${fields.map(() => '}').join(' ')} }`;
  };

  it('answers a query at the depth limit (10) and refuses one level more', async () => {
    const atLimit = await gql(shop.routerUrl, nested(10), undefined, { token: customer.token });
    expect(atLimit.status).toBe(200);
    expect(errorCode(atLimit)).toBeUndefined();
    const over = await gql(shop.routerUrl, nested(11), undefined, { token: customer.token });
    expect(over.status).toBe(400);
    expect(errorCode(over)).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses more than 15 aliases, over 5000 of estimated cost, 50 directives or 1000 tokens', async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `p${i}: product(id: "${product}") { id }`).join(' ')} }`;
    expect(errorCode(await gql(shop.routerUrl, aliases(15)))).toBeUndefined();
    expect(errorCode(await gql(shop.routerUrl, aliases(16)))).toBe('QUERY_TOO_COMPLEX');
    const costly = '{ products(first: 100) { nodes { reviews(first: 100) { nodes { author { name } } } } } }';
    expect(errorCode(await gql(shop.routerUrl, costly))).toBe('QUERY_TOO_COMPLEX');
    const directives = `{ __typename ${'@skip(if: false) '.repeat(51)} }`;
    expect(errorCode(await gql(shop.routerUrl, directives))).toBe('QUERY_TOO_COMPLEX');
    const tokens = `{ ${Array.from({ length: 1001 }, () => '__typename').join(' ')} }`;
    expect(errorCode(await gql(shop.routerUrl, tokens))).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses a fragment cycle and a fragment-spread bomb without running anything', async () => {
    const cycle = await gql(shop.routerUrl, 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }');
    expect(cycle.status).toBe(400);
    expect(errorCode(cycle)).toBe('GRAPHQL_VALIDATION_FAILED');
    // Each fragment spreads the previous one twice: 2^12 copies of one field once expanded.
    let doc = 'fragment F0 on Product { id name }';
    for (let i = 1; i <= 12; i++) doc += ` fragment F${i} on Product { ...F${i - 1} ...F${i - 1} }`;
    const bomb = await gql(shop.routerUrl, `{ products(first: 100) { nodes { ...F12 } } } ${doc}`);
    expect(bomb.status).toBeLessThan(500);
    expect(undocumentedCodes({ errors: bomb.errors })).toEqual([]);
  });
});

describe('batched operations', () => {
  it('refuses an HTTP batch (a JSON array of operations) outright, whatever its size, and runs none of it', async () => {
    const before = await fingerprints(shop, ['users']);
    const op = { query: 'mutation ($i: AddressInput!) { addAddress(input: $i) { address { id } } }', variables: { i: ADDRESS } };
    for (const size of [1, 2, 10, 1000]) {
      const res = await post(shop.routerUrl, Array.from({ length: size }, () => op), bearer(customer.token));
      expect(res.status, `batch of ${size}`).toBe(400);
      expect(res.json.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(res.json.errors[0].message).toMatch(/batching/i);
    }
    expect(await fingerprints(shop, ['users'])).toEqual(before);
  });

  it('runs one operation of a document with several only when it is named, never all of them', async () => {
    const before = await fingerprints(shop, ['users']);
    const doc = `mutation A($i: AddressInput!) { addAddress(input: $i) { address { id } } } mutation B($i: AddressInput!) { addAddress(input: $i) { address { id } } }`;
    // The gateway alone answered these with a 500 (INVALID_GRAPHQL); the router refuses them as Apollo does.
    const unnamed = await post(shop.routerUrl, { query: doc, variables: { i: ADDRESS } }, bearer(customer.token));
    expect(unnamed.status).toBe(400);
    expect(unnamed.json.errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    const unknown = await post(shop.routerUrl, { query: doc, variables: { i: ADDRESS }, operationName: 'C' }, bearer(customer.token));
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    const viaGet = await fetch(`${shop.routerUrl}?query=${encodeURIComponent('query A { __typename } query B { __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(viaGet.status).toBe(400);
    expect(await fingerprints(shop, ['users'])).toEqual(before);
    const named = await post(shop.routerUrl, { query: doc, variables: { i: ADDRESS }, operationName: 'B' }, bearer(customer.token));
    expect(named.json.data.addAddress.address.id).toEqual(expect.any(String));
    const [row] = await shop.sql<{ n: number }>('users', 'SELECT COUNT(*) AS n FROM addresses WHERE user_id = ?', [customer.userId]);
    expect(Number(row!.n)).toBe(1);
  });
});

describe('first ≤ 100 on every connection', () => {
  const CONNECTIONS: Record<string, { query: string; variables: () => Record<string, unknown> }> = {
    products: { query: 'query ($f: Int) { products(first: $f) { totalCount } }', variables: () => ({}) },
    search: { query: 'query ($f: Int) { search(query: "kettle", first: $f) { totalCount } }', variables: () => ({}) },
    'User.orders': { query: 'query ($f: Int) { me { orders(first: $f) { totalCount } } }', variables: () => ({}) },
    'User.favourites': { query: 'query ($f: Int) { me { favourites(first: $f) { totalCount } } }', variables: () => ({}) },
    'User.notifications': { query: 'query ($f: Int) { me { notifications(first: $f) { totalCount } } }', variables: () => ({}) },
    'Product.reviews': { query: 'query ($f: Int, $p: ID!) { product(id: $p) { reviews(first: $f) { totalCount } } }', variables: () => ({ p: product }) },
  };

  it('answers first = 0 and first = 100, and refuses 101, -1 and 2^31 - 1 with BAD_USER_INPUT, on each of them', async () => {
    const outcome: Record<string, Record<string, string>> = {};
    for (const [name, c] of Object.entries(CONNECTIONS)) {
      outcome[name] = {};
      for (const first of [0, 100, 101, -1, 2 ** 31 - 1]) {
        const res = await gql(shop.routerUrl, c.query, { ...c.variables(), f: first }, { token: customer.token });
        outcome[name]![String(first)] = res.status >= 500 ? `HTTP ${res.status}` : (errorCode(res) ?? 'ok');
      }
    }
    const expected = { '0': 'ok', '100': 'ok', '101': 'BAD_USER_INPUT', '-1': 'BAD_USER_INPUT', '2147483647': 'BAD_USER_INPUT' };
    expect(outcome).toEqual(Object.fromEntries(Object.keys(CONNECTIONS).map((n) => [n, expected])));
  });

  it('refuses a literal first: 101 the same way (it is below the cost limit, so the subgraph decides)', async () => {
    const res = await gql(shop.routerUrl, '{ products(first: 101) { totalCount } }');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});

/** POSTs JSON from a given local address (127.0.0.x: every one of them is this machine's loopback). */
function postFrom(localAddress: string, url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = http.request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(data) }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe('login attempts (users: 5 per email and 20 per IP a minute, in Redis)', () => {
  const LOGIN = `mutation ($i: LoginInput!) { login(input: $i) { accessToken userErrors { code } } }`;
  const keyPrefix = () => `users:${shop.databases.users}:login`;
  const attempt = (email: string, password: string, headers: Record<string, string> = {}) => post(shop.routerUrl, { query: LOGIN, variables: { i: { email, password } } }, headers);
  const outcome = (res: { json: any }) =>
    res.json?.errors?.[0]?.extensions?.code ?? (res.json?.data?.login?.accessToken ? 'ok' : res.json?.data?.login?.userErrors?.[0]?.code);
  const register = async () => {
    const email = `${uniqueName('limited')}@example.com`;
    const res = await gql(shop.routerUrl, 'mutation ($i: RegisterInput!) { register(input: $i) { userErrors { code } } }', { i: { email, password: PASSWORD, name: 'L' } });
    expect(res.data?.register.userErrors).toEqual([]);
    return email;
  };
  const forget = async () => {
    const keys = await redis.keys(`${keyPrefix()}:*`);
    if (keys.length > 0) await redis.del(...keys);
  };

  it('refuses the 6th attempt for one email within the window with RATE_LIMITED, even with the right password', async () => {
    await forget();
    const email = await register();
    const results: string[] = [];
    for (let i = 0; i < 5; i++) results.push(outcome(await attempt(email, 'wrong password')));
    const sixth = await attempt(email, PASSWORD);
    results.push(outcome(sixth));
    expect(results).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'RATE_LIMITED']);
    expect(sixth.status).toBe(200);
    expect(sixth.json.errors[0].extensions.retryAfterSeconds).toBeGreaterThan(0);
    expect(sixth.json.errors[0].extensions.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(sixth.json.data).toBeNull();
    // Emails are not readable from the keys.
    expect((await redis.keys(`${keyPrefix()}:*`)).join(' ')).not.toContain('@');
    // The email's case does not open another window.
    expect(outcome(await attempt(email.toUpperCase(), PASSWORD))).toBe('RATE_LIMITED');
  });

  it('lets the email in again once its window has passed', async () => {
    await forget();
    const email = await register();
    for (let i = 0; i < 6; i++) await attempt(email, 'wrong password');
    expect(outcome(await attempt(email, PASSWORD))).toBe('RATE_LIMITED');
    for (const key of await redis.keys(`${keyPrefix()}:email:*`)) await redis.pexpire(key, 50);
    await new Promise((r) => setTimeout(r, 150));
    expect(outcome(await attempt(email, PASSWORD))).toBe('ok');
  });

  it('starts the email count afresh after a successful login (typos do not add up across sessions)', async () => {
    await forget();
    const email = await register();
    for (let i = 0; i < 4; i++) expect(outcome(await attempt(email, 'wrong password'))).toBe('INVALID_CREDENTIALS');
    expect(outcome(await attempt(email, PASSWORD))).toBe('ok');
    for (let i = 0; i < 4; i++) expect(outcome(await attempt(email, 'wrong password'))).toBe('INVALID_CREDENTIALS');
    expect(outcome(await attempt(email, PASSWORD))).toBe('ok');
  });

  it('refuses the 21st attempt from one IP, across emails, whatever x-forwarded-for the client sends to the router', async () => {
    await forget();
    // The client connects from 127.0.0.2, so its address differs from the router's own (127.0.0.1).
    const from = (localAddress: string, email: string, headers: Record<string, string>) => postFrom(localAddress, shop.routerUrl, { query: LOGIN, variables: { i: { email, password: 'wrong password' } } }, headers);
    const results: string[] = [];
    for (let i = 0; i < 21; i++) {
      // A client rotating its claimed address: the router replaces x-forwarded-for with what its socket sees.
      results.push(outcome(await from('127.0.0.2', `${uniqueName('nobody')}@example.com`, { 'x-forwarded-for': `203.0.113.${i}` })));
    }
    expect(results.slice(0, 20)).toEqual(Array(20).fill('INVALID_CREDENTIALS'));
    expect(results[20]).toBe('RATE_LIMITED');
    expect(await redis.keys(`${keyPrefix()}:ip:*`)).toEqual([`${keyPrefix()}:ip:127.0.0.2`]);
    // Another client, at another address, is not held up by that one.
    expect(outcome(await from('127.0.0.3', `${uniqueName('nobody')}@example.com`, {}))).toBe('INVALID_CREDENTIALS');
  });

  it('counts a request that reaches users from a trusted proxy (loopback, private networks) under the address it forwards', async () => {
    await forget();
    const direct = (forwarded: string) =>
      post(shop.subgraphs.users!, { query: LOGIN, variables: { i: { email: `${uniqueName('nobody')}@example.com`, password: 'x' } } }, { 'x-forwarded-for': forwarded });
    for (let i = 0; i < 21; i++) await direct('198.51.100.7');
    expect(outcome(await direct('198.51.100.7'))).toBe('RATE_LIMITED');
    expect(outcome(await direct('198.51.100.8'))).toBe('INVALID_CREDENTIALS');
    // The rightmost address is the one the nearest proxy wrote; what a client put before it is ignored.
    expect(outcome(await direct('10.9.9.9, 198.51.100.7'))).toBe('RATE_LIMITED');
    // IPv6: one client is its /64, so walking through the addresses of one's own network does not help.
    for (let i = 0; i < 20; i++) expect(outcome(await direct(`2001:db8:1:2::${(i + 1).toString(16)}`))).toBe('INVALID_CREDENTIALS');
    expect(outcome(await direct('2001:0db8:0001:0002:ffff::9'))).toBe('RATE_LIMITED');
    expect(outcome(await direct('2001:db8:1:3::1'))).toBe('INVALID_CREDENTIALS');
  });
});

describe('the answers of this file', () => {
  it('never used a code outside the documented set (spot check of an ordinary failure)', async () => {
    const res = await post(shop.routerUrl, { query: '{ nope }' });
    expect(res.status).toBe(400);
    expect(undocumentedCodes(res.json)).toEqual([]);
  });
});
