import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { peerFiles } from '../../peer/paths.js';
import { gatewaySpecs, ROUTER_DEDUP_ENV, type Dedup, type GatewayId, type GatewaySpec } from '../gateways/index.js';
import { constantProfile, rampProfile, type LoadConfig, type LoadProfile, type LoadResult } from '../load.js';
import {
  coreBusyPercent,
  coreTicks,
  cpusAllowed,
  hasTaskset,
  isPortFree,
  sleep,
  spawnNode,
  UsageMeter,
  type Managed,
  type ProcUsage,
} from '../proc.js';
import { checkPeerResponse } from '../shape.js';
import type { Scenario, ScenarioContext, ScenarioReport } from './types.js';

/** Core of the gateway under test; load generator, subgraphs and the orchestrator share the other. */
const GATEWAY_CPU = '0';
const LOAD_CPU = '1';
const SUBGRAPH_PORT = 4200; // fixed by the peer supergraph's join__graph URLs

export interface PeerRun {
  gateway: GatewayId;
  gatewayLabel: string;
  dedup: Dedup;
  profile: string;
  profileDescription: string;
  status: 'ok' | 'skipped' | 'error';
  note?: string;
  load?: LoadResult;
  /** The gateway process over the measured window. */
  gatewayUsage?: ProcUsage;
  subgraphsUsage?: ProcUsage;
  loadgenUsage?: ProcUsage;
  /** Whole-CPU busy % over the window (all processes on the machine, ours and others'). */
  coreBusyPercent?: Record<string, number>;
  /**
   * Subgraph HTTP requests per gateway request: `sequential` from 3 requests sent one at a time
   * before the load (exact: the plan's fetches after in-request dedup); `underLoad` = subgraph
   * requests in the measured window ÷ requests sent (approximate: in-flight requests at the
   * window's edges; cross-request dedup shows here).
   */
  subgraphRequests?: { sequential: number; sequentialBySubgraph: Record<string, number>; underLoad: number };
  affinity?: { gateway: string; subgraphs: string; loadgen: string };
  gatewayStartupMs?: number;
}

function scaledSeconds(ctx: ScenarioContext): { a: number; b: number; warmup: number } {
  const a = ctx.seconds ?? 20;
  const b = ctx.seconds !== undefined ? Math.round(ctx.seconds * 1.5) : 30;
  const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? Math.min(5, Math.max(2, Math.round(a / 4))));
  return { a, b, warmup };
}

async function subgraphCounts(): Promise<Record<string, number>> {
  const res = await fetch(`http://127.0.0.1:${SUBGRAPH_PORT}/stats`);
  return ((await res.json()) as { requests: Record<string, number> }).requests;
}

/** Waits until the gateway answers the peer query with a success; returns the last failure otherwise. */
async function waitForGateway(url: string, body: string, expected: unknown, proc: Managed, timeoutMs = 60_000): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no response';
  let answered = 0;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) return `exited with code ${proc.child.exitCode}:\n${proc.tail()}`;
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const verdict = checkPeerResponse(res.status, await res.text(), expected);
      if (verdict.ok) return null;
      last = verdict.reason;
      // A gateway that answers but keeps failing the check will not get better: give it ~5 s.
      if (++answered > 20) break;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(250);
  }
  return `not ready: ${last}\n${proc.tail()}`;
}

interface RunningLoad {
  worker: Managed;
  /** Resolves when the measured profile begins (after the warm-up). */
  started: Promise<void>;
  done: Promise<LoadResult>;
}

