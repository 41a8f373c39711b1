import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubgraphClient } from '@shop/platform';
import { errorCode, eventually } from '@shop/testing';
import { reindex, type ReindexOptions } from '../src/reindexer.js';
import { docRecord } from '../src/search-index.js';
import { ids, log, startSearch, stockChanged, tag, type SearchHarness } from './harness.js';
import { startProducts, type ProductsFixture } from './products.js';

let h: SearchHarness;
let products: ProductsFixture;
const nowhere = createSubgraphClient({ url: 'http://127.0.0.1:1/graphql', timeoutMs: 1_000 });

const sameSet = (a: string[], b: string[]) => expect(new Set(a)).toEqual(new Set(b));

async function indexed(query: string, id: string, present = true): Promise<void> {
  await eventually(async () => (ids(await h.search(query, { first: 100 })).includes(id) === present ? true : undefined), 10_000, 50);
}

/** Every id in the current index version equals every active product of the products subgraph. */
async function expectIndexMatchesProducts(): Promise<void> {
  const active = await products.activeIds();
  expect(active.length).toBeGreaterThan(0);
  sameSet(await h.index.ids(), active);
}

function reindexWith(options: Partial<ReindexOptions> = {}) {
  return reindex({ index: h.index, products: products.client, inventory: nowhere, log, pageSize: 5, ...options });
}

beforeAll(async () => {
  h = await startSearch();
  products = await startProducts(h.topicPrefix);
});
afterAll(async () => {
  await products?.close();
  await h?.close();
});

