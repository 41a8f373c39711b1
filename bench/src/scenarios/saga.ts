import type mysql from 'mysql2/promise';
import { percentile } from '../load.js';
import { coreBusyPercent, coreTicks, hasTaskset, sleep, UsageMeter, type ProcUsage } from '../proc.js';
import { customerTokens, ensureSeeded, seedPool } from '../seed-shop.js';
import { buildShop } from '../shop/build.js';
import { gql, type GqlResult } from '../shop/client.js';
import { ROUTER_CPU, SHOP_CPU, type RunningShop } from '../shop/launch.js';
import { SHOP_SUBGRAPHS } from '../shop/topology.js';
import type { Scenario, ScenarioContext, ScenarioReport } from './types.js';

/**
 * The checkout saga, end to end on the seeded shop (processes, NODE_ENV=production, pinned):
 *  1. latency: BENCH_SAGA_ORDERS (200) orders, BENCH_SAGA_CONCURRENCY (2) at a time, each placed
 *     through the router and followed until PAID; placeOrder → PAID = the PAID entry of the order's
 *     own status history (orders' clock) minus the moment the bench sent placeOrder (same host clock);
 *  2. sustained: BENCH_SAGA_SECONDS (60) of BENCH_SAGA_LOAD_CONCURRENCY (32) customers each
 *     placing an order, waiting until it is final, placing the next (closed loop: the rate the saga
 *     sustains, not a backlog); then a drain of up to 60 s, after which every order placed must be
 *     final, and every PAID one must have its payment and its shipment (none lost).
 * Orders buy 1–3 lines from the seed's 500 well-stocked products, paid with tok_visa, by
 * customers 900.. (not the order-history customers 0..99 of the shop scenario).
 */

