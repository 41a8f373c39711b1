import type { Logger } from '@shop/platform';
import type { SubgraphClient } from '@shop/platform';
import { docRecord, type IndexableProduct, type ReindexOp, type SearchIndex } from './search-index.js';

const PRODUCTS_PAGE = `query SearchReindexProducts($first: Int!, $after: String) {
  products(first: $first, after: $after) {
    nodes { id name description category price { amount currency } active }
    pageInfo { hasNextPage endCursor }
  }
}`;

const INVENTORY_OF = `query SearchReindexStock($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id inventory { available } } }
}`;

interface ProductsPage {
  products: {
    nodes: Array<IndexableProduct & { active: boolean }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

interface InventoryAnswer {
  _entities: Array<{ id: string; inventory: { available: number } | null } | null>;
}

export interface ReindexOptions {
  index: SearchIndex;
  /** The products subgraph (directly, not the router): its public `products` listing. */
  products: SubgraphClient;
  /** The inventory subgraph; when it does not answer, the current stock flags are kept. */
  inventory?: SubgraphClient;
  log: Logger;
  pageSize?: number;
  /** The building version's lease; renewed every third of it while the reindex runs. */
  leaseMs?: number;
  /** Called after each page was written (tests use it to act while the reindex runs). */
  onPage?: (page: { number: number; products: number }) => Promise<void> | void;
}

export interface ReindexReport {
  previousVersion: string;
  version: string;
  products: number;
  /** True when inventory answered for every page; otherwise (some of) the previous version's stock flags were kept. */
  stockFromInventory: boolean;
  /** Versions left behind by an earlier, crashed reindex that were deleted. */
  removedVersions: string[];
  ms: number;
}

/**
 * Rebuilds the index from the products subgraph without downtime: writes a new version while
 * queries keep reading the current one and events are applied to both (scripts.ts), then switches
 * the pointer in one step and deletes the old version.
 */
export async function reindex(opts: ReindexOptions): Promise<ReindexReport> {
  const { index, log } = opts;
  const leaseMs = opts.leaseMs ?? 30_000;
  const pageSize = opts.pageSize ?? 100;
  const started = Date.now();
  const { current, building } = await index.beginReindex(leaseMs);
  log.info({ current, building }, 'reindex started');

  let leaseLost = false;
  const renewal = setInterval(() => {
    index.renewReindex(building, leaseMs).then(
      (held) => {
        if (!held) leaseLost = true;
      },
      (err: unknown) => log.warn({ err }, 'could not renew the reindex lease'),
    );
  }, leaseMs / 3);
  renewal.unref();

  try {
    const removedVersions = await index.deleteVersionsExcept([current, building]);
    let inventoryUp = opts.inventory !== undefined;
    let inventoryAnswered = false;
    let after: string | null = null;
    let count = 0;
    for (let number = 1; ; number++) {
      if (leaseLost) throw new Error(`reindex lease of version ${building} expired`);
      const page: ProductsPage = await opts.products.request<ProductsPage>(PRODUCTS_PAGE, { first: pageSize, after });
      const active = page.products.nodes.filter((p) => p.active);
      const ops: ReindexOp[] = active.map((p) => ({ op: 'put', id: p.id, doc: docRecord(p) }));
      if (inventoryUp && opts.inventory && active.length > 0) {
        try {
          ops.push(...(await stockOf(opts.inventory, active.map((p) => p.id))));
          inventoryAnswered = true;
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'inventory unreachable: keeping the current stock flags');
          inventoryUp = false;
        }
      }
      await index.putForReindex(building, ops);
      count += active.length;
      await opts.onPage?.({ number, products: active.length });
      if (!page.products.pageInfo.hasNextPage || !page.products.pageInfo.endCursor) break;
      after = page.products.pageInfo.endCursor;
    }
    const previousVersion = await index.switchTo(building);
    await index.deleteVersion(previousVersion);
    const stockFromInventory = inventoryUp && inventoryAnswered;
    const report = { previousVersion, version: building, products: count, stockFromInventory, removedVersions, ms: Date.now() - started };
    log.info(report, 'reindex done');
    return report;
  } catch (err) {
    log.error({ err }, 'reindex failed: the current version stays');
    await index.abortReindex(building).catch((e: unknown) => log.warn({ err: e }, 'could not clean up the aborted version'));
    throw err;
  } finally {
    clearInterval(renewal);
  }
}

async function stockOf(inventory: SubgraphClient, ids: string[]): Promise<ReindexOp[]> {
  const answer = await inventory.request<InventoryAnswer>(INVENTORY_OF, {
    representations: ids.map((id) => ({ __typename: 'Product', id })),
  });
  const ops: ReindexOp[] = [];
  for (const entity of answer._entities) {
    if (entity?.inventory) ops.push({ op: 'stock', id: entity.id, inStock: entity.inventory.available > 0 });
  }
  return ops;
}
