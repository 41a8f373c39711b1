import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mysql from 'mysql2/promise';
import { createTestDatabase, createTestMongo, gql, KAFKA_BROKERS, MONGO_URL, MYSQL_URL, uniqueName } from './index.js';
import { ownersOf } from '@shop/schema/subgraphs';
import { SHOP_SUBGRAPHS, type ShopSubgraph, type ShopUser } from './shop.js';

/**
 * The whole shop as REAL PROCESSES, for fault and load tests: every subgraph runs as
 * `node --import tsx subgraphs/<name>/src/index.ts` (its own config from the environment: a port
 * chosen up front, a fresh database, one Kafka topic prefix and unique consumer groups for the whole
 * shop, the users process's JWKS), and the router as `node --import tsx router/src/index.ts` on a
 * supergraph composed in memory from the current schema files with those ports. So a test can
 * SIGKILL one process and `restart()` it on the same port and database, sample each process's RSS,
 * and read each process's log (stdout and stderr, appended across restarts) under `<dir>/logs/`.
 */

export type ShopProcessName = ShopSubgraph | 'router';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const BOOTSTRAP_ADMIN = { email: 'admin@shop.local', password: 'admin-password' };
const PASSWORD = 'correct horse battery staple';
const MONGO_BACKED: readonly ShopSubgraph[] = ['products'];
const NO_DATABASE: readonly ShopSubgraph[] = ['search'];

/** The owners a subgraph calls directly, as `<OWNER>_URL`, and so needs running (users is always started). */
const ownersOfSubgraph = (name: ShopSubgraph) => ownersOf(name) as readonly ShopSubgraph[];

export interface ProcessShopOptions {
  /** Start only these subgraphs, plus users and what they need. Default: every subgraph present. */
  only?: readonly ShopSubgraph[];
  /** LOG_LEVEL of every process (default: env SHOP_LOG_LEVEL, else `warn`). Logs go to files, not to the test's output. */
  logLevel?: string;
  /** NODE_ENV of every process (default `test`). */
  nodeEnv?: 'test' | 'development' | 'production';
  /** Extra environment per process (beats the harness's wiring), e.g. `{ orders: { OUTBOX_POLL_MS: '100' } }`. */
  env?: Partial<Record<ShopProcessName, Record<string, string>>>;
  /** Folder for the supergraph file and `logs/` (default: a fresh temp dir). */
  dir?: string;
  /** Budget for each process to answer GET /ready after a (re)start (default 120 s). */
  readyTimeoutMs?: number;
}

export interface ShopProcess {
  readonly name: ShopProcessName;
  readonly port: number;
  /** Its /graphql URL (same across restarts). */
  readonly url: string;
  /** stdout and stderr of every run of it, appended. */
  readonly logFile: string;
  /** The pid of the current run (undefined while it is not running). */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** How many times it was (re)started. */
  readonly starts: number;
  /** Sends `signal` (default SIGKILL) and waits until the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again (same port, database, groups, env; killed first if still running) and waits until /ready answers 200. */
  restart(): Promise<void>;
  /** Resident set size of the current run in MB (VmRSS), or undefined when not running. */
  rssMb(): number | undefined;
  /** The last `lines` lines of its log file. */
  logTail(lines?: number): string;
}

