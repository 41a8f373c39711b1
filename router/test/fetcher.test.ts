import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { subgraphFetcher } from '../src/datasource.js';

// A subgraph stand-in that counts requests and sockets: what matters here is the HTTP client.
let server: http.Server;
let url: string;
let requests = 0;
const sockets = new Set<unknown>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++;
    sockets.add(req.socket);
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () =>
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data: { echo: body.length } }));
      }, 50),
    );
  });
  server.keepAliveTimeout = 75_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const post = (fetcher: ReturnType<typeof subgraphFetcher>, body: string) =>
  fetcher(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.json());

it('reuses keep-alive sockets across sequential subgraph requests', async () => {
  const fetcher = subgraphFetcher({ timeoutMs: 5_000 });
  sockets.clear();
  for (let i = 0; i < 5; i++) await post(fetcher, JSON.stringify({ query: `query { a${i} }` }));
  expect(sockets.size).toBe(1);
});

it('shares one request among identical concurrent queries when dedup is on, and gives each caller its own copy', async () => {
  const fetcher = subgraphFetcher({ timeoutMs: 5_000, dedup: true });
  requests = 0;
  const body = JSON.stringify({ query: 'query { same }' });
  const results = await Promise.all(Array.from({ length: 5 }, () => post(fetcher, body)));
  expect(requests).toBe(1);
  expect(new Set(results).size).toBe(5); // distinct objects: the gateway mutates what it merges
  expect(results.every((r) => JSON.stringify(r) === JSON.stringify(results[0]))).toBe(true);
});

it('never deduplicates mutations, nor anything when dedup is off', async () => {
  const deduping = subgraphFetcher({ timeoutMs: 5_000, dedup: true });
  requests = 0;
  const mutation = JSON.stringify({ query: 'mutation { charge }' });
  await Promise.all(Array.from({ length: 3 }, () => post(deduping, mutation)));
  expect(requests).toBe(3);

  const plain = subgraphFetcher({ timeoutMs: 5_000 });
  requests = 0;
  const query = JSON.stringify({ query: 'query { same }' });
  await Promise.all(Array.from({ length: 3 }, () => post(plain, query)));
  expect(requests).toBe(3);
});
