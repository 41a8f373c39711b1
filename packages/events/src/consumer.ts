import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { ensureTopics } from './topics.js';
import type { MySqlDatabase } from 'drizzle-orm/mysql-core';
import type { Logger } from 'pino';
import { processedEvents } from './tables.js';
import { parseEvent, topics, type EventType, type ShopEvent } from './catalogue.js';
import type { EventPublisher } from './kafka.js';
import { newEnvelope } from './envelope.js';

/**
 * Runs an effect at most once per (consumer, event id). The MySQL implementation records the
 * id in the same transaction as the effect, so a redelivered event changes nothing.
 */
export interface IdempotencyStore<Tx> {
  runOnce(consumer: string, eventId: string, effect: (tx: Tx) => Promise<void>): Promise<'applied' | 'duplicate'>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type DrizzleMysql = MySqlDatabase<any, any, any, any>;
export type MysqlTx = Parameters<Parameters<DrizzleMysql['transaction']>[0]>[0];

export function mysqlIdempotencyStore(db: DrizzleMysql): IdempotencyStore<MysqlTx> {
  return {
    async runOnce(consumer, eventId, effect) {
      return db.transaction(async (tx) => {
        const [result] = (await tx
          .insert(processedEvents)
          .ignore()
          .values({ consumer, eventId, processedAt: new Date() })) as unknown as [{ affectedRows: number }];
        if (result.affectedRows === 0) return 'duplicate' as const;
        await effect(tx);
        return 'applied' as const;
      });
    },
  };
}

/**
 * The store, waking the outbox relay after every applied event: a handler's effects enqueue events
 * (reserved stock, a created shipment), and they should go out now rather than at the next poll.
 */
export function wakingAfterApplied<Tx>(store: IdempotencyStore<Tx>, relay: { wake(): void }): IdempotencyStore<Tx> {
  return {
    async runOnce(consumer, eventId, effect) {
      const outcome = await store.runOnce(consumer, eventId, effect);
      if (outcome === 'applied') relay.wake();
      return outcome;
    },
  };
}

export type EventHandlers<Tx> = { [T in EventType]?: (event: ShopEvent<T>, tx: Tx) => Promise<void> };

export interface ConsumerOptions<Tx> {
  kafka: Kafka;
  /** Consumer group id; also the idempotency namespace. */
  groupId: string;
  topics: string[];
  handlers: EventHandlers<Tx>;
  store: IdempotencyStore<Tx>;
  /** Used to send poison messages to the dead-letter topic. */
  publisher: EventPublisher;
  log: Logger;
  /** Attempts of a failing handler before its event goes to the dead-letter topic. */
  maxAttempts?: number;
  retryBackoffMs?: number;
  deadLetterTopic?: string;
  /** Same prefix as the publisher's (tests isolate their topics with it). */
  topicPrefix?: string;
  /** Longest wait of one fetch on a quiet topic (default 500 ms; also bounds stop()). */
  maxWaitTimeInMs?: number;
  /**
   * Partitions whose messages are handled at the same time (kafkajs `partitionsConsumedConcurrently`).
   * Order is kept within a partition, and events are keyed by aggregate (order id, product id), so one
   * order's events still apply in order. Default: KAFKA_CONSUMER_CONCURRENCY, else 3 (the partitions of
   * one topic, ensureTopics).
   */
  partitionsConsumedConcurrently?: number;
  /** Read a new group's topics from the beginning (default true: nothing published before start-up is missed). */
  fromBeginning?: boolean;
  /** Called after each message is settled (applied, duplicate, ignored or dead-lettered); for tests and metrics. */
  onSettled?: (outcome: Outcome, event: ShopEvent | null) => void;
}

export type Outcome = 'applied' | 'duplicate' | 'ignored' | 'dead-lettered';

const INFRA_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'PROTOCOL_CONNECTION_LOST', 'ER_LOCK_WAIT_TIMEOUT']);

/** A datastore outage is not the message's fault: don't dead-letter, let Kafka redeliver later. */
function isInfrastructureError(err: unknown): boolean {
  const e = err as { code?: string; cause?: unknown } | null;
  if (!e) return false;
  if (e.code && INFRA_ERROR_CODES.has(e.code)) return true;
  return e.cause ? isInfrastructureError(e.cause) : false;
}

