import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startKafka, stopKafka } from '@shop/infra';
import { eventually, uniqueName } from '@shop/testing';
import {
  createEvent,
  enqueueEvents,
  MysqlOutboxStore,
  mysqlIdempotencyStore,
  OutboxRelay,
  startEventConsumer,
  topics,
  type RunningConsumer,
} from '../src/index.js';
import { appliedCount, eventsFixture, log, productSnapshot, type EventsFixture } from './helpers.js';

// Stops the shared broker, so it runs in the "faults" project, after every other test file.
let fx: EventsFixture;
let relay: OutboxRelay;
let consumer: RunningConsumer | undefined;

beforeAll(async () => {
  fx = await eventsFixture();
  relay = new OutboxRelay({
    store: new MysqlOutboxStore(fx.pool, uniqueName('relay')),
    publisher: fx.publisher,
    log,
    pollIntervalMs: 200,
    maxBackoffMs: 1_000,
  });
});

afterAll(async () => {
  await startKafka(); // never leave the broker down for whoever runs next
  await relay?.stop();
  await consumer?.stop();
  await fx?.close();
});

it('delivers outbox rows written while Kafka was down once it is back', async () => {
  await stopKafka();
  relay.start();
  const ids = Array.from({ length: 5 }, () => uniqueName('p'));
  for (const id of ids) {
    await fx.db.transaction(async (tx) => enqueueEvents(tx, [createEvent('product.upserted', id, productSnapshot(id))]));
    relay.wake();
  }
  // The relay keeps failing while the broker is down: nothing is marked sent, nothing is lost.
  await new Promise((r) => setTimeout(r, 2_000));
  const [pending] = await fx.pool.query<import('mysql2').RowDataPacket[]>('SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL');
  expect(Number(pending[0]?.n)).toBe(5);

  await startKafka();
  consumer = await startEventConsumer({
    kafka: fx.kafka,
    groupId: uniqueName('after-outage'),
    topics: [topics.products],
    topicPrefix: fx.topicPrefix,
    store: mysqlIdempotencyStore(fx.db),
    publisher: fx.publisher,
    log,
    handlers: {
      'product.upserted': async (event, tx) => {
        await tx.execute(sql`INSERT INTO applied (event_id, product_id) VALUES (${event.id}, ${event.payload.id})`);
      },
    },
  });
  for (const id of ids) {
    await eventually(async () => ((await appliedCount(fx.pool, id)) === 1 ? true : undefined), 60_000, 250);
  }
  const [left] = await fx.pool.query<import('mysql2').RowDataPacket[]>('SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL');
  expect(Number(left[0]?.n)).toBe(0);
});
