/**
 * The whole shop as production runs it, in one process for the production-mode test: every
 * service's real entry point (`subgraphs/<name>/src/index.ts`, `router/src/index.ts`) imported in
 * turn with its own environment, so everything any of them logs goes to this process's stdout and
 * stderr, which the test captures. PROD_SHOP_PLAN: JSON [{ name, entry, env }] in start order.
 */
import { pathToFileURL } from 'node:url';

interface Step {
  name: string;
  entry: string;
  env: Record<string, string>;
}

const plan = JSON.parse(process.env.PROD_SHOP_PLAN ?? '[]') as Step[];
delete process.env.PROD_SHOP_PLAN;
const base = new Set(Object.keys(process.env));

for (const step of plan) {
  // Each entry point reads its configuration from process.env while it starts.
  for (const key of Object.keys(process.env)) if (!base.has(key)) delete process.env[key];
  Object.assign(process.env, step.env);
  await import(pathToFileURL(step.entry).href);
  process.stdout.write(`PROD-SHOP-STARTED ${step.name}\n`);
}
process.stdout.write('PROD-SHOP-READY\n');
