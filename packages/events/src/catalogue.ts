import { z } from 'zod';
import { newEnvelope, envelopeSchema, type Envelope } from './envelope.js';

/**
 * The event catalogue: the only place topics and event types are named.
 * Each entry says which topic carries it, its payload schema, who produces and who consumes it.
 * See packages/events/README.md for the table.
 */
export const topics = {
  products: 'shop.products.v1',
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
