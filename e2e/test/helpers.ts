import { createKafka, createPublisher, topics, type Envelope } from '@shop/events';
import { eventually, gql, KAFKA_BROKERS, uniqueName, type GraphQLResponse, type Shop, type ShopSubgraph } from '@shop/testing';

/** Everything goes through the router, as a storefront would. */
export async function call<T = any>(shop: Shop, query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>> {
  return gql<T>(shop.routerUrl, query, variables, { token });
}

/** Like `call`, but fails the test on any GraphQL error or user error in the named payload. */
export async function must<T = any>(shop: Shop, query: string, variables: Record<string, unknown>, token: string, payload?: string): Promise<T> {
  const res = await call<T>(shop, query, variables, token);
  const userErrors = payload ? (res.data as Record<string, { userErrors?: unknown[] }> | null)?.[payload]?.userErrors : undefined;
  if (res.errors || (userErrors && userErrors.length > 0)) {
    throw new Error(`${payload ?? 'operation'} failed: ${JSON.stringify(res.errors ?? userErrors)}`);
  }
  return res.data as T;
}

export const ADDRESS = { line1: '1 Market St', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' };

export async function createProduct(shop: Shop, price: number, stock: number, category = 'E2E'): Promise<string> {
  const data = await must(
    shop,
    `mutation ($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { code message field } } }`,
    {
      input: {
        sku: uniqueName('E2E').replace(/_/g, '-').toUpperCase(),
        name: 'End-to-end product',
        description: 'Made by an e2e test',
        price,
        category,
        images: [],
      },
    },
    shop.adminToken,
    'createProduct',
  );
  const id = data.createProduct.product.id as string;
  await setStock(shop, id, stock);
  return id;
}

export async function setStock(shop: Shop, productId: string, quantity: number): Promise<void> {
  await must(
    shop,
    `mutation ($id: ID!, $q: Int!) { setStock(productId: $id, quantity: $q) { inventory { available } userErrors { code message field } } }`,
    { id: productId, q: quantity },
    shop.adminToken,
    'setStock',
  );
}

export async function available(shop: Shop, productId: string): Promise<number> {
  const data = await must(shop, `query ($id: ID!) { product(id: $id) { inventory { available } } }`, { id: productId }, shop.adminToken);
  return data.product.inventory.available as number;
}

export async function createPromotion(shop: Shop, input: Record<string, unknown>): Promise<string> {
  const code = (input.code as string | undefined) ?? uniqueName('E2E').replace(/_/g, '-').toUpperCase().slice(0, 32);
  await must(
    shop,
    `mutation ($input: CreatePromotionInput!) { createPromotion(input: $input) { promotion { code } userErrors { code message field } } }`,
    { input: { kind: 'PERCENT', value: 10, ...input, code } },
    shop.adminToken,
    'createPromotion',
  );
  return code;
}

export async function timesUsed(shop: Shop, code: string): Promise<number> {
  const data = await must(shop, `query ($code: String!) { promotion(code: $code) { timesUsed } }`, { code }, shop.adminToken);
  return data.promotion.timesUsed as number;
}

export async function setTaxRate(shop: Shop, input: { country: string; region?: string | null; category?: string | null; rateBasisPoints: number }) {
  await must(
    shop,
    `mutation ($input: SetTaxRateInput!) { setTaxRate(input: $input) { taxRate { rateBasisPoints } userErrors { code message field } } }`,
    { input },
    shop.adminToken,
    'setTaxRate',
  );
}

export const ORDER_VIEW = `
  id status cancellationReason couponCode shippingMethod placedAt updatedAt
  user { id }
  items { product { id } quantity unitPrice { amount currency } lineTotal { amount currency } }
  subtotal { amount currency } discount { amount currency } tax { amount currency }
  shippingCost { amount currency } total { amount currency }
  shippingAddress { line1 city region postalCode country }
  history { status at }
  payment { id status amount { amount currency } failureReason }
  shipment { id status carrier trackingNumber events { status at } }`;

export const PLACE_ORDER = `mutation ($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id status total { amount currency } } userErrors { field message code } }
}`;

export function orderInput(items: Array<{ productId: string; quantity: number }>, overrides: Record<string, unknown> = {}) {
  return { items, shippingAddress: ADDRESS, shippingMethod: 'STANDARD', paymentToken: 'tok_visa', ...overrides };
}

/** Places an order and fails the test unless it was accepted; returns the order id. */
export async function placeOrder(shop: Shop, token: string, input: Record<string, unknown>): Promise<string> {
  const data = await must(shop, PLACE_ORDER, { input }, token, 'placeOrder');
  return data.placeOrder.order.id as string;
}

export async function viewOrder(shop: Shop, id: string, token: string): Promise<any> {
  const res = await call(shop, `query ($id: ID!) { order(id: $id) { ${ORDER_VIEW} } }`, { id }, token);
  if (res.errors) throw new Error(`order(id) failed: ${JSON.stringify(res.errors)}`);
  return res.data!.order;
}

/** Waits until the order reaches `status` (and returns its full view), failing on any other final status. */
export async function waitForStatus(shop: Shop, id: string, token: string, status: string | string[], timeoutMs = 20_000): Promise<any> {
  const wanted = Array.isArray(status) ? status : [status];
  return eventually(async () => {
    const order = await viewOrder(shop, id, token);
    return order && wanted.includes(order.status) ? order : undefined;
  }, timeoutMs, 50);
}

export async function updateShipmentStatus(shop: Shop, shipmentId: string, status: 'IN_TRANSIT' | 'DELIVERED', token = shop.adminToken) {
  return call(
    shop,
    `mutation ($id: ID!, $status: ShipmentStatus!) { updateShipmentStatus(id: $id, status: $status) { shipment { status } userErrors { code message } } }`,
    { id: shipmentId, status },
    token,
  );
}

const CHECKOUT_OUTBOXES = ['orders', 'inventory', 'payments', 'shipping'] as const;

/** Every event the checkout subgraphs wrote to their outboxes about one order (from the `envelope` column). */
export async function eventsOfOrder(shop: Shop, orderId: string): Promise<Array<{ topic: string; envelope: Envelope }>> {
  const all: Array<{ topic: string; envelope: Envelope }> = [];
  for (const subgraph of CHECKOUT_OUTBOXES) {
    const rows = await shop.sql<{ topic: string; envelope: string }>(subgraph, 'SELECT topic, envelope FROM outbox WHERE event_key = ? ORDER BY seq', [
      orderId,
    ]);
    all.push(...rows.map((r) => ({ topic: r.topic, envelope: JSON.parse(r.envelope) as Envelope })));
  }
  return all;
}

/** Publishes envelopes again, as they were, on this shop's prefixed topics (a redelivery). */
export async function republish(shop: Shop, events: Array<{ topic: string; envelope: Envelope }>): Promise<void> {
  const publisher = createPublisher(createKafka(KAFKA_BROKERS, uniqueName('e2e-replay')), { topicPrefix: shop.topicPrefix });
  try {
    await publisher.publish(events);
  } finally {
    await publisher.close();
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Which topics each checkout consumer group reads (docs/CHECKOUT.md). */
const CONSUMERS: Record<string, string[]> = {
  inventory: [topics.orders],
  payments: [topics.orders],
  shipping: [topics.orders],
  promotions: [topics.orders],
  orders: [topics.inventory, topics.payments, topics.shipments],
};

/**
 * Waits until every checkout consumer group of the shop has committed offsets up to the end of
 * every partition it reads: all events published so far have been handled.
 */
export async function waitForConsumers(shop: Shop, timeoutMs = 30_000): Promise<void> {
  const admin = createKafka(KAFKA_BROKERS, uniqueName('e2e-lag')).admin();
  await admin.connect();
  try {
    await eventually(async () => {
      for (const [name, groupTopics] of Object.entries(CONSUMERS)) {
        const prefixed = groupTopics.map((t) => shop.topicPrefix + t);
        const committed = await admin.fetchOffsets({ groupId: shop.consumerGroup(name as ShopSubgraph), topics: prefixed });
        for (const topic of prefixed) {
          const ends = await admin.fetchTopicOffsets(topic);
          const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
          for (const end of ends) {
            const at = Number(done.find((p) => p.partition === end.partition)?.offset ?? '-1');
            if (Number(end.high) > Number(end.low) && at < Number(end.high)) return undefined;
          }
        }
      }
      return true;
    }, timeoutMs, 200);
  } finally {
    await admin.disconnect();
  }
}
