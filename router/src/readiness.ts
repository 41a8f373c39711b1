import type { SubgraphEndpoint } from './supergraph.js';

export interface Readiness {
  ready: boolean;
  /** Per subgraph: "ok" or "down: <why>". */
  subgraphs: Record<string, string>;
}

function reason(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timeout';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** Asks every subgraph's GET /ready (which checks its own datastores) in parallel. */
export async function checkSubgraphs(subgraphs: readonly SubgraphEndpoint[], timeoutMs: number): Promise<Readiness> {
  const results: Record<string, string> = {};
  await Promise.all(
    subgraphs.map(async ({ name, url }) => {
      try {
        const res = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(timeoutMs) });
        await res.arrayBuffer();
        results[name] = res.ok ? 'ok' : `down: HTTP ${res.status}`;
      } catch (err) {
        results[name] = `down: ${reason(err)}`;
      }
    }),
  );
  const sorted = Object.fromEntries(subgraphs.map((s) => [s.name, results[s.name] ?? 'down: unknown']));
  return { ready: Object.values(sorted).every((r) => r === 'ok'), subgraphs: sorted };
}
