/**
 * `npm run search:reindex`: rebuilds the search index from the products subgraph (PRODUCTS_URL)
 * and the inventory subgraph (INVENTORY_URL, optional) without downtime. See README.md.
 */
import { ConfigError, createLogger, createSubgraphClient } from '@shop/platform';
import { loadSearchConfig } from './config.js';
import { connectRedis } from './redis.js';
import { reindex } from './reindexer.js';
import { SearchIndex } from './search-index.js';

const log = createLogger('search-reindex');
try {
  const config = loadSearchConfig();
  const redis = connectRedis(config.REDIS_URL);
  try {
    const report = await reindex({
      index: new SearchIndex(redis, config.SEARCH_KEY_PREFIX),
      products: createSubgraphClient({ url: config.PRODUCTS_URL, timeoutMs: 30_000 }),
      inventory: createSubgraphClient({ url: config.INVENTORY_URL, timeoutMs: 10_000 }),
      log,
    });
    console.log(
      `search index rebuilt: version ${report.previousVersion} -> ${report.version}, ${report.products} products, ` +
        `stock ${report.stockFromInventory ? 'from inventory' : 'kept from the previous version'}, ${report.ms} ms`,
    );
  } finally {
    await redis.quit();
  }
} catch (err) {
  if (err instanceof ConfigError) log.fatal(err.message);
  else log.fatal({ err }, 'reindex failed');
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
}
