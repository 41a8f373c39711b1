import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root, found by walking up from this file: the same code runs from
 * bench/peer/*.ts (tsx, vitest) and from bench/dist/bench/peer/*.js (the JS build).
 */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'bench', 'package.json')) && existsSync(path.join(dir, 'router', 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/**
 * The read-only peer benchmark files (supergraph.graphql, query.graphql, data.json,
 * expected-shape.json): $PEER_BENCH_DIR, else ../shared/peer-bench/gateways-benchmark beside
 * the repository (a CI clone), else /work/shared/peer-bench/gateways-benchmark.
 */
export function peerBenchDir(): string {
  const candidates = [
    process.env.PEER_BENCH_DIR,
    path.resolve(repoRoot(), '..', 'shared', 'peer-bench', 'gateways-benchmark'),
    '/work/shared/peer-bench/gateways-benchmark',
  ].filter((c): c is string => !!c);
  for (const dir of candidates) if (existsSync(path.join(dir, 'supergraph.graphql'))) return path.resolve(dir);
  throw new Error(`peer benchmark files not found; looked in: ${candidates.join(', ')} (set PEER_BENCH_DIR)`);
}

export interface PeerFiles {
  dir: string;
  supergraphPath: string;
  query: string;
  /** The exact POST body every load request sends. */
  requestBody: string;
  expectedShape: unknown;
}

export function peerFiles(dir = peerBenchDir()): PeerFiles {
  const query = readFileSync(path.join(dir, 'query.graphql'), 'utf8');
  return {
    dir,
    supergraphPath: path.join(dir, 'supergraph.graphql'),
    query,
    requestBody: JSON.stringify({ query, operationName: 'TestQuery' }),
    expectedShape: JSON.parse(readFileSync(path.join(dir, 'expected-shape.json'), 'utf8')),
  };
}
