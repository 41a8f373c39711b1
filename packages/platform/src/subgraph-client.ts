
export class SubgraphCallError extends Error {
  constructor(
    message: string,
    readonly target: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface SubgraphClientOptions {
  /** The owner subgraph's /graphql URL. */
  url: string;
  /** Sent as x-internal-token so the owner accepts its @inaccessible internal operations. */
  internalToken?: string;
  timeoutMs?: number;
}

export interface SubgraphClient {
  /** Runs one operation; GraphQL errors and transport failures throw a SubgraphCallError. */
  request<T>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<T>;
}


/**
 * Calls another subgraph directly (not through the router) for the synchronous reads and internal,
 * idempotent operations a request needs now (prices, tax, coupon redemption).
 */
export function createSubgraphClient(opts: SubgraphClientOptions): SubgraphClient {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  return {
    async request<T>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<T> {
      let res: Response;
      try {
        res = await fetch(opts.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(opts.internalToken ? { 'x-internal-token': opts.internalToken } : {}),
            ...headers,
          },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new SubgraphCallError(`${opts.url} unreachable: ${(err as Error).message}`, opts.url, true);
      }
      let body: { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
      try {
        body = (await res.json()) as typeof body;
      } catch {
        throw new SubgraphCallError(`${opts.url} answered ${res.status} without JSON`, opts.url, res.status >= 500);
      }
      if (body.errors?.length) {
        const first = body.errors[0]!;
        throw new SubgraphCallError(`${opts.url}: ${first.message} (${first.extensions?.code ?? 'no code'})`, opts.url, false);
      }
      if (!body.data) throw new SubgraphCallError(`${opts.url} returned no data`, opts.url, res.status >= 500);
      return body.data;
    },
  };
}
