/**
 * The shop workload's load generator, a process of its own (pinned by the orchestrator with the
 * subgraphs): like src/load-worker.ts (autocannon, every response checked, only successes count,
 * graceful stop), but the page's requests vary — a list of request variants (different products,
 * different signed-in customers, different search words) that each connection cycles through,
 * every connection starting at another variant so they do not move in lockstep.
 *
 * argv[2]: path of a JSON ShopLoadConfig. stdout: {"event":"started"} when the measured profile
 * begins (after the warm-up), then {"event":"done","result":LoadResult}.
 */
import { readFileSync } from 'node:fs';
import autocannon, { type AutocannonClient, type AutocannonRequest, type AutocannonResult } from 'autocannon';
import { connectionsAt, percentile, type LoadLayer, type LoadProfile, type LoadResult } from '../load.js';
import { checkPage, type PageId, type PageRequest } from './pages.js';

export interface ShopLoadConfig {
  url: string;
  page: PageId;
  requests: PageRequest[];
  profile: LoadProfile;
  warmup: { seconds: number; connections: number };
  timeoutSec: number;
}

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ShopLoadConfig;
const target = new URL(config.url);

function emit(event: object): void {
  process.stdout.write(JSON.stringify(event) + '\n');
}

interface Tally {
  responses: number;
  successes: number;
  failures: Record<string, number>;
  socketErrors: Record<string, number>;
  latencies: number[];
  perSecond: number[];
  startedAt: number;
  lastResponseAt: number;
}

function newTally(): Tally {
  return { responses: 0, successes: 0, failures: {}, socketErrors: {}, latencies: [], perSecond: [], startedAt: performance.now(), lastResponseAt: performance.now() };
}

let tally = newTally();
let lastVerdictOk = false;

const onResponse = (status: number, body: string) => {
  const verdict = checkPage(config.page, status, body);
  lastVerdictOk = verdict.ok;
  if (!verdict.ok) tally.failures[verdict.reason] = (tally.failures[verdict.reason] ?? 0) + 1;
};

const requests: AutocannonRequest[] = config.requests.map((r) => ({
  method: 'POST',
  path: target.pathname + target.search,
  body: r.body,
  headers: { 'content-type': 'application/json', accept: 'application/json', ...(r.token ? { authorization: `Bearer ${r.token}` } : {}) },
  onResponse,
}));

let clientsMade = 0;
/** Starts each new connection at another variant (autocannon would start them all at the first). */
function spread(client: AutocannonClient): void {
  const iterator = (client as unknown as { requestIterator?: { requests: AutocannonRequest[]; currentRequestIndex: number; currentRequest: AutocannonRequest } }).requestIterator;
  if (!iterator || requests.length < 2) return;
  const start = (clientsMade++ * 7919) % requests.length;
  iterator.currentRequestIndex = start;
  iterator.currentRequest = iterator.requests[start]!;
}

/** One layer of connections for its duration, stopped gracefully (responses in flight are awaited and counted). */
function runLayer(connections: number, durationSec: number): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const clients: AutocannonClient[] = [];
    const instance = autocannon(
      {
        url: target.origin,
        connections,
        duration: durationSec + config.timeoutSec + 5,
        timeout: config.timeoutSec,
        sampleInt: 100,
        requests,
        setupClient: (client) => {
          spread(client);
          clients.push(client);
        },
      },
      (err, result) => {
        clearTimeout(graceful);
        if (err) reject(err);
        else resolve(result);
      },
    );
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

function runLayers(layers: LoadLayer[]): Promise<AutocannonResult[]> {
  return Promise.all(
    layers.map(
      (layer) =>
        new Promise<AutocannonResult>((resolve, reject) => {
          setTimeout(() => runLayer(layer.connections, layer.endSec - layer.startSec).then(resolve, reject), layer.startSec * 1000);
        }),
    ),
  );
}

let warmup = { successes: 0, attempts: 0 };
if (config.warmup.seconds > 0) {
  const results = await runLayers([{ startSec: 0, endSec: config.warmup.seconds, connections: config.warmup.connections }]);
  warmup = { successes: tally.successes, attempts: tally.responses + results.reduce((n, r) => n + r.errors, 0) };
}

tally = newTally();
emit({ event: 'started' });
const started = performance.now();
const results = await runLayers(config.profile.layers);
const wallSec = (Math.max(tally.lastResponseAt, started + 1) - started) / 1000;

const sorted = Float64Array.from(tally.latencies).sort();
const errors = results.reduce((n, r) => n + r.errors, 0);
const timeouts = results.reduce((n, r) => n + r.timeouts, 0);
const attempts = tally.responses + errors;
const seconds = Math.ceil(config.profile.durationSec);
const profile: LoadProfile = config.profile;
const result: LoadResult = {
  profile: profile.id,
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
    connections: connectionsAt(profile, sec + 0.5),
    successes: tally.perSecond[sec] ?? 0,
  })),
  peakConnections: Math.max(...Array.from({ length: seconds * 10 }, (_, i) => connectionsAt(profile, i / 10))),
  warmup,
};
emit({ event: 'done', result });
