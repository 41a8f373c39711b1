import { defineConfig } from 'vitest/config';

const everywhere = ['{packages,subgraphs}/*/test/**/*.test.ts', '{router,schema,infra,e2e,bench}/test/**/*.test.ts'];
// Fault tests stop shared services (Kafka): they run in their own project, after all others.
const faults = everywhere.map((g) => g.replace('*.test.ts', '*.faults.test.ts'));

export default defineConfig({
  test: {
    globalSetup: ['packages/testing/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    env: { LOG_LEVEL: 'warn', NODE_ENV: 'test' },
    projects: [
      {
        extends: true,
        // *.load.test.ts run only by `npm run test:load` (e2e/test/load/vitest.config.ts).
        test: { name: 'main', include: everywhere, exclude: [...faults, '**/*.load.test.ts', '**/node_modules/**'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'faults', include: faults, sequence: { groupOrder: 1 }, fileParallelism: false },
      },
    ],
  },
});
