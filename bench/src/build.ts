import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { repoRoot } from '../peer/paths.js';

export interface BuildOutput {
  /** bench/dist */
  dir: string;
  /** Built entry points, absolute paths. */
  router: string;
  peerSubgraphs: string;
  loadWorker: string;
  hiveConfig: string;
}

/** Where the JS build puts things (paths mirror the repository under bench/dist). */
export function buildOutput(root = repoRoot()): BuildOutput {
  const dir = path.join(root, 'bench', 'dist');
  return {
    dir,
    router: path.join(dir, 'router', 'src', 'index.js'),
    peerSubgraphs: path.join(dir, 'bench', 'peer', 'main.js'),
    loadWorker: path.join(dir, 'bench', 'src', 'load-worker.js'),
    hiveConfig: path.join(dir, 'bench', 'src', 'gateways', 'hive-config.js'),
  };
}

/**
 * Compiles the bench, the peer subgraphs, the router and @shop/platform to JS with tsc
 * (bench/tsconfig.build.json), so every measured process runs plain `node` on built JS.
 * The router imports `@shop/platform`, whose package exports TypeScript; a shim package in
 * bench/dist/node_modules resolves it to the compiled platform instead.
 */
export function buildJs(root = repoRoot()): BuildOutput {
  const out = buildOutput(root);
  rmSync(out.dir, { recursive: true, force: true });
  const tsc = createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');
  const started = Date.now();
  const run = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'bench', 'tsconfig.build.json')], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`tsc failed (exit ${run.status ?? run.signal})`);
  const shim = path.join(out.dir, 'node_modules', '@shop', 'platform');
  mkdirSync(shim, { recursive: true });
  writeFileSync(path.join(shim, 'package.json'), JSON.stringify({ name: '@shop/platform', type: 'module', exports: './index.js' }, null, 2) + '\n');
  writeFileSync(path.join(shim, 'index.js'), "export * from '../../../packages/platform/src/index.js';\n");
  writeFileSync(path.join(out.dir, 'package.json'), JSON.stringify({ type: 'module', private: true }) + '\n');
  console.error(`[bench] built JS into ${path.relative(root, out.dir)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return out;
}
