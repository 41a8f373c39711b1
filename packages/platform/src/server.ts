import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode } from 'graphql';
import type { Logger } from './logger.js';
import { makeFormatError } from './errors.js';
import { isInternalCaller, type AuthState, type TokenVerifier } from './auth.js';

/** What every resolver gets; a subgraph adds its own fields (stores, loaders) through `context`. */
export interface RequestContext {
  requestId: string;
  log: Logger;
  auth: AuthState;
  /** True when the request carries the internal token (another subgraph calling). */
  internalCaller: boolean;
}

export type ReadinessCheck = () => Promise<void>;
export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void;

export interface SubgraphOptions<TContext extends RequestContext> {
  name: string;
  typeDefs: DocumentNode;
  // Resolver maps from codegen are structurally compatible with this loose type.
  resolvers: GraphQLResolverMap<TContext> | object;
  port: number;
  host?: string;
  production: boolean;
  log: Logger;
  verifyToken: TokenVerifier;
  /** Secret for internal operations (config INTERNAL_API_TOKEN); absent = no internal callers. */
  internalToken?: string;
  /** Adds the subgraph's own per-request context (DataLoaders, stores). */
  context: (base: RequestContext) => TContext | Promise<TContext>;
  /** Named checks run by GET /ready, e.g. { mysql: () => db.ping() }. */
  readiness?: Record<string, ReadinessCheck>;
  /** Extra GET routes, e.g. the JWKS that users publishes. */
  routes?: Record<string, RouteHandler>;
  /** Called after the HTTP server stopped, to close pools and consumers. */
  onShutdown?: Array<() => Promise<void>>;
  maxBodyBytes?: number;
}

export interface RunningSubgraph {
  url: string;
  port: number;
  server: http.Server;
  /** Stops taking requests, lets in-flight ones finish, then runs onShutdown hooks. */
  stop(): Promise<void>;
}

class BodyTooLarge extends Error {}

async function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function runReadiness(checks: Record<string, ReadinessCheck>): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const results: Record<string, string> = {};
  let ready = true;
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000).unref()),
        ]);
        results[name] = 'ok';
      } catch (err) {
        ready = false;
        results[name] = `down: ${(err as Error).message}`;
      }
    }),
  );
  return { ready, checks: results };
}

/**
 * The one way a subgraph starts: federation schema, Apollo Server, /graphql, /health, /ready,
 * request ids, token verification, graceful shutdown.
 */
export async function startSubgraph<TContext extends RequestContext>(
  opts: SubgraphOptions<TContext>,
): Promise<RunningSubgraph> {
  const schema = buildSubgraphSchema({ typeDefs: opts.typeDefs, resolvers: opts.resolvers as GraphQLResolverMap<unknown> });
  const apollo = new ApolloServer<TContext & BaseContext>({
    schema,
    csrfPrevention: true,
    // exitOnSignals owns shutdown; Apollo's own handler re-sends the signal, which reads as a second one.
    stopOnTerminationSignals: false,
    introspection: !opts.production,
    includeStacktraceInErrorResponses: !opts.production,
    formatError: makeFormatError(opts.production),
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      opts.production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true }),
    ],
    logger: opts.log,
  });
  await apollo.start();

  let shuttingDown = false;
  const maxBody = opts.maxBodyBytes ?? 1_000_000;
  const readiness = opts.readiness ?? {};

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const requestId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 100) || randomUUID();
    res.setHeader('x-request-id', requestId);
    // Draining: let the client's keep-alive connection go with this response.
    if (shuttingDown) res.setHeader('connection', 'close');
    try {
      if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok', service: opts.name });
      if (url.pathname === '/ready') {
        if (shuttingDown) return sendJson(res, 503, { ready: false, reason: 'shutting down' });
        const result = await runReadiness(readiness);
        return sendJson(res, result.ready ? 200 : 503, { service: opts.name, ...result });
      }
      const route = opts.routes?.[url.pathname];
      if (route) return await route(req, res);
      if (url.pathname !== '/graphql' && url.pathname !== '/') return sendJson(res, 404, { error: 'not found' });

      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      let body: unknown = undefined;
      if (req.method === 'POST') {
        const text = await readBody(req, maxBody);
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          return sendJson(res, 400, { errors: [{ message: 'Body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
        }
      }
      const log = opts.log.child({ requestId });
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => {
          const auth = await opts.verifyToken(req.headers.authorization);
          const internalCaller = isInternalCaller(req.headers['x-internal-token'], opts.internalToken);
          return (await opts.context({ requestId, log, auth, internalCaller })) as TContext & BaseContext;
        },
      });
      for (const [key, value] of result.headers) res.setHeader(key, value);
      res.statusCode = result.status ?? 200;
      if (result.body.kind === 'complete') {
        res.end(result.body.string);
      } else {
        for await (const chunk of result.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        return sendJson(res, 413, { errors: [{ message: 'Request body too large', extensions: { code: 'BAD_REQUEST' } }] });
      }
      opts.log.error({ err, requestId }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error' }] });
      else res.end();
    }
  });
  server.keepAliveTimeout = 75_000; // longer than the router's idle socket timeout
  server.headersTimeout = 76_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}/graphql`;
  opts.log.info({ url }, `${opts.name} subgraph ready`);

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      shuttingDown = true;
      // A keep-alive connection busy when close() starts would hold the server open until its
      // idle timeout: keep closing connections as they turn idle until all are gone.
      const reaper = setInterval(() => server.closeIdleConnections(), 100);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearInterval(reaper);
      await apollo.stop();
      for (const hook of opts.onShutdown ?? []) {
        try {
          await hook();
        } catch (err) {
          opts.log.warn({ err }, 'shutdown hook failed');
        }
      }
      opts.log.info(`${opts.name} stopped`);
    })();
    return stopping;
  };
  return { url, port, server, stop };
}

/** SIGTERM/SIGINT: stop gracefully, then exit; a second signal exits at once. */
export function exitOnSignals(stop: () => Promise<void>, log: Logger): void {
  let signalled = false;
  const handler = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(1);
    signalled = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 15_000);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
