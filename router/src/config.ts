import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError, loadConfig } from '@shop/platform';
import { DEFAULT_LIMITS, type QueryLimits } from './limits.js';

const defaultSupergraphPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schema/supergraph.graphql');

const positiveInt = (def: number) => z.coerce.number().int().positive().default(def);

export const routerEnv = {
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  SUPERGRAPH_PATH: z.string().min(1).default(defaultSupergraphPath),
  MAX_DEPTH: positiveInt(DEFAULT_LIMITS.maxDepth),
  MAX_ALIASES: positiveInt(DEFAULT_LIMITS.maxAliases),
  MAX_COST: positiveInt(DEFAULT_LIMITS.maxCost),
  MAX_DIRECTIVES: positiveInt(DEFAULT_LIMITS.maxDirectives),
  MAX_TOKENS: positiveInt(DEFAULT_LIMITS.maxTokens),
  MAX_BODY_BYTES: positiveInt(1_000_000),
  /** Deepest array/object nesting of a request's JSON (body, or GET variables/extensions). */
  MAX_JSON_DEPTH: positiveInt(64),
  /** Approximate memory of the query plan LRU cache (the gateway's default is 30 MiB). */
  QUERY_PLAN_CACHE_MIB: positiveInt(30),
  /** A subgraph request that takes longer is aborted and reported as that field's error. */
  SUBGRAPH_TIMEOUT_MS: positiveInt(30_000),
  /** Inflight deduplication of identical concurrent subgraph queries: "true" or "false". */
  SUBGRAPH_INFLIGHT_DEDUP: z.enum(['true', 'false']).default('false'),
  /** Polling interval of the supergraph file, on top of fs.watch (which misses changes on some mounts). */
  SUPERGRAPH_POLL_MS: positiveInt(2_000),
  SUPERGRAPH_RELOAD_DEBOUNCE_MS: z.coerce.number().int().min(0).default(200),
  /** Per-subgraph budget of GET /ready. */
  READY_TIMEOUT_MS: positiveInt(2_000),
};

export interface RouterConfig {
  port: number;
  host: string;
  production: boolean;
  logLevel: string;
  supergraphPath: string;
  /** Subgraph URL overrides by subgraph name (env SUBGRAPH_<NAME>_URL); others use the supergraph's URLs. */
  subgraphUrls: Record<string, string>;
  limits: QueryLimits;
  maxBodyBytes: number;
  maxJsonDepth: number;
  queryPlanCacheMiB: number;
  subgraphTimeoutMs: number;
  /** Identical concurrent subgraph queries share one HTTP request (SUBGRAPH_INFLIGHT_DEDUP). */
  subgraphDedup: boolean;
  reload: { pollIntervalMs: number; debounceMs: number };
  readyTimeoutMs: number;
}

/** The env key of a subgraph's URL override: users -> SUBGRAPH_USERS_URL. */
export function subgraphUrlEnvKey(name: string): string {
  return `SUBGRAPH_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

const OVERRIDE = /^SUBGRAPH_([A-Z0-9_]+)_URL$/;

function subgraphUrlsFromEnv(env: Record<string, string | undefined>): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const match = OVERRIDE.exec(key);
    if (!match?.[1] || !value) continue;
    if (!z.url({ protocol: /^https?$/ }).safeParse(value).success) {
      throw new ConfigError(`Invalid configuration:\n  ${key}: not an http(s) URL: ${value}`);
    }
    urls[match[1].toLowerCase()] = value;
  }
  return urls;
}

/** Router configuration from the environment (docker-compose) with local defaults (`npm start`). */
export function loadRouterConfig(env: Record<string, string | undefined> = process.env): RouterConfig {
  const c = loadConfig(routerEnv, env);
  return {
    port: c.PORT,
    host: c.HOST,
    production: c.NODE_ENV === 'production',
    logLevel: c.LOG_LEVEL,
    supergraphPath: path.resolve(c.SUPERGRAPH_PATH),
    subgraphUrls: subgraphUrlsFromEnv(env),
    limits: {
      maxDepth: c.MAX_DEPTH,
      maxAliases: c.MAX_ALIASES,
      maxCost: c.MAX_COST,
      maxDirectives: c.MAX_DIRECTIVES,
      maxTokens: c.MAX_TOKENS,
    },
    maxBodyBytes: c.MAX_BODY_BYTES,
    maxJsonDepth: c.MAX_JSON_DEPTH,
    queryPlanCacheMiB: c.QUERY_PLAN_CACHE_MIB,
    subgraphTimeoutMs: c.SUBGRAPH_TIMEOUT_MS,
    subgraphDedup: c.SUBGRAPH_INFLIGHT_DEDUP === 'true',
    reload: { pollIntervalMs: c.SUPERGRAPH_POLL_MS, debounceMs: c.SUPERGRAPH_RELOAD_DEBOUNCE_MS },
    readyTimeoutMs: c.READY_TIMEOUT_MS,
  };
}
