/**
 * The router as the shop bench runs it: the real entry point (bench/dist/router/src/index.js:
 * config from the environment, createRouter, signals), with a probe on the gateway's query plan
 * cache installed first. @apollo/gateway has no counter of its own; the probe wraps the store its
 * constructor makes (`ApolloGateway.prototype.initQueryPlanStore`) so that every lookup is counted,
 * and every lookup that finds nothing is a miss (the gateway then builds and stores a plan).
 * Each request the gateway executes looks up its plan exactly once, so
 *   hit rate = 1 − misses ÷ lookups    (over a window: differences of two readings).
 * On SIGUSR2 it prints one JSON line `{"event":"plan-cache","lookups":n,"misses":m}` on stdout,
 * which the orchestrator reads (proc.ts onJson). Cost on the hot path: one counter increment.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const routerEntry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../router/src/index.js');
// The very @apollo/gateway module the built router resolves (same file, same class).
const gatewayPath = createRequire(routerEntry).resolve('@apollo/gateway');
const { ApolloGateway } = createRequire(routerEntry)(gatewayPath) as { ApolloGateway: { prototype: unknown } };

type PlanStore = { get(key: string): Promise<unknown> };
const proto = ApolloGateway.prototype as { initQueryPlanStore(mib?: number): PlanStore };
const initQueryPlanStore = proto.initQueryPlanStore;
const stats = { lookups: 0, misses: 0 };
proto.initQueryPlanStore = function (this: unknown, mib?: number): PlanStore {
  const store = initQueryPlanStore.call(this, mib);
  const get = store.get.bind(store);
  store.get = async (key: string) => {
    const plan = await get(key);
    stats.lookups += 1;
    if (plan === undefined) stats.misses += 1;
    return plan;
  };
  return store;
};

process.on('SIGUSR2', () => {
  process.stdout.write(JSON.stringify({ event: 'plan-cache', ...stats }) + '\n');
});

await import(pathToFileURL(routerEntry).href);
