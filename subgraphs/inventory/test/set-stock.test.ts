import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '@shop/testing';
import { reserveOrder } from '../src/reservations.js';
import { orderId, outboxEvents, productId, SET_STOCK, startInventory, stockRow, type InventoryHarness } from './harness.js';

let h: InventoryHarness;
beforeAll(async () => {
  h = await startInventory();
});
afterAll(async () => {
  await h?.close();
});

describe('setStock', () => {
  it('refuses anonymous callers (UNAUTHENTICATED) and customers (FORBIDDEN)', async () => {
    const id = productId();
    expect(errorCode(await gql(h.url, SET_STOCK, { productId: id, quantity: 3 }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await gql(h.url, SET_STOCK, { productId: id, quantity: 3 }, { token: h.auth.customer }))).toBe('FORBIDDEN');
    expect(errorCode(await gql(h.url, SET_STOCK, { productId: id, quantity: 3 }, { token: `${h.auth.admin}x` }))).toBe('UNAUTHENTICATED');
    expect(await stockRow(h, id)).toBeUndefined();
  });

  it('sets the units on hand for an admin and returns the stock level', async () => {
    const id = productId();
    const res = await gql(h.url, SET_STOCK, { productId: id, quantity: 12 }, { token: h.auth.admin });
    expect(res.errors).toBeUndefined();
    expect(res.data.setStock).toEqual({ inventory: { available: 12, inStock: true }, userErrors: [] });
    const zero = await gql(h.url, SET_STOCK, { productId: id, quantity: 0 }, { token: h.auth.admin });
    expect(zero.data.setStock.inventory).toEqual({ available: 0, inStock: false });
    expect(await stockRow(h, id)).toEqual({ on_hand: 0, reserved: 0 });
  });

  it.each([
    [-1, 'negative'],
    [1_000_001, 'above 1,000,000'],
  ])('rejects quantity %i (%s) with INVALID_INPUT on the quantity field', async (quantity) => {
    const id = productId();
    const res = await gql(h.url, SET_STOCK, { productId: id, quantity }, { token: h.auth.admin });
    expect(res.data.setStock.inventory).toBeNull();
    expect(res.data.setStock.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['quantity'] })]);
    expect(await stockRow(h, id)).toBeUndefined();
  });

  it('accepts the bounds 0 and 1,000,000', async () => {
    for (const quantity of [0, 1_000_000]) {
      const res = await gql(h.url, SET_STOCK, { productId: productId(), quantity }, { token: h.auth.admin });
      expect(res.data.setStock.userErrors).toEqual([]);
    }
  });

  it('rejects an empty or over-long product id with INVALID_INPUT', async () => {
    for (const id of ['  ', 'x'.repeat(65)]) {
      const res = await gql(h.url, SET_STOCK, { productId: id, quantity: 1 }, { token: h.auth.admin });
      expect(res.data.setStock.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['productId'] })]);
    }
  });

  it('refuses to set on hand below what pending orders reserved (BELOW_RESERVED), and allows exactly that', async () => {
    const id = productId();
    await gql(h.url, SET_STOCK, { productId: id, quantity: 5 }, { token: h.auth.admin });
    await h.app.db.transaction((tx) => reserveOrder(tx, { orderId: orderId(), lines: [{ productId: id, quantity: 3 }] }));

    const below = await gql(h.url, SET_STOCK, { productId: id, quantity: 2 }, { token: h.auth.admin });
    expect(below.data.setStock).toEqual({
      inventory: null,
      userErrors: [expect.objectContaining({ code: 'BELOW_RESERVED', field: ['quantity'] })],
    });
    expect(await stockRow(h, id)).toEqual({ on_hand: 5, reserved: 3 });

    const exact = await gql(h.url, SET_STOCK, { productId: id, quantity: 3 }, { token: h.auth.admin });
    expect(exact.data.setStock).toEqual({ inventory: { available: 0, inStock: false }, userErrors: [] });
  });

  it('publishes stock.changed with the new availability, committed with the change', async () => {
    const id = productId();
    await gql(h.url, SET_STOCK, { productId: id, quantity: 7 }, { token: h.auth.admin });
    await gql(h.url, SET_STOCK, { productId: id, quantity: 4 }, { token: h.auth.admin });
    await gql(h.url, SET_STOCK, { productId: id, quantity: -4 }, { token: h.auth.admin }); // refused: no event

    expect((await outboxEvents(h, id)).map((e) => [e.type, e.payload])).toEqual([
      ['stock.changed', { productId: id, available: 7 }],
      ['stock.changed', { productId: id, available: 4 }],
    ]);
    const onKafka = await h.published.waitFor((events) => {
      const mine = events.filter((e) => e.key === id);
      return mine.length >= 2 ? mine : undefined;
    });
    expect(onKafka.map((e) => e.payload)).toEqual([
      { productId: id, available: 7 },
      { productId: id, available: 4 },
    ]);
  });
});

describe('setStock of products the catalogue does not know', () => {
  /** A catalogue of one product, spelt in lower case (as products answers `_entities`). */
  const known = productId().toLowerCase();
  let withCatalogue: InventoryHarness;
  beforeAll(async () => {
    withCatalogue = await startInventory({
      products: { canonicalIds: async (ids) => new Map(ids.filter((id) => id.toLowerCase() === known).map((id) => [id, known])) },
    });
  });
  afterAll(async () => {
    await withCatalogue?.close();
  });

  it('refuses an unknown product with NOT_FOUND on productId and writes nothing', async () => {
    const unknown = productId();
    const res = await gql(withCatalogue.url, SET_STOCK, { productId: unknown, quantity: 5 }, { token: withCatalogue.auth.admin });
    expect(res.data.setStock).toEqual({ inventory: null, userErrors: [expect.objectContaining({ code: 'NOT_FOUND', field: ['productId'] })] });
    expect(await stockRow(withCatalogue, unknown)).toBeUndefined();
    expect(await outboxEvents(withCatalogue, unknown)).toEqual([]);
  });

  it("keys the stock by the catalogue's spelling of the id", async () => {
    const res = await gql(withCatalogue.url, SET_STOCK, { productId: known.toUpperCase(), quantity: 5 }, { token: withCatalogue.auth.admin });
    expect(res.data.setStock).toEqual({ inventory: { available: 5, inStock: true }, userErrors: [] });
    expect(await stockRow(withCatalogue, known)).toEqual({ on_hand: 5, reserved: 0 });
    expect((await outboxEvents(withCatalogue, known)).map((e) => e.payload)).toEqual([{ productId: known, available: 5 }]);
  });
});
