/**
 * `npm run bench` — runs the bench scenarios (bench/src/scenarios/*.ts) and prints one markdown
 * report, also written as bench/results/<timestamp>.json (same figures as data) and
 * bench/results/latest.md.
 *
 *   npm run bench                       every scenario
 *   npm run bench -- --only peer        only the named scenario(s), comma-separated
 *   npm run bench -- --soak             also the 5-minute soak (BENCH_SOAK_SECONDS); --only soak runs it alone
 *   npm run bench -- --cpu-prof         also profile the gateway processes (node --cpu-prof)
 *   npm run bench -- --verbose          echo the child processes' output
 *   BENCH_SECONDS=8 npm run bench       shorter profiles (see bench/README.md for all env)
 *
 * Exits 0 whenever a report was written, met targets or not; everything started is stopped.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../peer/paths.js';
import { buildJs } from './build.js';
import { hasTaskset, killAllSync, stopAll } from './proc.js';
import { peerScenario } from './scenarios/peer.js';
import { sagaScenario } from './scenarios/saga.js';
import { shopScenario } from './scenarios/shop.js';
import { soakScenario } from './scenarios/soak.js';
import type { Scenario, ScenarioContext, ScenarioReport } from './scenarios/types.js';

/** Every scenario, in run order. The soak runs only when asked for (--soak, or --only soak). */
const SCENARIOS: Scenario[] = [peerScenario, shopScenario, sagaScenario, soakScenario];
const ON_REQUEST = new Set(['soak']);

const ORCHESTRATOR_CPU = '1';

function parseArgs(argv: string[]): { only?: string[]; cpuProf: boolean; verbose: boolean; soak: boolean; seconds?: number } {
  const out: { only?: string[]; cpuProf: boolean; verbose: boolean; soak: boolean; seconds?: number } = { cpuProf: false, verbose: false, soak: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
    if (a === '--only' || a.startsWith('--only=')) out.only = (value() ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--cpu-prof') out.cpuProf = true;
    else if (a === '--verbose') out.verbose = true;
    else if (a === '--soak') out.soak = true;
    else if (a === '--seconds' || a.startsWith('--seconds=')) out.seconds = Number(value());
    else if (a === '--help' || a === '-h') {
      console.log(`usage: npm run bench -- [--only ${SCENARIOS.map((s) => s.name).join(',')}] [--soak] [--seconds N] [--cpu-prof] [--verbose]`);
      process.exit(0);
    } else {
      console.error(`unknown argument: ${a}`);
      process.exit(2);
    }
  }
  if (out.seconds === undefined && process.env.BENCH_SECONDS) out.seconds = Number(process.env.BENCH_SECONDS);
  if (out.seconds !== undefined && !(out.seconds > 0)) {
    console.error('BENCH_SECONDS / --seconds must be a positive number');
    process.exit(2);
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
const root = repoRoot();
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    log(`${signal}: stopping everything the bench started`);
    void stopAll().finally(() => process.exit(130));
  });
}
process.on('exit', killAllSync);

const selected = args.only ? SCENARIOS.filter((s) => args.only!.includes(s.name)) : SCENARIOS.filter((s) => !ON_REQUEST.has(s.name) || args.soak);
if (args.only && selected.length !== args.only.length) {
  console.error(`unknown scenario in --only ${args.only.join(',')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

// The orchestrator shares the load generator's CPU, leaving the other one to the gateway.
if (hasTaskset()) {
  const pin = spawnSync('taskset', ['-a', '-p', '-c', ORCHESTRATOR_CPU, String(process.pid)], { encoding: 'utf8' });
  if (pin.status !== 0) log(`could not pin the orchestrator: ${pin.stderr.trim()}`);
}

const startedAt = new Date();
const stamp = startedAt.toISOString().replace(/[:.]/g, '-').replace('Z', 'Z');
const resultsDir = path.join(root, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
const runDir = args.cpuProf ? path.join(resultsDir, `profiles-${stamp}`) : mkdtempSync(path.join(os.tmpdir(), 'shop-bench-'));
mkdirSync(runDir, { recursive: true });

const build = buildJs(root);
const ctx: ScenarioContext = { root, build, seconds: args.seconds, runDir, cpuProf: args.cpuProf, verbose: args.verbose, log };
const loadavgStart = os.loadavg();

const reports: ScenarioReport[] = [];
for (const scenario of selected) {
  if (interrupted) break;
  log(`scenario ${scenario.name}: ${scenario.description}`);
  try {
    reports.push(await scenario.run(ctx));
  } catch (err) {
    const message = (err as Error).stack ?? String(err);
    log(`scenario ${scenario.name} failed: ${message}`);
    reports.push({ name: scenario.name, title: scenario.name, markdown: `## ${scenario.name}\n\nFailed: \`${(err as Error).message}\`\n`, data: { error: message } });
  } finally {
    await stopAll();
  }
}

const finishedAt = new Date();
const benchEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_') || k === 'PEER_BENCH_DIR'));
const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memGb: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  loadavgStart,
  loadavgEnd: os.loadavg(),
};
const header = [
  `# Bench ${startedAt.toISOString()}`,
  '',
  `${machine.cpus} × ${machine.cpuModel}, ${machine.memGb} GB, Node ${machine.node}; load average at start ${loadavgStart.map((l) => l.toFixed(2)).join(' / ')}, at end ${machine.loadavgEnd.map((l) => l.toFixed(2)).join(' / ')}. ` +
    `Duration ${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s. ` +
    `Settings: ${Object.entries({ ...benchEnv, ...(args.seconds !== undefined ? { BENCH_SECONDS: String(args.seconds) } : {}) }).map(([k, v]) => `${k}=${v}`).join(', ') || 'defaults'}${args.cpuProf ? ', --cpu-prof (profiling slows the gateways)' : ''}.`,
  '',
].join('\n');
const markdown = header + '\n' + reports.map((r) => r.markdown).join('\n');
const json = {
  startedAt: startedAt.toISOString(),
  finishedAt: finishedAt.toISOString(),
  args,
  env: benchEnv,
  machine,
  scenarios: Object.fromEntries(reports.map((r) => [r.name, r.data])),
};
const jsonPath = path.join(resultsDir, `${stamp}.json`);
writeFileSync(jsonPath, JSON.stringify(json, null, 2) + '\n');
writeFileSync(path.join(resultsDir, 'latest.md'), markdown);
if (!args.cpuProf) rmSync(runDir, { recursive: true, force: true });
console.log(markdown);
log(`wrote ${path.relative(root, jsonPath)} and bench/results/latest.md${args.cpuProf ? `; CPU profiles in ${path.relative(root, runDir)}` : ''}`);
process.exit(interrupted ? 130 : 0);
