import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { accessSync, constants as fsConstants } from 'node:fs';
import { createConnection } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import type { HostPort } from './config.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** True when something accepts a TCP connection on host:port within `timeoutMs`. */
export function tcpOpen({ host, port }: HostPort, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.removeAllListeners();
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * An error that makes waitUntil give up at once (e.g. wrong password: waiting won't help).
 * `keepRunning`: the service itself is fine (a just-started one is left running to be fixed).
 */
export class FatalError extends Error {
  constructor(
    message: string,
    readonly keepRunning = false,
  ) {
    super(message);
  }
}

/**
 * Polls `check` until it returns true. Throws with `describe()` (which should name the log file)
 * when the deadline passes, or at once when `check` throws a FatalError.
 */
export async function waitUntil(
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; intervalMs?: number; describe: (lastError: unknown) => string },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  let interval = opts.intervalMs ?? 100;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      if (err instanceof FatalError) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) throw new Error(opts.describe(lastError));
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
    interval = Math.min(interval * 1.5, 1_000);
  }
}

export function errMsg(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return err.errors.map(errMsg).join('; ');
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** The last `lines` lines of a log file, indented, for error messages ('' if there is none). */
export function tail(file: string, lines = 10): string {
  try {
    const text = readFileSync(file, 'utf8');
    const last = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-lines)
      .map((l) => (l.length > 240 ? `${l.slice(0, 240)}…` : l));
    return last.length ? `\n  last lines of ${file}:\n    ${last.join('\n    ')}` : '';
  } catch {
    return '';
  }
}

/** Absolute path of an executable on PATH (or the given absolute path if executable), else undefined. */
export function which(bin: string, extraDirs: string[] = []): string | undefined {
  const candidates = bin.includes('/')
    ? [bin]
    : [...(process.env.PATH ?? '').split(delimiter), ...extraDirs, '/usr/sbin', '/usr/local/sbin', '/sbin'].map((d) => join(d, bin));
  for (const c of candidates) {
    try {
      accessSync(c, fsConstants.X_OK);
      if (statSync(c).isFile()) return c;
    } catch {
      /* next */
    }
  }
  return undefined;
}

export function javaBin(): string | undefined {
  const home = process.env.JAVA_HOME;
  if (home) {
    const j = which(join(home, 'bin', 'java'));
    if (j) return j;
  }
  return which('java');
}

// ---------------------------------------------------------------------------------------------
// Processes and pid files
// ---------------------------------------------------------------------------------------------

/** Alive and not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc (not Linux): trust kill(0)
  }
}

/** The process's command line, or undefined when it cannot be read. */
export function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

export function readPid(file: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The address recorded on the second line of a pid file written by spawnDetached. */
export function readPidAddress(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').split('\n')[1]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The pid in `file` if that process is alive and its command line contains `marker`
 * (so a recycled pid is never mistaken for ours). Removes a stale pid file.
 */
export function livePid(file: string, marker: string): number | undefined {
  const pid = readPid(file);
  if (pid === undefined) return undefined;
  const cmd = cmdline(pid);
  if (isAlive(pid) && (cmd === undefined || cmd.includes(marker))) return pid;
  rmSync(file, { force: true });
  return undefined;
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Starts a long-running process detached from this one (own session, survives our exit),
 * stdout+stderr appended to `logPath`, and writes its pid to `pidPath`.
 */
export function spawnDetached(
  command: string,
  args: string[],
  opts: { logPath: string; pidPath: string; address: string; cwd?: string; env?: NodeJS.ProcessEnv },
): { pid: number; exited: () => string | undefined } {
  ensureDir(dirname(opts.logPath));
  ensureDir(dirname(opts.pidPath));
  const fd = openSync(opts.logPath, 'a');
  let exitInfo: string | undefined;
  try {
    writeFileSync(fd, `\n===== ${new Date().toISOString()} starting: ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    child.once('exit', (code, signal) => {
      exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
    });
    child.once('error', (err) => {
      exitInfo = `failed to start: ${err.message}`;
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    // pid file: the pid, then the address it serves (so a changed port is not mistaken for ours)
    writeFileSync(opts.pidPath, `${child.pid}\n${opts.address}\n`);
    const pid = child.pid;
    return {
      pid,
      exited: () => exitInfo ?? (isAlive(pid) ? undefined : 'exited'),
    };
  } finally {
    closeSync(fd);
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Resolves when the process is gone. */
export async function terminate(pid: number, graceMs: number): Promise<'terminated' | 'killed' | 'gone'> {
  if (!isAlive(pid)) return 'gone';
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'gone';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'terminated';
    await sleep(50);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(50);
  return 'killed';
}

// ---------------------------------------------------------------------------------------------
// Cross-process lock (two vitest runs calling ensureInfra at once must not both start Kafka)
// ---------------------------------------------------------------------------------------------

const inProcess = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` holding an exclusive lock: in-process (a promise chain) and across processes
 * (a pid file created with O_EXCL; a lock whose holder died is taken over).
 */
export function withLock<T>(lockPath: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const previous = inProcess.get(lockPath) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => withFileLock(lockPath, timeoutMs, fn));
  const settled = run.catch(() => undefined);
  inProcess.set(lockPath, settled);
  void settled.then(() => {
    if (inProcess.get(lockPath) === settled) inProcess.delete(lockPath);
  });
  return run;
}

async function withFileLock<T>(lockPath: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  ensureDir(dirname(lockPath));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = readPid(lockPath);
    if (holder === undefined) {
      await sleep(50); // created but not yet written?
      holder = readPid(lockPath);
    }
    // Our own pid cannot legitimately be there (the in-process chain serialises us): stale.
    if (holder === undefined || holder === process.pid || !isAlive(holder)) {
      if (readPid(lockPath) === holder) rmSync(lockPath, { force: true });
      continue;
    }
    if (Date.now() >= deadline) throw new Error(`timed out waiting for lock ${lockPath} (held by pid ${holder})`);
    await sleep(100);
  }
  try {
    return await fn();
  } finally {
    if (readPid(lockPath) === process.pid) rmSync(lockPath, { force: true });
  }
}

/** Runs a command to completion, capturing output to `logPath`. */
export function runLogged(
  command: string,
  args: string[],
  opts: { logPath: string; cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<number> {
  ensureDir(dirname(opts.logPath));
  const fd = openSync(opts.logPath, 'a');
  try {
    writeFileSync(fd, `\n===== ${new Date().toISOString()} running: ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', fd, fd] });
    return new Promise((resolvePromise, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolvePromise(code ?? (signal ? 128 : 1)));
    });
  } finally {
    closeSync(fd);
  }
}
