import type mysql from 'mysql2/promise';
import { hasTaskset, type ProcUsage } from '../proc.js';
import { constantProfile, type LoadResult } from '../load.js';
import { COLOURS, customerTokens, ensureSeeded, NOUNS, seedPool, type SeedMarker } from '../seed-shop.js';
import { buildShop } from '../shop/build.js';
import { gql } from '../shop/client.js';
import { ROUTER_CPU, SHOP_CPU, type RunningShop } from '../shop/launch.js';
import type { ShopLoadConfig } from '../shop/load-worker.js';
import { checkPage, PAGE_TITLES, QUERIES, type PageId, type PageRequest } from '../shop/pages.js';
import { runLoad, sumUsage } from '../shop/run-load.js';
import { SHOP_SUBGRAPHS, urlOf } from '../shop/topology.js';
import type { Scenario, ScenarioContext, ScenarioReport } from './types.js';

/** How many of the ordering customers (0..99, 50 orders and 15 favourites each) sign in for the signed-in pages. */
const SIGNED_IN = Number(process.env.BENCH_SHOP_CUSTOMERS ?? 40);

export interface ShopPageRun {
  page: PageId;
  title: string;
  target: 'router' | 'products subgraph';
  variants: number;
  status: 'ok' | 'error';
  note?: string;
  load?: LoadResult;
  routerUsage?: ProcUsage;
  subgraphsUsage?: ProcUsage;
  /** CPU % of each subgraph over the window. */
  subgraphCpu?: Record<string, number>;
  loadgenUsage?: ProcUsage;
  coreBusyPercent?: Record<string, number>;
  /** Query plan cache: lookups and misses (= plans built) in the warm-up and in the measured window. */
  planCache?: { warmup: { lookups: number; misses: number }; window: { lookups: number; misses: number }; hitRate: number };
}

function settings(ctx: ScenarioContext) {
  const seconds = Number(process.env.BENCH_SHOP_SECONDS ?? ctx.seconds ?? 15);
  const warmup = Number(process.env.BENCH_SHOP_WARMUP_SECONDS ?? process.env.BENCH_WARMUP_SECONDS ?? 3);
  const connections = Number(process.env.BENCH_SHOP_CONNECTIONS ?? 50);
  const pages = (process.env.BENCH_SHOP_PAGES ?? 'baseline,listing,product,orders,search').split(',').map((p) => p.trim()) as PageId[];
  return { seconds, warmup, connections, pages };
}

