import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/mysql2';
import {
  assertProductionSecrets,
  createLogger,
  loadTypeDefs,
  openMysql,
  productsSubgraph,
  serverSettings,
  startSubgraph,
  type Logger,
  type ProductDirectory,
  type RunningSubgraph,
  type TokenVerifier,
} from '@shop/platform';
import type { FavouritesConfig } from './config.js';
import { createContext, type Context } from './context.js';
import { schema, type FavouritesDb } from './db/index.js';
import { resolvers } from './resolvers.js';
import { createWishlist } from './wishlist.js';

export interface FavouritesSubgraphOptions {
  log?: Logger;
  /** Called with every SQL statement the subgraph sends (tests count queries with it). */
  onSql?: (sql: string, params: unknown[]) => void;
  /** Token verification; against the users subgraph's JWKS (config JWKS_URL) when omitted. Tests pass a local key set. */
  verifyToken?: TokenVerifier;
  /** Where product ids are checked; the products subgraph at PRODUCTS_URL when omitted. */
  products?: ProductDirectory;
}

export async function createFavouritesSubgraph(config: FavouritesConfig, options: FavouritesSubgraphOptions = {}): Promise<RunningSubgraph> {
  assertProductionSecrets(config);
  const log = options.log ?? createLogger('favourites', config.LOG_LEVEL);
  const mysql = await openMysql(
    {
      url: config.MYSQL_URL,
      database: config.MYSQL_DATABASE,
      migrationsFolder: fileURLToPath(new URL('./db/migrations', import.meta.url)),
    },
    schema,
  );
  try {
    const onSql = options.onSql;
    const db: FavouritesDb = onSql ? drizzle(mysql.pool, { schema, mode: 'default', logger: { logQuery: onSql } }) : mysql.db;
    const wishlist = createWishlist(db, options.products ?? productsSubgraph(config.PRODUCTS_URL, config.DEPENDENCY_TIMEOUT_MS));
    return await startSubgraph<Context>({
      name: 'favourites',
      typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
      resolvers,
      ...serverSettings(config, options.verifyToken),
      log,
      context: (base) => createContext(base, { wishlist }),
      readiness: { mysql: () => mysql.ping() },
      onShutdown: [() => mysql.close()],
    });
  } catch (err) {
    await mysql.close();
    throw err;
  }
}
