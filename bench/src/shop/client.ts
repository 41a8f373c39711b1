/** The orchestrator's own GraphQL calls (seeding, sign-ins, the saga bench): fetch, JSON in and out. */

export interface GqlResult {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the bench reads untyped response data
  data?: any;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export async function gql(url: string, query: string, variables?: Record<string, unknown>, token?: string, timeoutMs = 30_000): Promise<GqlResult> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  try {
    const body = JSON.parse(text) as Omit<GqlResult, 'status'>;
    return { status: res.status, data: body.data, errors: body.errors };
  } catch {
    throw new Error(`non-JSON answer (HTTP ${res.status}) from ${url}: ${text.slice(0, 200)}`);
  }
}

/** Like gql, but throws on GraphQL errors and on user errors of the named payload. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function must(url: string, query: string, variables: Record<string, unknown>, token?: string, payload?: string): Promise<any> {
  const res = await gql(url, query, variables, token);
  const userErrors = payload ? (res.data?.[payload]?.userErrors as unknown[] | undefined) : undefined;
  if (res.errors || (userErrors && userErrors.length > 0)) throw new Error(`${payload ?? 'operation'} failed: ${JSON.stringify(res.errors ?? userErrors)}`);
  return res.data;
}

/** Runs `task` over `items` with at most `concurrency` at a time; results in order. */
export async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      results[i] = await task(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** Signs customers in (argon2 verify in the users subgraph, ~0.1 s each); returns their tokens in order. */
export async function signIn(usersUrl: string, emails: string[], password: string, concurrency = 2): Promise<string[]> {
  return pool(emails, concurrency, async (email) => {
    const data = await must(usersUrl, `mutation ($input: LoginInput!) { login(input: $input) { accessToken userErrors { code message } } }`, {
      input: { email, password },
    }, undefined, 'login');
    return data.login.accessToken as string;
  });
}