const FINAL = new Set(['PAID', 'CANCELLED', 'REFUNDED', 'SHIPPED', 'DELIVERED']);
const PLACE_ORDER = `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id status } userErrors { code message } } }`;
const ADDRESS = { line1: '1 Bench Street', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' };

interface Placed {
  id: string | null;
  sentAt: number;
  answeredAt: number;
  error?: string;
}

/** Watches orders' statuses in one query every `intervalMs` for all orders waited on. */
class StatusWatcher {
  private waiting = new Map<string, (status: string) => void>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  constructor(
    private readonly pool: mysql.Pool,
    private readonly intervalMs = 10,
  ) {}

  /** Resolves with the first final status seen (or 'TIMEOUT'). */
  untilFinal(id: string, timeoutMs: number): Promise<string> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve('TIMEOUT');
      }, timeoutMs);
      this.waiting.set(id, (status) => {
        clearTimeout(timer);
        resolve(status);
      });
      this.timer ??= setInterval(() => void this.poll(), this.intervalMs);
    });
  }

  private async poll(): Promise<void> {
    if (this.polling || this.waiting.size === 0) return;
    this.polling = true;
    try {
      const ids = [...this.waiting.keys()];
      const [rows] = await this.pool.query<mysql.RowDataPacket[]>('SELECT id, status FROM orders WHERE id IN (?)', [ids]);
      for (const row of rows) {
        const status = String(row.status);
        if (!FINAL.has(status)) continue;
        const done = this.waiting.get(String(row.id));
        this.waiting.delete(String(row.id));
        done?.(status);
      }
    } catch {
      /* next tick */
    } finally {
      this.polling = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

interface History {
  pendingAt?: number;
  paidAt?: number;
  final?: string;
}

async function histories(pool: mysql.Pool, ids: string[]): Promise<Map<string, History>> {
  const out = new Map<string, History>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    if (chunk.length === 0) continue;
    const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT order_id, status, at FROM order_status_history WHERE order_id IN (?) ORDER BY id', [chunk]);
    for (const r of rows) {
      const h = out.get(String(r.order_id)) ?? {};
      const at = new Date(r.at as Date).getTime();
      if (r.status === 'PENDING') h.pendingAt = at;
      if (r.status === 'PAID') h.paidAt = at;
      if (FINAL.has(String(r.status))) h.final ??= String(r.status);
      out.set(String(r.order_id), h);
    }
  }
  return out;
}

function stats(values: number[]) {
  const sorted = Float64Array.from(values).sort();
  return {
    n: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN,
  };
}
type Stats = ReturnType<typeof stats>;

function orderInput(products: string[], n: number, key: string) {
  const lines = 1 + (n % 3);
  return {
    items: Array.from({ length: lines }, (_, k) => ({ productId: products[(n * 31 + k * 97) % products.length]!, quantity: 1 + (k % 2) })),
    shippingAddress: ADDRESS,
    shippingMethod: 'STANDARD',
    paymentToken: 'tok_visa',
    idempotencyKey: key,
  };
}

async function place(routerUrl: string, token: string, input: Record<string, unknown>): Promise<Placed> {
  const sentAt = Date.now();
  let res: GqlResult;
  try {
    res = await gql(routerUrl, PLACE_ORDER, { input }, token);
  } catch (err) {
    return { id: null, sentAt, answeredAt: Date.now(), error: (err as Error).message };
  }
  const answeredAt = Date.now();
  const id = res.data?.placeOrder?.order?.id as string | undefined;
  if (id) return { id, sentAt, answeredAt };
  return { id: null, sentAt, answeredAt, error: JSON.stringify(res.errors?.[0]?.extensions?.code ?? res.errors ?? res.data?.placeOrder?.userErrors).slice(0, 200) };
}

export interface SagaLatency {
  orders: number;
  concurrency: number;
  placed: number;
  errors: Record<string, number>;
  notPaid: Record<string, number>;
  /** placeOrder sent → PAID (history), ms */
  placeToPaid: Stats;
  /** PENDING → PAID in the order's history, ms */
  pendingToPaid: Stats;
  /** placeOrder's own HTTP round trip through the router, ms */
  placeOrderResponse: Stats;
  wallSec: number;
}

export interface SagaSustained {
  seconds: number;
  concurrency: number;
  placed: number;
  errors: Record<string, number>;
  /** PAID (history time) inside the window ÷ window. */
  paidPerSec: number;
  /** Orders accepted by placeOrder inside the window ÷ window. */
  placedPerSec: number;
  placeToPaid: Stats;
  drainSec: number;
  final: Record<string, number>;
  /** Placed, but not final after the drain. */
  lost: number;
  paidWithoutPayment: number;
  paidWithoutShipment: number;
  usage: Record<string, ProcUsage>;
  coreBusyPercent: Record<string, number>;
}

async function latencyPhase(shop: RunningShop, watcher: StatusWatcher, orders: mysql.Pool, tokens: string[], products: string[], count: number, concurrency: number, tag: string): Promise<SagaLatency> {
  const placed: Placed[] = [];
  const statuses = new Map<string, string>();
  const errors: Record<string, number> = {};
  let next = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (;;) {
        const n = next++;
        if (n >= count) return;
        const p = await place(shop.routerUrl, tokens[w % tokens.length]!, orderInput(products, n, `${tag}-${n}`));
        placed.push(p);
        if (!p.id) {
          errors[p.error!] = (errors[p.error!] ?? 0) + 1;
          continue;
        }
        statuses.set(p.id, await watcher.untilFinal(p.id, 60_000));
      }
    }),
  );
  const wallSec = (Date.now() - t0) / 1000;
  const ok = placed.filter((p) => p.id);
  const h = await histories(orders, ok.map((p) => p.id!));
  const notPaid: Record<string, number> = {};
  const placeToPaid: number[] = [];
  const pendingToPaid: number[] = [];
  for (const p of ok) {
    const x = h.get(p.id!);
    if (!x?.paidAt) {
      const s = statuses.get(p.id!) ?? '?';
      notPaid[s] = (notPaid[s] ?? 0) + 1;
      continue;
    }
    placeToPaid.push(x.paidAt - p.sentAt);
    if (x.pendingAt) pendingToPaid.push(x.paidAt - x.pendingAt);
  }
  return {
    orders: count,
    concurrency,
    placed: ok.length,
    errors,
    notPaid,
    placeToPaid: stats(placeToPaid),
    pendingToPaid: stats(pendingToPaid),
    placeOrderResponse: stats(placed.map((p) => p.answeredAt - p.sentAt)),
    wallSec,
  };
}

