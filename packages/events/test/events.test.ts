import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { eventually, uniqueName } from '@shop/testing';
import {
  createEvent,
  enqueueEvents,
  MysqlOutboxStore,
  mysqlIdempotencyStore,
  OutboxRelay,
  parseEvent,
  startEventConsumer,
  topics,
  type Outcome,
  type RunningConsumer,
  type ShopEvent,
} from '../src/index.js';
import { appliedCount, eventsFixture, log, productSnapshot, type EventsFixture } from './helpers.js';

let fx: EventsFixture;
let consumer: RunningConsumer;
const outcomes: Array<{ outcome: Outcome; id: string | null }> = [];
/** Product ids whose handler always throws, to exercise retries and the dead-letter topic. */
const failing = new Set<string>();

beforeAll(async () => {
  fx = await eventsFixture();
  consumer = await startEventConsumer({
    kafka: fx.kafka,
    groupId: uniqueName('events-test-group'),
    topics: [topics.products],
    topicPrefix: fx.topicPrefix,
    store: mysqlIdempotencyStore(fx.db),
    publisher: fx.publisher,
    log,
    maxAttempts: 3,
    retryBackoffMs: 10,
    handlers: {
      'product.upserted': async (event, tx) => {
        if (failing.has(event.payload.id)) throw new Error('handler bug');
        await tx.execute(sql`INSERT INTO applied (event_id, product_id) VALUES (${event.id}, ${event.payload.id})`);
      },
    },
    onSettled: (outcome, event) => outcomes.push({ outcome, id: event?.id ?? null }),
  });
});

afterAll(async () => {
  await consumer?.stop();
  await fx?.close();
});

/** Reads the dead-letter topic from the start and returns the payloads whose key matches. */
async function deadLettersFor(key: string): Promise<Array<{ reason: string }>> {
  const found: Array<{ reason: string }> = [];
  const reader = fx.kafka.consumer({ groupId: uniqueName('dlq-reader') });
  await reader.connect();
  await reader.subscribe({ topic: fx.topicPrefix + topics.deadLetter, fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => {
      if (message.key?.toString() === key) found.push(JSON.parse(message.value!.toString()).payload);
    },
  });
  try {
    await eventually(async () => (found.length > 0 ? true : undefined), 20_000);
  } finally {
    await reader.disconnect();
  }
  return found;
}

describe('event envelope and catalogue', () => {
  it('round-trips a catalogued event and rejects malformed ones', () => {
    const event = createEvent('product.upserted', 'p1', productSnapshot('p1'));
    const parsed = parseEvent(Buffer.from(JSON.stringify(event)));
    expect(parsed).toEqual({ ok: true, event });
    expect(parseEvent(Buffer.from('not json')).ok).toBe(false);
    expect(parseEvent(Buffer.from(JSON.stringify({ ...event, type: 'nope.happened' }))).ok).toBe(false);
    expect(parseEvent(Buffer.from(JSON.stringify({ ...event, version: 99 }))).ok).toBe(false);
    expect(parseEvent(Buffer.from(JSON.stringify({ ...event, payload: { id: 1 } }))).ok).toBe(false);
  });

  it('refuses to build an event whose payload breaks its schema', () => {
    expect(() => createEvent('product.archived', 'p', { id: 'p' } as never)).toThrow();
  });
});

describe('outbox relay and idempotent consumer (real Kafka + MariaDB)', () => {
  it('publishes an event committed through the outbox and applies it once', async () => {
    const productId = uniqueName('p');
    const event = createEvent('product.upserted', productId, productSnapshot(productId));
    await fx.db.transaction(async (tx) => enqueueEvents(tx, [event]));
    const relay = new OutboxRelay({ store: new MysqlOutboxStore(fx.pool, uniqueName('relay')), publisher: fx.publisher, log });
    expect(await relay.drainOnce()).toBe(1);
    expect(await relay.drainOnce()).toBe(0); // marked sent: not published again
    await eventually(async () => ((await appliedCount(fx.pool, productId)) === 1 ? true : undefined), 20_000);
  });

  it('writes nothing to the outbox when the transaction rolls back', async () => {
    const productId = uniqueName('p');
    const event = createEvent('product.upserted', productId, productSnapshot(productId));
    await expect(
      fx.db.transaction(async (tx) => {
        await enqueueEvents(tx, [event]);
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');
    const [rows] = await fx.pool.query('SELECT * FROM outbox WHERE event_id = ?', [event.id]);
    expect(rows).toHaveLength(0);
  });

  it('changes nothing when Kafka delivers the same event twice', async () => {
    const productId = uniqueName('p');
    const event = createEvent('product.upserted', productId, productSnapshot(productId));
    await fx.publisher.publish([{ topic: topics.products, envelope: event }]);
    await fx.publisher.publish([{ topic: topics.products, envelope: event }]);
    await eventually(async () => (outcomes.filter((o) => o.id === event.id).length === 2 ? true : undefined), 20_000);
    expect(outcomes.filter((o) => o.id === event.id).map((o) => o.outcome).sort()).toEqual(['applied', 'duplicate']);
    expect(await appliedCount(fx.pool, productId)).toBe(1);
  });

  it('dead-letters a malformed message and keeps consuming the partition', async () => {
    const productId = uniqueName('p');
    const producer = fx.kafka.producer();
    await producer.connect();
    // Same key, so the same partition: the good event is behind the poison one.
    await producer.send({ topic: fx.topicPrefix + topics.products, messages: [{ key: productId, value: '{"this is": "not an envelope"' }] });
    await producer.disconnect();
    const good = createEvent('product.upserted', productId, productSnapshot(productId));
    await fx.publisher.publish([{ topic: topics.products, envelope: good }]);
    await eventually(async () => ((await appliedCount(fx.pool, productId)) === 1 ? true : undefined), 20_000);
    const dead = await deadLettersFor(productId);
    expect(dead[0]?.reason).toBe('not JSON');
  });

  it('dead-letters an event whose handler keeps failing, after bounded retries', async () => {
    const badId = uniqueName('bad');
    failing.add(badId);
    const bad = createEvent('product.upserted', badId, productSnapshot(badId));
    const goodId = uniqueName('p');
    const good = createEvent('product.upserted', badId, productSnapshot(goodId)); // same key: same partition, after the bad one
    await fx.publisher.publish([
      { topic: topics.products, envelope: bad },
      { topic: topics.products, envelope: good },
    ]);
    await eventually(async () => ((await appliedCount(fx.pool, goodId)) === 1 ? true : undefined), 20_000);
    expect(outcomes.find((o) => o.id === bad.id)?.outcome).toBe('dead-lettered');
    expect(await appliedCount(fx.pool, badId)).toBe(0);
    const dead = await deadLettersFor(badId);
    expect(dead[0]?.reason).toMatch(/handler failed 3 times: handler bug/);
  });

  it('uses one relay per database at a time (lease)', async () => {
    const lock = uniqueName('lease');
    const a = new MysqlOutboxStore(fx.pool, lock);
    const b = new MysqlOutboxStore(fx.pool, lock);
    expect(await a.acquireLease()).toBe(true);
    expect(await b.acquireLease()).toBe(false);
    expect(await a.acquireLease()).toBe(true); // still ours
    await a.releaseLease();
    expect(await b.acquireLease()).toBe(true);
    await b.releaseLease();
  });
});

export type { ShopEvent };
