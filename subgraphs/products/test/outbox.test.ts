import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestMongo } from '@shop/testing';
import { Catalog, ensureProductIndexes, productsCollection } from '../src/catalog.js';
import { MongoOutboxStore } from '../src/outbox.js';
import { createProductInputSchema } from '../src/validation.js';

let mongo: Awaited<ReturnType<typeof createTestMongo>>;

beforeAll(async () => {
  mongo = await createTestMongo('products');
  await ensureProductIndexes(productsCollection(mongo.db));
});
afterAll(async () => {
  await mongo?.drop();
});

const input = (sku: string) => createProductInputSchema.parse({ sku, name: sku, price: 100, category: 'Outbox' });

describe('MongoOutboxStore', () => {
  it('returns pending events oldest first, in write order per product, and removes exactly the published ones', async () => {
    const products = productsCollection(mongo.db);
    let clock = Date.parse('2025-01-01T00:00:00Z');
    const catalog = new Catalog(products, { now: () => new Date((clock += 1000)) });
    const store = new MongoOutboxStore(products, mongo.db);
    const a = (await catalog.create(input('OUTBOX-A'))).product!;
    const b = (await catalog.create(input('OUTBOX-B'))).product!;
    await catalog.update(a._id.toHexString(), { price: 200 });

    const pending = await store.fetchPending(10);
    expect(pending.map((p) => [p.envelope.key, p.envelope.type])).toEqual([
      [a._id.toHexString(), 'product.upserted'],
      [a._id.toHexString(), 'product.upserted'],
      [b._id.toHexString(), 'product.upserted'],
    ]);
    expect((pending[1]!.envelope.payload as { revision: number }).revision).toBe(2);

    // A write lands between reading and marking sent: its event must survive the $pull.
    await catalog.archive(a._id.toHexString());
    await store.markSent(pending);
    const left = await store.fetchPending(10);
    expect(left.map((p) => [p.envelope.key, p.envelope.type])).toEqual([[a._id.toHexString(), 'product.archived']]);
    expect(await products.countDocuments({ pendingSince: { $exists: true } })).toBe(1);

    await store.markSent(left);
    expect(await store.fetchPending(10)).toEqual([]);
    expect(await products.countDocuments({ pendingSince: { $exists: true } })).toBe(0);
    expect(await store.countPending()).toBe(0);
  });

  it('respects the batch limit', async () => {
    const products = productsCollection(mongo.db);
    const catalog = new Catalog(products);
    const store = new MongoOutboxStore(products, mongo.db);
    for (const sku of ['LIMIT-1', 'LIMIT-2', 'LIMIT-3']) await catalog.create(input(sku));
    expect(await store.fetchPending(2)).toHaveLength(2);
    await store.markSent(await store.fetchPending(100));
    expect(await store.countPending()).toBe(0);
  });

  it('heals a pending marker left on an empty outbox', async () => {
    const products = productsCollection(mongo.db);
    const created = (await new Catalog(products).create(input('STALE-1'))).product!;
    await products.updateOne({ _id: created._id }, { $set: { pendingEvents: [] } });
    const store = new MongoOutboxStore(products, mongo.db);
    expect(await store.fetchPending(10)).toEqual([]);
    expect(await products.findOne({ _id: created._id })).not.toHaveProperty('pendingSince');
  });

  it('lets one relay hold the lease at a time, and hands it over on release or expiry', async () => {
    const products = productsCollection(mongo.db);
    const first = new MongoOutboxStore(products, mongo.db, { owner: 'first', leaseMs: 300 });
    const second = new MongoOutboxStore(products, mongo.db, { owner: 'second', leaseMs: 300 });
    expect(await first.acquireLease()).toBe(true);
    expect(await first.acquireLease()).toBe(true); // renewal
    expect(await second.acquireLease()).toBe(false);
    await first.releaseLease();
    expect(await second.acquireLease()).toBe(true);
    expect(await first.acquireLease()).toBe(false);
    await new Promise((r) => setTimeout(r, 400)); // second stops renewing: its lease expires
    expect(await first.acquireLease()).toBe(true);
    await first.releaseLease();
  });
});