function startLoad(ctx: ScenarioContext, config: LoadConfig, name: string): RunningLoad {
  const file = path.join(ctx.runDir, 'load', `${name}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(config));
  const worker = spawnNode(`load ${name}`, [ctx.build.loadWorker, file], { cpus: LOAD_CPU, echo: ctx.verbose });
  let onStarted: () => void = () => undefined;
  let onDone: (r: LoadResult) => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    onStarted = resolve;
    void worker.exited.then((code) => reject(new Error(`load generator exited (code ${code}) before the run started:\n${worker.tail()}`)));
  });
  // Resolves on the worker's "done" line (the worker still runs, so its /proc entry is readable).
  const done = new Promise<LoadResult>((resolve, reject) => {
    onDone = resolve;
    void worker.exited.then((code) => reject(new Error(`load generator exited (code ${code}) without a result:\n${worker.tail()}`)));
  });
  worker.onJson((msg) => {
    if (msg.event === 'started') onStarted();
    if (msg.event === 'done') onDone(msg.result as LoadResult);
  });
  started.catch(() => undefined);
  done.catch(() => undefined);
  return { worker, started, done };
}

async function runOne(
  ctx: ScenarioContext,
  gw: GatewaySpec,
  dedup: Dedup,
  profile: LoadProfile,
  env: { files: ReturnType<typeof peerFiles>; subgraphs: Managed; port: number; warmup: number },
): Promise<PeerRun> {
  const base: PeerRun = { gateway: gw.id, gatewayLabel: gw.label, dedup, profile: profile.id, profileDescription: profile.description, status: 'ok' };
  const why = gw.unsupported(dedup);
  if (why) return { ...base, status: 'skipped', note: why };

  const name = `${gw.id}-dedup-${dedup}-${profile.id}`;
  // BENCH_GATEWAY_NODE_FLAGS (e.g. "--max-semi-space-size=64") applies to both gateways alike.
  const extraFlags = (process.env.BENCH_GATEWAY_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const nodeFlags = [
    ...extraFlags,
    ...(ctx.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ctx.runDir, 'profiles')}`, `--cpu-prof-name=${name}.cpuprofile`] : []),
  ];
  const launch = gw.launch({ port: env.port, dedup, supergraphPath: env.files.supergraphPath, build: ctx.build, nodeFlags });
  const url = `http://127.0.0.1:${env.port}/graphql`;
  ctx.log(`peer: ${name}: starting ${gw.label}, dedup ${dedup}, pinned to CPU ${GATEWAY_CPU}`);
  const t0 = Date.now();
  const proc = spawnNode(gw.id, launch.args, { cpus: GATEWAY_CPU, env: launch.env, cwd: ctx.root, echo: ctx.verbose });
  try {
    const notReady = await waitForGateway(url, env.files.requestBody, env.files.expectedShape, proc);
    if (notReady) return { ...base, status: 'error', note: `gateway ${notReady}` };
    const gatewayStartupMs = Date.now() - t0;
    const probe0 = await subgraphCounts();
    for (let i = 0; i < 3; i++) {
      await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: env.files.requestBody })).text();
    }
    const probe1 = await subgraphCounts();
    const sequentialBySubgraph = Object.fromEntries(Object.entries(probe1).map(([k, v]) => [k, (v - (probe0[k] ?? 0)) / 3]));
    const sequential = Object.values(sequentialBySubgraph).reduce((a, b) => a + b, 0);
    ctx.log(`peer: ${name}: ready in ${gatewayStartupMs} ms; ${env.warmup} s warm-up, then ${profile.description}`);

    const load = startLoad(
      ctx,
      {
        url,
        body: env.files.requestBody,
        expectedShapePath: path.join(env.files.dir, 'expected-shape.json'),
        profile,
        warmup: { seconds: env.warmup, connections: 50 },
        timeoutSec: 30,
      },
      name,
    );
    await load.started;
    const meters = [new UsageMeter(proc.pid), new UsageMeter(env.subgraphs.pid), new UsageMeter(load.worker.pid)] as const;
    for (const m of meters) m.start();
    const ticks0 = coreTicks();
    const counts0 = await subgraphCounts();
    const affinity = { gateway: cpusAllowed(proc.pid), subgraphs: cpusAllowed(env.subgraphs.pid), loadgen: cpusAllowed(load.worker.pid) };

    let usage: ProcUsage[];
    let result: LoadResult;
    try {
      result = await load.done;
    } finally {
      usage = meters.map((m) => m.stop());
    }
    const ticks1 = coreTicks();
    const [gatewayUsage, subgraphsUsage, loadgenUsage] = usage;
    const counts1 = await subgraphCounts();

    let underLoad = 0;
    for (const [k, v] of Object.entries(counts1)) underLoad += v - (counts0[k] ?? 0);
    return {
      ...base,
      load: result,
      gatewayUsage,
      subgraphsUsage,
      loadgenUsage,
      coreBusyPercent: coreBusyPercent(ticks0, ticks1),
      subgraphRequests: { sequential, sequentialBySubgraph, underLoad: result.sent ? underLoad / result.sent : NaN },
      affinity,
      gatewayStartupMs,
    };
  } catch (err) {
    return { ...base, status: 'error', note: (err as Error).message };
  } finally {
    await proc.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? undefined : a / b);

