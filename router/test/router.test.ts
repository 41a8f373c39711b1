import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql, type GraphQLResponse } from '@shop/testing';
import type { RunningSubgraph } from '@shop/platform';
import type { RunningRouter } from '../src/app.js';
import { composeFixture, LAB_SDL, routerConfig, startLab, startRouter, startSide, supergraphDir, type LabSubgraph } from './fixtures.js';

/** Response bodies are checked by the assertions. */
const json = (res: Response): Promise<any> => res.json();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `node { child { child { ... { id } } } }` with `depth` levels of fields in all. */
function deepQuery(depth: number): string {
  let selection = 'id';
  for (let level = 2; level < depth; level++) selection = `child { ${selection} }`;
  return `{ node { ${selection} } }`;
}

function aliases(n: number): string {
  return `{ ${Array.from({ length: n }, (_, i) => `a${i}: node { id }`).join(' ')} }`;
}

let lab: LabSubgraph;
let side: RunningSubgraph;
let files: ReturnType<typeof supergraphDir>;
let router: RunningRouter;

beforeAll(async () => {
  lab = await startLab();
  side = await startSide();
  files = supergraphDir(composeFixture(LAB_SDL));
  router = await startRouter(routerConfig({ supergraphPath: files.file, subgraphUrls: { lab: lab.url, side: side.url } }));
});

afterAll(async () => {
  await router?.stop();
  await lab?.stop();
  await side?.stop();
  files?.remove();
});

/** Runs `fn` and returns how many HTTP requests the lab subgraph received meanwhile. */
async function labRequestsDuring(fn: () => Promise<void>): Promise<number> {
  const before = lab.requests.length;
  await fn();
  return lab.requests.length - before;
}

describe('routing', () => {
  it('plans one operation across two subgraphs, at the URLs given to the router instead of the supergraph ones', async () => {
    const res = await gql(router.url, '{ side node { id child { id } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ side: 'side', node: { id: '1', child: { id: '2' } } });
  });

  it('forwards the Authorization header and the request id to subgraphs', async () => {
    const res = await fetch(router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer some.jwt.token', 'x-request-id': 'req-4711' },
      body: JSON.stringify({ query: '{ echo { authorization requestId } }' }),
    });
    expect(res.headers.get('x-request-id')).toBe('req-4711');
    expect((await json(res)).data.echo).toEqual({ authorization: 'Bearer some.jwt.token', requestId: 'req-4711' });
  });

  it('generates a request id when the client sends none (or an unusable one) and passes it on', async () => {
    for (const given of [undefined, 'bad id with spaces']) {
      const res = await fetch(router.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(given ? { 'x-request-id': given } : {}) },
        body: JSON.stringify({ query: '{ echo { authorization requestId } }' }),
      });
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(UUID);
      expect((await json(res)).data.echo).toEqual({ authorization: null, requestId: id });
    }
  });

  it('keeps connections to a subgraph alive across requests', async () => {
    await gql(router.url, '{ node { id } }');
    const before = lab.connections();
    const sent = await labRequestsDuring(async () => {
      for (let i = 0; i < 10; i++) expect((await gql(router.url, '{ node { id } }')).errors).toBeUndefined();
    });
    expect(sent).toBe(10);
    expect(lab.connections() - before).toBe(0);
  });
});

describe('query limits (checked before planning)', () => {
  it('accepts an operation at the depth limit', async () => {
    const res = await gql(router.url, deepQuery(10));
    expect(res.errors).toBeUndefined();
  });

  it('rejects a too-deep query with QUERY_TOO_COMPLEX and never calls a subgraph', async () => {
    let res!: GraphQLResponse;
    expect(await labRequestsDuring(async () => void (res = await gql(router.url, deepQuery(11))))).toBe(0);
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('QUERY_TOO_COMPLEX');
    expect(res.errors?.[0]?.message).toBe('Query depth limit of 10 exceeded, found 11.');
    expect(res.data).toBeUndefined();
  });

  it('rejects an alias bomb with QUERY_TOO_COMPLEX and never calls a subgraph', async () => {
    expect((await gql(router.url, aliases(15))).errors).toBeUndefined();
    let res!: GraphQLResponse;
    expect(await labRequestsDuring(async () => void (res = await gql(router.url, aliases(16))))).toBe(0);
    expect(errorCode(res)).toBe('QUERY_TOO_COMPLEX');
    expect(res.errors?.[0]?.message).toContain('Aliases limit of 15 exceeded');
  });

  it('rejects an operation over the cost limit (page sizes multiply the cost)', async () => {
    expect((await gql(router.url, '{ nodes(first: 10) { id child { id } } }')).errors).toBeUndefined();
    let res!: GraphQLResponse;
    const q = '{ nodes(first: 1000) { id child { id child { id } } } }';
    expect(await labRequestsDuring(async () => void (res = await gql(router.url, q)))).toBe(0);
    expect(errorCode(res)).toBe('QUERY_TOO_COMPLEX');
    expect(res.errors?.[0]?.message).toContain('Query Cost limit of 5000 exceeded');
  });

  it('rejects too many directives and too many tokens', async () => {
    const directives = `{ node { ${Array.from({ length: 51 }, () => 'id @include(if: true)').join(' ')} } }`;
    const many = await gql(router.url, directives);
    expect(errorCode(many)).toBe('QUERY_TOO_COMPLEX');
    expect(many.errors?.[0]?.message).toContain('Directives limit of 50 exceeded');

    const tokens = await gql(router.url, `{ ${Array.from({ length: 1001 }, () => '__typename').join(' ')} }`);
    expect(tokens.status).toBe(400);
    expect(errorCode(tokens)).toBe('QUERY_TOO_COMPLEX');
    expect(tokens.errors?.[0]?.message).toBe('Token limit of 1000 exceeded.');
  });

  it('does not count introspection against depth and cost', async () => {
    const res = await gql(router.url, '{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }');
    expect(res.errors).toBeUndefined();
  });
});

