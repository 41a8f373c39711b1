import type { BuildOutput } from '../build.js';

export interface ScenarioContext {
  root: string;
  build: BuildOutput;
  /** BENCH_SECONDS: scales every profile (undefined = each scenario's defaults). */
  seconds?: number;
  /** Directory of this run's artefacts (profiles, load configs): bench/results/<timestamp>/ */
  runDir: string;
  /** --cpu-prof: profile the gateway processes with node --cpu-prof into runDir. */
  cpuProf: boolean;
  /** Echo child process output. */
  verbose: boolean;
  log(line: string): void;
}

export interface ScenarioReport {
  name: string;
  title: string;
  /** Markdown section (tables and notes) for stdout and latest.md. */
  markdown: string;
  /** The same figures as data, for results/<timestamp>.json. */
  data: unknown;
}

/**
 * A bench scenario (bench/src/scenarios/<name>.ts). run.ts runs the registered ones in order,
 * or only those named with --only; a scenario reports missed targets, it does not throw for them.
 */
export interface Scenario {
  name: string;
  description: string;
  run(ctx: ScenarioContext): Promise<ScenarioReport>;
}