function pairOf(runs: PeerRun[], r: PeerRun, gateway: GatewayId): PeerRun | undefined {
  return runs.find((x) => x.gateway === gateway && x.dedup === r.dedup && x.profile === r.profile && x.status === 'ok');
}

function mainTable(runs: PeerRun[]): string {
  const head = '| gateway | dedup | profile | RPS | p50 ms | p95 ms | p99 ms | success % | CPU % | peak RSS MB | RPS ratio vs Hive | p99 ratio vs Hive |';
  const sep = '|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|';
  const rows = runs.map((r) => {
    const g = r.gateway === 'hive' ? r.gatewayLabel : r.gatewayLabel;
    if (r.status !== 'ok' || !r.load) {
      return `| ${g} | ${r.dedup} | ${r.profile} | ${r.status}: ${(r.note ?? '').split('\n')[0]} | | | | | | | | |`;
    }
    const l = r.load;
    const hive = pairOf(runs, r, 'hive');
    const rpsRatio = r.gateway === 'hive' ? 'baseline' : fmt(ratio(l.rps, hive?.load?.rps), 2) + '×';
    const p99Ratio = r.gateway === 'hive' ? 'baseline' : fmt(ratio(l.latencyMs.p99, hive?.load?.latencyMs.p99), 2) + '×';
    return `| ${g} | ${r.dedup} | ${r.profile} | ${fmt(l.rps, 1)} | ${fmt(l.latencyMs.p50)} | ${fmt(l.latencyMs.p95)} | ${fmt(l.latencyMs.p99)} | ${fmt(l.successRate * 100, 2)} | ${fmt(r.gatewayUsage?.cpuPercent)} | ${fmt(r.gatewayUsage?.peakRssMb)} | ${rpsRatio} | ${p99Ratio} |`;
  });
  return [head, sep, ...rows].join('\n');
}

/** Successful requests per second of gateway CPU time: RPS ÷ (CPU % / 100). Less sensitive than RPS to other load on the gateway's core. */
function efficiency(r: PeerRun): number | undefined {
  const cpu = r.gatewayUsage?.cpuPercent;
  return r.load && cpu ? r.load.rps / (cpu / 100) : undefined;
}

function sideTable(runs: PeerRun[]): string {
  const head =
    '| gateway | dedup | profile | requests ok / all | RPS per gateway CPU-second | ratio vs Hive | subgraph req per request (sequential / under load) | subgraphs CPU % | load gen CPU % | CPU0 busy % (all procs) | CPU1 busy % (all procs) | socket errors / timeouts | failures |';
  const sep = '|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|';
  const rows = runs
    .filter((r) => r.status === 'ok' && r.load)
    .map((r) => {
      const l = r.load!;
      const sock = Object.entries(l.socketErrors).map(([k, v]) => `${k}: ${v}`).join(', ') || '0';
      const fail = Object.entries(l.failures).map(([k, v]) => `${k}: ${v}`).join(', ') || '0';
      const hive = pairOf(runs, r, 'hive');
      const eff = efficiency(r);
      const effRatio = r.gateway === 'hive' ? 'baseline' : fmt(ratio(eff, hive ? efficiency(hive) : undefined), 2) + '×';
      const sub = r.subgraphRequests;
      return `| ${r.gatewayLabel} | ${r.dedup} | ${r.profile} | ${l.successes} / ${l.attempts} | ${fmt(eff, 1)} | ${effRatio} | ${fmt(sub?.sequential, 1)} / ${fmt(sub?.underLoad, 1)} | ${fmt(r.subgraphsUsage?.cpuPercent)} | ${fmt(r.loadgenUsage?.cpuPercent)} | ${fmt(r.coreBusyPercent?.cpu0)} | ${fmt(r.coreBusyPercent?.cpu1)} | ${sock} / ${l.timeouts} | ${fail} |`;
    });
  return [head, sep, ...rows].join('\n');
}

