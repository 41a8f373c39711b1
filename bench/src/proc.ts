import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Kernel clock ticks per second (utime/stime unit in /proc/<pid>/stat). */
export const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

export function hasTaskset(): boolean {
  return spawnSync('taskset', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** utime + stime of the whole process (all threads), in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function statusField(pid: number, name: string): string | undefined {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = status.split('\n').find((l) => l.startsWith(name + ':'));
  return line?.slice(name.length + 1).trim();
}

/** Resident set size in MB (VmRSS). */
export function rssMb(pid: number): number {
  return Number.parseInt(statusField(pid, 'VmRSS') ?? '0', 10) / 1024;
}

/** CPUs the process may run on, e.g. "0" or "0-1" (what taskset set). */
export function cpusAllowed(pid: number): string {
  return statusField(pid, 'Cpus_allowed_list') ?? '?';
}

export interface ProcUsage {
  /** utime+stime delta ÷ wall time, in % of one core. */
  cpuPercent: number;
  /** Highest VmRSS seen while sampling (every 200 ms), MB. */
  peakRssMb: number;
}

/** CPU and peak RSS of a process over a window: start() at its beginning, stop() at its end. */
export class UsageMeter {
  private cpu0 = 0;
  private t0 = 0;
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;
  private result: ProcUsage | undefined;
  constructor(readonly pid: number) {}

  start(): void {
    this.cpu0 = cpuSeconds(this.pid);
    this.t0 = performance.now();
    this.peak = rssMb(this.pid);
    this.timer = setInterval(() => {
      try {
        this.peak = Math.max(this.peak, rssMb(this.pid));
      } catch {
        /* process gone; stop() reports what was seen */
      }
    }, 200);
  }

  /** Idempotent: the first call measures, later calls return the same figures. */
  stop(): ProcUsage {
    if (this.result) return this.result;
    clearInterval(this.timer);
    const wall = (performance.now() - this.t0) / 1000;
    let cpu = NaN;
    try {
      cpu = cpuSeconds(this.pid) - this.cpu0;
      this.peak = Math.max(this.peak, rssMb(this.pid));
    } catch {
      /* gone */
    }
    this.result = { cpuPercent: (cpu / wall) * 100, peakRssMb: this.peak };
    return this.result;
  }
}

export interface Managed {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Last lines of stdout/stderr, for error messages. */
  tail(): string;
  /** Resolves with each stdout line parsed as JSON (non-JSON lines are skipped). */
  onJson(listener: (msg: Record<string, unknown>) => void): void;
  exited: Promise<number | null>;
  stop(timeoutMs?: number): Promise<void>;
}

const running = new Set<Managed>();

export interface SpawnOptions {
  /** CPU list for taskset -c, e.g. "0"; undefined = not pinned. */
  cpus?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Echo the child's output to our stderr, prefixed with its name. */
  echo?: boolean;
}

/**
 * Starts `node args...` as its own process group, pinned with `taskset -c <cpus>` (taskset
 * execs node, so the pid is node's). Every process started here is stopped by stopAll().
 */
export function spawnNode(name: string, args: string[], opts: SpawnOptions = {}): Managed {
  const argv = opts.cpus !== undefined ? ['taskset', '-c', opts.cpus, process.execPath, ...args] : [process.execPath, ...args];
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid === undefined) throw new Error(`${name}: spawn failed`);
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > 40) lines.shift();
    if (opts.echo) process.stderr.write(`[${name}] ${line}\n`);
  };
  const jsonListeners: Array<(m: Record<string, unknown>) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('{')) {
      try {
        const msg = JSON.parse(line) as Record<string, unknown>;
        if ('event' in msg || 'ready' in msg) {
          for (const l of jsonListeners) l(msg);
          return;
        }
      } catch {
        /* a log line */
      }
    }
    keep(line);
  });
  createInterface({ input: child.stderr! }).on('line', keep);
  // 'close' (not 'exit'): stdout is fully read by then, so no JSON line is lost to a race.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const managed: Managed = {
    name,
    child,
    pid: child.pid,
    tail: () => lines.join('\n'),
    onJson: (l) => jsonListeners.push(l),
    exited,
    stop: async (timeoutMs = 10_000) => {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          /* already gone */
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      running.delete(managed);
    },
  };
  running.add(managed);
  void exited.then(() => running.delete(managed));
  return managed;
}

/** Stops every process started by spawnNode that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((m) => m.stop(3_000)));
}

/** Last resort on a hard exit: SIGKILL the remaining process groups synchronously. */
export function killAllSync(): void {
  for (const m of running) {
    try {
      process.kill(-m.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return import('node:net').then(
    ({ createServer }) =>
      new Promise((resolve) => {
        const srv = createServer();
        srv.once('error', () => resolve(false));
        srv.listen(port, host, () => srv.close(() => resolve(true)));
      }),
  );
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Busy and total ticks per CPU from /proc/stat ("cpu0", "cpu1", ...). */
export function coreTicks(): Record<string, { busy: number; total: number }> {
  const out: Record<string, { busy: number; total: number }> = {};
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^(cpu\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = m[2]!.split(/\s+/).map(Number) as number[];
    const busy = user! + nice! + system! + irq! + softirq! + (steal ?? 0);
    out[m[1]!] = { busy, total: busy + idle! + iowait! };
  }
  return out;
}

/** % busy of each CPU between two coreTicks() readings (all processes, not just ours). */
export function coreBusyPercent(a: ReturnType<typeof coreTicks>, b: ReturnType<typeof coreTicks>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const cpu of Object.keys(b)) {
    const x = a[cpu];
    const y = b[cpu]!;
    if (x && y.total > x.total) out[cpu] = ((y.busy - x.busy) / (y.total - x.total)) * 100;
  }
  return out;
}
