import mysql from 'mysql2/promise';
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import { countMysqlRoundTrips, roundTripsEnabled } from './roundtrips.js';

export interface MysqlOptions {
  /** Server URL without a database, e.g. mysql://root@127.0.0.1:3306 */
  url: string;
  /** The subgraph's own database (schema); created if missing. */
  database: string;
  /** Folder of drizzle-kit generated migrations, applied at start-up. */
  migrationsFolder?: string;
  connectionLimit?: number;
}

export interface MysqlHandle<TSchema extends Record<string, unknown>> {
  pool: mysql.Pool;
  db: MySql2Database<TSchema>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const DB_NAME = /^[A-Za-z0-9_]+$/;

export async function createDatabaseIfMissing(url: string, database: string): Promise<void> {
  if (!DB_NAME.test(database)) throw new Error(`Invalid database name ${database}`);
  const conn = await mysql.createConnection(url);
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
}

/** Creates the subgraph's database if needed, opens a pool and applies pending migrations. */
export async function openMysql<TSchema extends Record<string, unknown>>(
  opts: MysqlOptions,
  schema: TSchema,
): Promise<MysqlHandle<TSchema>> {
  await createDatabaseIfMissing(opts.url, opts.database);
  const u = new URL(opts.url);
  u.pathname = `/${opts.database}`;
  const pool = mysql.createPool({
    uri: u.toString(),
    connectionLimit: opts.connectionLimit ?? 10,
    enableKeepAlive: true,
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
  });
  // Test mode (or EXPOSE_ROUNDTRIPS=true): count the pool's round trips per GraphQL request (roundtrips.ts).
  if (roundTripsEnabled()) countMysqlRoundTrips(pool);
  const db = drizzle(pool, { schema, mode: 'default' });
  if (opts.migrationsFolder) await migrate(db, { migrationsFolder: opts.migrationsFolder });
  return {
    pool,
    db,
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}

/** MySQL/MariaDB duplicate-key error (unique constraint), for turning races into userErrors. */
export function isDuplicateKeyError(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; cause?: unknown } | null;
  if (!e) return false;
  if (e.code === 'ER_DUP_ENTRY' || e.errno === 1062) return true;
  return e.cause ? isDuplicateKeyError(e.cause) : false;
}
