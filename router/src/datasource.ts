import http from 'node:http';
import https from 'node:https';
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
type FetcherResponse = Awaited<ReturnType<Fetcher>>;
type FetcherHeaders = FetcherResponse['headers'];

export interface SubgraphFetcherOptions {
  /** A subgraph request that takes longer is aborted and reported as that field's error. */
  timeoutMs: number;
  /**
   * Inflight deduplication: identical concurrent subgraph *queries* (same URL, Authorization and
   * body) share one HTTP request; each caller parses its own copy of the response text.
   */
  dedup?: boolean;
  /** Idle keep-alive sockets are closed after this long: before the subgraphs' 75 s keepAliveTimeout. */
  idleSocketMs?: number;
}

interface RawResponse {
  url: string;
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Read-only headers over node's IncomingHttpHeaders (RemoteGraphQLDataSource reads content-type and cache-control). */
class ResponseHeaders implements FetcherHeaders {
  constructor(private readonly raw: http.IncomingHttpHeaders) {}
  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }
  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
  *entries(): IterableIterator<[string, string]> {
    for (const k of Object.keys(this.raw)) yield [k, this.get(k)!];
  }
  *keys(): IterableIterator<string> {
    yield* Object.keys(this.raw);
  }
  *values(): IterableIterator<string> {
    for (const [, v] of this.entries()) yield v;
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
  append(): void {
    throw new TypeError('immutable headers');
  }
  delete(): void {
    throw new TypeError('immutable headers');
  }
  set(): void {
    throw new TypeError('immutable headers');
  }
}

function toFetcherResponse(raw: RawResponse): FetcherResponse {
  return {
    url: raw.url,
    status: raw.status,
    statusText: raw.statusText,
    ok: raw.status >= 200 && raw.status < 300,
    redirected: false,
    bodyUsed: false,
    headers: new ResponseHeaders(raw.headers),
    text: async () => raw.body,
    // Parsed per caller: the gateway merges into (mutates) what it gets, so deduplicated callers must not share objects.
    json: async () => JSON.parse(raw.body) as unknown,
    arrayBuffer: async () => new TextEncoder().encode(raw.body).buffer as ArrayBuffer,
    clone: () => toFetcherResponse(raw),
  };
}

// RemoteGraphQLDataSource sends JSON.stringify({ query, ...rest }); a query document starts with
// "query" or "{". Mutations (and anything else) are never deduplicated.
const QUERY_BODY = /^\{"query":"(?:query\b|\{)/;

/**
 * Subgraph requests over node:http(s) with keep-alive agents rather than the global fetch: on the
 * peer benchmark, undici's WHATWG fetch (Request/Response objects, web streams, an AbortSignal per
 * call) was a quarter of the router's CPU; this client raised throughput per core 1.6-1.9x
 * (bench/README.md). Sockets are pooled per origin and reused most-recent-first; an idle socket is
 * closed after `idleSocketMs` (60 s), before the subgraph's 75 s keepAliveTimeout, so the router
 * never sends a request on a socket the server is closing. Failures look like undici's (TypeError
 * "fetch failed" with the cause, TimeoutError), which isUnreachable() recognises.
 */
export function subgraphFetcher(opts: SubgraphFetcherOptions): Fetcher {
  const agentOptions = { keepAlive: true, timeout: opts.idleSocketMs ?? 60_000, scheduling: 'lifo' as const };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const targets = new Map<string, { request: typeof http.request; options: http.RequestOptions }>();
  const inflight = new Map<string, Promise<RawResponse>>();

  function target(url: string) {
    let t = targets.get(url);
    if (!t) {
      const u = new URL(url);
      const secure = u.protocol === 'https:';
      const options = { hostname: u.hostname, port: u.port || undefined, path: u.pathname + u.search, method: 'POST', agent: secure ? httpsAgent : httpAgent };
      t = { request: secure ? https.request : http.request, options };
      targets.set(url, t);
    }
    return t;
  }

  function send(url: string, headers: Record<string, string>, body: string): Promise<RawResponse> {
    const { request, options } = target(url);
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const req = request({ ...options, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (cause) => reject(new TypeError('fetch failed', { cause })));
        res.on('end', () =>
          resolve({
            url,
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headers: res.headers,
            body: (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8'),
          }),
        );
      });
      // A budget for the whole request, like the AbortSignal.timeout it replaces.
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy();
      }, opts.timeoutMs);
      req.once('close', () => clearTimeout(timer));
      req.on('error', (cause) =>
        reject(timedOut ? new DOMException(`subgraph request timed out after ${opts.timeoutMs} ms`, 'TimeoutError') : new TypeError('fetch failed', { cause })),
      );
      req.end(body);
    });
  }

  const fetcher = async (url: string, init?: Parameters<Fetcher>[1]): Promise<FetcherResponse> => {
    const body = typeof init?.body === 'string' ? init.body : (init?.body?.toString('utf8') ?? '');
    const headers = init?.headers ?? {};
    if (!opts.dedup || !QUERY_BODY.test(body)) return toFetcherResponse(await send(url, headers, body));
    // x-request-id and x-forwarded-for differ per client request without changing the answer: not in the key.
    const key = `${url}\n${headers.authorization ?? ''}\n${body}`;
    let shared = inflight.get(key);
    if (!shared) {
      shared = send(url, headers, body);
      inflight.set(key, shared);
      const forget = () => inflight.delete(key);
      shared.then(forget, forget);
    }
    return toFetcherResponse(await shared);
  };
  return fetcher;
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