describe('reindex from the products subgraph', () => {
  it('rebuilds while queries keep answering, loses no event that arrives meanwhile, and ends with exactly the active products', async () => {
    const t = tag();
    const created: Array<{ id: string }> = [];
    for (let i = 0; i < 22; i++) created.push(await products.create({ name: `Widget ${i} ${t}`, price: 100 * (i + 1) }));
    for (const p of created) await indexed(`widget ${t}`, p.id);
    const [archivedEarlier, renamedDuring, archivedDuring, stockedOut, inStock] = created as [
      { id: string }, { id: string }, { id: string }, { id: string }, { id: string },
    ];
    await products.archive(archivedEarlier.id);
    await indexed(`widget ${t}`, archivedEarlier.id, false);
    await h.publish(stockChanged(inStock.id, 4), stockChanged(stockedOut.id, 2));

    // Drift the reindex must repair: a product whose events search missed, and one products never had.
    products.bridge.dropping = true;
    const missed = await products.create({ name: `Widget missed ${t}` });
    await eventually(async () => (products.bridge.dropped >= 1 ? true : undefined), 10_000);
    products.bridge.dropping = false;
    const ghost = 'ffffffffffffffffffffffff';
    await h.index.apply([{ op: 'upsert', id: ghost, rev: 1, doc: docRecord({ id: ghost, name: `Widget ghost ${t}`, description: '', category: 'Tests', price: { amount: 1, currency: 'USD' } }) }]);
    const ghostCursor = (await h.search(`ghost ${t}`, { first: 1 })).pageInfo.endCursor;
    const firstPage = await h.search(`widget ${t}`, { first: 5 });
    const versionBefore = await h.index.currentVersion();

    // Queries in a loop for the whole reindex: every one must answer sensibly.
    let reindexing = true;
    const answers: Array<{ errors?: unknown; total?: number }> = [];
    const queries = (async () => {
      while (reindexing) {
        const res = await h.searchRaw(`widget ${t}`, { first: 100 });
        answers.push({ errors: res.errors, total: res.data?.search.totalCount });
      }
    })();

    let newcomer: { id: string } | undefined;
    const report = await reindexWith({
      onPage: async ({ number }) => {
        if (number !== 2) return;
        // Events while the new version is being built reach both versions.
        newcomer = await products.create({ name: `Widget newcomer ${t}` });
        await products.update(renamedDuring.id, { name: `Gadget renamed ${t}` });
        await products.archive(archivedDuring.id);
        await h.publish(stockChanged(stockedOut.id, 0));
        await indexed(`widget ${t}`, newcomer.id);
        await indexed(`gadget ${t}`, renamedDuring.id);
        await indexed(`widget ${t}`, archivedDuring.id, false);
        expect(await h.index.buildingVersion()).not.toBeNull();
      },
    }).finally(() => {
      reindexing = false;
    });
    await queries;

    expect(answers.length).toBeGreaterThan(3);
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      // 21 active + ghost before; + newcomer, - archived, - renamed during; 21 with missed and without ghost after.
      expect(answer.total).toBeGreaterThanOrEqual(21);
      expect(answer.total).toBeLessThanOrEqual(23);
    }

    expect(report.previousVersion).toBe(versionBefore);
    expect(Number(report.version)).toBeGreaterThan(Number(versionBefore));
    expect(report.stockFromInventory).toBe(false);
    expect(await h.index.currentVersion()).toBe(report.version);
    expect(await h.index.buildingVersion()).toBeNull();
    expect(await h.app.redis.keys(`${h.config.SEARCH_KEY_PREFIX}:v${versionBefore}:*`)).toEqual([]);

    await expectIndexMatchesProducts();
    const after = ids(await h.search(`widget ${t}`, { first: 100 }));
    expect(after).toContain(missed.id);
    expect(after).toContain(newcomer!.id);
    expect(after).not.toContain(ghost);
    expect(after).not.toContain(archivedEarlier.id);
    expect(after).not.toContain(archivedDuring.id);
    expect(ids(await h.search(`gadget ${t}`))).toEqual([renamedDuring.id]);

    // Inventory did not answer: stock flags carried over, including a change made during the reindex.
    expect(await h.index.isInStock(inStock.id)).toBe(true);
    expect(await h.index.isInStock(stockedOut.id)).toBe(false);

    // A cursor from before the rebuild continues after its last product; one whose product is gone is refused.
    const next = await h.search(`widget ${t}`, { first: 5, after: firstPage.pageInfo.endCursor });
    expect(ids(next).some((id) => ids(firstPage).includes(id))).toBe(false);
    expect(errorCode(await h.searchRaw(`ghost ${t}`, { after: ghostCursor }))).toBe('BAD_USER_INPUT');

    // Later events still land in the new version.
    const later = await products.create({ name: `Widget later ${t}` });
    await indexed(`widget ${t}`, later.id);
  });

  it('takes stock from inventory when it answers, a stock event arriving meanwhile winning over its older answer', async () => {
    const t = tag();
    const made: Array<{ id: string }> = [];
    for (let i = 0; i < 8; i++) made.push(await products.create({ name: `Lamp ${i} ${t}` }));
    for (const p of made) await indexed(`lamp ${t}`, p.id);
    // Listed newest first, the oldest of these is written on a later page than the first one.
    const [oldest, saysInStock, saysOut] = made as [{ id: string }, { id: string }, { id: string }];
    await h.publish(stockChanged(saysOut.id, 3));
    const inventory = await fakeInventory(new Map([[saysInStock.id, 6]]));
    try {
      const report = await reindexWith({
        inventory: inventory.client,
        onPage: async ({ number }) => {
          if (number === 1) await h.publish(stockChanged(oldest.id, 2));
        },
      });
      expect(report.stockFromInventory).toBe(true);
      expect(inventory.asked.size).toBeGreaterThanOrEqual(made.length);
    } finally {
      await inventory.close();
    }
    expect(await h.index.isInStock(saysInStock.id)).toBe(true);
    expect(await h.index.isInStock(saysOut.id)).toBe(false);
    expect(await h.index.isInStock(oldest.id)).toBe(true);
    expect(ids(await h.search(`lamp ${t}`, { filter: { inStock: true } })).sort()).toEqual([saysInStock.id, oldest.id].sort());
    await expectIndexMatchesProducts();
  });

  it('refuses a second reindex while one runs, and removes the version a crashed one left behind', async () => {
    const crashed = await h.index.beginReindex(500); // never switched, never renewed: as if its process died
    await h.index.putForReindex(crashed.building, [
      { op: 'put', id: 'abandoned', doc: docRecord({ id: 'abandoned', name: 'Abandoned', description: '', category: 'Tests', price: { amount: 1, currency: 'USD' } }) },
    ]);
    await expect(reindexWith()).rejects.toThrow(/REINDEX_RUNNING/);
    expect(await h.index.currentVersion()).not.toBe(crashed.building);

    await eventually(async () => ((await h.index.buildingVersion()) === null ? true : undefined), 5_000);
    const report = await reindexWith();
    expect(report.removedVersions).toEqual([crashed.building]);
    expect(Number(report.version)).toBeGreaterThan(Number(crashed.building));
    expect(await h.app.redis.keys(`${h.config.SEARCH_KEY_PREFIX}:v${crashed.building}:*`)).toEqual([]);
    await expectIndexMatchesProducts();
  });
});

/** Stands in for the inventory subgraph's `_entities` answer (Product.inventory.available). */
async function fakeInventory(levels: Map<string, number>) {
  const asked = new Set<string>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { variables } = JSON.parse(body) as { variables: { representations: Array<{ id: string }> } };
      const entities = variables.representations.map(({ id }) => {
        asked.add(id);
        return { id, inventory: { available: levels.get(id) ?? 0 } };
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { _entities: entities } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    client: createSubgraphClient({ url: `http://127.0.0.1:${port}/graphql` }),
    asked,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