async function sustainedPhase(
  shop: RunningShop,
  watcher: StatusWatcher,
  pools: { orders: mysql.Pool; payments: mysql.Pool; shipping: mysql.Pool },
  tokens: string[],
  products: string[],
  seconds: number,
  concurrency: number,
  tag: string,
): Promise<SagaSustained> {
  const placed: Placed[] = [];
  const errors: Record<string, number> = {};
  const meters = Object.fromEntries(
    (['router', ...SHOP_SUBGRAPHS] as const).map((n) => [n, new UsageMeter(shop.processes[n].pid)]),
  );
  for (const m of Object.values(meters)) m.start();
  const ticks0 = coreTicks();
  const t0 = Date.now();
  const end = t0 + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (Date.now() < end) {
        const k = n++;
        const p = await place(shop.routerUrl, tokens[w % tokens.length]!, orderInput(products, k, `${tag}-${k}`));
        placed.push(p);
        if (!p.id) {
          errors[p.error!] = (errors[p.error!] ?? 0) + 1;
          await sleep(50);
          continue;
        }
        // Graceful end: the order in flight at the end is still followed (it counts if PAID inside the window).
        await watcher.untilFinal(p.id, 60_000);
      }
    }),
  );
  const usage = Object.fromEntries(Object.entries(meters).map(([k, m]) => [k, m.stop()]));
  const busy = coreBusyPercent(ticks0, coreTicks());
  // Drain: every accepted order must become final.
  const ids = placed.filter((p) => p.id).map((p) => p.id!);
  const drainStart = Date.now();
  let h = await histories(pools.orders, ids);
  while ([...ids].some((id) => !h.get(id)?.final) && Date.now() - drainStart < 60_000) {
    await sleep(500);
    h = await histories(pools.orders, ids);
  }
  // Every PAID order: its payment (payments) and its shipment (shipping, created from order.paid) exist.
  const paidIds = ids.filter((id) => h.get(id)?.paidAt);
  const countIn = async (pool: mysql.Pool, sql: string) => {
    let found = 0;
    for (let i = 0; i < paidIds.length; i += 1000) {
      const chunk = paidIds.slice(i, i + 1000);
      if (chunk.length === 0) continue;
      const [[row]] = await pool.query<mysql.RowDataPacket[]>(sql, [chunk]);
      found += Number(row!.n);
    }
    return found;
  };
  let shipments = 0;
  let payments = 0;
  for (;;) {
    payments = await countIn(pools.payments, "SELECT COUNT(*) AS n FROM payments WHERE order_id IN (?) AND status = 'SUCCEEDED'");
    shipments = await countIn(pools.shipping, 'SELECT COUNT(*) AS n FROM shipments WHERE order_id IN (?)');
    if ((payments === paidIds.length && shipments === paidIds.length) || Date.now() - drainStart > 90_000) break;
    await sleep(500);
  }
  const drainSec = (Date.now() - drainStart) / 1000;
  const final: Record<string, number> = {};
  let lost = 0;
  for (const id of ids) {
    const f = h.get(id)?.final;
    if (!f) lost++;
    else final[f] = (final[f] ?? 0) + 1;
  }
  const windowEnd = t0 + seconds * 1000;
  const paidInWindow = paidIds.filter((id) => h.get(id)!.paidAt! <= windowEnd).length;
  const placedInWindow = placed.filter((p) => p.id && p.answeredAt <= windowEnd).length;
  const sentAt = new Map(placed.filter((p) => p.id).map((p) => [p.id!, p.sentAt]));
  return {
    seconds,
    concurrency,
    placed: ids.length,
    errors,
    paidPerSec: paidInWindow / seconds,
    placedPerSec: placedInWindow / seconds,
    placeToPaid: stats(paidIds.map((id) => h.get(id)!.paidAt! - sentAt.get(id)!)),
    drainSec,
    final,
    lost,
    paidWithoutPayment: paidIds.length - payments,
    paidWithoutShipment: paidIds.length - shipments,
    usage,
    coreBusyPercent: busy,
  };
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits));
const statRow = (label: string, s: Stats) => `| ${label} | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.p99)} | ${fmt(s.max)} | ${fmt(s.mean)} |`;

