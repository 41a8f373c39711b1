/**
 * `npm test`: everything CI checks, in order, against real services.
 *   codegen -> composition check -> typecheck -> lint -> vitest (infra started by its globalSetup)
 * Ends with one line "N passed, M failed".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const extra = process.argv.slice(2); // passed to vitest, e.g. `npm test -- subgraphs/users`
const results = '.data/test-results.json';
mkdirSync('.data', { recursive: true });

function step(name: string, cmd: string, args: string[]): boolean {
  const started = Date.now();
  process.stdout.write(`\n== ${name}: ${cmd} ${args.join(' ')}\n`);
  const run = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
  const ok = run.status === 0;
  process.stdout.write(`== ${name}: ${ok ? 'ok' : `FAILED (exit ${run.status ?? run.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return ok;
}

const checks: Array<[string, string, string[]]> = [
  ['codegen', 'npx', ['graphql-codegen', '--config', 'codegen.ts']],
  ['composition', 'npx', ['tsx', 'schema/src/compose.ts', '--check']],
  ['typecheck', 'npx', ['turbo', 'run', 'typecheck', '--continue', '--output-logs=errors-only']],
  ['typecheck (scripts)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['typecheck (e2e)', 'npx', ['tsc', '-p', 'e2e/tsconfig.json', '--noEmit']],
  ['lint', 'npx', ['eslint', '.', '--max-warnings=0']],
];
let failedChecks = 0;
if (extra.length === 0) for (const [name, cmd, args] of checks) if (!step(name, cmd, args)) failedChecks++;

const vitestOk = step('tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...extra]);

let passed = 0;
let failed = failedChecks;
if (existsSync(results)) {
  const report = JSON.parse(readFileSync(results, 'utf8')) as { numPassedTests: number; numFailedTests: number; numTotalTests: number };
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  if (!vitestOk && report.numFailedTests === 0) failed += 1; // a suite that failed to load
} else if (!vitestOk) {
  failed += 1;
}
if (failedChecks) console.log(`\n${failedChecks} check(s) before the tests failed (see above).`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && vitestOk ? 0 : 1);
