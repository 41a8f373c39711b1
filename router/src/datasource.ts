import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError, Kind, parse, type SelectionSetNode } from 'graphql';
import type { Logger } from '@shop/platform';

/** What the router knows about an incoming request; the gateway hands it to every subgraph fetch. */
export interface RouterContext {
  requestId: string;
  /** The client's Authorization header, forwarded as is: every subgraph verifies the token itself. */
  authorization?: string;
  /**
   * The client's address as the router's socket sees it. Sent to every subgraph as
   * `x-forwarded-for`, replacing whatever the client sent: the router is where clients enter,
   * so no client can choose the address a subgraph rate-limits on (users' login limits).
   */
  clientAddress?: string;
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

/** The subgraph did not answer: refused or reset connection, timeout, or a gateway-ish HTTP status. */
function isUnreachable(err: unknown): boolean {
  const e = err as { name?: string; message?: string; extensions?: { response?: { status?: number } } } | null;
  if (!e) return false;
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
  if (e.name === 'TypeError' && e.message === 'fetch failed') return true;
  const status = e.extensions?.response?.status;
  return status === 502 || status === 503 || status === 504;
}

type GatewayError = { message: string; path?: Array<string | number>; extensions: Record<string, unknown> };

/** Response names of the fields a selection set asks for, inline fragments flattened. */
function fieldsOf(selectionSet: SelectionSetNode | undefined): string[] {
  return (selectionSet?.selections ?? []).flatMap((s) =>
    s.kind === Kind.FIELD ? [s.alias?.value ?? s.name.value] : s.kind === Kind.INLINE_FRAGMENT ? fieldsOf(s.selectionSet) : [],
  );
}

/**
 * One error per field the unavailable subgraph was asked for, with that field's path in the
 * subgraph operation (`_entities.<i>.<field>` for an entity fetch): the gateway rewrites each
 * to the field's path in the client's response.
 */
function unavailableErrors(query: string | undefined, representations: number, error: Omit<GatewayError, 'path'>): GatewayError[] {
  try {
    const operation = parse(query ?? '').definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    const roots = operation?.selectionSet.selections.filter((s) => s.kind === Kind.FIELD) ?? [];
    const entities = roots.find((f) => f.name.value === '_entities');
    const paths = entities
      ? Array.from({ length: representations }, (_, i) => fieldsOf(entities.selectionSet).map((f) => ['_entities', i, f])).flat()
      : roots.map((f) => [f.alias?.value ?? f.name.value]);
    if (paths.length > 0) return paths.map((path) => ({ ...error, path }));
  } catch {
    /* not parseable: one error without a path */
  }
  return [error];
}

/** Forwards the caller's Authorization and the request id to every subgraph. */
export class ForwardingDataSource extends RemoteGraphQLDataSource<RouterContext> {
  /** The subgraph's name in the supergraph, for error messages. */
  private readonly subgraphName: string;

  constructor(config: { url: string; fetcher: Fetcher; subgraphName: string }) {
    const { subgraphName, ...dataSource } = config;
    super(dataSource);
    this.subgraphName = subgraphName;
  }

  /**
   * A subgraph that is down fails only the fields it resolves: its fetch answers with a
   * SERVICE_UNAVAILABLE error (instead of throwing), which the gateway reports with the path of
   * those fields and completes the rest of the response from the other subgraphs.
   */
  override async process(options: GraphQLDataSourceProcessOptions<RouterContext>): ReturnType<RemoteGraphQLDataSource['process']> {
    try {
      return await super.process(options);
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      const service = this.subgraphName;
      (options.context as Partial<RouterContext>).log?.warn({ subgraph: service, err: (err as Error).message }, 'subgraph unavailable');
      const representations = (options.request.variables?.representations as unknown[] | undefined)?.length ?? 0;
      return {
        errors: unavailableErrors(options.request.query, representations, {
          message: `The ${service} service is unavailable`,
          extensions: { code: 'SERVICE_UNAVAILABLE', service, retryable: true },
        }),
      };
    }
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<RouterContext>): void {
    const headers = options.request.http?.headers;
    if (!headers) return;
    const context = options.context as Partial<RouterContext>;
    if (context.requestId) headers.set('x-request-id', context.requestId);
    if (context.authorization) headers.set('authorization', context.authorization);
    if (context.clientAddress) headers.set('x-forwarded-for', context.clientAddress);
  }

  /**
   * A subgraph answers 400 with GraphQL errors when it cannot even start the operation the router
   * sent, e.g. a variable of a custom scalar (DateTime) that only the subgraph can parse: that is the
   * client's bad input, so relay the subgraph's BAD_USER_INPUT instead of a bare "400: Bad Request"
   * carrying the subgraph's URL and body (which production masks as an internal error).
   */
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]): Promise<GraphQLError> {
    const error = await super.errorFromResponse(response);
    const body = (error.extensions.response as { body?: unknown } | undefined)?.body as { errors?: unknown } | undefined;
    const first = Array.isArray(body?.errors) ? (body.errors[0] as { message?: unknown; extensions?: { code?: unknown } }) : undefined;
    if (response.status === 400 && first?.extensions?.code === 'BAD_USER_INPUT' && typeof first.message === 'string') {
      return new GraphQLError(first.message, { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return error;
  }
}
