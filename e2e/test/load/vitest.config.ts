import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:load`: the load suite only (never part of `npm test`, whose config excludes
 * `*.load.test.ts`). LOAD_SECONDS (default 300) and LOAD_CONNECTIONS (default 50) size the run.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../../..', import.meta.url)),
    include: ['e2e/test/load/**/*.load.test.ts'],
    globalSetup: ['packages/testing/src/global-setup.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 900_000,
    pool: 'forks',
    fileParallelism: false,
    env: { LOG_LEVEL: 'warn', NODE_ENV: 'test' },
  },
});
