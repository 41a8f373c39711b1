import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ServiceName = 'mariadb' | 'redis' | 'kafka' | 'mongo';
export const ALL_SERVICES: readonly ServiceName[] = ['mariadb', 'redis', 'kafka', 'mongo'];

/** infra/ (this package's folder). */
export const INFRA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The monorepo root (parent of infra/). */
export const REPO_ROOT = resolve(INFRA_DIR, '..');

export interface HostPort {
  host: string;
  port: number;
}

export interface InfraPaths {
  dataDir: string;
  runDir: string;
  logDir: string;
  jarsDir: string;
}

/** Everything infra writes (data, logs, pid files, jars) lives under one folder: `<repo>/.data` or $SHOP_DATA_DIR. */
export function paths(): InfraPaths {
  const dataDir = resolve(process.env.SHOP_DATA_DIR || join(REPO_ROOT, '.data'));
  return {
    dataDir,
    runDir: join(dataDir, 'run'),
    logDir: join(dataDir, 'logs'),
    jarsDir: join(dataDir, 'jars'),
  };
}

export function pidFile(service: ServiceName): string {
  return join(paths().runDir, `${service}.pid`);
}

export function logFile(service: ServiceName): string {
  return join(paths().logDir, `${service}.log`);
}

function parseUrlHostPort(raw: string, defaultPort: number, envName: string): HostPort {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${envName}=${raw} is not a valid URL`);
  }
  // mongodb://h1:1,h2:2 is not a valid WHATWG URL host list; we only manage the first host anyway.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  return { host, port: url.port ? Number(url.port) : defaultPort };
}

function parseHostPort(raw: string, defaultPort: number): HostPort {
  const first = raw.split(',')[0]?.trim() ?? '';
  const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(first.replace(/^[a-z]+:\/\//i, ''));
  const host = m?.[1] || '127.0.0.1';
  const port = m?.[2] ? Number(m[2]) : defaultPort;
  return { host, port };
}

export interface Endpoints {
  mysqlUrl: string;
  redisUrl: string;
  mongoUrl: string;
  kafkaBrokers: string[];
  mariadb: HostPort;
  redis: HostPort;
  mongo: HostPort;
  kafka: HostPort;
  kafkaController: HostPort;
}

/** Addresses, from the same env variables the services use (with the same defaults). */
export function endpoints(): Endpoints {
  const mysqlUrl = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306';
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const rawMongo = process.env.MONGO_URL || 'mongodb://127.0.0.1:27017';
  const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const kafka = parseHostPort(brokers[0] ?? '127.0.0.1:9092', 9092);
  const controllerPort = process.env.KAFKA_CONTROLLER_PORT ? Number(process.env.KAFKA_CONTROLLER_PORT) : kafka.port + 1;
  return {
    mysqlUrl,
    redisUrl,
    mongoUrl: rawMongo,
    kafkaBrokers: brokers,
    mariadb: parseUrlHostPort(mysqlUrl, 3306, 'MYSQL_URL'),
    redis: parseUrlHostPort(redisUrl, 6379, 'REDIS_URL'),
    mongo: parseUrlHostPort(rawMongo.replace(/^mongodb(\+srv)?:\/\/([^/,]*)(,[^/]*)?/, 'mongodb://$2'), 27017, 'MONGO_URL'),
    kafka,
    kafkaController: { host: kafka.host, port: controllerPort },
  };
}

export function fmtAddr(hp: HostPort): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}

/** apt packages that provide what a service needs. */
export const APT_PACKAGES: Record<string, string> = {
  mariadbd: 'mariadb-server',
  'redis-server': 'redis-server',
  java: 'openjdk-17-jdk-headless',
  mvn: 'maven',
};
