import { z } from 'zod';
import { newEnvelope, envelopeSchema, type Envelope } from './envelope.js';

/**
 * The event catalogue: the only place topics and event types are named.
 * Each entry says which topic carries it, its payload schema, who produces and who consumes it.
 * See packages/events/README.md for the table.
 */
export const topics = {
  products: 'shop.products.v1',
  orders: 'shop.orders.v1',
  inventory: 'shop.inventory.v1',
  payments: 'shop.payments.v1',
  shipments: 'shop.shipments.v1',
  deadLetter: 'shop.dead-letter.v1',
} as const;
export type Topic = (typeof topics)[keyof typeof topics];

const money = z.object({ amount: z.number().int(), currency: z.string().length(3) });

const productSnapshot = z.object({
  id: z.string(),
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  price: money,
  category: z.string(),
  images: z.array(z.string()),
  active: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** Monotonic per product: consumers ignore a snapshot older than the one they hold. */
  revision: z.number().int().nonnegative(),
});

const orderLine = z.object({
  productId: z.string(),
  quantity: z.number().int().positive(),
  unitPrice: money,
});

const address = z.object({
  line1: z.string(),
  line2: z.string().nullable(),
  city: z.string(),
  region: z.string().nullable(),
  postalCode: z.string(),
  country: z.string().length(2),
});

const cancellationReason = z.enum(['OUT_OF_STOCK', 'PAYMENT_DECLINED', 'CUSTOMER_REQUEST', 'ADMIN_REQUEST']);

interface EventDefinition<S extends z.ZodType> {
  topic: Topic;
  version: number;
  payload: S;
  producer: string;
  consumers: readonly string[];
  description: string;
}

function define<S extends z.ZodType>(def: EventDefinition<S>): EventDefinition<S> {
  return def;
}

