import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { loadPeerData, type PeerData } from './data.js';
import { PEER_SUBGRAPH_NAMES, peerSubgraphSchemas, type PeerSubgraphName } from './subgraphs.js';

export interface PeerSubgraphsOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4200, the port in the peer supergraph; 0 picks a free one (tests). */
  port?: number;
  data?: PeerData;
  /** Introspection off and errors without stack traces. Default: NODE_ENV === 'production'. */
  production?: boolean;
}

export interface RunningPeerSubgraphs {
  port: number;
  /** http://host:port/<name>, e.g. for SUBGRAPH_<NAME>_URL overrides. */
  urls: Record<PeerSubgraphName, string>;
  server: http.Server;
  stop(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The four peer subgraphs (accounts, inventory, products, reviews) in ONE Node process and one
 * HTTP server, under /accounts, /inventory, /products and /reviews as the peer supergraph says.
 * Apollo Server 5 + buildSubgraphSchema, no inline (ftv1) tracing, no usage reporting, no
 * landing page. Keep-alive: idle sockets are kept 75 s and the `Keep-Alive: timeout=75` hint
 * is sent, so gateways' pools close idle sockets before the server does.
 */
export async function startPeerSubgraphs(opts: PeerSubgraphsOptions = {}): Promise<RunningPeerSubgraphs> {
  const host = opts.host ?? '127.0.0.1';
  const production = opts.production ?? process.env.NODE_ENV === 'production';
  const schemas = peerSubgraphSchemas(opts.data ?? loadPeerData());
  const servers = new Map<string, ApolloServer>();
  for (const name of PEER_SUBGRAPH_NAMES) {
    const apollo = new ApolloServer({
      schema: schemas[name],
      introspection: !production,
      includeStacktraceInErrorResponses: !production,
      stopOnTerminationSignals: false,
      plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginLandingPageDisabled()],
    });
    await apollo.start();
    servers.set(`/${name}`, apollo);
  }

  // Requests served per subgraph path: the bench reads GET /stats to report how many subgraph
  // requests one gateway request costs (and so whether a gateway's deduplication is on).
  const counts: Record<string, number> = Object.fromEntries(PEER_SUBGRAPH_NAMES.map((n) => [n, 0]));
  const server = http.createServer(async (req, res) => {
    try {
      const rawUrl = req.url ?? '/';
      const q = rawUrl.indexOf('?');
      const pathname = q === -1 ? rawUrl : rawUrl.slice(0, q);
      if (pathname === '/health') return sendJson(res, 200, { status: 'ok', service: 'peer-subgraphs' });
      if (pathname === '/stats') return sendJson(res, 200, { requests: counts });
      const apollo = servers.get(pathname);
      if (!apollo) return sendJson(res, 404, { error: 'not found' });
      counts[pathname.slice(1)]!++;
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      let body: unknown;
      if (req.method === 'POST') {
        const text = await readBody(req);
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          return sendJson(res, 400, { errors: [{ message: 'Body is not valid JSON' }] });
        }
      }
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: q === -1 ? '' : rawUrl.slice(q), body },
        context: async () => ({}),
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
      console.error('peer subgraphs: request failed', err);
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error' }] });
      else res.end();
    }
  });
  server.keepAliveTimeout = 75_000;
  server.headersTimeout = 76_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 4200, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const base = `http://${host}:${port}`;
  const urls = Object.fromEntries(PEER_SUBGRAPH_NAMES.map((n) => [n, `${base}/${n}`])) as Record<PeerSubgraphName, string>;

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.all([...servers.values()].map((s) => s.stop()));
    })();
    return stopping;
  };
  return { port, urls, server, stop };
}
