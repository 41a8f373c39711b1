import { readFileSync } from 'node:fs';
import path from 'node:path';
import { peerFiles } from '../../peer/paths.js';
import { gatewaySpecs } from '../gateways/index.js';
import { constantProfile, type LoadConfig, type LoadResult } from '../load.js';
import { cpusAllowed, hasTaskset, isPortFree, rssMb, sleep, spawnNode, type Managed } from '../proc.js';
import { customerTokens, ensureSeeded } from '../seed-shop.js';
import { buildShop } from '../shop/build.js';
import { ROUTER_CPU, SHOP_CPU } from '../shop/launch.js';
import type { ShopLoadConfig } from '../shop/load-worker.js';
import { QUERIES } from '../shop/pages.js';
import { runLoad } from '../shop/run-load.js';
import { SHOP_SUBGRAPHS, urlOf } from '../shop/topology.js';
import type { Scenario, ScenarioContext, ScenarioReport } from './types.js';

/**
 * `npm run bench -- --soak` (or --only soak): the peer workload's constant profile (50
 * connections) held for BENCH_SOAK_SECONDS (300) against our router, to catch leaks and
 * keep-alive races: the router's RSS must grow < 10 % from the first to the last tenth of the
 * window, and no request may fail at the socket level (client → router, or router → subgraph,
 * which would surface as a failed response). BENCH_SOAK_WORKLOAD=shop runs the shop's listing page
 * (signed in) through the router over the seeded shop instead of the peer query.
 */

interface RssSample {
  t: number;
  router: number;
  subgraphs: number;
}

/** Samples RSS every second until stopped. */
function sampleRss(router: number, subgraphs: number[]): { samples: RssSample[]; stop(): void } {
  const samples: RssSample[] = [];
  const t0 = performance.now();
  const read = () => {
    try {
      samples.push({ t: (performance.now() - t0) / 1000, router: rssMb(router), subgraphs: subgraphs.reduce((a, pid) => a + rssMb(pid), 0) });
    } catch {
      /* a process is gone: the run fails anyway */
    }
  };
  read();
  const timer = setInterval(read, 1_000);
  return { samples, stop: () => clearInterval(timer) };
}

function growth(samples: RssSample[], key: 'router' | 'subgraphs') {
  const n = Math.max(5, Math.floor(samples.length / 10));
  const mean = (xs: RssSample[]) => xs.reduce((a, s) => a + s[key], 0) / Math.max(1, xs.length);
  const first = mean(samples.slice(0, n));
  const last = mean(samples.slice(-n));
  return { firstMb: first, lastMb: last, peakMb: Math.max(...samples.map((s) => s[key])), growthPct: ((last - first) / first) * 100 };
}

/** The `Keep-Alive: timeout=N` hint a server sends (its keepAliveTimeout), from one request. */
async function keepAliveHint(url: string, init: RequestInit = {}): Promise<string> {
  try {
    const res = await fetch(url, init);
    await res.arrayBuffer();
    return res.headers.get('keep-alive') ?? `none (connection: ${res.headers.get('connection') ?? '-'})`;
  } catch (err) {
    return `unreachable: ${(err as Error).message}`;
  }
}

