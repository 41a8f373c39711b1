import { fileURLToPath } from 'node:url';
import type http from 'node:http';
import { drizzle } from 'drizzle-orm/mysql2';
import {
  createLogger,
  createTokenVerifier,
  loadTypeDefs,
  openMysql,
  startSubgraph,
  type Logger,
  type RunningSubgraph,
} from '@shop/platform';
import { createAccounts } from './accounts.js';
import { createAddressBook } from './addresses.js';
import { assertSafeForProduction, type UsersConfig } from './config.js';
import { createContext, type Context } from './context.js';
import { createLoginLimits, type LoginLimits } from './login-limits.js';
import { schema, type UsersDb } from './db/index.js';
import { resolvers } from './resolvers.js';
import { createSessions } from './sessions.js';
import { createSigningKeyStore, type SigningKeyStore } from './tokens.js';

export const JWKS_PATH = '/.well-known/jwks.json';

export interface UsersSubgraphOptions {
  log?: Logger;
  /** Called with every SQL statement the subgraph sends (tests count queries with it). */
  onSql?: (sql: string, params: unknown[]) => void;
}

export interface RunningUsersSubgraph extends RunningSubgraph {
  /** The signing keys, for rotating them (and for tests). */
  keys: SigningKeyStore;
}

export async function createUsersSubgraph(
  config: UsersConfig,
  options: UsersSubgraphOptions = {},
): Promise<RunningUsersSubgraph> {
  assertSafeForProduction(config);
  const log = options.log ?? createLogger('users', config.LOG_LEVEL);
  const mysql = await openMysql(
    {
      url: config.MYSQL_URL,
      database: config.MYSQL_DATABASE,
      migrationsFolder: fileURLToPath(new URL('./db/migrations', import.meta.url)),
    },
    schema,
  );
  let keys: SigningKeyStore | undefined;
  let loginLimits: LoginLimits | undefined;
  try {
    const onSql = options.onSql;
    const db: UsersDb = onSql ? drizzle(mysql.pool, { schema, mode: 'default', logger: { logQuery: onSql } }) : mysql.db;

    keys = await createSigningKeyStore(db, { log, activationDelayMs: config.SIGNING_KEY_ACTIVATION_SECONDS * 1000 });
    const sessions = createSessions(
      db,
      keys,
      {
        access: { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS },
        refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
      },
      log,
    );
    const accounts = createAccounts(db, sessions, log);
    const addressBook = createAddressBook(db);
    await accounts.ensureBootstrapAdmin(config.BOOTSTRAP_ADMIN_EMAIL, config.BOOTSTRAP_ADMIN_PASSWORD);
    // Keyed by database: instances sharing the accounts share the counters, test databases do not.
    const limits = await createLoginLimits(
      config.REDIS_URL,
      {
        perEmail: config.LOGIN_MAX_PER_EMAIL,
        perIp: config.LOGIN_MAX_PER_IP,
        windowSeconds: config.LOGIN_WINDOW_SECONDS,
        keyPrefix: `users:${config.MYSQL_DATABASE}:login`,
      },
      log,
    );
    loginLimits = limits;

    const signingKeys = keys;
    const running = await startSubgraph<Context>({
      name: 'users',
      typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
      resolvers,
      port: config.PORT,
      host: config.HOST,
      production: config.NODE_ENV === 'production',
      log,
      // Users verifies its own tokens against its key table; other subgraphs use the JWKS URL.
      verifyToken: createTokenVerifier({ issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, jwks: signingKeys.getKey }),
      context: (base) => createContext(base, { accounts, sessions, addressBook, loginLimits: limits }),
      readiness: { mysql: () => mysql.ping() },
      routes: { [JWKS_PATH]: (req, res) => serveJwks(signingKeys, req, res) },
      onShutdown: [async () => signingKeys.close(), () => limits.close(), () => mysql.close()],
    });
    return { ...running, keys: signingKeys };
  } catch (err) {
    keys?.close();
    await loginLimits?.close();
    await mysql.close();
    throw err;
  }
}

async function serveJwks(keys: SigningKeyStore, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' });
    res.end();
    return;
  }
  const body = JSON.stringify({ keys: await keys.publicJwks() });
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    // Short: verifiers also refetch when they meet an unknown kid, so rotation needs no waiting.
    'cache-control': 'public, max-age=60',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
