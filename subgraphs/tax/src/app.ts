import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/mysql2';
import {
  assertProductionSecrets,
  createLogger,
  loadTypeDefs,
  openMysql,
  serverSettings,
  startSubgraph,
  type Logger,
  type RunningSubgraph,
  type TokenVerifier,
} from '@shop/platform';
import type { TaxConfig } from './config.js';
import { createContext, type Context } from './context.js';
import { schema, type TaxDb } from './db/index.js';
import { resolvers } from './resolvers.js';
import { createTaxRates, type TaxRates } from './tax-rates.js';

export interface TaxSubgraphDeps {
  log?: Logger;
  /** Token verification; defaults to the users subgraph's JWKS (tests pass a local key set). */
  verifyToken?: TokenVerifier;
  /** Called with every SQL statement the subgraph sends (tests count queries with it). */
  onSql?: (sql: string, params: unknown[]) => void;
}

export interface RunningTaxSubgraph extends RunningSubgraph {
  taxRates: TaxRates;
}

/** Tax has no events: it neither publishes nor consumes, so no Kafka, outbox or consumer. */
export async function createTaxSubgraph(config: TaxConfig, deps: TaxSubgraphDeps = {}): Promise<RunningTaxSubgraph> {
  assertProductionSecrets(config);
  const log = deps.log ?? createLogger('tax', config.LOG_LEVEL);
  const mysql = await openMysql(
    {
      url: config.MYSQL_URL,
      database: config.MYSQL_DATABASE,
      migrationsFolder: fileURLToPath(new URL('./db/migrations', import.meta.url)),
    },
    schema,
  );
  try {
    const onSql = deps.onSql;
    const db: TaxDb = onSql ? drizzle(mysql.pool, { schema, mode: 'default', logger: { logQuery: onSql } }) : mysql.db;
    const taxRates = createTaxRates(db);
    const running = await startSubgraph<Context>({
      name: 'tax',
      typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
      resolvers,
      ...serverSettings(config, deps.verifyToken),
      log,
      context: (base) => createContext(base, { taxRates }),
      readiness: { mysql: () => mysql.ping() },
      onShutdown: [() => mysql.close()],
    });
    return { ...running, taxRates };
  } catch (err) {
    await mysql.close();
    throw err;
  }
}