export const catalogue = {
  'product.upserted': define({
    topic: topics.products,
    version: 1,
    payload: productSnapshot,
    producer: 'products',
    consumers: ['search'],
    description: 'A product was created or changed; carries the full snapshot.',
  }),
  'product.archived': define({
    topic: topics.products,
    version: 1,
    payload: z.object({ id: z.string(), revision: z.number().int().nonnegative(), archivedAt: z.iso.datetime() }),
    producer: 'products',
    consumers: ['search'],
    description: 'A product left the catalogue: gone from listings and search.',
  }),
  // ---- Checkout saga. Every order-lifecycle fact is published by orders (one topic, keyed by
  // order id, so inventory/payments/shipping see one order's facts in order).
  'order.placed': define({
    topic: topics.orders,
    version: 1,
    payload: z.object({
      orderId: z.string(),
      userId: z.string(),
      lines: z.array(orderLine).min(1),
      total: money,
      couponCode: z.string().nullable(),
      placedAt: z.iso.datetime(),
    }),
    producer: 'orders',
    consumers: ['inventory', 'notifications'],
    description: 'A customer placed an order (PENDING): reserve its stock.',
  }),
  'order.confirmed': define({
    topic: topics.orders,
    version: 1,
    payload: z.object({
      orderId: z.string(),
      userId: z.string(),
      amount: money,
      /** Provider token chosen at checkout; never card data. */
      paymentToken: z.string(),
    }),
    producer: 'orders',
    consumers: ['payments'],
    description: 'Stock is reserved (CONFIRMED): charge the customer.',
  }),
  'order.paid': define({
    topic: topics.orders,
    version: 1,
    payload: z.object({
      orderId: z.string(),
      userId: z.string(),
      shippingAddress: address,
      shippingMethod: z.string(),
      lines: z.array(orderLine).min(1),
    }),
    producer: 'orders',
    consumers: ['shipping'],
    description: 'Payment captured (PAID): create the shipment.',
  }),
  'order.shipped': define({
    topic: topics.orders,
    version: 1,
    payload: z.object({ orderId: z.string(), userId: z.string() }),
    producer: 'orders',
    consumers: ['inventory', 'notifications'],
    description: 'The shipment is in transit (SHIPPED): reserved stock is committed.',
  }),
  'order.delivered': define({
    topic: topics.orders,
    version: 1,
    payload: z.object({ orderId: z.string(), userId: z.string(), productIds: z.array(z.string()) }),
    producer: 'orders',
    consumers: ['ratings', 'notifications'],
    description: 'The order was delivered (DELIVERED): its products count as verified purchases.',
  }),
  'order.cancelled': define({
    topic: topics.orders,
    version: 1,
    payload: z.object({
      orderId: z.string(),
      userId: z.string(),
      reason: cancellationReason,
      /** True when a payment had succeeded: payments refunds it. */
      refundRequired: z.boolean(),
    }),
    producer: 'orders',
    consumers: ['inventory', 'payments', 'promotions', 'notifications'],
    description: 'The order was cancelled: release stock and coupon, refund if paid.',
  }),
  'inventory.reserved': define({
    topic: topics.inventory,
    version: 1,
    payload: z.object({ orderId: z.string() }),
    producer: 'inventory',
    consumers: ['orders'],
    description: 'Every line of the order is reserved (all or nothing).',
  }),
  'inventory.rejected': define({
    topic: topics.inventory,
    version: 1,
    payload: z.object({
      orderId: z.string(),
      reason: z.literal('OUT_OF_STOCK'),
      productIds: z.array(z.string()),
    }),
    producer: 'inventory',
    consumers: ['orders'],
    description: 'The order could not be reserved: nothing was reserved.',
  }),
  'stock.changed': define({
    topic: topics.inventory,
    version: 1,
    payload: z.object({ productId: z.string(), available: z.number().int().nonnegative() }),
    producer: 'inventory',
    consumers: ['search'],
    description: 'Available stock of a product changed (for the inStock search filter).',
  }),
  'payment.succeeded': define({
    topic: topics.payments,
    version: 1,
    payload: z.object({ orderId: z.string(), userId: z.string().optional(), paymentId: z.string(), amount: money }),
    producer: 'payments',
    consumers: ['orders', 'notifications'],
    description: 'The order was charged (at most once per order).',
  }),
  'payment.failed': define({
    topic: topics.payments,
    version: 1,
    payload: z.object({ orderId: z.string(), userId: z.string().optional(), paymentId: z.string(), reason: z.string() }),
    producer: 'payments',
    consumers: ['orders', 'notifications'],
    description: 'The charge was declined: the order is cancelled with PAYMENT_DECLINED.',
  }),
  'payment.refunded': define({
    topic: topics.payments,
    version: 1,
    payload: z.object({ orderId: z.string(), userId: z.string().optional(), paymentId: z.string(), amount: money }),
    producer: 'payments',
    consumers: ['orders'],
    description: 'A captured payment was refunded after cancellation (order REFUNDED).',
  }),
  'shipment.created': define({
    topic: topics.shipments,
    version: 1,
    payload: z.object({ orderId: z.string(), shipmentId: z.string(), carrier: z.string(), trackingNumber: z.string() }),
    producer: 'shipping',
    consumers: ['orders'],
    description: 'A shipment label was created (LABEL_CREATED).',
  }),
  'shipment.in_transit': define({
    topic: topics.shipments,
    version: 1,
    payload: z.object({ orderId: z.string(), shipmentId: z.string(), at: z.iso.datetime() }),
    producer: 'shipping',
    consumers: ['orders'],
    description: 'The carrier has the parcel: the order becomes SHIPPED.',
  }),
  'shipment.delivered': define({
    topic: topics.shipments,
    version: 1,
    payload: z.object({ orderId: z.string(), shipmentId: z.string(), at: z.iso.datetime() }),
    producer: 'shipping',
    consumers: ['orders'],
    description: 'The parcel was delivered: the order becomes DELIVERED.',
  }),
} as const;

export type EventType = keyof typeof catalogue;
export type EventPayload<T extends EventType> = z.infer<(typeof catalogue)[T]['payload']>;
export type ShopEvent<T extends EventType = EventType> = Envelope<EventPayload<T>> & { type: T };

/** Builds a validated envelope for a catalogued event; an invalid payload is a programming error. */
export function createEvent<T extends EventType>(type: T, key: string, payload: EventPayload<T>): ShopEvent<T> {
  const def = catalogue[type];
  const parsed = def.payload.parse(payload) as EventPayload<T>;
  return newEnvelope(type, def.version, key, parsed) as ShopEvent<T>;
}

export function topicOf(type: EventType): Topic {
  return catalogue[type].topic;
}

export type ParseResult = { ok: true; event: ShopEvent } | { ok: false; reason: string };

/** Validates raw bytes from Kafka: JSON, envelope, known type and version, payload schema. */
export function parseEvent(raw: Buffer | string | null): ParseResult {
  if (raw === null) return { ok: false, reason: 'empty message' };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString());
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const env = envelopeSchema.safeParse(json);
  if (!env.success) return { ok: false, reason: `bad envelope: ${env.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}` };
  const def = (catalogue as Record<string, EventDefinition<z.ZodType>>)[env.data.type];
  if (!def) return { ok: false, reason: `unknown event type ${env.data.type}` };
  if (env.data.version !== def.version) return { ok: false, reason: `unsupported version ${env.data.version} of ${env.data.type}` };
  const payload = def.payload.safeParse(env.data.payload);
  if (!payload.success) return { ok: false, reason: `bad payload: ${payload.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}` };
  return { ok: true, event: { ...env.data, payload: payload.data } as ShopEvent };
}
