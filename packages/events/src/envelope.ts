import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * The one versioned envelope every event travels in, validated on both sides.
 * `key` is the Kafka message key (the aggregate id) so one aggregate's events stay ordered.
 */
export const envelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1).max(100),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime(),
  key: z.string().min(1).max(200),
  payload: z.unknown(),
});

export type Envelope<TPayload = unknown> = Omit<z.infer<typeof envelopeSchema>, 'payload'> & { payload: TPayload };

export function newEnvelope<TPayload>(type: string, version: number, key: string, payload: TPayload, occurredAt = new Date()): Envelope<TPayload> {
  return { id: randomUUID(), type, version, occurredAt: occurredAt.toISOString(), key, payload };
}
