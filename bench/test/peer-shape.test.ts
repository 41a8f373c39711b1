import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@shop/platform';
import { createRouter, type RunningRouter } from '../../router/src/app.js';
import { loadRouterConfig } from '../../router/src/config.js';
import { peerFiles } from '../peer/paths.js';
import { startPeerSubgraphs, type RunningPeerSubgraphs } from '../peer/server.js';
import { shippingEstimate } from '../peer/subgraphs.js';
import { checkPeerResponse, shapeMismatch } from '../src/shape.js';

const files = peerFiles();

describe('shape check', () => {
  const expected = { data: { a: [{ id: '1', n: null, ok: true, x: 1 }], b: 'x' } };
  it('accepts the same keys and JSON types with other values', () => {
    expect(shapeMismatch({ data: { a: [{ id: '9', n: null, ok: false, x: 7 }], b: 'y' } }, expected)).toBeNull();
    expect(shapeMismatch(files.expectedShape, files.expectedShape)).toBeNull();
  });
  it('rejects a missing key, an extra key, another type, null for a value and a shorter list', () => {
    expect(shapeMismatch({ data: { a: [{ id: '1', n: null, ok: true }], b: 'x' } }, expected)).toMatch(/missing key "x"/);
    expect(shapeMismatch({ data: { a: [{ id: '1', n: null, ok: true, x: 1, y: 2 }], b: 'x' } }, expected)).toMatch(/unexpected key "y"/);
    expect(shapeMismatch({ data: { a: [{ id: 1, n: null, ok: true, x: 1 }], b: 'x' } }, expected)).toMatch(/\$\.data\.a\[0\]\.id: expected string, got number/);
    expect(shapeMismatch({ data: { a: [{ id: '1', n: 5, ok: true, x: 1 }], b: 'x' } }, expected)).toMatch(/expected null, got number/);
    expect(shapeMismatch({ data: { a: [], b: 'x' } }, expected)).toMatch(/expected 1 items, got 0/);
  });
  it('counts HTTP status and GraphQL errors as failures', () => {
    expect(checkPeerResponse(500, JSON.stringify(expected), expected)).toEqual({ ok: false, reason: 'HTTP 500' });
    expect(checkPeerResponse(200, JSON.stringify({ ...expected, errors: [{ message: 'x' }] }), expected)).toEqual({ ok: false, reason: 'graphql errors' });
    expect(checkPeerResponse(200, '<html>', expected)).toEqual({ ok: false, reason: 'body is not JSON' });
    expect(checkPeerResponse(200, JSON.stringify(expected), expected)).toEqual({ ok: true });
  });
  it('computes shippingEstimate as the README says', () => {
    expect(shippingEstimate({ price: 1299, weight: 1000 })).toBe(0);
    expect(shippingEstimate({ price: 899, weight: 101 })).toBe(50);
    expect(shippingEstimate({ weight: 100 })).toBeNull();
  });
});

describe('peer workload through our router', () => {
  let subgraphs: RunningPeerSubgraphs;
  let router: RunningRouter;

  beforeAll(async () => {
    // Port 0 (not the supergraph's 4200) so the test never collides with a running bench.
    subgraphs = await startPeerSubgraphs({ port: 0, production: true });
    const env: Record<string, string> = { NODE_ENV: 'production', PORT: '0', LOG_LEVEL: 'warn', SUPERGRAPH_PATH: files.supergraphPath };
    for (const [name, url] of Object.entries(subgraphs.urls)) env[`SUBGRAPH_${name.toUpperCase()}_URL`] = url;
    const config = loadRouterConfig(env);
    router = await createRouter(config, { log: createLogger('router', 'warn') });
  });

  afterAll(async () => {
    await router?.stop();
    await subgraphs?.stop();
  });

  it('answers query.graphql with HTTP 200, no errors and exactly the expected shape', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(router.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: files.requestBody });
      const body = await res.text();
      expect(checkPeerResponse(res.status, body, files.expectedShape)).toEqual({ ok: true });
    }
  });

  it('each subgraph answers its own part (entity lookups included)', async () => {
    const post = async (name: keyof RunningPeerSubgraphs['urls'], query: string, variables?: object) => {
      const res = await fetch(subgraphs.urls[name], { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      return (await res.json()) as { data?: any; errors?: unknown };
    };
    expect((await post('accounts', '{ me { username } users { id } }')).data).toEqual({ me: { username: 'urigo' }, users: ['1', '2', '3', '4', '5', '6'].map((id) => ({ id })) });
    expect((await post('products', '{ topProducts(first: 2) { upc name } }')).data.topProducts).toEqual([{ upc: '1', name: 'Table' }, { upc: '2', name: 'Couch' }]);
    const reps = [{ __typename: 'Product', upc: '2', price: 1299, weight: 1000 }];
    const inv = await post('inventory', 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { inStock shippingEstimate } } }', { r: reps });
    expect(inv.data._entities).toEqual([{ inStock: false, shippingEstimate: null }]);
    const rev = await post('reviews', 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { username reviews { id } } ... on Product { reviews { id author { username } } } } }', {
      r: [{ __typename: 'User', id: '4' }, { __typename: 'Product', upc: '3' }],
    });
    expect(rev.data._entities).toEqual([{ username: 'user', reviews: [{ id: '1' }, { id: '2' }] }, { reviews: [{ id: '9', author: { username: 'urigo' } }] }]);
  });
});
