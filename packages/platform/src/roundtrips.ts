import { AsyncLocalStorage } from 'node:async_hooks';
import type http from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

/**
 * Datastore round trips per GraphQL request, for the N+1 test (e2e/test/roundtrips.test.ts) and
 * for looking at a subgraph by hand. Off unless enabled (`roundTripsEnabled`): then every GraphQL
 * request of a subgraph runs in its own AsyncLocalStorage scope, each datastore call made while
 * it runs is counted there (MySQL: pool `query`/`execute`, also on connections taken for a
 * transaction; MongoDB: one per command, from the driver's command monitoring; Redis: one per
 * command sent), and
 *   - the response carries them: `extensions.roundTrips = { mysql?, mongo?, redis?, total }`;
 *   - `GET /debug/roundtrips` answers the sums over every request since start or the last reset
 *     (`{ service, requests, roundTrips }`), `DELETE /debug/roundtrips` (or `POST ...?reset`) resets.
 * Work outside a request (outbox relays, Kafka consumers, readiness pings) is never counted.
 * The router does not forward subgraph `extensions` to clients: read a subgraph's counts from its
 * own response or from its /debug/roundtrips.
 */

export type RoundTripStore = 'mysql' | 'mongo' | 'redis';
export type RoundTripCounts = Partial<Record<RoundTripStore, number>> & { total: number };

/**
 * Enabled with NODE_ENV=test (unless EXPOSE_ROUNDTRIPS=false) or EXPOSE_ROUNDTRIPS=true. Read
 * from the process environment, like NODE_ENV itself, so the datastore hooks (db.ts, products'
 * Mongo client, search's Redis client) and the server agree without threading an option through.
 */
export function roundTripsEnabled(env: Record<string, string | undefined> = process.env): boolean {
  if (env.EXPOSE_ROUNDTRIPS === 'true') return true;
  if (env.EXPOSE_ROUNDTRIPS === 'false') return false;
  return env.NODE_ENV === 'test';
}

function emptyCounts(): RoundTripCounts {
  return { total: 0 };
}

function add(counts: RoundTripCounts, store: RoundTripStore, n: number): void {
  counts[store] = (counts[store] ?? 0) + n;
  counts.total += n;
}

/** The sums of one subgraph (one server): every request since start or the last reset. */
export class RoundTripTotals {
  requests = 0;
  counts: RoundTripCounts = emptyCounts();
  reset(): void {
    this.requests = 0;
    this.counts = emptyCounts();
  }
  snapshot(): { requests: number; roundTrips: RoundTripCounts } {
    return { requests: this.requests, roundTrips: { ...this.counts } };
  }
}

interface RequestScope {
  counts: RoundTripCounts;
  totals: RoundTripTotals;
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** Counts `n` round trips to `store` for the request running now (nothing outside a request). */
export function countRoundTrip(store: RoundTripStore, n = 1): void {
  const scope = scopes.getStore();
  if (!scope) return;
  add(scope.counts, store, n);
  add(scope.totals.counts, store, n);
}

/** The current request's counts so far (undefined outside a counted request). */
export function currentRoundTrips(): RoundTripCounts | undefined {
  const counts = scopes.getStore()?.counts;
  return counts && { ...counts };
}

/** Runs one request's work (context creation, execution, response) in its own counting scope. */
export function withRequestRoundTrips<T>(totals: RoundTripTotals, work: () => T): T {
  totals.requests += 1;
  return scopes.run({ counts: emptyCounts(), totals }, work);
}

/** Puts the request's counts into `extensions.roundTrips` of every single-result response. */
export function roundTripsPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const counts = currentRoundTrips();
          if (!counts || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, roundTrips: counts };
        },
      };
    },
  };
}

/** GET: the totals; DELETE (or POST with `?reset`): resets them. */
export function roundTripsRoute(service: string, totals: RoundTripTotals) {
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const reset = req.method === 'DELETE' || (req.method === 'POST' && /[?&]reset\b/.test(req.url ?? ''));
    if (reset) totals.reset();
    else if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET, DELETE, POST' }).end();
      return;
    }
    const text = JSON.stringify({ service, ...totals.snapshot() });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
}

const instrumented = Symbol('roundTripsInstrumented');

type Callable = (...args: never[]) => unknown;

/** Replaces `target[name]` with a version that counts one round trip per call. */
function countCalls(target: Record<string, unknown>, name: string, store: RoundTripStore): void {
  const original = target[name] as Callable | undefined;
  if (typeof original !== 'function') return;
  target[name] = function (this: unknown, ...args: never[]) {
    countRoundTrip(store);
    return original.apply(this, args);
  };
}

interface MysqlLike {
  query: Callable;
  execute: Callable;
  getConnection?: (...args: never[]) => Promise<unknown>;
}

/**
 * Counts every `query`/`execute` of a mysql2 promise pool, and of the connections it hands out
 * (drizzle runs a transaction's statements on one). Counted when called, in the caller's scope,
 * so a query queued for a free connection is still the request's.
 */
export function countMysqlRoundTrips<T extends MysqlLike>(pool: T): T {
  const p = pool as unknown as Record<string | symbol, unknown>;
  if (p[instrumented]) return pool;
  p[instrumented] = true;
  countCalls(p as Record<string, unknown>, 'query', 'mysql');
  countCalls(p as Record<string, unknown>, 'execute', 'mysql');
  const getConnection = pool.getConnection;
  if (typeof getConnection === 'function') {
    p.getConnection = async function (this: unknown, ...args: never[]) {
      const conn = (await getConnection.apply(this, args)) as Record<string | symbol, unknown>;
      if (!conn[instrumented]) {
        conn[instrumented] = true;
        countCalls(conn as Record<string, unknown>, 'query', 'mysql');
        countCalls(conn as Record<string, unknown>, 'execute', 'mysql');
      }
      return conn;
    };
  }
  return pool;
}

/** Counts every command an ioredis client sends (`sendCommand`; a pipeline counts its commands). */
export function countRedisRoundTrips<T extends { sendCommand: Callable }>(client: T): T {
  const c = client as unknown as Record<string | symbol, unknown>;
  if (c[instrumented]) return client;
  c[instrumented] = true;
  countCalls(c as Record<string, unknown>, 'sendCommand', 'redis');
  return client;
}

/** Counts every command a MongoDB client starts (needs the client option `monitorCommands: true`). */
export function countMongoRoundTrips<T extends { on(event: 'commandStarted', listener: () => void): unknown }>(client: T): T {
  client.on('commandStarted', () => countRoundTrip('mongo'));
  return client;
}