/** KAFKA_CONSUMER_CONCURRENCY (a positive integer), else 3. Read like NODE_ENV: every consumer of a process agrees. */
export function consumerConcurrencyFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env.KAFKA_CONSUMER_CONCURRENCY;
  if (raw === undefined || raw === '') return 3;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`KAFKA_CONSUMER_CONCURRENCY must be an integer 1-64, got "${raw}"`);
  return n;
}

export interface RunningConsumer {
  consumer: Consumer;
  stop(): Promise<void>;
}

/**
 * Consumes catalogued events: validates each message, runs its handler once (idempotent),
 * retries a failing handler a bounded number of times, then parks the message on the
 * dead-letter topic so the partition keeps flowing.
 */
export async function startEventConsumer<Tx>(opts: ConsumerOptions<Tx>): Promise<RunningConsumer> {
  const maxAttempts = opts.maxAttempts ?? 5;
  const backoff = opts.retryBackoffMs ?? 200;
  const dlq = opts.deadLetterTopic ?? topics.deadLetter;
  const prefix = opts.topicPrefix ?? '';
  await ensureTopics(opts.kafka, [...opts.topics, dlq].map((t) => prefix + t));
  const consumer = opts.kafka.consumer({
    groupId: opts.groupId,
    // How long a member that vanished (broker restart, killed process) holds its partitions before the
    // group rebalances without it: with 30 s, consumers resumed ~30-40 s after Kafka came back.
    sessionTimeout: 10_000,
    heartbeatInterval: 3_000,
    // Bounds how long a fetch (and so a graceful stop) waits when a topic is quiet.
    maxWaitTimeInMs: opts.maxWaitTimeInMs ?? 500,
    retry: { retries: 10 },
  });
  try {
    await consumer.connect();
    for (const topic of opts.topics) await consumer.subscribe({ topic: prefix + topic, fromBeginning: opts.fromBeginning ?? true });
  } catch (err) {
    // Never leave a half-started consumer behind (callers may retry start-up).
    await consumer.disconnect().catch(() => undefined);
    throw err;
  }

  const deadLetter = async (topic: string, partition: number, message: KafkaMessage, reason: string) => {
    opts.log.error({ topic, partition, offset: message.offset, reason }, 'event dead-lettered');
    const envelope = newEnvelope('dead-letter', 1, message.key?.toString() || `${topic}:${partition}`, {
      consumer: opts.groupId,
      topic,
      partition,
      offset: message.offset,
      reason,
      value: message.value?.toString('base64') ?? null,
    });
    await opts.publisher.publish([{ topic: dlq, envelope }]);
  };

  await consumer.run({
    partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? consumerConcurrencyFromEnv(),
    eachMessage: async ({ topic: fullTopic, partition, message }) => {
      const topic = fullTopic.slice(prefix.length);
      const parsed = parseEvent(message.value);
      if (!parsed.ok) {
        await deadLetter(topic, partition, message, parsed.reason);
        opts.onSettled?.('dead-lettered', null);
        return;
      }
      const event = parsed.event;
      const handler = opts.handlers[event.type] as ((e: ShopEvent, tx: Tx) => Promise<void>) | undefined;
      if (!handler) {
        opts.onSettled?.('ignored', event);
        return;
      }
      for (let attempt = 1; ; attempt++) {
        try {
          const outcome = await opts.store.runOnce(opts.groupId, event.id, (tx) => handler(event, tx));
          opts.onSettled?.(outcome, event);
          return;
        } catch (err) {
          if (isInfrastructureError(err)) throw err; // kafkajs retries the message; nothing is skipped
          if (attempt >= maxAttempts) {
            await deadLetter(topic, partition, message, `handler failed ${attempt} times: ${(err as Error).message}`);
            opts.onSettled?.('dead-lettered', event);
            return;
          }
          opts.log.warn({ err: (err as Error).message, eventId: event.id, attempt }, 'event handler failed, retrying');
          await new Promise((r) => setTimeout(r, backoff * 2 ** (attempt - 1)));
        }
      }
    },
  });
  return {
    consumer,
    async stop() {
      await consumer.disconnect();
    },
  };
}
