import { createTestDatabase, gql } from '@shop/testing';
import { createUsersSubgraph, type RunningUsersSubgraph, type UsersSubgraphOptions } from '../src/app.js';
import { loadUsersConfig, type UsersConfig } from '../src/config.js';

export interface UsersHarness {
  app: RunningUsersSubgraph;
  url: string;
  /** Base URL without /graphql, for the extra routes. */
  origin: string;
  config: UsersConfig;
  database: string;
  /** Starts another instance on the same database (e.g. to prove keys survive a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export function usersConfig(database: string, env: Record<string, string> = {}): UsersConfig {
  return loadUsersConfig({ ...process.env, MYSQL_DATABASE: database, PORT: '0', ...env });
}

/** A users subgraph in-process on port 0 against a fresh MariaDB database of its own. */
export async function startUsers(env: Record<string, string> = {}, options: UsersSubgraphOptions = {}): Promise<UsersHarness> {
  const db = await createTestDatabase('users');
  const config = usersConfig(db.name, env);
  const harness: UsersHarness = {
    app: await createUsersSubgraph(config, options),
    url: '',
    origin: '',
    config,
    database: db.name,
    async restart() {
      await harness.app.stop();
      harness.app = await createUsersSubgraph(config, options);
      harness.url = harness.app.url;
      harness.origin = new URL(harness.app.url).origin;
    },
    async close() {
      await harness.app.stop();
      await db.drop();
    },
  };
  harness.url = harness.app.url;
  harness.origin = new URL(harness.app.url).origin;
  return harness;
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${Date.now().toString(36)}.${counter}@example.com`;
}

export const USER_FIELDS = 'id email name role createdAt';

export const REGISTER = `
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      accessToken refreshToken
      user { ${USER_FIELDS} }
      userErrors { field message code }
    }
  }`;

export const LOGIN = `
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      accessToken refreshToken
      user { ${USER_FIELDS} }
      userErrors { field message code }
    }
  }`;

export const REFRESH = `
  mutation Refresh($token: String!) {
    refreshToken(token: $token) {
      accessToken refreshToken
      user { id email role }
      userErrors { field message code }
    }
  }`;

export const ME = `query { me { ${USER_FIELDS} } }`;

export interface SignedIn {
  id: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

/** Registers a fresh customer and returns its tokens; fails the test on any error. */
export async function registerUser(url: string, name = 'Test User', password = 'correct horse battery'): Promise<SignedIn> {
  const email = uniqueEmail();
  const res = await gql(url, REGISTER, { input: { email, password, name } });
  const payload = res.data?.register;
  if (!payload?.accessToken || payload.userErrors.length > 0) {
    throw new Error(`register failed: ${JSON.stringify(res)}`);
  }
  return { id: payload.user.id, email, accessToken: payload.accessToken, refreshToken: payload.refreshToken };
}

export async function loginAs(url: string, email: string, password: string): Promise<SignedIn> {
  const res = await gql(url, LOGIN, { input: { email, password } });
  const payload = res.data?.login;
  if (!payload?.accessToken) throw new Error(`login failed: ${JSON.stringify(res)}`);
  return { id: payload.user.id, email, accessToken: payload.accessToken, refreshToken: payload.refreshToken };
}

/** Runs SQL directly against a test database (for assertions and for ageing rows). */
export async function sql<T = Record<string, unknown>>(database: string, statement: string, params: unknown[] = []): Promise<T[]> {
  const { default: mysql } = await import('mysql2/promise');
  const { MYSQL_URL } = await import('@shop/testing');
  const url = new URL(MYSQL_URL);
  url.pathname = `/${database}`;
  const conn = await mysql.createConnection(url.toString());
  try {
    const [rows] = await conn.query(statement, params);
    return rows as T[];
  } finally {
    await conn.end();
  }
}
