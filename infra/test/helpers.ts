import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type EachMessagePayload } from 'kafkajs';
import { endpoints } from '../src/index.js';

/** Unique per run, so repeated runs never see each other's topics or groups. */
export function unique(prefix: string): string {
  return `infra-test.${prefix}.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;
}

export function kafkaClient(clientId: string, opts: { retries?: number; connectionTimeout?: number } = {}): Kafka {
  return new Kafka({
    clientId,
    brokers: endpoints().kafkaBrokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: opts.connectionTimeout ?? 3_000,
    retry: { initialRetryTime: 100, retries: opts.retries ?? 8 },
  });
}

/** Polls until `check` is true; throws `message` after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms: ${message()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Received {
  consumer: string;
  partition: number;
  offset: string;
  value: string;
}

/** Starts a consumer that records every message into `into`, committing each offset by hand. */
export async function startRecordingConsumer(
  kafka: Kafka,
  opts: { name: string; groupId: string; topic: string; into: Received[]; onAssign?: (partitions: number[]) => void },
): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId: opts.groupId,
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 250, // short fetch long-polls: disconnect() waits for the one in flight
    retry: { retries: 8 },
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    opts.onAssign?.(e.payload.memberAssignment[opts.topic] ?? []);
  });
  await consumer.connect();
  await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }: EachMessagePayload) => {
      opts.into.push({ consumer: opts.name, partition, offset: message.offset, value: message.value?.toString() ?? '' });
      // commit the offset of the *next* message to read
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
    },
  });
  return consumer;
}
