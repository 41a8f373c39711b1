import { describe, expect, it } from 'vitest';
import { ownInbox, person, startNotifications } from './harness.js';

describe('start-up while Kafka is unreachable', () => {
  it('serves the inbox at once; the consumer keeps trying in the background', async () => {
    const h = await startNotifications({ KAFKA_BROKERS: '127.0.0.1:1' }, {}, { waitForConsumer: false });
    try {
      const ann = await person(h.auth);
      const page = await ownInbox(h.url, ann);
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
