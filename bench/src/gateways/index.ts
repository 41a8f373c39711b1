import { createRequire } from 'node:module';
import path from 'node:path';
import type { BuildOutput } from '../build.js';

export type GatewayId = 'ours' | 'hive';
export type Dedup = 'off' | 'on';

export interface GatewayLaunch {
  args: string[];
  env: Record<string, string>;
}

export interface GatewaySpec {
  id: GatewayId;
  label: string;
  /** How the process runs, for the report. */
  runs: string;
  /** null when supported, otherwise why not. */
  unsupported(dedup: Dedup): string | null;
  launch(opts: { port: number; dedup: Dedup; supergraphPath: string; build: BuildOutput; nodeFlags: string[] }): GatewayLaunch;
}

/** The env switch the bench passes to our router for subgraph-request deduplication. */
export const ROUTER_DEDUP_ENV = 'SUBGRAPH_INFLIGHT_DEDUP';

function packageVersion(require: ReturnType<typeof createRequire>, name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return '?';
  }
}

export async function gatewaySpecs(root: string): Promise<Record<GatewayId, GatewaySpec>> {
  const require = createRequire(path.join(root, 'bench', 'package.json'));
  const routerRequire = createRequire(path.join(root, 'router', 'package.json'));
  // Feature detection: the router accepts the dedup switch once its config declares it.
  const { routerEnv } = await import('../../../router/src/config.js');
  const routerHasDedup = ROUTER_DEDUP_ENV in routerEnv;
  const hiveBin = path.join(path.dirname(require.resolve('@graphql-hive/gateway/package.json')), 'dist', 'bin.js');
  const jit = process.env.BENCH_HIVE_JIT === '1';

  return {
    ours: {
      id: 'ours',
      label: `ours (@apollo/gateway ${packageVersion(routerRequire, '@apollo/gateway')})`,
      runs: 'node bench/dist/router/src/index.js (tsc build of router/src + @shop/platform), NODE_ENV=production',
      unsupported: (dedup) =>
        dedup === 'on' && !routerHasDedup
          ? `router has no inflight-dedup option (@apollo/gateway 2.14's RemoteGraphQLDataSource has none; router/src/config.ts declares no ${ROUTER_DEDUP_ENV})`
          : null,
      launch: ({ port, dedup, supergraphPath, build, nodeFlags }) => ({
        args: [...nodeFlags, build.router],
        env: {
          NODE_ENV: 'production',
          HOST: '127.0.0.1',
          PORT: String(port),
          SUPERGRAPH_PATH: supergraphPath,
          LOG_LEVEL: 'warn',
          ...(routerHasDedup ? { [ROUTER_DEDUP_ENV]: dedup === 'on' ? 'true' : 'false' } : {}),
        },
      }),
    },
    hive: {
      id: 'hive',
      label: `Hive Gateway ${packageVersion(require, '@graphql-hive/gateway')}`,
      runs: `node node_modules/@graphql-hive/gateway/dist/bin.js supergraph <file> --fork 1${jit ? ' --jit' : ''} -c bench/dist/bench/src/gateways/hive-config.js, NODE_ENV=production`,
      unsupported: () => null,
      launch: ({ port, dedup, supergraphPath, build, nodeFlags }) => ({
        args: [
          ...nodeFlags,
          hiveBin,
          'supergraph',
          supergraphPath,
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--fork',
          '1',
          '--config-path',
          build.hiveConfig,
          ...(jit ? ['--jit'] : []),
        ],
        env: { NODE_ENV: 'production', BENCH_HIVE_DEDUP: dedup, BENCH_HIVE_INBOUND_DEDUP: process.env.BENCH_HIVE_INBOUND_DEDUP ?? 'off' },
      }),
    },
  };
}