describe('HTTP surface', () => {
  it('refuses a GET carrying a mutation without a CSRF preflight header', async () => {
    const sent = await labRequestsDuring(async () => {
      const res = await fetch(`${router.url}?query=${encodeURIComponent('mutation { side }')}`);
      expect(res.status).toBe(400);
      expect((await json(res)).errors[0].message).toContain('Cross-Site Request Forgery');
    });
    expect(sent).toBe(0);
    // A GET query with the preflight header works, so GET itself is not what was refused.
    const ok = await fetch(`${router.url}?query=${encodeURIComponent('{ side }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(await json(ok)).toEqual({ data: { side: 'side' } });
  });

  it('refuses a text/plain POST (a "simple" cross-site request) without a preflight header', async () => {
    const res = await fetch(router.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ side }' }) });
    expect(res.status).toBe(400);
    expect((await json(res)).errors[0].message).toContain('Cross-Site Request Forgery');
  });

  it('refuses a body over 1 MB with 413', async () => {
    const res = await fetch(router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ side }', variables: { pad: 'x'.repeat(1_000_001) } }),
    });
    expect(res.status).toBe(413);
    expect((await json(res)).errors[0].message).toContain('larger than 1000000 bytes');
  });

  it('serves the Apollo Sandbox landing page and introspection in development', async () => {
    const page = await fetch(router.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('embeddable-sandbox');
    const res = await gql(router.url, '{ __schema { queryType { name } } }');
    expect(res.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('answers /health with 200', async () => {
    const res = await fetch(new URL('/health', router.url));
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ status: 'ok' });
  });
});

describe('readiness', () => {
  it('is ready when every subgraph is, and names the subgraph that is down', async () => {
    // Its own side subgraph, so stopping it does not disturb the other tests.
    const ownSide = await startSide();
    const own = await startRouter(routerConfig({ supergraphPath: files.file, subgraphUrls: { lab: lab.url, side: ownSide.url } }));
    try {
      const up = await fetch(new URL('/ready', own.url));
      expect(up.status).toBe(200);
      expect(await json(up)).toMatchObject({ ready: true, subgraphs: { lab: 'ok', side: 'ok' } });

      await ownSide.stop();
      const down = await fetch(new URL('/ready', own.url));
      expect(down.status).toBe(503);
      const body = await json(down);
      expect(body.ready).toBe(false);
      expect(body.subgraphs.lab).toBe('ok');
      expect(body.subgraphs.side).toMatch(/^down: /);
      // Liveness is not readiness: the process is fine.
      expect((await fetch(new URL('/health', own.url))).status).toBe(200);
    } finally {
      await own.stop();
      await ownSide.stop();
    }
  });
});

describe('production mode', () => {
  let prod: RunningRouter;
  beforeAll(async () => {
    // side points at a port nobody listens on, to see how a subgraph failure looks to a client.
    prod = await startRouter(
      routerConfig({ production: true, supergraphPath: files.file, subgraphUrls: { lab: lab.url, side: 'http://127.0.0.1:9/graphql' } }),
    );
  });
  afterAll(async () => {
    await prod?.stop();
  });

  it('serves no landing page', async () => {
    const res = await fetch(prod.url, { headers: { accept: 'text/html' } });
    expect(res.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await res.text()).not.toMatch(/<html|sandbox/i);
  });

  it('refuses introspection', async () => {
    const res = await gql(prod.url, '{ __schema { types { name } } }');
    expect(res.data).toBeUndefined();
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('hides internals of a failure and keeps public error codes', async () => {
    const res = await gql(prod.url, '{ side node { id } }');
    expect(res.data).toBeNull();
    // An unreachable subgraph is a retryable SERVICE_UNAVAILABLE on the fields it owns, naming nothing internal.
    expect(res.errors?.[0]).toEqual({ message: 'The side service is unavailable', path: ['side'], extensions: { code: 'SERVICE_UNAVAILABLE' } });
    expect(JSON.stringify(res)).not.toMatch(/ECONNREFUSED|stacktrace|fetch failed/);

    const deep = await gql(prod.url, deepQuery(11));
    expect(deep.errors?.[0]?.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX' });
  });
});

describe('automatic persisted queries', () => {
  it('registers a query by its hash and then runs it from the hash alone', async () => {
    const query = '{ node { id } }';
    const { createHash } = await import('node:crypto');
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    const post = (body: object) =>
      fetch(router.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(json);

    expect((await post({ extensions: { persistedQuery } })).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post({ query, extensions: { persistedQuery } })).data).toEqual({ node: { id: '1' } });
    expect((await post({ extensions: { persistedQuery } })).data).toEqual({ node: { id: '1' } });
  });
});

describe('graceful stop', () => {
  it('lets an in-flight request finish, then refuses new connections, without waiting for idle keep-alive sockets', async () => {
    const own = await startRouter(routerConfig({ supergraphPath: files.file, subgraphUrls: { lab: lab.url, side: side.url } }));
    // A keep-alive connection that is idle when stop() begins.
    expect((await gql(own.url, '{ side }')).data).toEqual({ side: 'side' });
    const inFlight = gql(own.url, '{ slow(ms: 600) }');
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await own.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await inFlight).data).toEqual({ slow: 'slept 600' });
    await expect(fetch(new URL('/health', own.url))).rejects.toThrow();
  });
});
