import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '@shop/testing';
import { FAVOURITES, REMOVE, addFavourite, favouritesOf, startFavourites, type FavouritesHarness, type Shopper } from './harness.js';

let h: FavouritesHarness;
let me: Shopper;
/** In the order they were added. */
let added: string[];

beforeAll(async () => {
  h = await startFavourites();
  me = await h.customer();
  added = [];
  for (let i = 0; i < 7; i++) {
    const product = await h.createProduct(`Favourite ${i}`);
    await addFavourite(h.url, me.token, product);
    added.push(product);
  }
});
afterAll(async () => {
  await h?.close();
});

describe('User.favourites pages', () => {
  it('lists the most recently added product first, with the total', async () => {
    const page = await favouritesOf(h.url, me.id, me.token);
    expect(page.nodes.map((p) => p.id)).toEqual([...added].reverse());
    expect(page).toMatchObject({ totalCount: 7, pageInfo: { hasNextPage: false } });
  });

  it('walks every favourite exactly once with cursors', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await favouritesOf(h.url, me.id, me.token, { first: 3, after });
      expect(page.totalCount).toBe(7);
      seen.push(...page.nodes.map((p) => p.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    expect(seen).toEqual([...added].reverse());
  });

  it('keeps a re-added product in its place, and lists nothing for a user without favourites', async () => {
    await addFavourite(h.url, me.token, added[0]!);
    expect((await favouritesOf(h.url, me.id, me.token)).nodes.at(-1)!.id).toBe(added[0]);
    const other = await h.customer();
    expect(await favouritesOf(h.url, other.id, other.token)).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 });
  });

  it('leaves a removed product out of the pages and the total', async () => {
    const someone = await h.customer();
    for (const product of added.slice(0, 3)) await addFavourite(h.url, someone.token, product);
    await gql(h.url, REMOVE, { productId: added[1] }, { token: someone.token });
    const page = await favouritesOf(h.url, someone.id, someone.token);
    expect(page.nodes.map((p) => p.id)).toEqual([added[2], added[0]]);
    expect(page.totalCount).toBe(2);
  });

  it('refuses a malformed cursor and an out-of-range page size with BAD_USER_INPUT', async () => {
    for (const page of [{ after: 'garbage' }, { after: Buffer.from('[1,2]').toString('base64url') }, { first: 101 }, { first: -1 }]) {
      expect(errorCode(await gql(h.url, FAVOURITES, { id: me.id, ...page }, { token: me.token }))).toBe('BAD_USER_INPUT');
    }
  });
});
