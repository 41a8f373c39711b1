import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createKafka, topics } from '@shop/events';
import { errorCode, gql, KAFKA_BROKERS, uniqueName, type GraphQLResponse, type ProcessShop, type ShopSubgraph, type ShopUser } from '@shop/testing';

/**
 * Shared by the fault and load suites: a stream of customers placing orders through the router of
 * a process-based shop (`startShopProcesses`), and an audit of what the shop then holds about them:
 * lost orders, double charges, duplicate shipments and notifications, stock.
 */

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function call<T = any>(shop: ProcessShop, query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>> {
  return gql<T>(shop.routerUrl, query, variables, { token });
}

/** Fails on any GraphQL error or user error in the named payload. */
export async function must<T = any>(shop: ProcessShop, query: string, variables: Record<string, unknown>, token: string | null, payload?: string): Promise<T> {
  const res = await call<T>(shop, query, variables, token);
  const userErrors = payload ? (res.data as Record<string, { userErrors?: unknown[] }> | null)?.[payload]?.userErrors : undefined;
  if (res.errors || (userErrors && userErrors.length > 0)) throw new Error(`${payload ?? 'operation'} failed: ${JSON.stringify(res.errors ?? userErrors)}`);
  return res.data as T;
}

export const ADDRESS = { line1: '1 Market St', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' };

export const PLACE_ORDER = `mutation ($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id status } userErrors { field message code } }
}`;

/** Creates `count` products through the router, each with `stock` units; returns their ids. */
export async function createProducts(
  shop: ProcessShop,
  count: number,
  opts: { stock: number; price?: number; category?: string; name?: string; description?: string },
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const data = await must(
      shop,
      `mutation ($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { code message field } } }`,
      {
        input: {
          sku: uniqueName('FLT').replace(/_/g, '-').toUpperCase(),
          name: opts.name ? `${opts.name} ${i + 1}` : `Fault product ${i + 1}`,
          description: opts.description ?? 'Made by a fault test',
          price: opts.price ?? 1000 + (i % 17) * 100,
          currency: 'USD',
          category: opts.category ?? 'faults',
          images: [],
        },
      },
      shop.adminToken,
      'createProduct',
    );
    const id = data.createProduct.product.id as string;
    await must(
      shop,
      `mutation ($id: ID!, $q: Int!) { setStock(productId: $id, quantity: $q) { inventory { available } userErrors { code message field } } }`,
      { id, q: opts.stock },
      shop.adminToken,
      'setStock',
    );
    ids.push(id);
  }
  return ids;
}

export interface PlacedOrder {
  id: string;
  idempotencyKey: string;
  client: number;
  productId: string;
  quantity: number;
  paymentToken: 'tok_visa' | 'tok_decline';
  /** Requests it took (1 = accepted at once; more = retried after SERVICE_UNAVAILABLE). */
  attempts: number;
}

export interface StreamOptions {
  /** Orders to place in all. */
  total: number;
  /** Every n-th order pays with tok_decline (0 = never). */
  declineEvery?: number;
  /** Quantities cycle through 1..maxQuantity. */
  maxQuantity?: number;
  /** Pause of each client between two orders (default 0). */
  pauseMs?: number;
  /** Give up on one order after retrying this long (default 120 s). */
  retryBudgetMs?: number;
}

/**
 * Customers placing orders side by side, each one after the other, with a fresh idempotencyKey
 * per order. An answer SERVICE_UNAVAILABLE (retryable) or a failed request is retried with the
 * same key, as a storefront would; anything else (a user error, another error code) fails the stream.
 */
export class OrderStream {
  readonly placed: PlacedOrder[] = [];
  /** Retryable answers seen, by code (SERVICE_UNAVAILABLE, NETWORK, HTTP_5xx). */
  readonly retries: Record<string, number> = {};
  readonly done: Promise<PlacedOrder[]>;
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  private next = 0;
  readonly startedAt = Date.now();
  finishedAt = 0;

  constructor(
    private readonly shop: ProcessShop,
    customers: readonly ShopUser[],
    private readonly products: readonly string[],
    private readonly opts: StreamOptions,
  ) {
    this.done = Promise.all(customers.map((c, i) => this.client(c, i))).then(() => {
      this.finishedAt = Date.now();
      for (const w of this.waiters) w.resolve();
      return this.placed;
    });
    // Keeps an early failure from being an unhandled rejection while the test awaits reached().
    this.done.catch(() => undefined);
  }

  /** Resolves once `n` orders were accepted (or the stream ended). */
  reached(n: number): Promise<void> {
    if (this.placed.length >= n || this.finishedAt) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  get retryCount(): number {
    return Object.values(this.retries).reduce((s, n) => s + n, 0);
  }

  private async client(customer: ShopUser, client: number): Promise<void> {
    for (;;) {
      const i = this.next++;
      if (i >= this.opts.total) return;
      const declineEvery = this.opts.declineEvery ?? 0;
      const order = {
        idempotencyKey: uniqueName(`o${i}`),
        client,
        productId: this.products[i % this.products.length]!,
        quantity: 1 + (i % (this.opts.maxQuantity ?? 3)),
        paymentToken: declineEvery > 0 && i % declineEvery === declineEvery - 1 ? ('tok_decline' as const) : ('tok_visa' as const),
      };
      const { id, attempts } = await this.place(customer, order);
      this.placed.push({ ...order, id, attempts });
      for (const w of this.waiters.filter((w) => this.placed.length >= w.n)) w.resolve();
      this.waiters = this.waiters.filter((w) => this.placed.length < w.n);
      if (this.opts.pauseMs) await sleep(this.opts.pauseMs);
    }
  }

  private async place(customer: ShopUser, order: Omit<PlacedOrder, 'id' | 'attempts'>): Promise<{ id: string; attempts: number }> {
    const input = {
      items: [{ productId: order.productId, quantity: order.quantity }],
      shippingAddress: ADDRESS,
      shippingMethod: 'STANDARD',
      paymentToken: order.paymentToken,
      idempotencyKey: order.idempotencyKey,
    };
    const deadline = Date.now() + (this.opts.retryBudgetMs ?? 120_000);
    for (let attempt = 1; ; attempt++) {
      let retryable: string;
      try {
        const res = await call(this.shop, PLACE_ORDER, { input }, customer.token);
        const payload = res.data?.placeOrder;
        if (payload?.order && payload.userErrors.length === 0) return { id: payload.order.id as string, attempts: attempt };
        const code = errorCode(res);
        if (code === 'SERVICE_UNAVAILABLE') retryable = code;
        else if (res.status >= 500) retryable = `HTTP_${res.status}`;
        else throw new Error(`placeOrder refused (attempt ${attempt}): ${JSON.stringify(res.errors ?? payload?.userErrors)}`);
      } catch (err) {
        if ((err as Error).message.startsWith('placeOrder refused')) throw err;
        retryable = 'NETWORK';
      }
      this.retries[retryable] = (this.retries[retryable] ?? 0) + 1;
      if (Date.now() > deadline) throw new Error(`placeOrder still ${retryable} after ${attempt} attempts`);
      await sleep(Math.min(1_000, 100 * attempt));
    }
  }
}

export type FinalStatus = 'PAID' | 'CANCELLED';
const EXPECTED_NOTIFICATIONS: Record<PlacedOrder['paymentToken'], string[]> = {
  tok_visa: ['ORDER_PLACED', 'PAYMENT_SUCCEEDED'],
  tok_decline: ['ORDER_PLACED', 'PAYMENT_FAILED', 'ORDER_CANCELLED'],
};

function inList(ids: readonly string[]): string {
  return ids.map(() => '?').join(',');
}

/** Waits until every order is PAID or CANCELLED; returns when that was reached (epoch ms). */
export async function waitOrdersFinal(shop: ProcessShop, orders: readonly PlacedOrder[], timeoutMs: number): Promise<number> {
  const ids = orders.map((o) => o.id);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await shop.sql<{ n: number }>('orders', `SELECT COUNT(*) AS n FROM orders WHERE id IN (${inList(ids)}) AND status IN ('PAID', 'CANCELLED')`, ids);
    if (Number(rows[0]!.n) === ids.length) return Date.now();
    if (Date.now() > deadline) {
      const open = await shop.sql<{ status: string; n: number }>(
        'orders',
        `SELECT status, COUNT(*) AS n FROM orders WHERE id IN (${inList(ids)}) GROUP BY status`,
        ids,
      );
      throw new Error(`not every order is final after ${timeoutMs} ms: ${JSON.stringify(open)}`);
    }
    await sleep(250);
  }
}

/** Waits until every side effect downstream of the final states is there: shipments of PAID orders and every notification. */
export async function waitSideEffects(shop: ProcessShop, orders: readonly PlacedOrder[], timeoutMs: number): Promise<number> {
  const ids = orders.map((o) => o.id);
  const paid = orders.filter((o) => o.paymentToken === 'tok_visa').map((o) => o.id);
  const notifications = orders.reduce((s, o) => s + EXPECTED_NOTIFICATIONS[o.paymentToken].length, 0);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [shipments] = await shop.sql<{ n: number }>('shipping', `SELECT COUNT(DISTINCT order_id) AS n FROM shipments WHERE order_id IN (${inList(paid)})`, paid);
    const [notified] = shop.databases.notifications
      ? await shop.sql<{ n: number }>('notifications', `SELECT COUNT(DISTINCT order_id, type) AS n FROM notifications WHERE order_id IN (${inList(ids)})`, ids)
      : [{ n: notifications }];
    if (Number(shipments!.n) >= paid.length && Number(notified!.n) >= notifications) return Date.now();
    if (Date.now() > deadline) {
      throw new Error(`after ${timeoutMs} ms: shipments for ${shipments!.n}/${paid.length} paid orders, notifications ${notified!.n}/${notifications}`);
    }
    await sleep(250);
  }
}

