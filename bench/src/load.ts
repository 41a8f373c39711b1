/** Load profiles and the load generator's result, shared by the orchestrator and the load worker. */

/** A set of connections that is open between startSec and endSec of the measured run. */
export interface LoadLayer {
  startSec: number;
  endSec: number;
  connections: number;
}

export interface LoadProfile {
  /** "A" or "B" */
  id: string;
  description: string;
  layers: LoadLayer[];
  durationSec: number;
}

export interface LoadConfig {
  url: string;
  /** POST body (JSON). */
  body: string;
  expectedShapePath: string;
  profile: LoadProfile;
  /** Unmeasured warm-up before the profile starts (same request, same checks). */
  warmup: { seconds: number; connections: number };
  /** Per-request timeout; a timed-out request is a failure. */
  timeoutSec: number;
}

export interface LoadResult {
  profile: string;
  /** Measured wall time: first layer start to the last response (layers stop gracefully), seconds. */
  wallSec: number;
  /** Responses received + requests that failed without a response (socket errors, timeouts). */
  attempts: number;
  /** Requests written (includes those still in flight when a layer's time was up). */
  sent: number;
  responses: number;
  successes: number;
  successRate: number;
  /** Successful requests per second of wall time. */
  rps: number;
  /** Latency of successful requests, ms. */
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  /** Failed responses by reason ("HTTP 502", "graphql errors", "shape: ..."). */
  failures: Record<string, number>;
  /** Requests without a response, by error code (ECONNRESET, "request timed out", ...). */
  socketErrors: Record<string, number>;
  timeouts: number;
  /** Open connections and successes per whole second of the run. */
  timeline: Array<{ sec: number; connections: number; successes: number }>;
  peakConnections: number;
  warmup: { successes: number; attempts: number };
}

/** Profile A: constant 50 connections for `seconds`. */
export function constantProfile(seconds: number, connections = 50): LoadProfile {
  return { id: 'A', description: `constant ${connections} connections, ${seconds} s`, durationSec: seconds, layers: [{ startSec: 0, endSec: seconds, connections }] };
}

/**
 * Profile B: the benchmark's ramp (0→50 in 1/6, 50→500 in 4/6, 500→50 in 1/6 of the time) as
 * a staircase of overlapping connection layers: 50 connections throughout; the way up in four
 * steps of ~112 connections, one every 1/6 of the run from 1/6 on, reaching 500 at 4/6; 500 held
 * until 5/6; the way down in two steps of 225 at 5/6 and 11/12, back to 50 for the last 1/12.
 */
export function rampProfile(seconds: number, base = 50, peak = 500): LoadProfile {
  const t = (f: number) => Math.round(seconds * f * 1000) / 1000;
  const add = peak - base;
  const up = Math.ceil(add / 4);
  const step = [up, Math.floor(add / 4), up, add - up - Math.floor(add / 4) - up];
  const layers: LoadLayer[] = [
    { startSec: 0, endSec: seconds, connections: base },
    { startSec: t(1 / 6), endSec: t(11 / 12), connections: step[0]! },
    { startSec: t(2 / 6), endSec: t(11 / 12), connections: step[1]! },
    { startSec: t(3 / 6), endSec: t(5 / 6), connections: step[2]! },
    { startSec: t(4 / 6), endSec: t(5 / 6), connections: step[3]! },
  ];
  return { id: 'B', description: `ramp ${base} → ${peak} → ${base} connections in stages, ${seconds} s`, durationSec: seconds, layers };
}

export function connectionsAt(profile: LoadProfile, sec: number): number {
  return profile.layers.filter((l) => l.startSec <= sec && sec < l.endSec).reduce((n, l) => n + l.connections, 0);
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}
