import type { createKafka } from '@shop/events';

type Kafka = ReturnType<typeof createKafka>;

/**
 * Creates the topics search consumes (and its dead-letter topic) when missing. Subscribing to a
 * topic the broker is still auto-creating fails in kafkajs ("This server does not host this
 * topic-partition"), e.g. on a fresh test prefix or a fresh broker.
 */
export async function ensureTopics(kafka: Kafka, names: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(names)].filter((n) => !existing.has(n));
    // Resolves false instead of failing when another process created them meanwhile.
    if (missing.length > 0) await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}