export interface Audit {
  orders: number;
  paid: number;
  cancelled: number;
  /** Accepted orders missing, not final, or final in the wrong state (e.g. PAID with tok_decline). */
  lost: number;
  /** Idempotency keys with more than one order. */
  duplicateOrders: number;
  /** Orders with more than one SUCCEEDED payment or more than one provider capture, or a capture without a PAID order. */
  doubleCharges: number;
  /** Provider calls answered again from the ledger (a retried charge that did not charge again). */
  providerReplays: number;
  duplicateShipments: number;
  missingShipments: number;
  duplicateNotifications: number;
  missingNotifications: number;
  /** Products whose available stock is not initial − Σ quantities of PAID orders. */
  stockMismatches: number;
  /** Orders whose order.placed is not in the outbox exactly once, plus outbox rows of unknown orders. */
  outboxMismatches: number;
  /** Messages on this shop's dead-letter topic. */
  deadLetters: number;
  problems: string[];
}

/**
 * Everything the checkout holds about `orders`, compared with what they should have caused:
 * tok_visa → PAID, one SUCCEEDED payment, one capture, one LABEL_CREATED shipment, ORDER_PLACED +
 * PAYMENT_SUCCEEDED; tok_decline → CANCELLED (PAYMENT_DECLINED), no capture, no shipment,
 * ORDER_PLACED + PAYMENT_FAILED + ORDER_CANCELLED; stock = initial − Σ PAID quantities.
 */
