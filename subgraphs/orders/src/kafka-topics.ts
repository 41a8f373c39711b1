import type { createKafka } from '@shop/events';

type Kafka = ReturnType<typeof createKafka>;

/**
 * Creates the topics orders consumes and publishes to when they are missing (existing ones are left
 * alone). kafkajs fails to subscribe to a topic the broker is still auto-creating ("This server does
 * not host this topic-partition"), e.g. on a fresh test prefix.
 */
export async function ensureTopics(kafka: Kafka, names: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = names.filter((n) => !existing.has(n));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
    } catch (err) {
      // Another subgraph of the same system created it meanwhile.
      if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err;
    }
  } finally {
    await admin.disconnect();
  }
}
