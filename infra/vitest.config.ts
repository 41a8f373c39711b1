import { defineConfig } from 'vitest/config';

// `npx vitest run --root infra` (or `npm test -w @shop/infra`). Tests start what they need through
// ensureInfra() and fail (never skip) when a service cannot be reached. *.faults.test.ts files stop
// shared services (Kafka), so they run in their own project after the others, one at a time.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'infra', include: ['test/**/*.test.ts'], exclude: ['test/**/*.faults.test.ts', '**/node_modules/**'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'infra-faults', include: ['test/**/*.faults.test.ts'], sequence: { groupOrder: 1 }, fileParallelism: false },
      },
    ],
  },
});
