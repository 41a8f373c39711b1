import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { MongoClient, type Db } from 'mongodb';

export const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

/** A short random suffix so parallel test files never share a database, topic or group. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** A fresh, empty MySQL database for one test file; `drop()` removes it. */
export async function createTestDatabase(prefix: string): Promise<{ name: string; drop(): Promise<void> }> {
  const name = uniqueName(`t_${prefix}`);
  const conn = await mysql.createConnection(MYSQL_URL);
  await conn.query(`CREATE DATABASE \`${name}\``);
  await conn.end();
  return {
    name,
    async drop() {
      const c = await mysql.createConnection(MYSQL_URL);
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/** A fresh MongoDB database on the wire server for one test file. */
export async function createTestMongo(prefix: string): Promise<{ name: string; client: MongoClient; db: Db; drop(): Promise<void> }> {
  const name = uniqueName(`t_${prefix}`);
  const client = new MongoClient(MONGO_URL, { serverSelectionTimeoutMS: 5_000 });
  await client.connect();
  const db = client.db(name);
  return {
    name,
    client,
    db,
    async drop() {
      await db.dropDatabase();
      await client.close();
    },
  };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

/** POSTs one operation; throws on a non-JSON answer so a broken server fails the test loudly. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read untyped response data
export async function gql<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  opts: { token?: string | null; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: { data?: T; errors?: GraphQLResponse['errors'] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`Non-JSON response ${res.status} from ${url}: ${text.slice(0, 300)}`);
  }
  return { status: res.status, data: body.data, errors: body.errors };
}

/** The first error's extensions.code, for concise assertions. */
export function errorCode(res: GraphQLResponse): string | undefined {
  return res.errors?.[0]?.extensions?.code as string | undefined;
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`Condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export * from './auth.js';
export * from './shop.js';
export * from './processes.js';
export * from './events.js';
