/**
 * Measures the index: Redis memory per 10k products and query latency.
 *   npx tsx subgraphs/search/src/bench-index.ts        (REDIS_URL, BENCH_PRODUCTS=10000, BENCH_QUERIES=1000)
 * Writes synthetic products into an isolated key prefix, runs mixed queries through the same code
 * path as the GraphQL resolver (minus HTTP), prints the numbers and deletes every key it wrote.
 */
import { randomBytes } from 'node:crypto';
import { connectRedis } from './redis.js';
import { search, type SearchRequest } from './search.js';
import { IndexBatch, SearchIndex, type IndexableProduct } from './search-index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 1_000);

/** Deterministic pseudo-random numbers (mulberry32), so runs are comparable. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(42);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const COLOURS = ['red', 'blue', 'green', 'black', 'white', 'grey', 'yellow', 'orange', 'purple', 'brown', 'navy', 'olive'];
const MATERIALS = ['steel', 'wooden', 'leather', 'cotton', 'wool', 'glass', 'ceramic', 'bamboo', 'plastic', 'linen', 'brass', 'silicone'];
const NOUNS = [
  'widget', 'lamp', 'chair', 'table', 'kettle', 'teapot', 'mug', 'bottle', 'backpack', 'jacket', 'shoe', 'boot', 'sock', 'hat',
  'scarf', 'glove', 'watch', 'clock', 'mirror', 'rug', 'pillow', 'blanket', 'towel', 'knife', 'pan', 'pot', 'bowl', 'plate',
  'charger', 'cable', 'speaker', 'headphones', 'keyboard', 'mouse', 'monitor', 'tablet', 'camera', 'tripod', 'drone', 'router',
  'tent', 'stove', 'compass', 'lantern', 'hammock', 'ball', 'racket', 'helmet', 'bicycle', 'skateboard', 'novel', 'notebook',
  'pen', 'pencil', 'puzzle', 'game', 'candle', 'vase', 'planter', 'shovel',
];
const CATEGORIES = [
  'Books', 'Electronics', 'Clothing', 'Home', 'Garden', 'Sports', 'Toys', 'Kitchen', 'Outdoor', 'Office', 'Pets', 'Beauty',
  'Health', 'Music', 'Automotive', 'Tools', 'Jewellery', 'Baby', 'Grocery', 'Art',
];
/** A long tail of rarer words, like real descriptions have. */
const TAIL = Array.from({ length: 3_000 }, () => {
  const letters = 'abcdefghiklmnoprstuvw';
  const length = 4 + Math.floor(random() * 7);
  return Array.from({ length }, () => letters[Math.floor(random() * letters.length)]).join('');
});
const COMMON = ['durable', 'light', 'compact', 'premium', 'classic', 'modern', 'handmade', 'waterproof', 'portable', 'soft', 'strong', 'quiet'];

function product(i: number): IndexableProduct {
  const noun = pick(NOUNS);
  const description = Array.from({ length: 15 + Math.floor(random() * 25) }, () =>
    random() < 0.5 ? pick(COMMON) : random() < 0.5 ? pick(NOUNS) : pick(TAIL),
  ).join(' ');
  return {
    id: i.toString(16).padStart(24, '0'),
    name: `${pick(COLOURS)} ${pick(MATERIALS)} ${noun}${random() < 0.3 ? ` ${pick(COMMON)}` : ''}`,
    description,
    category: pick(CATEGORIES),
    price: { amount: 100 + Math.floor(random() * 50_000), currency: 'USD' },
  };
}

const KINDS = [
  'one stemmed word',
  'two words, the last a prefix',
  'three-letter prefix',
  'three words, one rare',
  'empty query in a category',
  'common word + price range + inStock',
];

function queryOf(i: number): SearchRequest {
  const filter = { category: null as string | null, minPrice: null as number | null, maxPrice: null as number | null, inStock: null as boolean | null };
  let query = '';
  switch (i % KINDS.length) {
    case 0: query = `${pick(NOUNS)}s `; break; // one word, stemmed
    case 1: query = `${pick(COLOURS)} ${pick(NOUNS)}`; break; // two words, the last as prefix
    case 2: query = pick(NOUNS).slice(0, 3); break; // search-as-you-type
    case 3: query = `${pick(MATERIALS)} ${pick(COMMON)} ${pick(TAIL)} `; break; // three words, rare one
    case 4: filter.category = pick(CATEGORIES); break; // empty query in a category
    case 5: query = `${pick(COMMON)} `; filter.minPrice = 1_000; filter.maxPrice = 20_000; filter.inStock = true; break;
  }
  return { query, first: 20, after: null, filter };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function usedMemory(redis: ReturnType<typeof connectRedis>): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1]);
}

const redis = connectRedis(REDIS_URL);
const index = new SearchIndex(redis, `bench-search-${randomBytes(4).toString('hex')}`);
try {
  await index.init();
  const memoryBefore = await usedMemory(redis);
  const started = Date.now();
  for (let from = 0; from < PRODUCTS; from += 200) {
    const batch = new IndexBatch();
    for (let i = from; i < Math.min(PRODUCTS, from + 200); i++) {
      const p = product(i);
      batch.upsert(p, 1);
      if (random() < 0.7) batch.setStock(p.id, true);
    }
    await index.apply(batch.ops);
  }
  const indexMs = Date.now() - started;
  const memoryAfter = await usedMemory(redis);

  let keys = 0;
  let keyBytes = 0;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${index.prefix}:v1:*`, 'COUNT', 1000);
    cursor = next;
    keys += found.length;
    const sizes = await Promise.all(found.map((key) => redis.memory('USAGE', key, 'SAMPLES', 0)));
    keyBytes += sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0);
  } while (cursor !== '0');
  const terms = await redis.zcard(index.versionKey('1', 'terms'));

  for (let i = 0; i < 50; i++) await search(index, queryOf(i)); // warm up the script cache
  const latencies: number[] = [];
  const byKind: number[][] = [];
  let results = 0;
  for (let i = 0; i < QUERIES; i++) {
    const request = queryOf(i);
    const t0 = process.hrtime.bigint();
    const page = await search(index, request);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    (byKind[i % KINDS.length] ??= []).push(latencies.at(-1)!);
    results += page.totalCount;
  }
  latencies.sort((a, b) => a - b);

  const perTenK = (bytes: number) => ((bytes / PRODUCTS) * 10_000) / 1024 / 1024;
  console.log(`products indexed      ${PRODUCTS} in ${indexMs} ms (${Math.round(PRODUCTS / (indexMs / 1000))}/s, batches of 200)`);
  console.log(`keys / distinct terms ${keys} / ${terms}`);
  console.log(`MEMORY USAGE sum      ${perTenK(keyBytes).toFixed(1)} MiB per 10k products`);
  console.log(`used_memory delta     ${perTenK(memoryAfter - memoryBefore).toFixed(1)} MiB per 10k products`);
  console.log(
    `query latency         p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, ` +
      `max ${latencies.at(-1)!.toFixed(2)} ms over ${QUERIES} mixed queries (avg ${Math.round(results / QUERIES)} matches)`,
  );
  byKind.forEach((kind, k) => {
    kind.sort((a, b) => a - b);
    console.log(`  ${KINDS[k]!.padEnd(38)} p50 ${percentile(kind, 50).toFixed(2)} ms, p99 ${percentile(kind, 99).toFixed(2)} ms`);
  });
} finally {
  await index.destroy();
  await redis.quit();
}
