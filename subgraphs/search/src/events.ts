import { topics, type EventHandlers, type IdempotencyStore } from '@shop/events';
import { IndexBatch, type SearchIndex } from './search-index.js';

/** What search consumes (packages/events catalogue): product snapshots and stock levels. */
export const consumedTopics: string[] = [topics.products, topics.inventory];

export const searchHandlers: EventHandlers<IndexBatch> = {
  // A snapshot of an inactive product takes it out of search, like an archive.
  'product.upserted': async (event, batch) => {
    const product = event.payload;
    if (product.active) batch.upsert(product, product.revision);
    else batch.remove(product.id, product.revision);
  },
  'product.archived': async (event, batch) => {
    batch.remove(event.payload.id, event.payload.revision);
  },
  'stock.changed': async (event, batch) => {
    batch.setStock(event.payload.productId, event.payload.available > 0);
  },
};

/** A Redis failure that is not the event's fault: the consumer rethrows it so Kafka redelivers. */
class IndexUnavailableError extends Error {
  // The consumer recognises datastore outages by these codes (packages/events consumer.ts).
  readonly code = 'ECONNRESET';
}

/**
 * Idempotency in Redis: the handler only collects index changes; one Lua script then checks the
 * processed-event marker `<prefix>:processed:<group>:<event id>`, applies the changes to every
 * live index version and sets the marker, atomically. A redelivered event finds the marker and
 * changes nothing; a snapshot older than the indexed revision is ignored besides.
 */
export function redisIdempotencyStore(index: SearchIndex, ttlSeconds: number): IdempotencyStore<IndexBatch> {
  return {
    async runOnce(consumer, eventId, effect) {
      const batch = new IndexBatch();
      await effect(batch);
      try {
        const outcome = await index.apply(batch.ops, { key: index.processedKey(consumer, eventId), ttlSeconds });
        return outcome === 'duplicate' ? 'duplicate' : 'applied';
      } catch (err) {
        // A script error is a reply from Redis (a bug, retried then dead-lettered); anything else is the connection.
        if ((err as Error).name === 'ReplyError') throw err;
        throw new IndexUnavailableError(`search index unavailable: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}
