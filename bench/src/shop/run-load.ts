import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadResult } from '../load.js';
import { coreBusyPercent, coreTicks, cpusAllowed, spawnNode, UsageMeter, type ProcUsage } from '../proc.js';
import type { ScenarioContext } from '../scenarios/types.js';

export interface MeasuredLoad {
  load: LoadResult;
  /** Usage of each watched process over the measured window (not the warm-up). */
  usage: Record<string, ProcUsage>;
  loadgen: ProcUsage;
  loadgenCpus: string;
  coreBusyPercent: Record<string, number>;
  /** Called at the start and end of the measured window (e.g. to read counters). */
  marks: { start?: unknown; end?: unknown };
}

/**
 * Runs one load worker process (pinned to `cpus`) with `config` written to a file, measuring the
 * `watch`ed processes' CPU and peak RSS over the measured window only (from the worker's
 * "started" event to its "done" event). `atStart`/`atEnd` run at those two moments.
 */
export async function runLoad(
  ctx: ScenarioContext,
  worker: string,
  config: object,
  name: string,
  opts: { cpus?: string; watch: Record<string, number>; atStart?: () => Promise<unknown>; atEnd?: () => Promise<unknown> },
): Promise<MeasuredLoad> {
  const file = path.join(ctx.runDir, 'load', `${name}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(config));
  const proc = spawnNode(`load ${name}`, [worker, file], { cpus: opts.cpus, echo: ctx.verbose });
  try {
    let onStarted: () => void = () => undefined;
    let onDone: (r: LoadResult) => void = () => undefined;
    const exited = proc.exited.then((code) => {
      throw new Error(`load generator exited (code ${code}) early:\n${proc.tail()}`);
    });
    exited.catch(() => undefined);
    const started = new Promise<void>((resolve) => (onStarted = resolve));
    const done = new Promise<LoadResult>((resolve) => (onDone = resolve));
    proc.onJson((msg) => {
      if (msg.event === 'started') onStarted();
      if (msg.event === 'done') onDone(msg.result as LoadResult);
    });
    await Promise.race([started, exited]);
    const meters = Object.fromEntries(Object.entries(opts.watch).map(([k, pid]) => [k, new UsageMeter(pid)]));
    const loadMeter = new UsageMeter(proc.pid);
    for (const m of [...Object.values(meters), loadMeter]) m.start();
    const ticks0 = coreTicks();
    const marks: MeasuredLoad['marks'] = {};
    marks.start = await opts.atStart?.();
    const loadgenCpus = cpusAllowed(proc.pid);
    let load: LoadResult;
    try {
      load = await Promise.race([done, exited]);
    } finally {
      for (const m of [...Object.values(meters), loadMeter]) m.stop();
    }
    const ticks1 = coreTicks();
    marks.end = await opts.atEnd?.();
    return {
      load,
      usage: Object.fromEntries(Object.entries(meters).map(([k, m]) => [k, m.stop()])),
      loadgen: loadMeter.stop(),
      loadgenCpus,
      coreBusyPercent: coreBusyPercent(ticks0, ticks1),
      marks,
    };
  } finally {
    await proc.stop();
  }
}

/** Sum of CPU % and of peak RSS over several processes (e.g. the twelve subgraphs). */
export function sumUsage(usages: ProcUsage[]): ProcUsage {
  return { cpuPercent: usages.reduce((a, u) => a + u.cpuPercent, 0), peakRssMb: usages.reduce((a, u) => a + u.peakRssMb, 0) };
}