/** What the router's subgraph client does with idle sockets, read from its source (router/src/datasource.ts). */
function routerClientKeepAlive(root: string): string {
  const source = readFileSync(path.join(root, 'router', 'src', 'datasource.ts'), 'utf8');
  if (/new http\.Agent\(/.test(source)) {
    const idle = /idleSocketMs \?\? ([\d_]+)/.exec(source)?.[1]?.replace(/_/g, '') ?? '?';
    return `node:http keep-alive Agent (router/src/datasource.ts): idle sockets closed after ${Number(idle) / 1000} s`;
  }
  return "undici global fetch: idle sockets closed after the server's Keep-Alive hint minus 1 s (75 → 74 s), 4 s without a hint";
}

export const soakScenario: Scenario = {
  name: 'soak',
  description: 'soak: the constant 50-connection profile for 5 min against our router (RSS growth, socket errors, keep-alive)',
  async run(ctx: ScenarioContext): Promise<ScenarioReport> {
    const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 300);
    const warmup = Number(process.env.BENCH_SOAK_WARMUP_SECONDS ?? 30);
    const workload = (process.env.BENCH_SOAK_WORKLOAD ?? 'peer') as 'peer' | 'shop';
    const profile = constantProfile(seconds, 50);
    let router: Managed | undefined;
    let subgraphPids: number[] = [];
    let result: LoadResult;
    let hints: Record<string, string>;
    let affinity: Record<string, string>;
    let stopAllStarted: () => Promise<void> = async () => undefined;
    const rss: { samples: RssSample[]; stop(): void } = { samples: [], stop: () => undefined };
    try {
      if (workload === 'peer') {
        const files = peerFiles();
        const port = Number(process.env.BENCH_GATEWAY_PORT ?? 4400);
        for (const p of [4200, port]) if (!(await isPortFree(p))) throw new Error(`port ${p} is in use (peer subgraphs 4200, router BENCH_GATEWAY_PORT)`);
        const subgraphs = spawnNode('peer-subgraphs', [ctx.build.peerSubgraphs], {
          cpus: hasTaskset() ? SHOP_CPU : undefined,
          env: { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '4200' },
          cwd: ctx.root,
          echo: ctx.verbose,
        });
        await new Promise<void>((resolve, reject) => {
          subgraphs.onJson((m) => (m.ready ? resolve() : undefined));
          void subgraphs.exited.then((code) => reject(new Error(`peer subgraphs exited (code ${code}):\n${subgraphs.tail()}`)));
        });
        const ours = (await gatewaySpecs(ctx.root)).ours;
        const launch = ours.launch({ port, dedup: 'off', supergraphPath: files.supergraphPath, build: ctx.build, nodeFlags: [] });
        router = spawnNode('router', launch.args, { cpus: hasTaskset() ? ROUTER_CPU : undefined, env: launch.env, cwd: ctx.root, echo: ctx.verbose });
        const url = `http://127.0.0.1:${port}/graphql`;
        for (let i = 0; ; i++) {
          const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: files.requestBody }).catch(() => null);
          if (res?.ok) break;
          if (i > 240) throw new Error(`router not ready:\n${router.tail()}`);
          await sleep(250);
        }
        subgraphPids = [subgraphs.pid];
        affinity = { router: cpusAllowed(router.pid), subgraphs: cpusAllowed(subgraphs.pid) };
        hints = {
          'router (client → router)': await keepAliveHint(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: files.requestBody }),
          'peer subgraphs (router → subgraphs)': await keepAliveHint('http://127.0.0.1:4200/stats'),
        };
        const config: LoadConfig = {
          url,
          body: files.requestBody,
          expectedShapePath: path.join(files.dir, 'expected-shape.json'),
          profile,
          warmup: { seconds: warmup, connections: 50 },
          timeoutSec: 30,
        };
        ctx.log(`soak: peer workload, constant 50 connections for ${seconds} s after a ${warmup} s warm-up`);
        const r = router;
        const m = await runLoad(ctx, ctx.build.loadWorker, config, 'soak-peer', {
          cpus: hasTaskset() ? SHOP_CPU : undefined,
          watch: { router: r.pid },
          atStart: async () => Object.assign(rss, sampleRss(r.pid, subgraphPids)),
          atEnd: async () => rss.stop(),
        });
        result = m.load;
        stopAllStarted = async () => {
          await r.stop();
          await subgraphs.stop();
        };
      } else {
        const build = buildShop(ctx.root, ctx.build);
        const { shop } = await ensureSeeded(ctx, build);
        stopAllStarted = () => shop.stop();
        router = shop.processes.router;
        subgraphPids = SHOP_SUBGRAPHS.map((n) => shop.processes[n].pid);
        affinity = shop.affinity;
        const tokens = await customerTokens(40);
        hints = {
          'router (client → router)': await keepAliveHint(`${shop.routerUrl.replace('/graphql', '/health')}`),
          'subgraphs (router → subgraphs)': await keepAliveHint(urlOf('products').replace('/graphql', '/health')),
        };
        const config: ShopLoadConfig = {
          url: shop.routerUrl,
          page: 'listing',
          requests: tokens.map((token) => ({ body: JSON.stringify({ query: QUERIES.listing }), token })),
          profile,
          warmup: { seconds: warmup, connections: 50 },
          timeoutSec: 30,
        };
        ctx.log(`soak: shop listing page, constant 50 connections for ${seconds} s after a ${warmup} s warm-up`);
        const r = router;
        const m = await runLoad(ctx, build.loadWorker, config, 'soak-shop', {
          cpus: hasTaskset() ? SHOP_CPU : undefined,
          watch: { router: r.pid },
          atStart: async () => Object.assign(rss, sampleRss(r.pid, subgraphPids)),
          atEnd: async () => rss.stop(),
        });
        result = m.load;
      }
    } finally {
      rss.stop();
      await stopAllStarted();
    }
    return report(ctx, workload, seconds, warmup, result, rss.samples, hints, affinity);
  },
};