export async function auditOrders(shop: ProcessShop, orders: readonly PlacedOrder[], initialStock: ReadonlyMap<string, number>): Promise<Audit> {
  const problems: string[] = [];
  const ids = orders.map((o) => o.id);
  const byId = new Map(orders.map((o) => [o.id, o]));
  const note = (what: string) => {
    if (problems.length < 30) problems.push(what);
  };

  const rows = await shop.sql<{ id: string; status: string; cancellation_reason: string | null; idempotency_key: string }>(
    'orders',
    `SELECT id, status, cancellation_reason, idempotency_key FROM orders WHERE id IN (${inList(ids)})`,
    ids,
  );
  const status = new Map(rows.map((r) => [r.id, r]));
  let lost = 0;
  for (const o of orders) {
    const row = status.get(o.id);
    const want = o.paymentToken === 'tok_visa' ? 'PAID' : 'CANCELLED';
    if (!row || row.status !== want || (want === 'CANCELLED' && row.cancellation_reason !== 'PAYMENT_DECLINED')) {
      lost += 1;
      note(`order ${o.id} (${o.paymentToken}) is ${row ? `${row.status}/${row.cancellation_reason}` : 'missing'}`);
    }
  }
  const keys = orders.map((o) => o.idempotencyKey);
  const dupKeys = await shop.sql<{ idempotency_key: string; n: number }>(
    'orders',
    `SELECT idempotency_key, COUNT(*) AS n FROM orders WHERE idempotency_key IN (${inList(keys)}) GROUP BY idempotency_key HAVING COUNT(*) > 1`,
    keys,
  );
  for (const d of dupKeys) note(`idempotency key ${d.idempotency_key} has ${d.n} orders`);

  const outbox = await shop.sql<{ event_key: string; n: number }>(
    'orders',
    `SELECT event_key, COUNT(*) AS n FROM outbox WHERE event_type = 'order.placed' GROUP BY event_key`,
  );
  const allOrders = await shop.sql<{ id: string }>('orders', 'SELECT id FROM orders');
  const placedEvents = new Map(outbox.map((r) => [r.event_key, Number(r.n)]));
  let outboxMismatches = 0;
  for (const { id } of allOrders) {
    if (placedEvents.get(id) !== 1) {
      outboxMismatches += 1;
      note(`order ${id} has ${placedEvents.get(id) ?? 0} order.placed outbox rows`);
    }
  }
  const known = new Set(allOrders.map((r) => r.id));
  for (const key of placedEvents.keys()) {
    if (!known.has(key)) {
      outboxMismatches += 1;
      note(`order.placed outbox row for unknown order ${key}`);
    }
  }

  const payments = await shop.sql<{ order_id: string; status: string }>('payments', `SELECT order_id, status FROM payments WHERE order_id IN (${inList(ids)})`, ids);
  const calls = await shop.sql<{ idempotency_key: string; operation: string; ok: number; replays: number }>(
    'payments',
    'SELECT idempotency_key, operation, ok, replays FROM simulated_provider_calls',
  );
  const captures = new Map<string, number>();
  let providerReplays = 0;
  for (const c of calls) {
    const orderId = /^order:(.+):capture$/.exec(c.idempotency_key)?.[1];
    if (byId.has(/^order:(.+):[a-z]+$/.exec(c.idempotency_key)?.[1] ?? '')) providerReplays += Number(c.replays);
    if (orderId && c.operation === 'capture' && Number(c.ok) === 1) captures.set(orderId, (captures.get(orderId) ?? 0) + 1);
  }
  const succeeded = new Map<string, number>();
  for (const p of payments) if (p.status === 'SUCCEEDED') succeeded.set(p.order_id, (succeeded.get(p.order_id) ?? 0) + 1);
  let doubleCharges = 0;
  for (const o of orders) {
    const want = o.paymentToken === 'tok_visa' ? 1 : 0;
    const charged = Math.max(succeeded.get(o.id) ?? 0, captures.get(o.id) ?? 0);
    if (charged > want) {
      doubleCharges += charged - want;
      note(`order ${o.id} (${o.paymentToken}) charged ${charged} times`);
    } else if (charged < want) {
      note(`order ${o.id} was never charged`);
    }
  }

  const shipments = await shop.sql<{ order_id: string; n: number; created: number }>(
    'shipping',
    `SELECT s.order_id, COUNT(DISTINCT s.id) AS n,
            SUM(e.status = 'LABEL_CREATED') AS created
       FROM shipments s LEFT JOIN shipment_events e ON e.shipment_id = s.id
      WHERE s.order_id IN (${inList(ids)}) GROUP BY s.order_id`,
    ids,
  );
  const shipped = new Map(shipments.map((s) => [s.order_id, s]));
  let duplicateShipments = 0;
  let missingShipments = 0;
  for (const id of ids) {
    const s = shipped.get(id);
    const want = byId.get(id)!.paymentToken === 'tok_visa' ? 1 : 0;
    const n = s ? Number(s.n) : 0;
    if (n > want || (s && Number(s.created) > 1)) {
      duplicateShipments += 1;
      note(`order ${id} has ${n} shipments (${s?.created} LABEL_CREATED events)`);
    } else if (n < want) {
      missingShipments += 1;
      note(`paid order ${id} has no shipment`);
    }
  }

  let duplicateNotifications = 0;
  let missingNotifications = 0;
  if (shop.databases.notifications) {
    const notes = await shop.sql<{ order_id: string; type: string; n: number }>(
      'notifications',
      `SELECT order_id, type, COUNT(*) AS n FROM notifications WHERE order_id IN (${inList(ids)}) GROUP BY order_id, type`,
      ids,
    );
    const got = new Map<string, Map<string, number>>();
    for (const n of notes) {
      if (!got.has(n.order_id)) got.set(n.order_id, new Map());
      got.get(n.order_id)!.set(n.type, Number(n.n));
    }
    for (const o of orders) {
      const mine = got.get(o.id) ?? new Map<string, number>();
      for (const type of EXPECTED_NOTIFICATIONS[o.paymentToken]) {
        const n = mine.get(type) ?? 0;
        if (n === 0) {
          missingNotifications += 1;
          note(`order ${o.id}: no ${type} notification`);
        }
        if (n > 1) {
          duplicateNotifications += n - 1;
          note(`order ${o.id}: ${n} ${type} notifications`);
        }
      }
      for (const [type, n] of mine) {
        if (!EXPECTED_NOTIFICATIONS[o.paymentToken].includes(type)) {
          duplicateNotifications += n;
          note(`order ${o.id} (${o.paymentToken}): unexpected ${type} notification`);
        }
      }
    }
  }

  const productIds = [...initialStock.keys()];
  const stock = productIds.length
    ? await shop.sql<{ product_id: string; on_hand: number; reserved: number }>(
        'inventory',
        `SELECT product_id, on_hand, reserved FROM stock WHERE product_id IN (${inList(productIds)})`,
        productIds,
      )
    : [];
  const sold = new Map<string, number>();
  for (const o of orders) if (o.paymentToken === 'tok_visa') sold.set(o.productId, (sold.get(o.productId) ?? 0) + o.quantity);
  let stockMismatches = 0;
  for (const id of productIds) {
    const row = stock.find((s) => s.product_id === id);
    const want = initialStock.get(id)! - (sold.get(id) ?? 0);
    const available = row ? Number(row.on_hand) - Number(row.reserved) : NaN;
    if (available !== want) {
      stockMismatches += 1;
      note(`product ${id}: available ${available}, expected ${want}`);
    }
  }

  const deadLetters = await topicMessageCount(shop.topicPrefix + topics.deadLetter);
  if (deadLetters > 0) note(`${deadLetters} dead-lettered messages`);

  return {
    orders: orders.length,
    paid: rows.filter((r) => r.status === 'PAID').length,
    cancelled: rows.filter((r) => r.status === 'CANCELLED').length,
    lost,
    duplicateOrders: dupKeys.length,
    doubleCharges,
    providerReplays,
    duplicateShipments,
    missingShipments,
    duplicateNotifications,
    missingNotifications,
    stockMismatches,
    outboxMismatches,
    deadLetters,
    problems,
  };
}

