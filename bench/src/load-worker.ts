/**
 * The load generator, a process of its own (pinned by the orchestrator): autocannon's
 * programmatic API sends the peer query as POST JSON, EVERY response body is checked
 * (HTTP 200, no `errors`, the expected shape) and only successes count towards RPS and latency.
 *
 * argv[2]: path of a JSON LoadConfig. stdout: one JSON line per event:
 *   {"event":"started"} when the measured profile begins (after the warm-up),
 *   {"event":"done","result":LoadResult} at the end.
 *
 * Correlating body and latency: autocannon calls a request's onResponse(status, body)
 * synchronously right before it emits 'response' (with the latency) for the same response,
 * so the verdict of the last onResponse is the verdict of the next 'response' event.
 */
import { readFileSync } from 'node:fs';
import autocannon, { type AutocannonClient, type AutocannonResult } from 'autocannon';
import { connectionsAt, percentile, type LoadConfig, type LoadLayer, type LoadResult } from './load.js';
import { checkPeerResponse } from './shape.js';

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadConfig;
const expected = JSON.parse(readFileSync(config.expectedShapePath, 'utf8')) as unknown;
const target = new URL(config.url);

function emit(event: object): void {
  process.stdout.write(JSON.stringify(event) + '\n');
}

interface Tally {
  responses: number;
  successes: number;
  errors: number;
  timeouts: number;
  failures: Record<string, number>;
  socketErrors: Record<string, number>;
  latencies: number[];
  /** successes per whole second since the tally's start */
  perSecond: number[];
  startedAt: number;
  lastResponseAt: number;
}

function newTally(): Tally {
  return { responses: 0, successes: 0, errors: 0, timeouts: 0, failures: {}, socketErrors: {}, latencies: [], perSecond: [], startedAt: performance.now(), lastResponseAt: performance.now() };
}

let tally = newTally();
let lastVerdictOk = false;

const requests = [
  {
    method: 'POST',
    path: target.pathname + target.search,
    body: config.body,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    onResponse: (status: number, body: string) => {
      const verdict = checkPeerResponse(status, body, expected);
      lastVerdictOk = verdict.ok;
      if (!verdict.ok) tally.failures[verdict.reason] = (tally.failures[verdict.reason] ?? 0) + 1;
    },
  },
];

/**
 * Runs one layer of connections for its duration, then stops it gracefully: no connection sends
 * another request, but responses in flight are awaited (up to the request timeout) and counted,
 * like k6's graceful ramp-down. Dropping them instead would leave the gateway working on requests
 * nobody counts (for 500 connections, seconds of CPU at low RPS), to the advantage of a gateway
 * that cancels work on client disconnect. Resolves with autocannon's own result.
 */
function runLayer(connections: number, durationSec: number): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const clients: AutocannonClient[] = [];
    const instance = autocannon(
      {
        url: target.origin,
        connections,
        // A hard stop well after the graceful one, should a response never come.
        duration: durationSec + config.timeoutSec + 5,
        timeout: config.timeoutSec,
        sampleInt: 100,
        requests,
        setupClient: (client) => clients.push(client),
      },
      (err, result) => {
        clearTimeout(graceful);
        if (err) reject(err);
        else resolve(result);
      },
    );
    // Each client destroys itself after its in-flight response; when all are done, autocannon ends.
    const graceful = setTimeout(() => {
      for (const c of clients) c.responseMax = Math.max(1, c.reqsMade);
    }, durationSec * 1000);
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      const t = tally;
      t.responses++;
      t.lastResponseAt = performance.now();
      if (lastVerdictOk) {
        t.successes++;
        t.latencies.push(responseTime);
        const sec = Math.floor((performance.now() - t.startedAt) / 1000);
        t.perSecond[sec] = (t.perSecond[sec] ?? 0) + 1;
      }
      lastVerdictOk = false;
    });
    instance.on('reqError', (error: Error & { code?: string }) => {
      const key = error.code ?? error.message;
      tally.socketErrors[key] = (tally.socketErrors[key] ?? 0) + 1;
    });
  });
}

async function runLayers(layers: LoadLayer[]): Promise<AutocannonResult[]> {
  return Promise.all(
    layers.map(
      (layer) =>
        new Promise<AutocannonResult>((resolve, reject) => {
          setTimeout(() => runLayer(layer.connections, layer.endSec - layer.startSec).then(resolve, reject), layer.startSec * 1000);
        }),
    ),
  );
}

// Warm-up: the same request and checks, not measured (JIT, plan caches, connection pools).
let warmup = { successes: 0, attempts: 0 };
if (config.warmup.seconds > 0) {
  const results = await runLayers([{ startSec: 0, endSec: config.warmup.seconds, connections: config.warmup.connections }]);
  warmup = { successes: tally.successes, attempts: tally.responses + results.reduce((n, r) => n + r.errors, 0) };
}

tally = newTally();
emit({ event: 'started' });
const started = performance.now();
const results = await runLayers(config.profile.layers);
// The window ends with the last response (autocannon notices its clients are done a tick later).
const wallSec = (Math.max(tally.lastResponseAt, started + 1) - started) / 1000;

const sorted = Float64Array.from(tally.latencies).sort();
const errors = results.reduce((n, r) => n + r.errors, 0);
const timeouts = results.reduce((n, r) => n + r.timeouts, 0);
const attempts = tally.responses + errors;
const seconds = Math.ceil(config.profile.durationSec);
const result: LoadResult = {
  profile: config.profile.id,
  wallSec,
  attempts,
  sent: results.reduce((n, r) => n + r.requests.sent, 0),
  responses: tally.responses,
  successes: tally.successes,
  successRate: attempts === 0 ? 0 : tally.successes / attempts,
  rps: tally.successes / wallSec,
  latencyMs: {
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN,
  },
  failures: tally.failures,
  socketErrors: tally.socketErrors,
  timeouts,
  timeline: Array.from({ length: Math.max(seconds, tally.perSecond.length) }, (_, sec) => ({
    sec,
    connections: connectionsAt(config.profile, sec + 0.5),
    successes: tally.perSecond[sec] ?? 0,
  })),
  peakConnections: Math.max(...Array.from({ length: seconds * 10 }, (_, i) => connectionsAt(config.profile, i / 10))),
  warmup,
};
emit({ event: 'done', result });