export interface ProcessShop {
  /** The test's folder: supergraph.graphql and logs/<process>.log. */
  dir: string;
  routerUrl: string;
  /** Each started subgraph's /graphql URL. */
  subgraphs: Partial<Record<ShopSubgraph, string>>;
  /** MySQL database of each MySQL-backed subgraph (products: its Mongo database). */
  databases: Partial<Record<ShopSubgraph, string>>;
  topicPrefix: string;
  searchKeyPrefix: string;
  internalToken: string;
  adminToken: string;
  /** The running processes, subgraphs and router. */
  processes: Partial<Record<ShopProcessName, ShopProcess>>;
  /** One process (throws when it was not started). */
  process(name: ShopProcessName): ShopProcess;
  kill(name: ShopProcessName, signal?: NodeJS.Signals): Promise<void>;
  restart(name: ShopProcessName): Promise<void>;
  /** The Kafka consumer group a subgraph of this shop consumes with. */
  consumerGroup(subgraph: ShopSubgraph): string;
  /** RSS in MB of every running process. */
  rss(): Partial<Record<ShopProcessName, number>>;
  /** Registers a new customer (directly at users) and returns their id and access token. */
  register(email?: string): Promise<ShopUser>;
  /** Runs SQL against a subgraph's own database (assertions and fault injection). */
  sql<T = Record<string, unknown>>(subgraph: ShopSubgraph, statement: string, params?: unknown[]): Promise<T[]>;
  /** Processes that exited without being told to (name, exit code or signal): a crash the test did not cause. */
  unexpectedExits(): Array<{ name: ShopProcessName; code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * Stops every process (SIGTERM, SIGKILL after 5 s), drops the databases and the search keys, and
   * removes `dir` (when it made it) — unless `keepDir`, env SHOP_KEEP_LOGS=1, or a process crashed (then its path is printed).
   */
  stop(opts?: { keepDir?: boolean }): Promise<void>;
}

/** Children still running when the test process exits are killed (never leave a shop behind). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
}

function present(name: ShopSubgraph): boolean {
  return existsSync(path.join(repoRoot, 'subgraphs', name, 'src', 'index.ts')) && existsSync(path.join(repoRoot, 'subgraphs', name, 'schema.graphql'));
}

/** A port nobody listens on now (the OS picks it); the process binds it a moment later. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function rssOf(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number.parseInt(line.slice(6).trim(), 10) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

class ManagedProcess implements ShopProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private expectingExit = false;
  starts = 0;
  readonly url: string;
  readonly crashes: Array<{ name: ShopProcessName; code: number | null; signal: NodeJS.Signals | null }> = [];

  constructor(
    readonly name: ShopProcessName,
    readonly port: number,
    private readonly entry: string,
    private readonly env: Record<string, string>,
    readonly logFile: string,
    private readonly readyTimeoutMs: number,
  ) {
    this.url = `http://127.0.0.1:${port}/graphql`;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns it (log appended to logFile); does not wait for readiness. */
  spawn(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    const fd = openSync(this.logFile, 'a');
    this.starts += 1;
    writeFileSync(fd, `\n=== ${new Date().toISOString()} start #${this.starts} of ${this.name} on port ${this.port}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', this.entry], {
      cwd: repoRoot,
      env: this.env,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.child = child;
    this.expectingExit = false;
    live.add(child);
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        if (!this.expectingExit) this.crashes.push({ name: this.name, code, signal });
        resolve();
      });
    });
  }

  /** Waits until GET /ready answers 200 (/health for the router's own liveness is not enough: its subgraphs must answer too). */
  async waitReady(): Promise<void> {
    const deadline = Date.now() + this.readyTimeoutMs;
    const readyUrl = `http://127.0.0.1:${this.port}/ready`;
    for (;;) {
      if (!this.running) {
        throw new Error(`${this.name} exited (${this.child?.exitCode ?? this.child?.signalCode}) before it was ready; ${this.logFile}:\n${this.logTail(30)}`);
      }
      try {
        const res = await fetch(readyUrl, { signal: AbortSignal.timeout(3_000) });
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`${this.name} not ready within ${this.readyTimeoutMs} ms; ${this.logFile}:\n${this.logTail(30)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.expectingExit = true;
    this.child!.kill(signal);
    await this.exited;
  }

  /** SIGTERM (graceful: the service drains and closes its pools), SIGKILL after `graceMs`. */
  async terminate(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.expectingExit = true;
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    await this.kill('SIGKILL');
    this.spawn();
    await this.waitReady();
  }

  rssMb(): number | undefined {
    const pid = this.pid;
    return pid === undefined ? undefined : rssOf(pid);
  }

  logTail(lines = 40): string {
    return tail(this.logFile, lines);
  }
}

/** The environment a child starts from: ours, minus what would redirect it (router URL overrides) or confuse it (vitest's worker variables). */
function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^SUBGRAPH_[A-Z0-9_]+_URL$/.test(key) || key.startsWith('VITEST')) continue;
    env[key] = value;
  }
  return env;
}

export async function startShopProcesses(opts: ProcessShopOptions = {}): Promise<ProcessShop> {
  installExitHook();
  const level = opts.logLevel ?? process.env.SHOP_LOG_LEVEL ?? 'warn';
  const nodeEnv = opts.nodeEnv ?? 'test';
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
  const dir = opts.dir ?? mkdtempSync(path.join(tmpdir(), 'shop-processes-'));
  const logsDir = path.join(dir, 'logs');
  mkdirSync(logsDir, { recursive: true });
  const topicPrefix = `${uniqueName('proc')}.`;
  const groupSuffix = `-${uniqueName('g')}`;
  const internalToken = `proc-internal-${uniqueName('k')}`;
  const searchKeyPrefix = uniqueName('proc_search');

  const wanted = new Set<ShopSubgraph>(['users']);
  const add = (name: ShopSubgraph) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const dep of ownersOfSubgraph(name)) add(dep);
  };
  for (const name of opts.only ?? SHOP_SUBGRAPHS) add(name);
  const names = SHOP_SUBGRAPHS.filter((n) => wanted.has(n) && present(n));
  const missing = (opts.only ?? []).filter((n) => !names.includes(n));
  if (missing.length > 0) throw new Error(`startShopProcesses: no subgraphs/${missing.join(', ')} to start`);

  const managed: Partial<Record<ShopProcessName, ManagedProcess>> = {};
  const databases: Partial<Record<ShopSubgraph, string>> = {};
  const cleanups: Array<() => Promise<void>> = [];
  const pools = new Map<string, mysql.Pool>();

  const stopAll = async (keepDir = true) => {
    // Router first (no new requests), then the callers, then the owners, users last.
    const tiers: ShopProcessName[][] = [
      ['router'],
      ['orders', 'ratings', 'favourites', 'search', 'notifications'],
      ['payments', 'shipping', 'inventory', 'promotions', 'tax'],
      ['products'],
      ['users'],
    ];
    for (const tier of tiers) await Promise.all(tier.map((n) => managed[n]?.terminate().catch(() => undefined)));
    for (const pool of pools.values()) await pool.end().catch(() => undefined);
    pools.clear();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
    if (!keepDir && !opts.dir) rmSync(dir, { recursive: true, force: true }); // a caller's own dir is theirs
    else process.stderr.write(`[shop-processes] logs kept in ${logsDir}\n`);
  };

  try {
    // 1. Ports, databases and the environment of every process, all known before anything starts.
    const ports = new Map<ShopProcessName, number>();
    for (const name of [...names, 'router' as const]) ports.set(name, await freePort());
    const urlOf = (name: ShopSubgraph) => `http://127.0.0.1:${ports.get(name)}/graphql`;
    await Promise.all(
      names.map(async (name) => {
        if (NO_DATABASE.includes(name)) return;
        if (MONGO_BACKED.includes(name)) {
          const mongo = await createTestMongo(name);
          cleanups.push(() => mongo.drop());
          databases[name] = mongo.name;
          return;
        }
        const db = await createTestDatabase(name);
        cleanups.push(() => db.drop());
        databases[name] = db.name;
      }),
    );
    if (names.includes('search')) {
      cleanups.push(async () => {
        const [{ connectRedis }, { SearchIndex }] = await Promise.all([
          import(pathToFileURL(path.join(repoRoot, 'subgraphs', 'search', 'src', 'redis.ts')).href),
          import(pathToFileURL(path.join(repoRoot, 'subgraphs', 'search', 'src', 'search-index.ts')).href),
        ]);
        const redis = connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
        try {
          await new SearchIndex(redis, searchKeyPrefix).destroy();
        } finally {
          await redis.quit();
        }
      });
    }

    const jwksUrl = `http://127.0.0.1:${ports.get('users')}/.well-known/jwks.json`;
    const base = inheritedEnv();
    const envOf = (name: ShopSubgraph): Record<string, string> => ({
      ...base,
      NODE_ENV: nodeEnv,
      LOG_LEVEL: level,
      HOST: '127.0.0.1',
      PORT: String(ports.get(name)),
      MYSQL_URL,
      MONGO_URL,
      KAFKA_BROKERS,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_GROUP_SUFFIX: groupSuffix,
      INTERNAL_API_TOKEN: internalToken,
      JWKS_URL: jwksUrl,
      SEARCH_KEY_PREFIX: searchKeyPrefix,
      ...(MONGO_BACKED.includes(name) ? { MONGO_DATABASE: databases[name]! } : databases[name] ? { MYSQL_DATABASE: databases[name]! } : {}),
      ...(name === 'users' ? { BOOTSTRAP_ADMIN_EMAIL: BOOTSTRAP_ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: BOOTSTRAP_ADMIN.password } : {}),
      ...(name === 'orders' ? { OUTBOX_POLL_MS: '200' } : {}),
      ...Object.fromEntries(ownersOfSubgraph(name).filter((o) => names.includes(o)).map((o) => [`${o.toUpperCase()}_URL`, urlOf(o)])),
      ...opts.env?.[name],
    });
    for (const name of names) {
      managed[name] = new ManagedProcess(
        name,
        ports.get(name)!,
        `subgraphs/${name}/src/index.ts`,
        envOf(name),
        path.join(logsDir, `${name}.log`),
        readyTimeoutMs,
      );
    }

    // 2. The supergraph, composed now from the schema files with these ports (check: never writes schema/).
    const { composeSupergraph } = (await import(pathToFileURL(path.join(repoRoot, 'schema', 'src', 'supergraph.ts')).href)) as {
      composeSupergraph: (o: unknown) => { supergraphSdl?: string; message: string };
    };
    const outcome = composeSupergraph({
      root: repoRoot,
      check: true,
      subgraphs: names.map((name) => ({ name, port: ports.get(name)!, url: urlOf(name) })),
    });
    if (!outcome.supergraphSdl) throw new Error(`startShopProcesses: the subgraphs do not compose:\n${outcome.message}`);
    const supergraphPath = path.join(dir, 'supergraph.graphql');
    writeFileSync(supergraphPath, outcome.supergraphSdl);
    managed.router = new ManagedProcess(
      'router',
      ports.get('router')!,
      'router/src/index.ts',
      {
        ...base,
        NODE_ENV: nodeEnv,
        LOG_LEVEL: level,
        HOST: '127.0.0.1',
        PORT: String(ports.get('router')),
        SUPERGRAPH_PATH: supergraphPath,
        SUPERGRAPH_POLL_MS: '60000',
        ...opts.env?.router,
      },
      path.join(logsDir, 'router.log'),
      readyTimeoutMs,
    );

    // 3. Users first (the others verify tokens against its JWKS), then every other subgraph side by side, then the router.
    managed.users!.spawn();
    await managed.users!.waitReady();
    const others = names.filter((n) => n !== 'users').map((n) => managed[n]!);
    for (const p of others) p.spawn();
    await Promise.all(others.map((p) => p.waitReady()));
    managed.router.spawn();
    await managed.router.waitReady();

    const usersUrl = managed.users!.url;
    const login = await gql(usersUrl, `mutation ($input: LoginInput!) { login(input: $input) { accessToken userErrors { code } } }`, {
      input: BOOTSTRAP_ADMIN,
    });
    const adminToken = login.data?.login?.accessToken as string | undefined;
    if (!adminToken) throw new Error(`startShopProcesses: the bootstrap admin cannot sign in: ${JSON.stringify(login)}`);

    const poolOf = (database: string) => {
      let pool = pools.get(database);
      if (!pool) {
        const url = new URL(MYSQL_URL);
        url.pathname = `/${database}`;
        pool = mysql.createPool({ uri: url.toString(), connectionLimit: 4, timezone: 'Z' });
        pools.set(database, pool);
      }
      return pool;
    };
    const processOf = (name: ShopProcessName): ManagedProcess => {
      const p = managed[name];
      if (!p) throw new Error(`no ${name} process in this shop`);
      return p;
    };

    let registered = 0;
    return {
      dir,
      routerUrl: managed.router.url,
      subgraphs: Object.fromEntries(names.map((n) => [n, urlOf(n)])),
      databases,
      topicPrefix,
      searchKeyPrefix,
      internalToken,
      adminToken,
      processes: managed,
      process: processOf,
      kill: (name, signal) => processOf(name).kill(signal),
      restart: (name) => processOf(name).restart(),
      consumerGroup: (subgraph) => `${subgraph}${groupSuffix}`,
      rss: () =>
        Object.fromEntries(
          Object.values(managed)
            .map((p) => [p.name, p.rssMb()] as const)
            .filter(([, mb]) => mb !== undefined),
        ),
      async register(email) {
        registered += 1;
        const address = email ?? `${uniqueName('proc')}.${registered}@example.com`;
        const res = await gql(
          usersUrl,
          `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id } userErrors { code message } } }`,
          { input: { email: address, password: PASSWORD, name: `Shopper ${registered}` } },
        );
        const payload = res.data?.register;
        if (!payload?.accessToken) throw new Error(`register failed: ${JSON.stringify(res.errors ?? payload?.userErrors)}`);
        return { userId: payload.user.id as string, email: address, token: payload.accessToken as string };
      },
      async sql<T>(subgraph: ShopSubgraph, statement: string, params: unknown[] = []) {
        const database = databases[subgraph];
        if (!database || MONGO_BACKED.includes(subgraph)) throw new Error(`no MySQL database for ${subgraph}`);
        const [rows] = await poolOf(database).query(statement, params);
        return rows as T[];
      },
      unexpectedExits: () => Object.values(managed).flatMap((p) => p.crashes),
      stop: (o) => {
        const crashed = Object.values(managed).some((p) => p.crashes.length > 0);
        return stopAll(o?.keepDir === true || process.env.SHOP_KEEP_LOGS === '1' || crashed);
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