/** The figures a fault case must show: nothing lost, nothing doubled. */
export function zeroLoss(audit: Audit): Record<string, number> {
  return {
    lost: audit.lost,
    duplicateOrders: audit.duplicateOrders,
    doubleCharges: audit.doubleCharges,
    duplicateShipments: audit.duplicateShipments,
    missingShipments: audit.missingShipments,
    duplicateNotifications: audit.duplicateNotifications,
    missingNotifications: audit.missingNotifications,
    stockMismatches: audit.stockMismatches,
    outboxMismatches: audit.outboxMismatches,
    deadLetters: audit.deadLetters,
  };
}

/** One line per case, for docs/RELIABILITY.md. */
export function summaryLine(name: string, audit: Audit, extra: Record<string, string | number>): string {
  const parts = [
    `orders=${audit.orders}`,
    `paid=${audit.paid}`,
    `declined=${audit.cancelled}`,
    `lost=${audit.lost}`,
    `dupOrders=${audit.duplicateOrders}`,
    `doubleCharges=${audit.doubleCharges}`,
    `dupShipments=${audit.duplicateShipments}`,
    `dupNotifications=${audit.duplicateNotifications}`,
    `missingNotifications=${audit.missingNotifications}`,
    `stockMismatches=${audit.stockMismatches}`,
    `outboxMismatches=${audit.outboxMismatches}`,
    `deadLetters=${audit.deadLetters}`,
    `providerReplays=${audit.providerReplays}`,
    ...Object.entries(extra).map(([k, v]) => `${k}=${v}`),
  ];
  return `[reliability] ${name}: ${parts.join(' ')}`;
}

