import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { BlockList, isIP, type AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode } from 'graphql';
import type { Logger } from './logger.js';
import { makeFormatError } from './errors.js';
import { createTokenVerifier, isInternalCaller, type AuthState, type TokenVerifier } from './auth.js';
import type { BaseEnv } from './config.js';
import { roundTripsEnabled, roundTripsPlugin, roundTripsRoute, RoundTripTotals, withRequestRoundTrips } from './roundtrips.js';

/** What every resolver gets; a subgraph adds its own fields (stores, loaders) through `context`. */
export interface RequestContext {
  requestId: string;
  log: Logger;
  auth: AuthState;
  /** True when the request carries the internal token (another subgraph calling). */
  internalCaller: boolean;
  /** The end client's IP address (see clientAddress): what per-client limits count on. */
  clientIp: string;
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
  /**
   * Datastore round trips per request in `extensions.roundTrips`, and their sums at
   * `/debug/roundtrips` (roundtrips.ts). Default: NODE_ENV=test or EXPOSE_ROUNDTRIPS=true.
   */
  exposeRoundTrips?: boolean;
}

export interface RunningSubgraph {
  url: string;
  port: number;
  server: http.Server;
  /** Stops taking requests, lets in-flight ones finish, then runs onShutdown hooks. */
  stop(): Promise<void>;
}

class BodyTooLarge extends Error {}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) written as IPv4, so one client has one spelling. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * Peers whose `x-forwarded-for` a subgraph believes: loopback and private networks, where the
 * router runs (docker compose publishes only the router). The router overwrites the header with
 * the address its own socket sees, so a client cannot choose it; a client that reaches a subgraph
 * directly from a public address is counted by its own address.
 */
const TRUSTED_PROXIES = new BlockList();
TRUSTED_PROXIES.addSubnet('127.0.0.0', 8, 'ipv4');
TRUSTED_PROXIES.addSubnet('10.0.0.0', 8, 'ipv4');
TRUSTED_PROXIES.addSubnet('172.16.0.0', 12, 'ipv4');
TRUSTED_PROXIES.addSubnet('192.168.0.0', 16, 'ipv4');
TRUSTED_PROXIES.addAddress('::1', 'ipv6');
TRUSTED_PROXIES.addSubnet('fc00::', 7, 'ipv6');

/** The end client's address: the forwarded one when the peer is a trusted proxy (the router), else the peer. */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
  const direct = plainAddress(peer ?? '');
  const family = isIP(direct);
  if (typeof forwardedFor !== 'string' || family === 0 || !TRUSTED_PROXIES.check(direct, family === 4 ? 'ipv4' : 'ipv6')) return direct;
  // The rightmost entry is the one the proxy next to us wrote.
  const forwarded = plainAddress(forwardedFor.split(',').at(-1)?.trim() ?? '');
  return isIP(forwarded) ? forwarded : direct;
}

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
  const roundTrips = (opts.exposeRoundTrips ?? roundTripsEnabled()) ? new RoundTripTotals() : null;
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
      ...(roundTrips ? [roundTripsPlugin<TContext & BaseContext>()] : []),
      // Production: no page at all (the production default is still an HTML page pointing at Apollo's tools).
      opts.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true }),
    ],
    logger: opts.log,
  });
  await apollo.start();

  let shuttingDown = false;
  const maxBody = opts.maxBodyBytes ?? 1_000_000;
  const readiness = opts.readiness ?? {};
  const routes = roundTrips ? { ...opts.routes, '/debug/roundtrips': roundTripsRoute(opts.name, roundTrips) } : opts.routes;

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
      const route = routes?.[url.pathname];
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
      const execute = () => apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => {
          const auth = await opts.verifyToken(req.headers.authorization);
          const internalCaller = isInternalCaller(req.headers['x-internal-token'], opts.internalToken);
          const clientIp = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for']);
          return (await opts.context({ requestId, log, auth, internalCaller, clientIp })) as TContext & BaseContext;
        },
      });
      // Counting on: the whole request (token check, context, execution) in its own scope.
      const result = await (roundTrips ? withRequestRoundTrips(roundTrips, execute) : execute());
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

/**
 * What every subgraph's server takes from its config the same way: its address, production mode,
 * token verification against the users subgraph's JWKS (unless `verifyToken` replaces it, as tests
 * and users itself do) and the internal-caller secret.
 */
export function serverSettings(
  config: BaseEnv & { PORT: number },
  verifyToken?: TokenVerifier,
): Pick<SubgraphOptions<RequestContext>, 'port' | 'host' | 'production' | 'verifyToken' | 'internalToken'> {
  return {
    port: config.PORT,
    host: config.HOST,
    production: config.NODE_ENV === 'production',
    verifyToken: verifyToken ?? createTokenVerifier({ issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, jwks: config.JWKS_URL }),
    internalToken: config.INTERNAL_API_TOKEN,
  };
}