const fmt = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits));

function report(
  ctx: ScenarioContext,
  workload: string,
  seconds: number,
  warmup: number,
  load: LoadResult,
  samples: RssSample[],
  hints: Record<string, string>,
  affinity: Record<string, string>,
): ScenarioReport {
  const router = growth(samples, 'router');
  const subgraphs = growth(samples, 'subgraphs');
  const socketErrors = Object.values(load.socketErrors).reduce((a, b) => a + b, 0) + load.timeouts;
  const failures = Object.values(load.failures).reduce((a, b) => a + b, 0);
  const rssOk = router.growthPct < 10;
  const socketsOk = socketErrors === 0 && failures === 0;
  // Throughput per minute (of the profile's own seconds, not the drain), to see drift.
  const perMinute: string[] = [];
  for (let m = 0; m * 60 < seconds; m++) {
    const slice = load.timeline.slice(m * 60, Math.min((m + 1) * 60, seconds));
    if (slice.length >= 10) perMinute.push(fmt(slice.reduce((a, s) => a + s.successes, 0) / slice.length, 0));
  }
  const md = [
    `## Soak: ${workload === 'peer' ? 'peer workload' : 'shop listing page'}, constant 50 connections, ${seconds} s`,
    '',
    `After a ${warmup} s warm-up. RSS sampled every second (VmRSS); growth = mean of the last tenth of the window vs the first tenth. ` +
      `Pinning: router ${affinity.router ?? '?'}, subgraphs ${affinity.subgraphs ?? [...new Set(Object.entries(affinity).filter(([k]) => k !== 'router').map(([, v]) => v))].join(', ')} (Cpus_allowed_list).`,
    '',
    '| RPS | p50 / p99 ms | success % | requests ok / all | socket errors + timeouts | failed responses | router RSS first → last MB (peak) | router RSS growth | subgraphs RSS first → last MB | RPS per minute |',
    '|--:|---|--:|--:|--:|--:|---|--:|---|---|',
    `| ${fmt(load.rps, 1)} | ${fmt(load.latencyMs.p50)} / ${fmt(load.latencyMs.p99)} | ${fmt(load.successRate * 100, 3)} | ${load.successes} / ${load.attempts} | ${socketErrors} | ${failures} | ${fmt(router.firstMb)} → ${fmt(router.lastMb)} (${fmt(router.peakMb)}) | ${fmt(router.growthPct, 1)} % | ${fmt(subgraphs.firstMb)} → ${fmt(subgraphs.lastMb)} | ${perMinute.join(' / ')} |`,
    '',
    '### Keep-alive, both sides',
    '',
    '- client (autocannon) → router: 50 persistent HTTP/1.1 connections, never idle during the run; the router server keeps an idle connection ' +
      `75 s (keepAliveTimeout 75 s, headersTimeout 76 s, router/src/app.ts); its hint as measured: \`${hints['router (client → router)']}\`.`,
    `- router → subgraphs: ${routerClientKeepAlive(ctx.root)}; the subgraph servers keep idle sockets 75 s (keepAliveTimeout 75 s, headersTimeout 76 s: platform server.ts, bench/peer/server.ts); hint as measured: \`${Object.entries(hints).filter(([k]) => !k.startsWith('router (')).map(([, v]) => v).join(', ')}\`. The client side always lets go of an idle socket before the server does, so no request is written on a socket the server is closing.`,
    '',
    '### Targets',
    '',
    `- Router RSS growth < 10 %: ${fmt(router.growthPct, 1)} % (${rssOk ? 'MET' : 'missed'}).`,
    `- Zero socket errors: ${socketErrors} socket errors/timeouts, ${failures} failed responses (${socketsOk ? 'MET' : 'missed'}).`,
    '',
  ].join('\n');
  return {
    name: 'soak',
    title: 'Soak',
    markdown: md,
    data: { workload, seconds, warmup, load: { ...load, timeline: undefined }, perSecond: load.timeline.map((t) => t.successes), rss: { router, subgraphs, samples }, hints, affinity },
  };
}
