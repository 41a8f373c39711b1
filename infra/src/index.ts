import { ALL_SERVICES, paths, type ServiceName } from './config.js';
import { ensureService, MissingPackageError, serviceStatus, stopService, type Log, type ServiceDef, type Status } from './service.js';
import { kafkaService } from './services/kafka.js';
import { mariadbService } from './services/mariadb.js';
import { mongoService } from './services/mongo.js';
import { redisService } from './services/redis.js';
import { errMsg } from './util.js';

export type { ServiceName } from './config.js';
export type { Status, StopResult } from './service.js';
export { endpoints, paths } from './config.js';

const SERVICES: Record<ServiceName, ServiceDef> = {
  mariadb: mariadbService,
  redis: redisService,
  kafka: kafkaService,
  mongo: mongoService,
};

const noop: Log = () => undefined;

export interface EnsureOptions {
  /** which services to make sure of; all four by default */
  services?: ServiceName[];
  /** progress lines (starting, fetching jars, ready after Ns); silent by default */
  log?: (line: string) => void;
}

/**
 * Makes sure each service answers: one already listening on its port is reused, otherwise infra
 * starts it (Kafka and the MongoDB wire server from jars fetched by infra/pom.xml; MariaDB and
 * Redis from their Debian binaries), then waits until it is ready. Idempotent; throws one error
 * naming every service that did not come up, its log file, and any apt-get command needed.
 */
export async function ensureInfra(opts: EnsureOptions = {}): Promise<Status[]> {
  const log = opts.log ?? noop;
  const names = unique(opts.services ?? [...ALL_SERVICES]);
  const results = await Promise.allSettled(names.map((name) => ensureService(SERVICES[name], log)));
  const failures: string[] = [];
  const packages = new Set<string>();
  const statuses: Status[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') statuses.push(r.value);
    else {
      const msg = errMsg(r.reason);
      failures.push(`- ${msg.startsWith(`${names[i]}`) ? msg : `${names[i]}: ${msg}`}`);
      if (r.reason instanceof MissingPackageError) r.reason.packages.forEach((p) => packages.add(p));
    }
  });
  if (failures.length) {
    const hint = packages.size ? `\nInstall what is missing with:\n  apt-get install -y ${[...packages].join(' ')}` : '';
    throw new Error(`infra: ${failures.length} service(s) not available:\n${failures.join('\n')}${hint}`);
  }
  return statuses;
}

/** Where each service is, whether it answers on its port, and who started it. Starts nothing. */
export async function infraStatus(services: ServiceName[] = [...ALL_SERVICES]): Promise<Status[]> {
  return Promise.all(unique(services).map((name) => serviceStatus(SERVICES[name])));
}

export interface StopSummary {
  service: ServiceName;
  result: 'stopped' | 'not-running' | 'external';
}

/**
 * Stops what infra itself started (found by the pid files under the data dir), in reverse order
 * of dependency. A service that runs but was not started by infra is left alone.
 */
export async function stopInfra(opts: { services?: ServiceName[]; log?: (line: string) => void } = {}): Promise<StopSummary[]> {
  const log = opts.log ?? noop;
  const names = unique(opts.services ?? [...ALL_SERVICES]);
  const results = await Promise.allSettled(names.map((name) => stopService(SERVICES[name], log)));
  const out: StopSummary[] = [];
  const failures: string[] = [];
  results.forEach((r, i) => {
    const service = names[i] as ServiceName;
    if (r.status === 'fulfilled') out.push({ service, result: r.value });
    else failures.push(`- ${service}: ${errMsg(r.reason)}`);
  });
  if (failures.length) throw new Error(`infra: could not stop:\n${failures.join('\n')}`);
  return out;
}

/**
 * Starts the Kafka broker (or reuses the one listening on KAFKA_BROKERS) and waits until a
 * kafkajs admin can list topics. Reuses the KRaft storage formatted on the first start.
 */
export async function startKafka(opts: { log?: (line: string) => void } = {}): Promise<Status> {
  return ensureService(kafkaService, opts.log ?? noop);
}

/**
 * Stops the Kafka broker that infra started (SIGTERM: a clean, quick controlled shutdown; SIGKILL
 * after 30s) and waits until its port is closed. Throws if the running broker was not started by infra.
 */
export async function stopKafka(opts: { log?: (line: string) => void } = {}): Promise<void> {
  const result = await stopService(kafkaService, opts.log ?? noop, { strict: true });
  if (result === 'not-running') (opts.log ?? noop)('kafka: was not running');
}

/** Same pair for the MongoDB wire server. */
export async function startMongo(opts: { log?: (line: string) => void } = {}): Promise<Status> {
  return ensureService(mongoService, opts.log ?? noop);
}

export async function stopMongo(opts: { log?: (line: string) => void } = {}): Promise<void> {
  await stopService(mongoService, opts.log ?? noop, { strict: true });
}

/** The data dir, for messages (`<repo>/.data` or $SHOP_DATA_DIR). */
export function dataDir(): string {
  return paths().dataDir;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
