import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpusAllowed, hasTaskset, isPortFree, sleep, spawnNode, type Managed } from '../proc.js';
import type { ScenarioContext } from '../scenarios/types.js';
import type { ShopBuild } from './build.js';
import { gql } from './client.js';
import { ADMIN, portOf, SHOP_SUBGRAPHS, subgraphEnv, urlOf, type KafkaNames, type ShopProcessName, type ShopSubgraph } from './topology.js';

/** The router's core; every subgraph (and the load generator, and the orchestrator) share the other. */
export const ROUTER_CPU = '0';
export const SHOP_CPU = '1';

export interface RunningShop {
  routerUrl: string;
  processes: Record<ShopProcessName, Managed>;
  adminToken: string;
  /** How each process was pinned, read back from /proc (Cpus_allowed_list). */
  affinity: Record<ShopProcessName, string>;
  startupMs: number;
  /** Reads the router's query plan cache counters (router-main.ts). */
  planCache(): Promise<{ lookups: number; misses: number }>;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  kafka: KafkaNames;
  /** Pin router to CPU 0 and the rest to CPU 1 (default: when taskset exists). */
  pin?: boolean;
  logLevel?: string;
}

/**
 * Env passed through for levers: BENCH_ROUTER_<KEY>=v reaches the router as <KEY>=v (e.g.
 * BENCH_ROUTER_QUERY_PLAN_CACHE_MIB=64), BENCH_SUBGRAPH_<KEY>=v every subgraph as <KEY>=v.
 */
function passThrough(prefix: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env)
      .filter(([k, v]) => k.startsWith(prefix) && v !== undefined)
      .map(([k, v]) => [k.slice(prefix.length), v!]),
  );
}

async function waitReady(proc: Managed, name: string, timeoutMs = 180_000): Promise<void> {
  const url = `http://127.0.0.1:${portOf(name as ShopProcessName)}/ready`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`${name} exited (${proc.child.exitCode ?? proc.child.signalCode}) before it was ready:\n${proc.tail()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready within ${timeoutMs} ms:\n${proc.tail()}`);
    await sleep(250);
  }
}

/**
 * Starts the shop as processes on built JS with NODE_ENV=production: the twelve subgraphs
 * (users first: the others verify tokens against its JWKS), then the router (router-main.ts) over
 * a supergraph composed now with the bench ports. Pinned with taskset: the router alone on CPU 0,
 * the subgraphs on CPU 1 (with the load generator and the orchestrator). The datastores (MariaDB,
 * MongoDB wire server, Redis, Kafka) are not ours to pin: they float over both CPUs.
 */
export async function launchShop(ctx: ScenarioContext, build: ShopBuild, opts: LaunchOptions): Promise<RunningShop> {
  const pin = opts.pin ?? hasTaskset();
  const logLevel = opts.logLevel ?? process.env.BENCH_SHOP_LOG_LEVEL ?? 'warn';
  const started = Date.now();
  for (const name of ['router', ...SHOP_SUBGRAPHS] as const) {
    if (!(await isPortFree(portOf(name)))) throw new Error(`port ${portOf(name)} (${name}) is in use; set BENCH_SHOP_PORT_BASE to move the shop's 13 ports`);
  }
  const processes = {} as Record<ShopProcessName, Managed>;
  const subgraphExtra = passThrough('BENCH_SUBGRAPH_');
  const startSubgraph = (name: ShopSubgraph) => {
    processes[name] = spawnNode(name, [build.subgraph(name)], {
      cpus: pin ? SHOP_CPU : undefined,
      env: { ...subgraphEnv(name, opts.kafka, logLevel), ...subgraphExtra },
      cwd: ctx.root,
      echo: ctx.verbose,
    });
  };
  const stop = async () => {
    // Router first, then the callers, the owners, users last (as packages/testing does).
    const tiers: ShopProcessName[][] = [
      ['router'],
      ['orders', 'ratings', 'favourites', 'search', 'notifications'],
      ['payments', 'shipping', 'inventory', 'promotions', 'tax'],
      ['products'],
      ['users'],
    ];
    for (const tier of tiers) await Promise.all(tier.map((n) => processes[n]?.stop(15_000)));
  };
  try {
    startSubgraph('users');
    await waitReady(processes.users, 'users');
    const others = SHOP_SUBGRAPHS.filter((n) => n !== 'users');
    for (const name of others) startSubgraph(name);
    await Promise.all(others.map((name) => waitReady(processes[name], name)));

    const { composeSupergraph } = (await import(pathToFileURL(path.join(ctx.root, 'schema', 'src', 'supergraph.ts')).href)) as {
      composeSupergraph: (o: unknown) => { supergraphSdl?: string; message: string };
    };
    const outcome = composeSupergraph({
      root: ctx.root,
      check: true,
      subgraphs: SHOP_SUBGRAPHS.map((name) => ({ name, port: portOf(name), url: urlOf(name) })),
    });
    if (!outcome.supergraphSdl) throw new Error(`the subgraphs do not compose:\n${outcome.message}`);
    const supergraphPath = path.join(ctx.runDir, 'shop-supergraph.graphql');
    writeFileSync(supergraphPath, outcome.supergraphSdl);
    processes.router = spawnNode('router', [build.router], {
      cpus: pin ? ROUTER_CPU : undefined,
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: logLevel,
        HOST: '127.0.0.1',
        PORT: String(portOf('router')),
        SUPERGRAPH_PATH: supergraphPath,
        SUPERGRAPH_POLL_MS: '60000',
        ...passThrough('BENCH_ROUTER_'),
      },
      cwd: ctx.root,
      echo: ctx.verbose,
    });
    await waitReady(processes.router, 'router');

    const login = await gql(urlOf('users'), `mutation ($input: LoginInput!) { login(input: $input) { accessToken userErrors { code } } }`, { input: ADMIN });
    const adminToken = login.data?.login?.accessToken as string | undefined;
    if (!adminToken) throw new Error(`the bench admin cannot sign in: ${JSON.stringify(login)}`);

    const affinity = Object.fromEntries(Object.entries(processes).map(([n, p]) => [n, cpusAllowed(p.pid)])) as Record<ShopProcessName, string>;
    const router = processes.router;
    let pending: Array<(v: { lookups: number; misses: number }) => void> = [];
    router.onJson((msg) => {
      if (msg.event !== 'plan-cache') return;
      const waiting = pending;
      pending = [];
      for (const resolve of waiting) resolve({ lookups: Number(msg.lookups), misses: Number(msg.misses) });
    });
    const planCache = () =>
      new Promise<{ lookups: number; misses: number }>((resolve, reject) => {
        pending.push(resolve);
        const timer = setTimeout(() => reject(new Error('the router did not report its plan cache counters')), 5_000);
        timer.unref();
        process.kill(router.pid, 'SIGUSR2');
      });
    return { routerUrl: urlOf('router'), processes, adminToken, affinity, startupMs: Date.now() - started, planCache, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
