import { createKafka, ensureTopics, parseEvent, type ShopEvent, type Topic } from '@shop/events';
import { eventually, KAFKA_BROKERS, uniqueName } from './index.js';

/** Everything published on one topic since the start, as a test reads it back. */
export interface EventLog {
  events: ShopEvent[];
  /** Waits until `select` over the events so far returns a value other than undefined. */
  waitFor<T>(select: (events: ShopEvent[]) => T | undefined, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/** Reads a prefixed topic from the beginning with a fresh consumer group (what a subgraph under test published). */
export async function readEvents(prefix: string, topic: Topic): Promise<EventLog> {
  const kafka = createKafka(KAFKA_BROKERS, uniqueName('test-reader'));
  await ensureTopics(kafka, [prefix + topic]);
  // Short fetch waits: disconnecting waits for the fetch in flight.
  const consumer = kafka.consumer({ groupId: uniqueName('test-reader'), sessionTimeout: 10_000, maxWaitTimeInMs: 200 });
  const events: ShopEvent[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: prefix + topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const parsed = parseEvent(message.value);
      if (parsed.ok) events.push(parsed.event);
    },
  });
  return {
    events,
    waitFor: (select, timeoutMs = 30_000) => eventually(async () => select(events), timeoutMs),
    stop: () => consumer.disconnect(),
  };
}
