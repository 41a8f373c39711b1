import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '@shop/testing';
import { ADD, FAVOURITES, IS_FAVOURITE, REMOVE, addFavourite, favouritesOf, productRefs, startFavourites, type FavouritesHarness, type Shopper } from './harness.js';

let h: FavouritesHarness;
let ann: Shopper;
let ben: Shopper;

beforeAll(async () => {
  h = await startFavourites();
  [ann, ben] = [await h.customer(), await h.customer()];
});
afterAll(async () => {
  await h?.close();
});

const rowsOf = (userId: string) => h.sql<{ product_id: string }>('SELECT product_id FROM favourites WHERE user_id = ?', [userId]);

async function isFavourite(ids: string[], token?: string) {
  const res = await gql(h.url, IS_FAVOURITE, { r: productRefs(ids) }, { token });
  return { res, flags: (res.data?._entities as Array<{ isFavourite: boolean } | null> | undefined)?.map((p) => p?.isFavourite ?? null) };
}

describe('addFavourite and removeFavourite', () => {
  it('adds a product to the signed-in user’s favourites and shows it as favourite', async () => {
    const me = await h.customer();
    const product = await h.createProduct();
    const res = await gql(h.url, ADD, { productId: product }, { token: me.token });
    expect(res.data.addFavourite).toEqual({ product: { id: product, isFavourite: true }, userErrors: [] });
    expect(await rowsOf(me.id)).toEqual([{ product_id: product }]);
  });

  it('is idempotent: adding twice, even concurrently, keeps one row', async () => {
    const me = await h.customer();
    const product = await h.createProduct();
    await addFavourite(h.url, me.token, product);
    const again = await Promise.all([1, 2, 3].map(() => gql(h.url, ADD, { productId: product }, { token: me.token })));
    expect(again.map((r) => r.data.addFavourite.userErrors)).toEqual([[], [], []]);
    expect(await rowsOf(me.id)).toHaveLength(1);
  });

  it('is idempotent: removing a product that is not there succeeds, and removing twice too', async () => {
    const me = await h.customer();
    const product = await h.createProduct();
    const missing = await gql(h.url, REMOVE, { productId: product }, { token: me.token });
    expect(missing.data.removeFavourite).toEqual({ product: { id: product, isFavourite: false }, userErrors: [] });
    await addFavourite(h.url, me.token, product);
    for (let i = 0; i < 2; i++) {
      const res = await gql(h.url, REMOVE, { productId: product }, { token: me.token });
      expect(res.data.removeFavourite).toEqual({ product: { id: product, isFavourite: false }, userErrors: [] });
    }
    expect(await rowsOf(me.id)).toHaveLength(0);
  });

  it('refuses a product the catalogue does not know, and a blank id', async () => {
    const me = await h.customer();
    for (const productId of ['0123456789abcdef01234567', 'not-a-product']) {
      const res = await gql(h.url, ADD, { productId }, { token: me.token });
      expect(res.data.addFavourite).toEqual({ product: null, userErrors: [expect.objectContaining({ code: 'NOT_FOUND', field: ['productId'] })] });
    }
    const blank = await gql(h.url, ADD, { productId: '  ' }, { token: me.token });
    expect(blank.data.addFavourite.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['productId'] })]);
    expect(await rowsOf(me.id)).toHaveLength(0);
  });

  it('requires sign-in', async () => {
    const product = await h.createProduct();
    for (const mutation of [ADD, REMOVE]) {
      expect(errorCode(await gql(h.url, mutation, { productId: product }))).toBe('UNAUTHENTICATED');
      expect(errorCode(await gql(h.url, mutation, { productId: product }, { token: 'forged' }))).toBe('UNAUTHENTICATED');
    }
  });
});

describe('Product.isFavourite', () => {
  it('is per user: A’s favourite is not B’s', async () => {
    const product = await h.createProduct();
    await addFavourite(h.url, ann.token, product);
    expect((await isFavourite([product], ann.token)).flags).toEqual([true]);
    expect((await isFavourite([product], ben.token)).flags).toEqual([false]);
  });

  it('is false when nobody is signed in, and an invalid token is UNAUTHENTICATED rather than anonymous', async () => {
    const product = await h.createProduct();
    await addFavourite(h.url, ann.token, product);
    const anonymous = await isFavourite([product]);
    expect(anonymous.res.errors).toBeUndefined();
    expect(anonymous.flags).toEqual([false]);
    const forged = await isFavourite([product], `${ann.token}x`);
    expect(errorCode(forged.res)).toBe('UNAUTHENTICATED');
  });
});

describe('User.favourites', () => {
  it('lets A read her own list and an admin read it, but not B (FORBIDDEN) nor anybody signed out', async () => {
    const product = await h.createProduct();
    await addFavourite(h.url, ann.token, product);
    expect((await favouritesOf(h.url, ann.id, ann.token)).nodes.map((p) => p.id)).toContain(product);
    expect((await favouritesOf(h.url, ann.id, (await h.admin()).token)).nodes.map((p) => p.id)).toContain(product);
    const asBen = await gql(h.url, FAVOURITES, { id: ann.id }, { token: ben.token });
    expect(errorCode(asBen)).toBe('FORBIDDEN');
    expect(JSON.stringify(asBen.data)).not.toContain(product);
    expect(errorCode(await gql(h.url, FAVOURITES, { id: ann.id }))).toBe('UNAUTHENTICATED');
    // B's own list does not contain A's products.
    expect((await favouritesOf(h.url, ben.id, ben.token)).nodes.map((p) => p.id)).not.toContain(product);
  });
});