/** Messages ever written to a topic (high − low watermark over its partitions); 0 when it does not exist. */
export async function topicMessageCount(topic: string): Promise<number> {
  const admin = createKafka(KAFKA_BROKERS, uniqueName('audit')).admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((s, p) => s + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Deletes every Kafka topic of the shop (its prefix): test runs leave no partitions behind on a shared broker. */
export async function deleteShopTopics(shop: ProcessShop | undefined): Promise<void> {
  if (!shop) return;
  const admin = createKafka(KAFKA_BROKERS, uniqueName('cleanup')).admin();
  try {
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(shop.topicPrefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 10_000 });
  } catch {
    /* best effort: the broker may be down or busy */
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const CONSUMERS: readonly ShopSubgraph[] = ['inventory', 'orders', 'payments', 'shipping', 'promotions', 'notifications', 'ratings', 'search'];

/** Waits until the consumer group of every started consuming subgraph is Stable with a member (all have joined). */
export async function waitForConsumerGroups(shop: ProcessShop, timeoutMs = 60_000): Promise<void> {
  const groups = CONSUMERS.filter((n) => shop.subgraphs[n]).map((n) => shop.consumerGroup(n));
  const admin = createKafka(KAFKA_BROKERS, uniqueName('groups')).admin();
  await admin.connect();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const { groups: described } = await admin.describeGroups(groups);
      const waiting = described.filter((g) => g.state !== 'Stable' || g.members.length === 0).map((g) => `${g.groupId}:${g.state}`);
      if (waiting.length === 0) return;
      if (Date.now() > deadline) throw new Error(`consumer groups not stable after ${timeoutMs} ms: ${waiting.join(', ')}`);
      await sleep(250);
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * The MariaDB connection ids a process holds (its TCP sockets to the server, matched to
 * PROCESSLIST by client port): lets a test kill exactly one process's connections.
 */
export async function mysqlConnectionsOf(shop: ProcessShop, subgraph: ShopSubgraph, pid: number, mysqlPort = 3306): Promise<number[]> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const local = Number.parseInt(f[1]!.split(':')[1]!, 16);
      const remote = Number.parseInt(f[2]!.split(':')[1]!, 16);
      if (remote === mysqlPort && inodes.has(f[9]!)) ports.add(local);
    }
  }
  if (ports.size === 0) return [];
  const rows = await shop.sql<{ ID: number; HOST: string }>(subgraph, 'SELECT ID, HOST FROM information_schema.PROCESSLIST');
  return rows.filter((r) => ports.has(Number(r.HOST.split(':').at(-1)))).map((r) => Number(r.ID));
}
