import type { Db } from 'mongodb';
import { Catalog, ensureProductIndexes, productsCollection } from './catalog.js';
import { createProductInputSchema } from './validation.js';

/** Demo catalogue: 5 categories × 10 products, fixed SKUs so seeding twice can never duplicate. */
const CATEGORIES: Array<{ category: string; prefix: string; items: Array<[name: string, price: number]> }> = [
  {
    category: 'Books',
    prefix: 'BOOK',
    items: [
      ['The Pragmatic Programmer', 4299],
      ['Designing Data-Intensive Applications', 5499],
      ['Clean Architecture', 3799],
      ['Refactoring', 4999],
      ['Domain-Driven Design', 6299],
      ['Release It!', 3999],
      ['Site Reliability Engineering', 4599],
      ['The Phoenix Project', 2499],
      ['Accelerate', 2799],
      ['Working Effectively with Legacy Code', 5199],
    ],
  },
  {
    category: 'Electronics',
    prefix: 'ELEC',
    items: [
      ['Wireless Headphones', 19999],
      ['Mechanical Keyboard', 12900],
      ['USB-C Hub', 4999],
      ['27-inch Monitor', 32900],
      ['Webcam HD', 7999],
      ['Portable SSD 1TB', 11900],
      ['Bluetooth Speaker', 8999],
      ['Ergonomic Mouse', 5999],
      ['Smartwatch', 24900],
      ['E-Reader', 13999],
    ],
  },
  {
    category: 'Clothing',
    prefix: 'CLTH',
    items: [
      ['Organic Cotton T-Shirt', 1999],
      ['Denim Jacket', 8900],
      ['Wool Sweater', 6900],
      ['Running Shorts', 2999],
      ['Rain Coat', 11900],
      ['Linen Shirt', 4900],
      ['Chino Trousers', 5900],
      ['Merino Socks (3 pairs)', 2499],
      ['Baseball Cap', 1999],
      ['Hoodie', 4999],
    ],
  },
  {
    category: 'Home & Kitchen',
    prefix: 'HOME',
    items: [
      ['Chef Knife', 8999],
      ['Cast Iron Skillet', 3999],
      ['French Press', 2999],
      ['Ceramic Mug Set', 2499],
      ['Bamboo Cutting Board', 1999],
      ['Electric Kettle', 4499],
      ['Linen Tablecloth', 3499],
      ['Scented Candle', 1599],
      ['Storage Jars (set of 4)', 2799],
      ['Desk Lamp', 5499],
    ],
  },
  {
    category: 'Sports',
    prefix: 'SPRT',
    items: [
      ['Yoga Mat', 3499],
      ['Running Shoes', 11900],
      ['Water Bottle', 1999],
      ['Resistance Bands', 2499],
      ['Tennis Racket', 14900],
      ['Cycling Helmet', 7999],
      ['Dumbbell Pair 5kg', 4999],
      ['Jump Rope', 1299],
      ['Hiking Backpack', 9999],
      ['Foam Roller', 2999],
    ],
  },
];

export const DEMO_PRODUCT_COUNT = CATEGORIES.reduce((n, c) => n + c.items.length, 0);

export function demoProducts() {
  return CATEGORIES.flatMap(({ category, prefix, items }) =>
    items.map(([name, price], i) => {
      const sku = `${prefix}-${String(i + 1).padStart(3, '0')}`;
      return createProductInputSchema.parse({
        sku,
        name,
        description: `${name}: a demo product of the ${category} category.`,
        price,
        currency: 'USD',
        category,
        images: [`https://picsum.photos/seed/${sku.toLowerCase()}/800/800`],
      });
    }),
  );
}

export interface SeedOptions {
  /** Wakes the outbox relay after writes; without it the relay's next poll picks the events up. */
  onEventsWritten?: () => void;
}

/**
 * Inserts the demo catalogue when the collection is empty, through the same create path as the
 * API (so `product.upserted` events are produced). Idempotent: a non-empty catalogue is left
 * alone, and the unique SKU index makes even two concurrent seeders insert each product once.
 */
export async function seedDemoProducts(db: Db, opts: SeedOptions = {}): Promise<{ inserted: number }> {
  const products = productsCollection(db);
  await ensureProductIndexes(products);
  if ((await products.countDocuments({}, { limit: 1 })) > 0) return { inserted: 0 };
  const catalog = new Catalog(products, { onEventsWritten: opts.onEventsWritten });
  let inserted = 0;
  for (const input of demoProducts()) {
    const result = await catalog.create(input);
    if (result.product) inserted += 1;
  }
  return { inserted };
}