export const sagaScenario: Scenario = {
  name: 'saga',
  description: 'checkout saga: placeOrder → PAID latency over 200 orders, then sustained checkout orders/s (60 s) with none lost',
  async run(ctx: ScenarioContext): Promise<ScenarioReport> {
    const count = Number(process.env.BENCH_SAGA_ORDERS ?? 200);
    const concurrency = Number(process.env.BENCH_SAGA_CONCURRENCY ?? 2);
    const seconds = Number(process.env.BENCH_SAGA_SECONDS ?? 60);
    const loadConcurrency = Number(process.env.BENCH_SAGA_LOAD_CONCURRENCY ?? 32);
    const warmupOrders = Number(process.env.BENCH_SAGA_WARMUP_ORDERS ?? 10);
    const build = buildShop(ctx.root, ctx.build);
    const seeded = await ensureSeeded(ctx, build);
    const shop = seeded.shop;
    const pools = { orders: seedPool('orders', 4), payments: seedPool('payments', 2), shipping: seedPool('shipping', 2), inventory: seedPool('inventory', 1) };
    const watcher = new StatusWatcher(pools.orders);
    const tag = `saga-${Date.now().toString(36)}`;
    try {
      const [rows] = await pools.inventory.query<mysql.RowDataPacket[]>('SELECT product_id FROM stock WHERE on_hand >= 900000 ORDER BY product_id LIMIT 500');
      const products = rows.map((r) => String(r.product_id));
      if (products.length === 0) throw new Error('the seed has no well-stocked products');
      const customers = Array.from({ length: Math.max(concurrency, loadConcurrency) }, (_, i) => 900 + i);
      const tokens = await customerTokens(customers);

      ctx.log(`saga: warm-up, ${warmupOrders} orders one at a time (consumers join their groups, JIT)`);
      const warm = await latencyPhase(shop, watcher, pools.orders, tokens, products, warmupOrders, 1, `${tag}-warm`);
      ctx.log(`saga: warm-up: median placeOrder → PAID ${fmt(warm.placeToPaid.p50)} ms`);
      ctx.log(`saga: latency, ${count} orders, ${concurrency} at a time`);
      const latency = await latencyPhase(shop, watcher, pools.orders, tokens, products, count, concurrency, `${tag}-lat`);
      ctx.log(`saga: placeOrder → PAID median ${fmt(latency.placeToPaid.p50)} ms, p99 ${fmt(latency.placeToPaid.p99)} ms`);
      ctx.log(`saga: sustained checkout, ${loadConcurrency} customers for ${seconds} s`);
      const sustained = await sustainedPhase(shop, watcher, pools, tokens, products, seconds, loadConcurrency, `${tag}-load`);
      ctx.log(`saga: sustained ${fmt(sustained.paidPerSec, 1)} PAID/s, lost ${sustained.lost}`);
      return report(latency, sustained, warm, shop);
    } finally {
      watcher.stop();
      await Promise.all(Object.values(pools).map((p) => p.end()));
      await shop.stop();
    }
  },
};

