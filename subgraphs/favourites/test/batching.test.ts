import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '@shop/testing';
import { IS_FAVOURITE, addFavourite, productRefs, startFavourites, type FavouritesHarness, type Shopper } from './harness.js';

const statements: string[] = [];
let h: FavouritesHarness;
let me: Shopper;
let saved: string[];

beforeAll(async () => {
  h = await startFavourites({ onSql: (sql) => statements.push(sql) });
  me = await h.customer();
  saved = [await h.createProduct(), await h.createProduct(), await h.createProduct()];
  for (const product of saved) await addFavourite(h.url, me.token, product);
});
afterAll(async () => {
  await h?.close();
});

const selects = () => statements.filter((s) => /^\s*select/i.test(s));
/** Product ids nobody saved: isFavourite answers for any id products hands out. */
const others = (n: number) => Array.from({ length: n }, (_, i) => `eeeeeeeeeeeeeeee${String(i).padStart(8, '0')}`);

describe('batched reads', () => {
  it('costs one SQL query for 50 products', async () => {
    // The saved products first, in the middle and last among 47 others.
    const ids = [saved[0]!, ...others(24), saved[1]!, ...others(47).slice(24), saved[2]!];
    expect(ids).toHaveLength(50);
    statements.length = 0;
    const res = await gql(h.url, IS_FAVOURITE, { r: productRefs(ids) }, { token: me.token });
    expect(res.errors).toBeUndefined();
    const favourite = (res.data._entities as Array<{ id: string; isFavourite: boolean }>).flatMap((p, i) => (p.isFavourite ? [i] : []));
    expect(favourite).toEqual([0, 25, 49]);
    expect(selects()).toHaveLength(1);
  });

  it('costs no query at all when nobody is signed in', async () => {
    statements.length = 0;
    const res = await gql(h.url, IS_FAVOURITE, { r: productRefs(saved) });
    expect(res.data._entities.map((p: { isFavourite: boolean }) => p.isFavourite)).toEqual([false, false, false]);
    expect(selects()).toHaveLength(0);
  });

  it('reads many users’ lists (as an admin) with one query for the pages and one for the totals', async () => {
    const people = [me, await h.customer(), await h.customer()];
    await addFavourite(h.url, people[1]!.token, saved[2]!);
    const query = `query ($r: [_Any!]!) {
      _entities(representations: $r) { ... on User { id favourites(first: 2) { nodes { id } totalCount } } }
    }`;
    statements.length = 0;
    const res = await gql(h.url, query, { r: people.map((p) => ({ __typename: 'User', id: p.id })) }, { token: (await h.admin()).token });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((u: { favourites: { nodes: unknown[]; totalCount: number } }) => [u.favourites.nodes.length, u.favourites.totalCount])).toEqual([
      [2, 3],
      [1, 1],
      [0, 0],
    ]);
    expect(selects()).toHaveLength(2);
  });
});
