import { describe, expect, it } from 'vitest';
import { ConfigError } from '@shop/platform';
import { loadRouterConfig, subgraphUrlEnvKey } from '../src/config.js';
import { resolveSubgraphUrl, subgraphsOf } from '../src/supergraph.js';
import { composeFixture, LAB_SDL } from './fixtures.js';

describe('router configuration', () => {
  it('has local defaults: port 4000, the committed supergraph, limits, dev mode', () => {
    const config = loadRouterConfig({});
    expect(config.port).toBe(4000);
    expect(config.supergraphPath).toMatch(/schema\/supergraph\.graphql$/);
    expect(config.limits).toEqual({ maxDepth: 10, maxAliases: 15, maxCost: 5000, maxDirectives: 50, maxTokens: 1000 });
    expect(config.maxBodyBytes).toBe(1_000_000);
    expect(config.production).toBe(false);
    expect(config.subgraphUrls).toEqual({});
  });

  it('reads limits, plan cache size and SUBGRAPH_<NAME>_URL overrides from the environment', () => {
    const config = loadRouterConfig({
      NODE_ENV: 'production',
      MAX_DEPTH: '7',
      MAX_ALIASES: '3',
      QUERY_PLAN_CACHE_MIB: '64',
      SUBGRAPH_USERS_URL: 'http://users:4001/graphql',
      SUBGRAPH_PRODUCTS_URL: 'http://products:4002/graphql',
    });
    expect(config.production).toBe(true);
    expect(config.limits.maxDepth).toBe(7);
    expect(config.limits.maxAliases).toBe(3);
    expect(config.queryPlanCacheMiB).toBe(64);
    expect(config.subgraphUrls).toEqual({ users: 'http://users:4001/graphql', products: 'http://products:4002/graphql' });
    expect(subgraphUrlEnvKey('users')).toBe('SUBGRAPH_USERS_URL');
  });

  it('refuses a malformed override or limit', () => {
    expect(() => loadRouterConfig({ SUBGRAPH_USERS_URL: 'users:4001' })).toThrow(ConfigError);
    expect(() => loadRouterConfig({ MAX_DEPTH: '0' })).toThrow(ConfigError);
  });

  it('takes subgraph names and URLs from the supergraph and applies overrides by name', () => {
    const subgraphs = subgraphsOf(composeFixture(LAB_SDL));
    expect(subgraphs).toEqual([
      { name: 'lab', url: 'http://127.0.0.1:9/graphql' },
      { name: 'side', url: 'http://127.0.0.1:9/graphql' },
    ]);
    expect(resolveSubgraphUrl('lab', 'http://127.0.0.1:9/graphql', { lab: 'http://127.0.0.1:5555/graphql' })).toBe('http://127.0.0.1:5555/graphql');
    expect(resolveSubgraphUrl('side', 'http://127.0.0.1:9/graphql', { lab: 'x' })).toBe('http://127.0.0.1:9/graphql');
  });
});