function report(latency: SagaLatency, sustained: SagaSustained, warm: SagaLatency, shop: RunningShop): ScenarioReport {
  const medianOk = latency.placeToPaid.p50 < 300;
  const p99Ok = latency.placeToPaid.p99 < 1000;
  const allPaid = latency.placed === latency.orders && Object.keys(latency.notPaid).length === 0;
  const noneLost = sustained.lost === 0 && sustained.paidWithoutPayment === 0 && sustained.paidWithoutShipment === 0;
  const busiest = Object.entries(sustained.usage)
    .sort((a, b) => b[1].cpuPercent - a[1].cpuPercent)
    .slice(0, 6)
    .map(([k, u]) => `${k} ${fmt(u.cpuPercent)}`)
    .join(', ');
  const errs = (e: Record<string, number>) => Object.entries(e).map(([k, v]) => `${k}: ${v}`).join(', ') || '0';
  const md = [
    '## Checkout saga',
    '',
    `Processes as in the shop workload (built JS, NODE_ENV=production${hasTaskset() ? `, router on CPU ${ROUTER_CPU}, subgraphs on CPU ${SHOP_CPU}` : ', unpinned'}; relays at their production poll interval, 1 s). ` +
      'placeOrder → PAID = PAID entry of the order\'s status history (orders\' clock) − the moment the bench sent placeOrder (same host). ' +
      `Warm-up: ${warm.orders} orders one at a time, median ${fmt(warm.placeToPaid.p50)} ms (not counted).`,
    '',
    `### Latency: ${latency.orders} orders, ${latency.concurrency} at a time (${fmt(latency.wallSec, 1)} s)`,
    '',
    '| ms | n | p50 | p95 | p99 | max | mean |',
    '|---|--:|--:|--:|--:|--:|--:|',
    statRow('placeOrder sent → PAID', latency.placeToPaid),
    statRow('PENDING → PAID (history)', latency.pendingToPaid),
    statRow('placeOrder response (router)', latency.placeOrderResponse),
    '',
    `placeOrder errors: ${errs(latency.errors)}; placed but not PAID: ${errs(latency.notPaid)}.`,
    '',
    `### Sustained checkout: ${sustained.concurrency} customers, closed loop (place, wait until final, place again), ${sustained.seconds} s`,
    '',
    '| PAID orders/s | placed orders/s | placed | final after drain | lost | PAID without payment / shipment | drain s | placeOrder → PAID p50 / p99 ms | placeOrder errors |',
    '|--:|--:|--:|---|--:|---|--:|---|---|',
    `| ${fmt(sustained.paidPerSec, 1)} | ${fmt(sustained.placedPerSec, 1)} | ${sustained.placed} | ${errs(sustained.final)} | ${sustained.lost} | ${sustained.paidWithoutPayment} / ${sustained.paidWithoutShipment} | ${fmt(sustained.drainSec, 1)} | ${fmt(sustained.placeToPaid.p50)} / ${fmt(sustained.placeToPaid.p99)} | ${errs(sustained.errors)} |`,
    '',
    `CPU % over the window (busiest): ${busiest}; CPU0 busy ${fmt(sustained.coreBusyPercent.cpu0)} %, CPU1 busy ${fmt(sustained.coreBusyPercent.cpu1)} % (all processes).`,
    '',
    '### Targets',
    '',
    `- placeOrder → PAID median < 300 ms: ${fmt(latency.placeToPaid.p50)} ms (${medianOk ? 'MET' : 'missed'}); p99 < 1 s: ${fmt(latency.placeToPaid.p99)} ms (${p99Ok ? 'MET' : 'missed'}); every order PAID: ${allPaid ? 'yes' : 'NO'}.`,
    `- Sustained checkout with none lost: ${fmt(sustained.paidPerSec, 1)} orders/s PAID; ${noneLost ? 'none lost (MET)' : `${sustained.lost} not final, ${sustained.paidWithoutPayment} PAID without payment, ${sustained.paidWithoutShipment} without shipment (missed)`}.`,
    '',
  ].join('\n');
  return { name: 'saga', title: 'Checkout saga', markdown: md, data: { latency, sustained, warmup: warm, affinity: shop.affinity } };
}
