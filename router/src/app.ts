import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { createLogger, type Logger } from '@shop/platform';
import type { RouterConfig } from './config.js';
import { ForwardingDataSource, subgraphFetcher, type RouterContext } from './datasource.js';
import { formatRouterError, queryLimits, refuseUnresolvedOperation } from './limits.js';
import { checkSubgraphs } from './readiness.js';
import { resolveSubgraphUrl, subgraphsOf, supergraphFile, type SubgraphEndpoint, type SupergraphFile } from './supergraph.js';

export interface RouterOptions {
  log?: Logger;
}

export interface RunningRouter {
  /** http://host:port/graphql */
  url: string;
  port: number;
  server: http.Server;
  supergraph: SupergraphFile;
  /** The subgraphs of the served supergraph, with URL overrides applied. */
  subgraphs(): SubgraphEndpoint[];
  /** Stops taking requests, lets in-flight ones finish, stops the gateway and the file watchers. */
  stop(): Promise<void>;
}

class BodyTooLarge extends Error {}

async function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge();
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

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * True when JSON text nests arrays/objects deeper than `max` (strings skipped). JSON.parse copes
 * with any depth, but the gateway's JSON.stringify of the variables it forwards overflows the stack
 * on a deeply nested value for a custom scalar (e.g. DateTime), which no schema rule stops.
 */
export function jsonNestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

function tooDeep(res: http.ServerResponse, max: number): void {
  sendJson(res, 400, { errors: [{ message: `JSON nested deeper than ${max} levels`, extensions: { code: 'BAD_REQUEST' } }] });
}

/** The client's address as the router's socket sees it (IPv4-mapped IPv6 written as IPv4). */
function peerAddress(req: http.IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** A usable client request id, or a fresh one (ids travel to subgraphs and logs, so keep them tame). */
function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * The router: Apollo Gateway serving schema/supergraph.graphql over node:http, with limits
 * checked before planning, header forwarding, keep-alive to subgraphs, hot reload of the
 * supergraph, /health and /ready.
 */
export async function createRouter(config: RouterConfig, options: RouterOptions = {}): Promise<RunningRouter> {
  // The gateway otherwise reports usage metrics to Apollo and probes cloud metadata endpoints.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const log = options.log ?? createLogger('router', config.logLevel);
  const supergraph = supergraphFile({
    path: config.supergraphPath,
    log: log.child({ component: 'supergraph' }),
    pollIntervalMs: config.reload.pollIntervalMs,
    debounceMs: config.reload.debounceMs,
  });
  const fetcher = subgraphFetcher({ timeoutMs: config.subgraphTimeoutMs, dedup: config.subgraphDedup });
  let endpoints: { sdl: string; list: SubgraphEndpoint[] } = { sdl: '', list: [] };
  const subgraphs = (): SubgraphEndpoint[] => {
    const sdl = supergraph.current();
    if (endpoints.sdl !== sdl) {
      const list = subgraphsOf(sdl).map((s) => ({ name: s.name, url: resolveSubgraphUrl(s.name, s.url, config.subgraphUrls) }));
      endpoints = { sdl, list };
    }
    return endpoints.list;
  };

  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.hook,
    buildService: ({ name, url }) => new ForwardingDataSource({ url: resolveSubgraphUrl(name, url, config.subgraphUrls), fetcher, subgraphName: name }),
    // Query plans are cached per operation in an LRU of roughly this size; a new supergraph clears it.
    experimental_approximateQueryPlanStoreMiB: config.queryPlanCacheMiB,
    __exposeQueryPlanExperimental: !config.production,
    logger: log.child({ component: 'gateway' }),
  });

  const limits = queryLimits(config.limits, config.production);
  const apollo = new ApolloServer<RouterContext>({
    gateway,
    csrfPrevention: true,
    introspection: !config.production,
    includeStacktraceInErrorResponses: !config.production,
    formatError: formatRouterError(config.production),
    // armor's rules run in Apollo's validation phase, before the gateway's executor plans.
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    allowBatchedHttpRequests: false,
    // exitOnSignals (index.ts) owns SIGTERM; tests stop the router themselves.
    stopOnTerminationSignals: false,
    plugins: [
      ...limits.plugins,
      refuseUnresolvedOperation,
      // No Studio reporting, hence no ftv1 inline traces requested from subgraphs.
      ApolloServerPluginUsageReportingDisabled(),
      config.production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false }),
    ],
    logger: log.child({ component: 'apollo' }),
  });
  await apollo.start();

  let shuttingDown = false;
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    try {
      if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok', service: 'router' });
      if (url.pathname === '/ready') {
        if (shuttingDown) return sendJson(res, 503, { ready: false, reason: 'shutting down' });
        const result = await checkSubgraphs(subgraphs(), config.readyTimeoutMs);
        return sendJson(res, result.ready ? 200 : 503, { service: 'router', ...result });
      }
      if (url.pathname !== '/graphql' && url.pathname !== '/') return sendJson(res, 404, { error: 'not found' });

      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      for (const param of ['variables', 'extensions']) {
        const value = url.searchParams.get(param);
        if (value && jsonNestingExceeds(value, config.maxJsonDepth)) return tooDeep(res, config.maxJsonDepth);
      }
      let body: unknown = undefined;
      if (req.method === 'POST') {
        const text = await readBody(req, config.maxBodyBytes);
        if (jsonNestingExceeds(text, config.maxJsonDepth)) return tooDeep(res, config.maxJsonDepth);
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          return sendJson(res, 400, { errors: [{ message: 'Body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
        }
      }
      const requestLog = log.child({ requestId });
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => ({ requestId, authorization: req.headers.authorization, clientAddress: peerAddress(req), log: requestLog }),
      });
      for (const [key, value] of result.headers) res.setHeader(key, value);
      // Draining: let the client's keep-alive connection go with this response.
      if (shuttingDown) res.setHeader('connection', 'close');
      res.statusCode = result.status ?? 200;
      if (result.body.kind === 'complete') {
        res.end(result.body.string);
      } else {
        for await (const chunk of result.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        // The rest of the body is not read: close the connection instead of keeping it alive.
        return sendJson(
          res,
          413,
          { errors: [{ message: `Request body larger than ${config.maxBodyBytes} bytes`, extensions: { code: 'BAD_REQUEST' } }] },
          { connection: 'close' },
        );
      }
      log.error({ err, requestId }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error' }] });
      else res.end();
    }
  });
  // Clients (load balancers) may hold idle connections; keep them a little longer than typical LB idle timeouts.
  server.keepAliveTimeout = 75_000;
  server.headersTimeout = 76_000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (err) {
    await apollo.stop();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/graphql`;
  log.info({ url, subgraphs: subgraphs() }, 'router ready');

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      shuttingDown = true;
      // Idle keep-alive sockets would hold close() up to keepAliveTimeout: close them as they idle.
      const reaper = setInterval(() => server.closeIdleConnections(), 100);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearInterval(reaper);
      await apollo.stop();
      log.info('router stopped');
    })();
    return stopping;
  };
  return { url, port, server, supergraph, subgraphs, stop };
}
