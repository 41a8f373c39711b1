import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql, type GraphQLResponse } from '@shop/testing';
import { productId, startFakeOwners, type FakeOwners } from './fake-owners.js';
import { ORDER, orderInput, placeOrder, startOrders, type OrdersHarness, type Person } from './helpers.js';

const statements: string[] = [];
let owners: FakeOwners;
let h: OrdersHarness;
let ann: Person;
let ben: Person;
let admin: Person;
let annOrders: Array<{ id: string }>;
let benOrders: Array<{ id: string }>;

beforeAll(async () => {
  owners = await startFakeOwners();
  h = await startOrders(owners.url, {}, { onSql: (sql) => statements.push(sql) });
  [ann, ben, admin] = await Promise.all([h.auth.person(), h.auth.person(), h.auth.person('ADMIN')]);
  const book = owners.addProduct({ id: productId(), price: 1000, category: 'Books' }).id;
  const pen = owners.addProduct({ id: productId(), price: 150, category: 'Office' }).id;
  annOrders = [];
  for (let i = 0; i < 5; i++) {
    annOrders.push(await placeOrder(h.url, ann.token, orderInput([{ productId: book, quantity: 1 + i }, { productId: pen, quantity: 1 }])));
  }
  benOrders = [await placeOrder(h.url, ben.token, orderInput([{ productId: pen, quantity: 3 }]))];
});
afterAll(async () => {
  await h?.close();
  await owners?.stop();
});

const ORDERS_OF = `query ($r: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $r) {
    ... on User { id orders(first: $first, after: $after) { nodes { id placedAt } pageInfo { hasNextPage endCursor } totalCount } }
  }
}`;
const userRef = (id: string) => ({ __typename: 'User', id });
const selectsFrom = (table: string) => statements.filter((s) => new RegExp(`^select .* from \`${table}\``, 'i').test(s));

describe('order(id)', () => {
  it('shows the owner and admins the order', async () => {
    for (const who of [ann, admin]) {
      const res = await gql(h.url, ORDER, { id: annOrders[0]!.id }, { token: who.token });
      expect(res.errors).toBeUndefined();
      expect(res.data!.order).toMatchObject({ id: annOrders[0]!.id, user: { id: ann.id }, status: 'PENDING' });
    }
  });

  it('answers null for another customer’s order, exactly as for a missing one (ids cannot be probed)', async () => {
    const theirs = await gql(h.url, ORDER, { id: annOrders[0]!.id }, { token: ben.token });
    const missing = await gql(h.url, ORDER, { id: 'no-such-order' }, { token: ben.token });
    expect(theirs).toEqual({ status: 200, data: { order: null } });
    expect(missing).toEqual(theirs);
  });

  it('requires sign-in (UNAUTHENTICATED), and refuses a forged token', async () => {
    expect(errorCode(await gql(h.url, ORDER, { id: annOrders[0]!.id }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await gql(h.url, ORDER, { id: annOrders[0]!.id }, { token: `${ann.token}x` }))).toBe('UNAUTHENTICATED');
  });
});

describe('User.orders', () => {
  it('lists a user’s orders newest first, page by page, with the total count', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const res: GraphQLResponse = await gql(h.url, ORDERS_OF, { r: [userRef(ann.id)], first: 2, after }, { token: ann.token });
      expect(res.errors).toBeUndefined();
      const conn: { nodes: Array<{ id: string }>; totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string } } = (res.data as any)._entities[0].orders;
      expect(conn.totalCount).toBe(5);
      seen.push(...conn.nodes.map((o: { id: string }) => o.id));
      expect(conn.pageInfo.hasNextPage).toBe(page < 2);
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(annOrders.map((o) => o.id).reverse());
  });

  it('keeps the given cursor on an empty page and refuses a malformed one', async () => {
    const empty = await gql(h.url, ORDERS_OF, { r: [userRef(ann.id)], first: 0, after: null }, { token: ann.token });
    expect(empty.data!._entities[0].orders).toMatchObject({ nodes: [], pageInfo: { hasNextPage: true, endCursor: null }, totalCount: 5 });
    expect(errorCode(await gql(h.url, ORDERS_OF, { r: [userRef(ann.id)], after: 'garbage' }, { token: ann.token }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(h.url, ORDERS_OF, { r: [userRef(ann.id)], first: 101 }, { token: ann.token }))).toBe('BAD_USER_INPUT');
  });

  it('refuses another customer’s orders (FORBIDDEN) and anonymous callers (UNAUTHENTICATED)', async () => {
    expect(errorCode(await gql(h.url, ORDERS_OF, { r: [userRef(ann.id)] }, { token: ben.token }))).toBe('FORBIDDEN');
    expect(errorCode(await gql(h.url, ORDERS_OF, { r: [userRef(ann.id)] }))).toBe('UNAUTHENTICATED');
  });

  it('lets an admin read several users’ orders with one windowed query and one count', async () => {
    statements.length = 0;
    const res = await gql(h.url, ORDERS_OF, { r: [userRef(ann.id), userRef(ben.id), userRef('nobody')], first: 3 }, { token: admin.token });
    expect(res.errors).toBeUndefined();
    const [a, b, nobody] = res.data!._entities.map((u: { orders: { nodes: Array<{ id: string }>; totalCount: number } }) => u.orders);
    expect(a.nodes.map((o: { id: string }) => o.id)).toEqual(annOrders.map((o) => o.id).reverse().slice(0, 3));
    expect(b).toMatchObject({ totalCount: 1, nodes: [{ id: benOrders[0]!.id }] });
    expect(nobody).toMatchObject({ totalCount: 0, nodes: [], pageInfo: { hasNextPage: false } });
    // One count, one ranked id query, one fetch of the page rows.
    expect(statements.filter((s) => /row_number/i.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /count\(\*\)/i.test(s))).toHaveLength(1);
    expect(selectsFrom('orders')).toHaveLength(2);
  });
});

describe('Order entity references', () => {
  const ENTITIES = `query ($r: [_Any!]!) {
    _entities(representations: $r) { ... on Order { id status user { id } items { quantity product { id } } history { status } } }
  }`;

  it('resolves many orders with their items and history in one query per table', async () => {
    const ids = [...annOrders.map((o) => o.id), 'missing'];
    statements.length = 0;
    const res = await gql(h.url, ENTITIES, { r: ids.map((id) => ({ __typename: 'Order', id })) }, { token: admin.token });
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities.map((o: { id: string } | null) => o?.id ?? null)).toEqual([...annOrders.map((o) => o.id), null]);
    expect(res.data!._entities[4].items).toEqual([
      { quantity: 5, product: { id: expect.any(String) } },
      { quantity: 1, product: { id: expect.any(String) } },
    ]);
    expect(selectsFrom('orders')).toHaveLength(1);
    expect(selectsFrom('order_items')).toHaveLength(1);
    expect(selectsFrom('order_status_history')).toHaveLength(1);
  });

  it('resolves another customer’s order reference to null', async () => {
    const res = await gql(h.url, ENTITIES, { r: [{ __typename: 'Order', id: annOrders[0]!.id }] }, { token: ben.token });
    expect(res.data!._entities).toEqual([null]);
  });
});
