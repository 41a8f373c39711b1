import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestMongo } from '@shop/testing';
import type { ProductDocument } from '../src/mappers.js';
import { DEMO_PRODUCT_COUNT, seedDemoProducts } from '../src/seed.js';

describe('demo catalogue seeding', () => {
  let mongo: Awaited<ReturnType<typeof createTestMongo>>;
  let racing: Awaited<ReturnType<typeof createTestMongo>>;

  beforeAll(async () => {
    mongo = await createTestMongo('products');
    racing = await createTestMongo('products');
  });
  afterAll(async () => {
    await mongo?.drop();
    await racing?.drop();
  });

  it('inserts about 50 products across 5 categories once; seeding again inserts nothing', async () => {
    expect(DEMO_PRODUCT_COUNT).toBe(50);
    let wakes = 0;
    expect(await seedDemoProducts(mongo.db, { onEventsWritten: () => (wakes += 1) })).toEqual({ inserted: 50 });
    expect(wakes).toBe(50);
    const col = mongo.db.collection<ProductDocument>('products');
    expect(await col.countDocuments()).toBe(50);
    const categories = new Set((await col.find({}, { projection: { category: 1 } }).toArray()).map((d) => d.category));
    expect(categories.size).toBe(5);

    expect(await seedDemoProducts(mongo.db)).toEqual({ inserted: 0 });
    expect(await col.countDocuments()).toBe(50);
  });

  it('goes through the create path: every seeded product carries its product.upserted event', async () => {
    const docs = await mongo.db.collection<ProductDocument>('products').find().toArray();
    for (const d of docs) {
      expect(d.pendingEvents.map((e) => e.envelope.type)).toEqual(['product.upserted']);
      expect(d.revision).toBe(1);
      expect(d.active).toBe(true);
    }
  });

  it('two seeders racing on an empty catalogue still insert each product once', async () => {
    const [a, b] = await Promise.all([seedDemoProducts(racing.db), seedDemoProducts(racing.db)]);
    expect(a.inserted + b.inserted).toBe(50);
    const col = racing.db.collection<ProductDocument>('products');
    expect(await col.countDocuments()).toBe(50);
    expect(new Set((await col.find().toArray()).map((d) => d.sku)).size).toBe(50);
  });
});
