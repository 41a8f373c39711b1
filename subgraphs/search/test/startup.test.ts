import { describe, expect, it } from 'vitest';
import { startSearch } from './harness.js';

describe('start-up while Kafka is unreachable', () => {
  it('answers queries from the index at once; the consumer keeps trying in the background', async () => {
    const h = await startSearch({ KAFKA_BROKERS: '127.0.0.1:1' }, { waitForConsumer: false });
    try {
      const page = await h.search('anything');
      expect(page.nodes).toEqual([]);
      expect(page.totalCount).toBe(0);
      expect((await fetch(new URL('/ready', h.url))).status).toBe(200);
      const joined = await Promise.race([h.app.consumer.started.then(() => true), new Promise((r) => setTimeout(() => r(false), 500))]);
      expect(joined).toBe(false);
    } finally {
      await h.close();
    }
  });
});
