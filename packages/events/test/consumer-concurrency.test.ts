import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, uniqueName } from '@shop/testing';
import { consumerConcurrencyFromEnv, createEvent, mysqlIdempotencyStore, startEventConsumer, topics, type RunningConsumer } from '../src/index.js';
import { eventsFixture, log, productSnapshot, type EventsFixture } from './helpers.js';

let fx: EventsFixture;
let consumer: RunningConsumer | undefined;

beforeAll(async () => {
  fx = await eventsFixture();
});

afterAll(async () => {
  await consumer?.stop();
  await fx?.close();
});

describe('consumer concurrency setting', () => {
  it('defaults to 3 partitions at a time and reads KAFKA_CONSUMER_CONCURRENCY', () => {
    expect(consumerConcurrencyFromEnv({})).toBe(3);
    expect(consumerConcurrencyFromEnv({ KAFKA_CONSUMER_CONCURRENCY: '' })).toBe(3);
    expect(consumerConcurrencyFromEnv({ KAFKA_CONSUMER_CONCURRENCY: '1' })).toBe(1);
    expect(consumerConcurrencyFromEnv({ KAFKA_CONSUMER_CONCURRENCY: '8' })).toBe(8);
  });

  it.each(['0', '-1', '2.5', 'many', '65'])('refuses KAFKA_CONSUMER_CONCURRENCY=%s', (value) => {
    expect(() => consumerConcurrencyFromEnv({ KAFKA_CONSUMER_CONCURRENCY: value })).toThrow(/KAFKA_CONSUMER_CONCURRENCY/);
  });
});

describe('partitions consumed concurrently (real Kafka + MariaDB)', () => {
  it('handles several partitions at once and keeps each key in publish order', async () => {
    const KEYS = 12; // over 3 partitions: all on one partition has a chance of 3 / 3^12
    const PER_KEY = 5;
    const applied = new Map<string, number[]>();
    let inFlight = 0;
    let maxInFlight = 0;
    consumer = await startEventConsumer({
      kafka: fx.kafka,
      groupId: uniqueName('events-concurrency'),
      topics: [topics.products],
      topicPrefix: fx.topicPrefix,
      store: mysqlIdempotencyStore(fx.db),
      publisher: fx.publisher,
      log,
      partitionsConsumedConcurrently: 3,
      handlers: {
        'product.upserted': async (event) => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((r) => setTimeout(r, 20)); // a handler that takes a while, like a DB write
          const seen = applied.get(event.payload.id) ?? [];
          seen.push(event.payload.revision);
          applied.set(event.payload.id, seen);
          inFlight -= 1;
        },
      },
    });
    const keys = Array.from({ length: KEYS }, () => uniqueName('k'));
    // Revision r of every key, then r + 1 of every key: partitions interleave, each key's events are in order.
    for (let revision = 1; revision <= PER_KEY; revision++) {
      await fx.publisher.publish(
        keys.map((key) => ({ topic: topics.products, envelope: createEvent('product.upserted', key, { ...productSnapshot(key), revision }) })),
      );
    }
    await eventually(async () => (keys.every((k) => applied.get(k)?.length === PER_KEY) ? true : undefined), 30_000);
    for (const key of keys) expect(applied.get(key)).toEqual([1, 2, 3, 4, 5]);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(3);
  });
});
