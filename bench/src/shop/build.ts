import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BuildOutput } from '../build.js';
import { SHOP_SUBGRAPHS, type ShopSubgraph } from './topology.js';

export interface ShopBuild {
  /** bench/dist/subgraphs/<name>/src/index.js */
  subgraph(name: ShopSubgraph): string;
  /** The router under the plan-cache probe: bench/dist/bench/src/shop/router-main.js */
  router: string;
  loadWorker: string;
}

let built: ShopBuild | undefined;

/**
 * The shop's subgraphs as built JS, next to what src/build.ts already compiled (router,
 * @shop/platform, the bench): tsc without type check (a generated tsconfig, the same settings as
 * bench/tsconfig.build.json) compiles subgraphs/<name>/src and packages/events/src into
 * bench/dist; the files they read at run time (schema.graphql, drizzle migrations, the events
 * tables' migrations) are copied beside them; bench/dist/node_modules/@shop/events points at the
 * compiled events package. Once per bench run (~5 s).
 */
export function buildShop(root: string, base: BuildOutput): ShopBuild {
  if (built) return built;
  const started = Date.now();
  const tsconfig = path.join(base.dir, 'tsconfig.shop.json');
  writeFileSync(
    tsconfig,
    JSON.stringify(
      {
        extends: '../../tsconfig.base.json',
        compilerOptions: { noEmit: false, noCheck: true, rootDir: '../..', outDir: '.' },
        include: ['../../subgraphs/*/src', '../../packages/events/src'],
        exclude: ['../../**/node_modules', '../../**/test'],
      },
      null,
      2,
    ),
  );
  const tsc = createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', tsconfig], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`tsc (shop subgraphs) failed (exit ${run.status ?? run.signal})`);

  for (const name of SHOP_SUBGRAPHS) {
    const from = path.join(root, 'subgraphs', name);
    const to = path.join(base.dir, 'subgraphs', name);
    cpSync(path.join(from, 'schema.graphql'), path.join(to, 'schema.graphql'));
    const migrations = path.join(from, 'src', 'db', 'migrations');
    if (existsSync(migrations)) cpSync(migrations, path.join(to, 'src', 'db', 'migrations'), { recursive: true });
  }
  cpSync(path.join(root, 'packages', 'events', 'migrations'), path.join(base.dir, 'packages', 'events', 'migrations'), { recursive: true });
  const shim = path.join(base.dir, 'node_modules', '@shop', 'events');
  mkdirSync(shim, { recursive: true });
  writeFileSync(path.join(shim, 'package.json'), JSON.stringify({ name: '@shop/events', type: 'module', exports: './index.js' }, null, 2) + '\n');
  writeFileSync(path.join(shim, 'index.js'), "export * from '../../../packages/events/src/index.js';\n");
  console.error(`[bench] built the shop's subgraphs into ${path.relative(root, base.dir)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  built = {
    subgraph: (name) => path.join(base.dir, 'subgraphs', name, 'src', 'index.js'),
    router: path.join(base.dir, 'bench', 'src', 'shop', 'router-main.js'),
    loadWorker: path.join(base.dir, 'bench', 'src', 'shop', 'load-worker.js'),
  };
  return built;
}
