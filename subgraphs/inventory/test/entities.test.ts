import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '@shop/testing';
import { reserveOrder } from '../src/reservations.js';
import { orderId, productId, setStock, startInventory, type InventoryHarness } from './harness.js';

let h: InventoryHarness;
beforeAll(async () => {
  h = await startInventory();
});
afterAll(async () => {
  await h?.close();
});

const ENTITIES = `
  query ($r: [_Any!]!) {
    _entities(representations: $r) { ... on Product { id inventory { available inStock } } }
  }`;
const refs = (ids: string[]) => ids.map((id) => ({ __typename: 'Product', id }));
const stockSelects = () => h.statements.filter((s) => /^select .* from `stock`/i.test(s));

describe('Product.inventory through entity references', () => {
  it('resolves many products with one SQL query, in order, with 0 for a product never stocked', async () => {
    const [a, b, c] = [productId(), productId(), productId()];
    await setStock(h, a, 3);
    await setStock(h, b, 0);
    h.statements.length = 0;

    const res = await gql(h.url, ENTITIES, { r: refs([c, a, b, a]) });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([
      { id: c, inventory: { available: 0, inStock: false } },
      { id: a, inventory: { available: 3, inStock: true } },
      { id: b, inventory: { available: 0, inStock: false } },
      { id: a, inventory: { available: 3, inStock: true } },
    ]);
    expect(stockSelects()).toHaveLength(1);
  });

  it('stays at one query for a hundred products', async () => {
    const ids = Array.from({ length: 100 }, () => productId());
    h.statements.length = 0;
    const res = await gql(h.url, ENTITIES, { r: refs(ids) });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toHaveLength(100);
    expect(stockSelects()).toHaveLength(1);
  });

  it('counts reserved units as unavailable', async () => {
    const id = productId();
    await setStock(h, id, 4);
    await h.app.db.transaction((tx) => reserveOrder(tx, { orderId: orderId(), lines: [{ productId: id, quantity: 3 }] }));
    const res = await gql(h.url, ENTITIES, { r: refs([id]) });
    expect(res.data._entities[0].inventory).toEqual({ available: 1, inStock: true });
  });

  it('is public: anonymous callers may read stock levels (the storefront shows them)', async () => {
    const res = await gql(h.url, ENTITIES, { r: refs([productId()]) }, { token: null });
    expect(res.errors).toBeUndefined();
  });
});
