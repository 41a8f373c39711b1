import type { Admin, Kafka } from 'kafkajs';

/**
 * Creates the given topics when missing (existing ones are left alone) and waits until every
 * partition has a leader. Subscribing to a topic the broker is still creating fails in kafkajs
 * ("This server does not host this topic-partition"), e.g. on a fresh test prefix, and kafkajs'
 * own `waitForLeaders` gives up on that same error — hence the polling. On a real cluster topics
 * are provisioned and this finds them all present.
 */
export async function ensureTopics(kafka: Kafka, names: readonly string[], timeoutMs = 20_000): Promise<void> {
  const unique = [...new Set(names)];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = unique.filter((n) => !existing.has(n));
    if (missing.length > 0) {
      try {
        await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: false });
      } catch (err) {
        // Another process created one first: fine, the wait below checks them all.
        if (!/already exists/i.test(JSON.stringify((err as { errors?: unknown }).errors ?? (err as Error).message))) throw err;
      }
    }
    await waitForLeaders(admin, unique, timeoutMs);
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
