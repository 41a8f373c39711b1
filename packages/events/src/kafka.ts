import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { Envelope } from './envelope.js';

export function createKafka(brokers: string, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: brokers.split(',').map((b) => b.trim()),
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 200, retries: 5 },
    connectionTimeout: 3_000,
  });
}

export interface EventPublisher {
  /** Sends envelopes in order; resolves once the broker acknowledged every one (acks=all). */
  publish(messages: Array<{ topic: string; envelope: Envelope }>): Promise<void>;
  close(): Promise<void>;
}

export interface PublisherOptions {
  /**
   * Prepended to every topic name. Empty in production; tests give each system under test its
   * own prefix so parallel test runs never see each other's events.
   */
  topicPrefix?: string;
}

/** Idempotent producer: a retried send never duplicates or reorders a message in a partition. */
export function createPublisher(kafka: Kafka, opts: PublisherOptions = {}): EventPublisher {
  const prefix = opts.topicPrefix ?? '';
  let producer: Producer | null = null;
  let connecting: Promise<Producer> | null = null;
  const connect = (): Promise<Producer> => {
    if (producer) return Promise.resolve(producer);
    connecting ??= (async () => {
      const p = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 3, initialRetryTime: 200 },
      });
      p.on(p.events.DISCONNECT, () => {
        producer = null;
      });
      try {
        await p.connect();
      } catch (err) {
        connecting = null;
        throw err;
      }
      producer = p;
      connecting = null;
      return p;
    })();
    return connecting;
  };
  return {
    async publish(messages) {
      if (messages.length === 0) return;
      const p = await connect();
      const byTopic = new Map<string, Array<{ key: string; value: string; headers: Record<string, string> }>>();
      for (const { topic, envelope } of messages) {
        const list = byTopic.get(prefix + topic) ?? [];
        list.push({
          key: envelope.key,
          value: JSON.stringify(envelope),
          headers: { 'event-id': envelope.id, 'event-type': envelope.type },
        });
        byTopic.set(prefix + topic, list);
      }
      try {
        await p.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })) });
      } catch (err) {
        // Drop the connection so the next attempt starts clean (new producer id after a broker restart).
        producer = null;
        await p.disconnect().catch(() => undefined);
        throw err;
      }
    },
    async close() {
      const p = producer;
      producer = null;
      if (p) await p.disconnect();
    },
  };
}
