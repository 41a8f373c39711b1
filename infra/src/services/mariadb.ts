import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import mysql from 'mysql2/promise';
import { APT_PACKAGES, endpoints, logFile } from '../config.js';
import { MissingPackageError, type LaunchSpec, type ServiceDef } from '../service.js';
import { ensureDir, errMsg, FatalError, which } from '../util.js';

function mysqlIds(): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('mysql:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
  } catch {
    return undefined;
  }
}

export function mariadbBinary(): string | undefined {
  return which('mariadbd') ?? which('mysqld');
}

async function prepare(): Promise<LaunchSpec> {
  const bin = mariadbBinary();
  if (!bin) {
    throw new MissingPackageError(
      `MariaDB is not running on ${endpoints().mariadb.host}:${endpoints().mariadb.port} and mariadbd is not installed.`,
      [APT_PACKAGES.mariadbd ?? 'mariadb-server'],
    );
  }
  const isRoot = process.getuid?.() === 0;
  // The Debian package keeps its socket and pid file in /run/mysqld, which a fresh container may lack.
  if (isRoot && !existsSync('/run/mysqld')) {
    mkdirSync('/run/mysqld', { recursive: true });
    const ids = mysqlIds();
    if (ids) chownSync('/run/mysqld', ids.uid, ids.gid);
  }
  const { host, port } = endpoints().mariadb;
  // Its error log goes to .data/logs/mariadb.log (writable by the mysql user it drops to).
  const errorLog = logFile('mariadb');
  ensureDir(dirname(errorLog));
  if (!existsSync(errorLog)) writeFileSync(errorLog, '');
  const ids = isRoot ? mysqlIds() : undefined;
  if (ids) chownSync(errorLog, ids.uid, ids.gid);
  // The system instance (default datadir and /etc/mysql config), just not running yet.
  const args: string[] = [`--log-error=${errorLog}`];
  if (isRoot) args.push('--user=mysql'); // mariadbd refuses to run as root
  if (port !== 3306) args.push(`--port=${port}`);
  if (host !== '127.0.0.1' && host !== 'localhost') args.push(`--bind-address=${host}`);
  // e.g. "--datadir=/tmp/x --socket=/tmp/x.sock --pid-file=/tmp/x.pid" for a second, private instance
  args.push(...(process.env.SHOP_MARIADB_ARGS ?? '').split(/\s+/).filter(Boolean));
  return { command: bin, args };
}

const AUTH_ERRORS = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_NOT_SUPPORTED_AUTH_MODE',
  'ER_HOST_NOT_PRIVILEGED', // "Host '127.0.0.1' is not allowed to connect": no such user@host
]);

/** A mysql2 connection with MYSQL_URL runs SELECT 1. */
export async function mariadbReady(): Promise<boolean> {
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({ uri: endpoints().mysqlUrl, connectTimeout: 2_000 });
    await conn.query('SELECT 1');
    return true;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code && AUTH_ERRORS.has(code)) {
      throw new FatalError(
        `MariaDB is up but refuses ${endpoints().mysqlUrl.replace(/:[^:@/]*@/, ':***@')}: ${errMsg(err)}. ` +
          `A fresh Debian install only has root@localhost (unix_socket); allow TCP logins for root without a password, as root: ` +
          `mariadb -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;"`,
        true,
      );
    }
    throw err;
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

export const mariadbService: ServiceDef = {
  name: 'mariadb',
  address: () => endpoints().mariadb,
  // in the command line of the mariadbd infra starts (whatever the binary is called)
  get marker() {
    return `--log-error=${logFile('mariadb')}`;
  },
  timeoutMs: Number(process.env.SHOP_MARIADB_START_TIMEOUT_MS) || 60_000,
  stopGraceMs: 60_000,
  prepare: async () => prepare(),
  ready: mariadbReady,
};