function targets(runs: PeerRun[]): string[] {
  const lines: string[] = [];
  for (const r of runs.filter((x) => x.gateway === 'ours')) {
    const hive = pairOf(runs, r, 'hive');
    const tag = `profile ${r.profile}, dedup ${r.dedup}`;
    if (r.status !== 'ok' || !r.load) {
      lines.push(`- ${tag}: not measured (${r.status}: ${(r.note ?? '').split('\n')[0]})`);
      continue;
    }
    if (!hive?.load) {
      lines.push(`- ${tag}: no Hive Gateway baseline in this run`);
      continue;
    }
    const rr = ratio(r.load.rps, hive.load.rps)!;
    const okRps = rr >= 1;
    const okP99 = r.load.latencyMs.p99 <= hive.load.latencyMs.p99;
    const okSuccess = r.load.successRate === 1 && r.load.attempts > 0;
    const met = okRps && okP99 && okSuccess;
    lines.push(
      `- ${tag}: ${met ? 'MET' : 'missed'} — RPS ${fmt(rr, 2)}× Hive (${okRps ? 'ok' : 'needs ≥ 1.0×'}), ` +
        `p99 ${fmt(r.load.latencyMs.p99)} vs ${fmt(hive.load.latencyMs.p99)} ms (${okP99 ? 'ok' : 'needs ≤ Hive'}), ` +
        `success ${fmt(r.load.successRate * 100, 2)} % (${okSuccess ? 'ok' : 'needs 100 %'})`,
    );
  }
  return lines;
}

