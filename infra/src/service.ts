import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fmtAddr, logFile, paths, pidFile, type HostPort, type ServiceName } from './config.js';
import { errMsg, FatalError, livePid, readPidAddress, sleep, spawnDetached, tail, tcpOpen, terminate, waitUntil, withLock } from './util.js';

export type Log = (line: string) => void;

export interface Status {
  service: ServiceName;
  /** host:port it is reached at */
  address: string;
  state: 'up' | 'down';
  /** 'infra' when this package started it (pid file under the data dir), 'external' when it was already there */
  startedBy: 'infra' | 'external' | null;
  pid?: number;
  /** log file of a process infra started */
  log?: string;
}

/** A needed binary is missing; `packages` are the apt packages that provide it. */
export class MissingPackageError extends Error {
  constructor(
    message: string,
    readonly packages: string[],
  ) {
    super(message);
  }
}

export interface LaunchSpec {
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ServiceDef {
  name: ServiceName;
  address(): HostPort;
  /** a string in the command line of the process we start, to recognise it by pid */
  marker: string;
  /** how long to wait for readiness after start */
  timeoutMs: number;
  /** SIGTERM grace before SIGKILL */
  stopGraceMs: number;
  /** checks binaries, fetches jars, formats storage...; returns how to launch it */
  prepare(log: Log): Promise<LaunchSpec>;
  /** deep readiness check (beyond TCP); may throw FatalError to stop waiting */
  ready(): Promise<boolean>;
}

function describeLog(def: ServiceDef): string {
  return logFile(def.name);
}

/** The live process infra started for this service, and the address it was started for. */
function infraProcess(def: ServiceDef): { pid: number; address: string } | undefined {
  const file = pidFile(def.name);
  const pid = livePid(file, def.marker);
  if (pid === undefined) return undefined;
  return { pid, address: readPidAddress(file) ?? fmtAddr(def.address()) };
}

/** infra's process for this service if it serves the currently configured address. */
function ownPid(def: ServiceDef): number | undefined {
  const proc = infraProcess(def);
  return proc && proc.address === fmtAddr(def.address()) ? proc.pid : undefined;
}

export async function serviceStatus(def: ServiceDef): Promise<Status> {
  const addr = def.address();
  const pid = ownPid(def);
  const up = await tcpOpen(addr);
  return {
    service: def.name,
    address: fmtAddr(addr),
    state: up ? 'up' : 'down',
    startedBy: pid !== undefined ? 'infra' : up ? 'external' : null,
    ...(pid !== undefined ? { pid, log: describeLog(def) } : {}),
  };
}

async function waitReady(def: ServiceDef, startedBy: 'infra' | 'external', exited?: () => string | undefined): Promise<void> {
  const addr = fmtAddr(def.address());
  const logPath = describeLog(def);
  await waitUntil(
    async () => {
      const gone = exited?.();
      if (gone !== undefined) {
        throw new FatalError(`${def.name} process ${gone} before it became ready; see ${logPath}${tail(logPath)}`);
      }
      if (!(await tcpOpen(def.address()))) throw new Error(`nothing listens on ${addr} yet`);
      return def.ready();
    },
    {
      timeoutMs: def.timeoutMs,
      intervalMs: 200,
      describe: (last) =>
        startedBy === 'infra'
          ? `${def.name} did not become ready on ${addr} within ${def.timeoutMs / 1000}s` +
            `${last ? ` (last error: ${errMsg(last)})` : ''}; see ${logPath}${tail(logPath)}`
          : `${def.name}: something listens on ${addr} but it is not a working ${def.name} ` +
            `(waited ${def.timeoutMs / 1000}s${last ? `, last error: ${errMsg(last)}` : ''}). ` +
            `It was not started by infra; stop it or point the env variable elsewhere.`,
    },
  );
}

/**
 * Reuses the service when something already listens on its port, otherwise starts it;
 * then waits until it is ready. Idempotent and safe to call from several processes at once.
 */
export async function ensureService(def: ServiceDef, log: Log): Promise<Status> {
  const addr = def.address();
  if (await tcpOpen(addr)) {
    await waitReady(def, ownPid(def) !== undefined ? 'infra' : 'external');
    return serviceStatus(def);
  }
  return withLock(join(paths().runDir, `${def.name}.lock`), 20 * 60_000, async () => {
    if (await tcpOpen(addr)) {
      // started by a concurrent caller while we waited for the lock
      await waitReady(def, ownPid(def) !== undefined ? 'infra' : 'external');
      return serviceStatus(def);
    }
    const existing = infraProcess(def);
    if (existing && existing.address !== fmtAddr(addr)) {
      throw new Error(
        `${def.name}: infra already runs one (pid ${existing.pid}) on ${existing.address}, but the configuration now says ` +
          `${fmtAddr(addr)}; stop it first (npm run infra:down).`,
      );
    }
    const pid = existing?.pid;
    if (pid !== undefined) {
      // Ours and alive but not listening (yet): still booting, or hung.
      log(`${def.name}: waiting for pid ${pid} (started earlier by infra) on ${fmtAddr(addr)}`);
      await waitReady(def, 'infra', () => (livePid(pidFile(def.name), def.marker) === undefined ? 'exited' : undefined));
      return serviceStatus(def);
    }
    const spec = await def.prepare(log);
    const started = Date.now();
    log(`${def.name}: starting on ${fmtAddr(addr)} (log: ${describeLog(def)})`);
    const proc = spawnDetached(spec.command, spec.args, {
      logPath: describeLog(def),
      pidPath: pidFile(def.name),
      address: fmtAddr(addr),
      ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
      ...(spec.env !== undefined ? { env: spec.env } : {}),
    });
    try {
      await waitReady(def, 'infra', proc.exited);
    } catch (err) {
      if (err instanceof FatalError && err.keepRunning) {
        throw new Error(`${err.message}\n  (${def.name} was started by infra and left running, pid ${proc.pid}, log ${describeLog(def)})`);
      }
      // Don't leave a half-started process behind.
      await terminate(proc.pid, 5_000);
      rmSync(pidFile(def.name), { force: true });
      throw err;
    }
    log(`${def.name}: ready on ${fmtAddr(addr)} after ${((Date.now() - started) / 1000).toFixed(1)}s (pid ${proc.pid})`);
    return serviceStatus(def);
  });
}

export type StopResult = 'stopped' | 'not-running' | 'external';

/**
 * Stops the service if infra started it (pid file), and waits until its port is closed.
 * With `strict`, a service that runs but was not started by infra is an error.
 */
export async function stopService(def: ServiceDef, log: Log, opts: { strict?: boolean } = {}): Promise<StopResult> {
  return withLock(join(paths().runDir, `${def.name}.lock`), 5 * 60_000, async () => {
    const configured = def.address();
    const proc = infraProcess(def);
    if (proc === undefined) {
      const up = await tcpOpen(configured);
      if (up && opts.strict) {
        throw new Error(
          `${def.name} on ${fmtAddr(configured)} was not started by infra (no live pid file ${pidFile(def.name)}); refusing to stop it`,
        );
      }
      return up ? 'external' : 'not-running';
    }
    const { pid } = proc;
    const addr = parseAddress(proc.address) ?? configured;
    const started = Date.now();
    const how = await terminate(pid, def.stopGraceMs);
    rmSync(pidFile(def.name), { force: true });
    for (let i = 0; i < 100 && (await tcpOpen(addr, 200)); i++) await sleep(100);
    if (await tcpOpen(addr)) {
      throw new Error(`${def.name}: pid ${pid} is gone but ${fmtAddr(addr)} still accepts connections`);
    }
    log(`${def.name}: stopped pid ${pid} (${how}) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return 'stopped';
  });
}

function parseAddress(addr: string): HostPort | undefined {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(addr);
  return m?.[1] && m[2] ? { host: m[1], port: Number(m[2]) } : undefined;
}
