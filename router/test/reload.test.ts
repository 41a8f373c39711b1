import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, eventually, gql, type GraphQLResponse } from '@shop/testing';
import type { RunningSubgraph } from '@shop/platform';
import type { RunningRouter } from '../src/app.js';
import { composeFixture, LAB_SDL, LAB_SDL_V1, routerConfig, startLab, startRouter, startSide, supergraphDir, type LabSubgraph } from './fixtures.js';

let lab: LabSubgraph;
let side: RunningSubgraph;
let files: ReturnType<typeof supergraphDir>;
let router: RunningRouter;
const v1 = composeFixture(LAB_SDL_V1);
const v2 = composeFixture(LAB_SDL);

beforeAll(async () => {
  lab = await startLab();
  side = await startSide();
  files = supergraphDir(v1);
  router = await startRouter(routerConfig({ supergraphPath: files.file, subgraphUrls: { lab: lab.url, side: side.url } }));
});

afterAll(async () => {
  await router?.stop();
  await lab?.stop();
  await side?.stop();
  files?.remove();
});

const hasAddedLater = async () => {
  const res = await gql(router.url, '{ addedLater }');
  return res.data?.addedLater === 'hello from v2' ? true : undefined;
};

describe('supergraph hot reload', () => {
  it('picks up a changed supergraph file without dropping a request, in-flight ones included', async () => {
    expect(errorCode(await gql(router.url, '{ addedLater }'))).toBe('GRAPHQL_VALIDATION_FAILED');

    // Steady traffic from four clients, plus one slow request that is executing during the swap.
    let running = true;
    const responses: GraphQLResponse[] = [];
    const client = async () => {
      while (running) responses.push(await gql(router.url, '{ side node { id child { id } } slow(ms: 5) }'));
    };
    const clients = Array.from({ length: 4 }, client);
    const slow = gql(router.url, '{ slow(ms: 1500) node { id } }');
    await new Promise((r) => setTimeout(r, 200));

    files.write(v2);
    await eventually(hasAddedLater, 10_000, 50);
    await new Promise((r) => setTimeout(r, 200));
    running = false;
    await Promise.all(clients);

    const inFlight = await slow;
    expect(inFlight.errors).toBeUndefined();
    expect(inFlight.data).toEqual({ slow: 'slept 1500', node: { id: '1' } });
    expect(responses.length).toBeGreaterThan(20);
    const failed = responses.filter((r) => r.status !== 200 || r.errors);
    expect(failed).toEqual([]);
    expect(router.supergraph.current()).toBe(v2);
  });

  it('keeps the current schema when the new file does not parse or is not a supergraph', async () => {
    for (const broken of ['type Query {', 'type Query { only: String }', v2.replace('join__Graph', 'join__Grap')]) {
      files.write(broken);
      expect(await router.supergraph.reload()).toBe('rejected');
      expect((await gql(router.url, '{ addedLater }')).data).toEqual({ addedLater: 'hello from v2' });
      expect(router.supergraph.current()).toBe(v2);
    }
  });

  it('applies a later good file after a rejected one, including removing a field', async () => {
    files.write(v1);
    await eventually(async () => (errorCode(await gql(router.url, '{ addedLater }')) === 'GRAPHQL_VALIDATION_FAILED' ? true : undefined), 10_000, 50);
    expect((await gql(router.url, '{ node { id } }')).data).toEqual({ node: { id: '1' } });
  });
});
