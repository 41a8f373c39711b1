import type { createKafka } from '@shop/events';

type Kafka = ReturnType<typeof createKafka>;
type Admin = ReturnType<Kafka['admin']>;

/**
 * Creates the topics this subgraph consumes and publishes to when they are missing (existing
 * ones are left alone), and waits until every partition has a leader. Subscribing to a topic the
 * broker is still creating fails in kafkajs ("This server does not host this topic-partition"),
 * e.g. on a fresh test prefix; kafkajs' own `waitForLeaders` gives up on that same error.
 */
export async function ensureTopics(kafka: Kafka, names: readonly string[], timeoutMs = 20_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = names.filter((n) => !existing.has(n));
    if (missing.length > 0) await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: false });
    await waitForLeaders(admin, names, timeoutMs);
  } finally {
    await admin.disconnect();
  }
}

async function waitForLeaders(admin: Admin, names: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [...names] });
      const led = topics.filter((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (led.length === names.length) return;
    } catch (err) {
      lastError = err; // not known to the broker yet: ask again
    }
    if (Date.now() > deadline) {
      throw new Error(`Kafka topics ${names.join(', ')} have no leaders after ${timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
