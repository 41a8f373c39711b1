import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Logger } from '@shop/platform';

/** What the router knows about an incoming request; the gateway hands it to every subgraph fetch. */
export interface RouterContext {
  requestId: string;
  /** The client's Authorization header, forwarded as is: every subgraph verifies the token itself. */
  authorization?: string;
  log: Logger;
}

type Fetcher = RemoteGraphQLDataSource['fetcher'];

/**
 * Subgraph requests go through Node's global fetch (undici). Its global dispatcher keeps
 * connections alive and pools them per origin. An idle socket is closed after the server's
 * `Keep-Alive: timeout=75` hint (platform sets keepAliveTimeout 75 s) minus undici's safety
 * threshold (keepAliveTimeoutThreshold, 1 s in the undici 6 of Node 20), i.e. after ~74 s, or after
 * 4 s when a server sends no hint: the router always closes an idle connection before the
 * subgraph does, so it never sends a request on a socket the server is closing.
 * (The gateway's default, make-fetch-happen, would add its own agent and caching layer.)
 */
export function subgraphFetcher(timeoutMs: number): Fetcher {
  const fetcher = (url: string, init?: Parameters<Fetcher>[1]) =>
    fetch(url, {
      method: init?.method,
      headers: init?.headers,
      body: init?.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  return fetcher as unknown as Fetcher;
}

/** Forwards the caller's Authorization and the request id to every subgraph. */
export class ForwardingDataSource extends RemoteGraphQLDataSource<RouterContext> {
  override willSendRequest(options: GraphQLDataSourceProcessOptions<RouterContext>): void {
    const headers = options.request.http?.headers;
    if (!headers) return;
    const context = options.context as Partial<RouterContext>;
    if (context.requestId) headers.set('x-request-id', context.requestId);
    if (context.authorization) headers.set('authorization', context.authorization);
  }
}
