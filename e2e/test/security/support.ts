import { createHash } from 'node:crypto';
import { buildClientSchema, getIntrospectionQuery, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { eventually, gql, type GraphQLResponse, type Shop, type ShopSubgraph } from '@shop/testing';

/**
 * Every error code a client may ever see, GraphQL `extensions.code` and `UserError.code` alike.
 * Anything else (INTERNAL_SERVER_ERROR above all) is a bug that hostile input found.
 *  - ../shared/docs/API.md: the UserError codes, and the GraphQL codes UNAUTHENTICATED, FORBIDDEN,
 *    BAD_USER_INPUT, QUERY_TOO_COMPLEX, RATE_LIMITED;
 *  - graphql-js / Apollo Server: GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_REQUEST
 *    (malformed HTTP request, body too large, batch refused, JSON nested too deep),
 *    OPERATION_RESOLUTION_FAILURE (no operationName for a document with several, or an unknown one),
 *    PERSISTED_QUERY_NOT_FOUND (APQ: a hash the router has not seen);
 *  - users schema.graphql: INVALID_TOKEN (refreshToken);
 *  - orders README: INVALID_PAYMENT_TOKEN, SERVICE_UNAVAILABLE (an owner down), PAYMENT_DECLINED;
 *  - products README: ARCHIVED; inventory README: BELOW_RESERVED; shipping README: INVALID_TRANSITION.
 */
export const DOCUMENTED_CODES: ReadonlySet<string> = new Set([
  // API.md UserError codes
  'INVALID_INPUT',
  'EMAIL_TAKEN',
  'INVALID_CREDENTIALS',
  'NOT_FOUND',
  'OUT_OF_STOCK',
  'INVALID_COUPON',
  'COUPON_EXHAUSTED',
  'ALREADY_REVIEWED',
  'NOT_CANCELLABLE',
  'DUPLICATE',
  // API.md GraphQL codes
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  // graphql-js / Apollo Server request errors
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  // subgraph READMEs and schema descriptions
  'INVALID_TOKEN',
  'INVALID_PAYMENT_TOKEN',
  'PAYMENT_DECLINED',
  'SERVICE_UNAVAILABLE',
  'ARCHIVED',
  'BELOW_RESERVED',
  'INVALID_TRANSITION',
]);

export interface RawResponse {
  status: number;
  text: string;
  json: any;
}

/** POSTs a body as given (a string is sent verbatim), never throws on a non-JSON answer. */
export async function post(url: string, body: string | unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // left undefined: the caller decides whether a non-JSON answer is acceptable
  }
  return { status: res.status, text, json };
}

export function bearer(token: string | null | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Every code in a response: GraphQL errors' extensions.code and every userErrors[].code anywhere in data. */
export function codesOf(json: unknown): string[] {
  const codes: string[] = [];
  const body = json as { errors?: Array<{ extensions?: { code?: unknown } }>; data?: unknown } | undefined;
  for (const e of body?.errors ?? []) codes.push(typeof e.extensions?.code === 'string' ? e.extensions.code : '(no code)');
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k === 'userErrors' && Array.isArray(child)) {
          for (const u of child) if (typeof (u as { code?: unknown })?.code === 'string') codes.push((u as { code: string }).code);
        } else walk(child);
      }
    }
  };
  walk(body?.data);
  return codes;
}

/** Codes outside DOCUMENTED_CODES. */
export function undocumentedCodes(json: unknown): string[] {
  return codesOf(json).filter((c) => !DOCUMENTED_CODES.has(c));
}

/** /health of the router and every subgraph of the shop: name -> HTTP status (0 when unreachable). */
export async function healthOf(shop: Shop): Promise<Record<string, number>> {
  const targets: Array<[string, string]> = [['router', shop.routerUrl], ...Object.entries(shop.subgraphs).map(([n, u]) => [n, u!] as [string, string])];
  const out: Record<string, number> = {};
  await Promise.all(
    targets.map(async ([name, url]) => {
      try {
        out[name] = (await fetch(new URL('/health', url), { signal: AbortSignal.timeout(5_000) })).status;
      } catch {
        out[name] = 0;
      }
    }),
  );
  return out;
}

export function allOk(health: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(health).map((k) => [k, 200]));
}

/** The API schema the router serves (introspection is on outside production). */
export async function apiSchema(routerUrl: string): Promise<GraphQLSchema> {
  const res = await gql<IntrospectionQuery>(routerUrl, getIntrospectionQuery());
  if (!res.data) throw new Error(`introspection failed: ${JSON.stringify(res.errors)}`);
  return buildClientSchema(res.data);
}

// Tables changed in the background (relays, consumers, leases): counted (outbox) or skipped, not checksummed.
const COUNTED_ONLY = /^outbox$/;
const SKIPPED = /^(processed_events|dead_letters?|__drizzle_migrations|.*lease.*)$/;

/**
 * A fingerprint of a subgraph's store: CHECKSUM TABLE of every business table (rows added,
 * removed or changed), the row count of its outbox (a refused write must not publish anything);
 * products: a hash of every product document without its pending-events bookkeeping.
 */
export async function storeFingerprint(shop: Shop, subgraph: ShopSubgraph): Promise<string> {
  if (subgraph === 'products') {
    const db = (shop.apps.products as unknown as { db: import('mongodb').Db }).db;
    const docs = await db
      .collection('products')
      .find({}, { projection: { pendingEvents: 0, pendingSince: 0 } })
      .sort({ _id: 1 })
      .toArray();
    return createHash('sha256').update(JSON.stringify(docs)).digest('hex');
  }
  if (subgraph === 'search') return '';
  const tables = await shop.sql<{ name: string }>(subgraph, 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name');
  const parts: string[] = [];
  const checksummed = tables.map((t) => t.name).filter((n) => !COUNTED_ONLY.test(n) && !SKIPPED.test(n));
  if (checksummed.length > 0) {
    const rows = await shop.sql<{ Table: string; Checksum: number | string | null }>(subgraph, `CHECKSUM TABLE ${checksummed.map((n) => `\`${n}\``).join(', ')}`);
    for (const r of rows) parts.push(`${r.Table}=${r.Checksum}`);
  }
  for (const t of tables.filter((x) => COUNTED_ONLY.test(x.name))) {
    const [row] = await shop.sql<{ n: number }>(subgraph, `SELECT COUNT(*) AS n FROM \`${t.name}\``);
    parts.push(`${t.name}#${row?.n}`);
  }
  return parts.join(';');
}

export async function fingerprints(shop: Shop, subgraphs: readonly ShopSubgraph[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const s of subgraphs) out[s] = await storeFingerprint(shop, s);
  return out;
}

/** Waits until the stores stop changing (relays and consumers finished what earlier steps started). */
export async function settled(shop: Shop, subgraphs: readonly ShopSubgraph[], quietMs = 400, timeoutMs = 20_000): Promise<void> {
  let last = JSON.stringify(await fingerprints(shop, subgraphs));
  let since = Date.now();
  await eventually(
    async () => {
      const now = JSON.stringify(await fingerprints(shop, subgraphs));
      if (now !== last) {
        last = now;
        since = Date.now();
        return undefined;
      }
      return Date.now() - since >= quietMs ? true : undefined;
    },
    timeoutMs,
    150,
  );
}

export type Principal = 'anonymous' | 'customerA' | 'customerB' | 'admin';

/** GraphQL through the router with the given token. */
export async function asCaller<T = Record<string, unknown>>(shop: Shop, token: string | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
  return gql<T>(shop.routerUrl, query, variables, { token });
}