export const peerScenario: Scenario = {
  name: 'peer',
  description: 'federation gateways benchmark workload (../shared/peer-bench/gateways-benchmark): our router vs Hive Gateway',
  async run(ctx): Promise<ScenarioReport> {
    const files = peerFiles();
    const secs = scaledSeconds(ctx);
    const wanted = (process.env.BENCH_PROFILES ?? 'A,B').split(',').map((p) => p.trim().toUpperCase());
    const profiles = [constantProfile(secs.a), rampProfile(secs.b)].filter((p) => wanted.includes(p.id));
    const port = Number(process.env.BENCH_GATEWAY_PORT ?? 4400);
    const dedups = (process.env.BENCH_DEDUP ?? 'off,on').split(',').map((d) => d.trim()) as Dedup[];
    const specs = await gatewaySpecs(ctx.root);
    const order: GatewayId[] = (process.env.BENCH_GATEWAYS ?? 'ours,hive').split(',').map((g) => g.trim()) as GatewayId[];
    const notes: string[] = [];
    const runs: PeerRun[] = [];

    if (!hasTaskset()) notes.push('taskset not found (util-linux): processes ran UNPINNED.');
    for (const p of [SUBGRAPH_PORT, port]) {
      if (!(await isPortFree(p))) {
        const msg = `port ${p} on 127.0.0.1 is in use; the peer scenario needs it (subgraphs 4200 from the supergraph, gateway BENCH_GATEWAY_PORT=${port})`;
        ctx.log(`peer: ${msg}`);
        return { name: 'peer', title: 'Peer workload', markdown: `## Peer workload\n\nNot run: ${msg}.\n`, data: { error: msg } };
      }
    }

    ctx.log(`peer: starting the four peer subgraphs on 127.0.0.1:${SUBGRAPH_PORT}, pinned to CPU ${LOAD_CPU}`);
    const subgraphs = spawnNode('peer-subgraphs', [ctx.build.peerSubgraphs], {
      cpus: LOAD_CPU,
      env: { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(SUBGRAPH_PORT) },
      cwd: ctx.root,
      echo: ctx.verbose,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        subgraphs.onJson((m) => (m.ready ? resolve() : undefined));
        void subgraphs.exited.then((code) => reject(new Error(`peer subgraphs exited (code ${code}):\n${subgraphs.tail()}`)));
        setTimeout(() => reject(new Error(`peer subgraphs not ready after 30 s:\n${subgraphs.tail()}`)), 30_000).unref();
      });

      let pair = 0;
      for (const profile of profiles) {
        for (const dedup of dedups) {
          // Alternate which gateway goes first, so slow drift of the machine's load favours neither.
          const ids = pair++ % 2 === 0 ? order : [...order].reverse();
          for (const id of ids) {
            runs.push(await runOne(ctx, specs[id], dedup, profile, { files, subgraphs, port, warmup: secs.warmup }));
            const r = runs[runs.length - 1]!;
            ctx.log(
              r.status === 'ok'
                ? `peer: ${id} dedup ${dedup} ${profile.id}: ${fmt(r.load?.rps, 1)} RPS, p99 ${fmt(r.load?.latencyMs.p99)} ms, success ${fmt((r.load?.successRate ?? 0) * 100, 2)} %, CPU ${fmt(r.gatewayUsage?.cpuPercent)} %`
                : `peer: ${id} dedup ${dedup} ${profile.id}: ${r.status}: ${(r.note ?? '').split('\n')[0]}`,
            );
          }
        }
      }
    } finally {
      await subgraphs.stop();
    }

    const sorted = [...runs].sort(
      (a, b) => a.profile.localeCompare(b.profile) || dedups.indexOf(a.dedup) - dedups.indexOf(b.dedup) || (a.gateway === 'ours' ? -1 : 1) - (b.gateway === 'ours' ? -1 : 1),
    );
    const ok = runs.find((r) => r.affinity);
    const pinning = ok?.affinity
      ? `gateway under test: \`taskset -c ${GATEWAY_CPU}\` (Cpus_allowed_list ${ok.affinity.gateway}); peer subgraphs (one process) and load generator: \`taskset -c ${LOAD_CPU}\` (${ok.affinity.subgraphs} / ${ok.affinity.loadgen}); the orchestrator pins itself to CPU ${LOAD_CPU}.`
      : 'not measured';
    const md = [
      '## Peer workload: federation gateways benchmark',
      '',
      `Query \`TestQuery\` (query.graphql, ~90 KB response) POSTed by autocannon; a success = HTTP 200, no \`errors\`, exactly the keys and JSON types of expected-shape.json (every response checked). ` +
        `Profiles: ${profiles.map((p) => `**${p.id}** = ${p.description}`).join('; ')} (B's staircase: 50, +113 at 1/6, +112 at 2/6, +113 at 3/6, +112 at 4/6 = 500, −225 at 5/6, −225 at 11/12). ` +
        `Each run starts a fresh gateway process and warms it up ${secs.warmup} s (50 connections, not measured). Connections stop gracefully (in-flight responses are awaited and counted); the window ends with the last response. Latency = successful requests only; RPS = successes ÷ window wall time. ` +
        `CPU % = gateway utime+stime ÷ wall (100 = one core); peak RSS = highest VmRSS sampled every 200 ms during the run.`,
      '',
      `Pinning: ${pinning}`,
      '',
      mainTable(sorted),
      '',
      `Dedup = inflight deduplication of identical concurrent subgraph requests (ours: ${ROUTER_DEDUP_ENV}; Hive: executor-http \`deduplicateInflightRequests\` on every transport). ` +
        `Hive's inbound request dedup: ${process.env.BENCH_HIVE_INBOUND_DEDUP === 'on' ? 'ON (BENCH_HIVE_INBOUND_DEDUP=on)' : 'off'}; JIT: ${process.env.BENCH_HIVE_JIT === '1' ? 'on' : 'off'}.` +
        (process.env.BENCH_GATEWAY_NODE_FLAGS ? ` Node flags for both gateways: \`${process.env.BENCH_GATEWAY_NODE_FLAGS}\`.` : ''),
      '',
      '### Targets (ours ≥ 1.0× Hive RPS, p99 ≤ Hive, 100 % success, same configuration)',
      '',
      ...targets(sorted),
      '',
      '### Side figures (validity of the run)',
      '',
      'RPS per gateway CPU-second = RPS ÷ (CPU % / 100): throughput per core-second the gateway actually got, the fairer figure when other processes share CPU0. ' +
        'Subgraph requests per gateway request: sequential = 3 requests one at a time before the load (the plan\'s fetches); under load = subgraph requests in the window ÷ requests sent (approximate; shows cross-request dedup). ' +
        'CPU1 carries the subgraphs, the load generator and the orchestrator: near 100 % there, the gateway may not be the only bottleneck. CPU0/CPU1 busy count every process on the machine, so CPU0 busy minus the gateway CPU % is other load on the gateway\'s core.',
      '',
      sideTable(sorted),
      ...(notes.length ? ['', ...notes.map((n) => `- ${n}`)] : []),
      '',
    ].join('\n');
    return {
      name: 'peer',
      title: 'Peer workload',
      markdown: md,
      data: {
        peerBenchDir: files.dir,
        profiles,
        warmupSec: secs.warmup,
        gateways: Object.fromEntries(Object.values(specs).map((s) => [s.id, { label: s.label, runs: s.runs }])),
        pinning,
        runs: sorted,
        notes,
      },
    };
  },
};