/** The request variants of every page, from the seed: which products, customers and words. */
async function variants(shop: RunningShop, log: (l: string) => void): Promise<Record<PageId, PageRequest[]>> {
  const t0 = Date.now();
  const tokens = await customerTokens(SIGNED_IN);
  log(`shop: ${tokens.length} customers' tokens in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const ratings: mysql.Pool = seedPool('ratings', 1);
  let popular: string[];
  try {
    const [rows] = await ratings.query<mysql.RowDataPacket[]>('SELECT product_id FROM rating_summaries WHERE review_count >= 10 ORDER BY product_id LIMIT 200');
    popular = rows.map((r) => String(r.product_id));
  } finally {
    await ratings.end();
  }
  if (popular.length === 0) throw new Error('the seed has no product with 10 reviews');
  // Words that find something: every noun, and colour + noun pairs (search-as-you-type of a longer name).
  const words = [...NOUNS, ...NOUNS.slice(0, 20).map((n, i) => `${COLOURS[i % COLOURS.length]} ${n}`)];
  const searchable: string[] = [];
  for (const query of words) {
    const res = await gql(shop.routerUrl, QUERIES.search, { query });
    if (res.data?.search?.nodes?.length > 0) searchable.push(query);
  }
  const body = (page: PageId, variables?: Record<string, unknown>) => JSON.stringify({ query: QUERIES[page], ...(variables ? { variables } : {}) });
  return {
    baseline: tokens.map((token) => ({ body: body('baseline'), token })),
    listing: tokens.map((token) => ({ body: body('listing'), token })),
    product: popular.map((id) => ({ body: body('product', { id }) })),
    orders: tokens.map((token) => ({ body: body('orders'), token })),
    search: searchable.map((query) => ({ body: body('search', { query }) })),
  };
}

/** Every variant must pass the check before the load starts (a broken page would only show as 0 RPS). */
async function preflight(url: string, page: PageId, requests: PageRequest[]): Promise<string | null> {
  for (const r of requests) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(r.token ? { authorization: `Bearer ${r.token}` } : {}) },
      body: r.body,
    });
    const text = await res.text();
    const verdict = checkPage(page, res.status, text);
    if (!verdict.ok) return `${verdict.reason}: ${text.slice(0, 300)}`;
  }
  return null;
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits));

function table(runs: ShopPageRun[]): string {
  const head = '| page | sent to | RPS | p50 ms | p95 ms | p99 ms | success % | router CPU % | subgraphs CPU % (sum) | load gen CPU % | RPS per router CPU-s | plan cache hit rate (plans built) |';
  const sep = '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|';
  const rows = runs.map((r) => {
    if (r.status !== 'ok' || !r.load) return `| ${r.title} | ${r.target} | ${r.status}: ${(r.note ?? '').split('\n')[0]} | | | | | | | | | |`;
    const l = r.load;
    const eff = r.routerUsage && r.target === 'router' ? l.rps / (r.routerUsage.cpuPercent / 100) : undefined;
    const plan = r.planCache ? `${fmt(r.planCache.hitRate * 100, 2)} % (${r.planCache.window.misses})` : 'n/a';
    return `| ${r.title} | ${r.target} | ${fmt(l.rps, 1)} | ${fmt(l.latencyMs.p50)} | ${fmt(l.latencyMs.p95)} | ${fmt(l.latencyMs.p99)} | ${fmt(l.successRate * 100, 2)} | ${r.target === 'router' ? fmt(r.routerUsage?.cpuPercent) : '—'} | ${fmt(r.subgraphsUsage?.cpuPercent)} | ${fmt(r.loadgenUsage?.cpuPercent)} | ${fmt(eff, 1)} | ${plan} |`;
  });
  return [head, sep, ...rows].join('\n');
}

function sideTable(runs: ShopPageRun[]): string {
  const head = '| page | requests ok / all | socket errors / timeouts | failures | CPU0 busy % | CPU1 busy % | busiest subgraphs (CPU %) | router peak RSS MB |';
  const sep = '|---|--:|---|---|--:|--:|---|--:|';
  const rows = runs
    .filter((r) => r.status === 'ok' && r.load)
    .map((r) => {
      const l = r.load!;
      const sock = Object.entries(l.socketErrors).map(([k, v]) => `${k}: ${v}`).join(', ') || '0';
      const fail = Object.entries(l.failures).map(([k, v]) => `${k}: ${v}`).join(', ') || '0';
      const busiest = Object.entries(r.subgraphCpu ?? {})
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ');
      return `| ${r.page} | ${l.successes} / ${l.attempts} | ${sock} / ${l.timeouts} | ${fail} | ${fmt(r.coreBusyPercent?.cpu0)} | ${fmt(r.coreBusyPercent?.cpu1)} | ${busiest} | ${r.target === 'router' ? fmt(r.routerUsage?.peakRssMb) : '—'} |`;
    });
  return [head, sep, ...rows].join('\n');
}

export const shopScenario: Scenario = {
  name: 'shop',
  description: 'the shop workload: four storefront pages through the router over the seeded shop, and the baseline (products subgraph direct)',
  async run(ctx): Promise<ScenarioReport> {
    const s = settings(ctx);
    const build = buildShop(ctx.root, ctx.build);
    const seeded = await ensureSeeded(ctx, build);
    const shop = seeded.shop;
    const runs: ShopPageRun[] = [];
    try {
      const all = await variants(shop, ctx.log);
      const subgraphPids = Object.fromEntries(SHOP_SUBGRAPHS.map((n) => [n, shop.processes[n].pid]));
      for (const page of s.pages) {
        const target = page === 'baseline' ? 'products subgraph' : 'router';
        const url = page === 'baseline' ? urlOf('products') : shop.routerUrl;
        const requests = all[page];
        const base: ShopPageRun = { page, title: PAGE_TITLES[page], target, variants: requests.length, status: 'ok' };
        const broken = await preflight(url, page, requests);
        if (broken) {
          runs.push({ ...base, status: 'error', note: `pre-flight check failed: ${broken}` });
          ctx.log(`shop: ${page}: pre-flight check failed: ${broken}`);
          continue;
        }
        ctx.log(`shop: ${page}: ${s.warmup} s warm-up, then ${s.connections} connections for ${s.seconds} s (${requests.length} variants) → ${target}`);
        const config: ShopLoadConfig = {
          url,
          page,
          requests,
          profile: constantProfile(s.seconds, s.connections),
          warmup: { seconds: s.warmup, connections: s.connections },
          timeoutSec: 30,
        };
        try {
          const before = await shop.planCache();
          const m = await runLoad(ctx, build.loadWorker, config, `shop-${page}`, {
            cpus: hasTaskset() ? SHOP_CPU : undefined,
            watch: { router: shop.processes.router.pid, ...subgraphPids },
            atStart: () => shop.planCache(),
            atEnd: () => shop.planCache(),
          });
          const start = m.marks.start as { lookups: number; misses: number };
          const end = m.marks.end as { lookups: number; misses: number };
          const window = { lookups: end.lookups - start.lookups, misses: end.misses - start.misses };
          const subgraphUsages = SHOP_SUBGRAPHS.map((n) => m.usage[n]!);
          runs.push({
            ...base,
            load: m.load,
            routerUsage: m.usage.router,
            subgraphsUsage: sumUsage(subgraphUsages),
            subgraphCpu: Object.fromEntries(SHOP_SUBGRAPHS.map((n) => [n, m.usage[n]!.cpuPercent])),
            loadgenUsage: m.loadgen,
            coreBusyPercent: m.coreBusyPercent,
            planCache:
              target === 'router'
                ? {
                    warmup: { lookups: start.lookups - before.lookups, misses: start.misses - before.misses },
                    window,
                    hitRate: window.lookups ? 1 - window.misses / window.lookups : NaN,
                  }
                : undefined,
          });
          const r = runs.at(-1)!;
          ctx.log(
            `shop: ${page}: ${fmt(r.load?.rps, 1)} RPS, p99 ${fmt(r.load?.latencyMs.p99)} ms, success ${fmt((r.load?.successRate ?? 0) * 100, 2)} %` +
              (r.planCache ? `, plan cache ${fmt(r.planCache.hitRate * 100, 2)} % hits` : ''),
          );
        } catch (err) {
          runs.push({ ...base, status: 'error', note: (err as Error).message });
        }
      }
    } finally {
      await shop.stop();
    }
    return report(runs, s, seeded.marker, seeded.reused, shop);
  },
};

function report(runs: ShopPageRun[], s: ReturnType<typeof settings>, marker: SeedMarker, reused: boolean, shop: RunningShop): ScenarioReport {
  const listing = runs.find((r) => r.page === 'listing' && r.status === 'ok');
  const baseline = runs.find((r) => r.page === 'baseline' && r.status === 'ok');
  const ratio = listing?.load && baseline?.load ? listing.load.rps / baseline.load.rps : undefined;
  const routed = runs.filter((r) => r.planCache);
  const lookups = routed.reduce((n, r) => n + r.planCache!.window.lookups, 0);
  const misses = routed.reduce((n, r) => n + r.planCache!.window.misses, 0);
  const a = shop.affinity;
  const pinning = hasTaskset()
    ? `router \`taskset -c ${ROUTER_CPU}\` (Cpus_allowed_list ${a.router}); the twelve subgraphs, the load generator and the orchestrator \`taskset -c ${SHOP_CPU}\` (subgraphs: ${[...new Set(SHOP_SUBGRAPHS.map((n) => a[n]))].join(', ')}); MariaDB, Redis, Kafka and the MongoDB wire server are not ours to pin and float over both CPUs.`
    : 'taskset not found: UNPINNED.';
  const seed = `${marker.counts.products} products, ${marker.counts.customers} customers, ${marker.counts.reviews} reviews, ${marker.counts.orders}+ orders (seed ${marker.generation}, ${reused ? 'reused' : `seeded in this run in ${marker.seconds.toFixed(0)} s`})`;
  const md = [
    '## Shop workload: storefront pages through the router',
    '',
    `Seeded shop: ${seed}. Every process runs built JS with NODE_ENV=production (shop started in ${(shop.startupMs / 1000).toFixed(0)} s). ` +
      `Each page: ${s.warmup} s warm-up, then constant ${s.connections} connections for ${s.seconds} s (autocannon, graceful stop); the connections cycle through the page's variants ` +
      `(signed-in pages: ${SIGNED_IN} customers' tokens; product page: 200 products with ≥ 10 reviews; search: words of the seeded names). ` +
      'A success = HTTP 200, no `errors`, the full shape with the page\'s item count (20 products, 10 reviews with authors, 10 orders each with items → product, payment and shipment, ≥ 1 hit with facets). ' +
      'Plan cache hit rate = 1 − plans built ÷ plan lookups in the measured window (router-main.ts wraps the gateway\'s plan store; the warm-up plans first).',
    '',
    `Pinning: ${pinning}`,
    '',
    table(runs),
    '',
    '### Targets',
    '',
    `- Listing through the router vs baseline (products subgraph direct): ${ratio === undefined ? 'not measured' : `${fmt(ratio, 2)}× (${ratio >= 0.5 ? 'MET' : 'missed'}, target ≥ 0.5×)`}.`,
    `- Warm path plans nothing: ${lookups ? `${misses} plan(s) built in ${lookups} measured router requests, hit rate ${fmt((1 - misses / lookups) * 100, 3)} % (${misses === 0 ? 'MET' : 'missed'})` : 'not measured'}.`,
    `- 100 % success: ${runs.every((r) => r.status === 'ok' && r.load?.successRate === 1) ? 'MET' : 'missed'} (every page).`,
    '',
    '### Side figures',
    '',
    'CPU1 carries all twelve subgraphs, the load generator and the orchestrator: near 100 % busy there, the subgraphs (not the router) limit RPS. CPU0 busy minus router CPU % is other load on the router\'s core (the datastores float).',
    '',
    sideTable(runs),
    '',
  ].join('\n');
  return {
    name: 'shop',
    title: 'Shop workload',
    markdown: md,
    data: { settings: s, seed: marker, seedReused: reused, startupMs: shop.startupMs, affinity: shop.affinity, pinning, runs, listingVsBaseline: ratio, planCache: { lookups, misses } },
  };
}
