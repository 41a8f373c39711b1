import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { createLogger, startSubgraph, type RunningSubgraph } from '@shop/platform';
import { createRouter, type RunningRouter } from '../src/app.js';
import { loadRouterConfig, type RouterConfig } from '../src/config.js';

/**
 * Two small but real federation subgraphs (Apollo subgraph servers started by platform's
 * startSubgraph) for what the shop's domain subgraphs cannot show on demand: arbitrarily deep
 * nesting, slow fields, a field added later, header echo.
 */
export const LAB_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
"Test entry points."
type Query {
  "A chain of nodes as deep as you ask."
  node: Node!
  "Pages of nodes; armor multiplies cost by a literal first."
  nodes(first: Int): [Node!]!
  "What the subgraph received from the router."
  echo: Echo!
  "Answers after ms milliseconds."
  slow(ms: Int!): String!
  "Only in the second version of the supergraph."
  addedLater: String!
}
"A link of an endless chain."
type Node @key(fields: "id") {
  "Its depth."
  id: ID!
  "The next link."
  child: Node!
}
"Request metadata seen by the subgraph."
type Echo {
  "The Authorization header received."
  authorization: String
  "The x-request-id received."
  requestId: String!
}
`;

export const SIDE_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
"Test entry points."
type Query {
  "Always side."
  side: String!
}
`;

/** The lab SDL without Query.addedLater: the first version of the supergraph. */
export const LAB_SDL_V1 = LAB_SDL.replace(/\s*"Only in the second version of the supergraph."\s*addedLater: String!/, '');

/** Composes a supergraph; URLs deliberately point nowhere so only the router's overrides can work. */
export function composeFixture(labSdl: string): string {
  const result = composeServices([
    { name: 'lab', url: 'http://127.0.0.1:9/graphql', typeDefs: parse(labSdl) },
    { name: 'side', url: 'http://127.0.0.1:9/graphql', typeDefs: parse(SIDE_SDL) },
  ]);
  if (result.errors) throw new Error(result.errors.map(String).join('\n'));
  return result.supergraphSdl;
}

export interface LabSubgraph extends RunningSubgraph {
  /** Every HTTP request the subgraph received (method + path), to prove a request never got here. */
  requests: string[];
  /** TCP connections the subgraph accepted, to prove keep-alive. */
  connections: () => number;
  authorizations: Array<string | undefined>;
}

export async function startLab(): Promise<LabSubgraph> {
  const authorizations: Array<string | undefined> = [];
  const running = await startSubgraph({
    name: 'lab',
    typeDefs: parse(LAB_SDL),
    port: 0,
    production: false,
    log: createLogger('lab', 'warn'),
    // The lab records the header instead of verifying it; the real subgraphs verify (zero trust).
    verifyToken: async (authorization) => {
      authorizations.push(authorization);
      return { user: null, error: null };
    },
    context: (base) => ({ ...base, authorization: authorizations.at(-1) }),
    resolvers: {
      Query: {
        node: () => ({ id: '1' }),
        nodes: (_: unknown, args: { first?: number }) => Array.from({ length: Math.min(args.first ?? 1, 3) }, (_, i) => ({ id: String(i) })),
        echo: (_: unknown, __: unknown, ctx: { requestId: string; authorization?: string }) => ({
          authorization: ctx.authorization ?? null,
          requestId: ctx.requestId,
        }),
        slow: async (_: unknown, args: { ms: number }) => {
          await new Promise((r) => setTimeout(r, args.ms));
          return `slept ${args.ms}`;
        },
        addedLater: () => 'hello from v2',
      },
      Node: {
        __resolveReference: (ref: { id: string }) => ref,
        child: (parent: { id: string }) => ({ id: String(Number(parent.id) + 1) }),
      },
    },
  });
  const requests: string[] = [];
  let connections = 0;
  running.server.on('request', (req) => requests.push(`${req.method} ${req.url}`));
  running.server.on('connection', () => (connections += 1));
  return { ...running, requests, connections: () => connections, authorizations };
}

export async function startSide(port = 0): Promise<RunningSubgraph> {
  return startSubgraph({
    name: 'side',
    typeDefs: parse(SIDE_SDL),
    port,
    production: false,
    log: createLogger('side', 'warn'),
    verifyToken: async () => ({ user: null, error: null }),
    context: (base) => base,
    resolvers: { Query: { side: () => 'side' } },
  });
}

/** A temp directory holding a supergraph file; `write` replaces it atomically, like an editor or `npm run compose`. */
export function supergraphDir(sdl: string): { file: string; write(sdl: string): void; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'router-supergraph-'));
  const file = path.join(dir, 'supergraph.graphql');
  const write = (text: string) => {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  };
  write(sdl);
  return { file, write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Router config as from the environment, on port 0, fast reloads, plus per-test overrides. */
export function routerConfig(overrides: Partial<RouterConfig> & { env?: Record<string, string> } = {}): RouterConfig {
  const { env, ...rest } = overrides;
  const base = loadRouterConfig({ NODE_ENV: 'test', LOG_LEVEL: 'warn', PORT: '0', SUPERGRAPH_POLL_MS: '100', SUPERGRAPH_RELOAD_DEBOUNCE_MS: '50', ...env });
  return { ...base, ...rest };
}

export async function startRouter(config: RouterConfig): Promise<RunningRouter> {
  return createRouter(config, { log: createLogger('router', process.env.LOG_LEVEL ?? 'warn') });
}
