import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '@shop/testing';
import { loginAs, registerUser, startUsers, type SignedIn, type UsersHarness } from './harness.js';

const statements: string[] = [];
let users: UsersHarness;
let people: SignedIn[];
let admin: SignedIn;

beforeAll(async () => {
  users = await startUsers({}, { onSql: (sql) => statements.push(sql) });
  people = await Promise.all(['Ann', 'Ben', 'Cat', 'Dan'].map((name) => registerUser(users.url, name)));
  admin = await loginAs(users.url, 'admin@shop.local', 'admin-password');
});
afterAll(async () => {
  await users?.close();
});

const ENTITIES = `
  query ($r: [_Any!]!) {
    _entities(representations: $r) { ... on User { id name role createdAt } }
  }`;
const ENTITIES_PRIVATE = `
  query ($r: [_Any!]!) {
    _entities(representations: $r) { ... on User { id name email addresses { city } } }
  }`;

const refs = (ids: string[]) => ids.map((id) => ({ __typename: 'User', id }));
const selectsFrom = (table: string) => statements.filter((s) => new RegExp(`^select .* from \`${table}\``, 'i').test(s));

describe('User entity references', () => {
  it('resolves several users, in order, with one SQL query (and null for an unknown id)', async () => {
    const ids = [people[2]!.id, people[0]!.id, 'no-such-user', people[3]!.id, people[0]!.id];
    statements.length = 0;
    const res = await gql(users.url, ENTITIES, { r: refs(ids) });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((u: { id: string } | null) => u?.id ?? null)).toEqual([people[2]!.id, people[0]!.id, null, people[3]!.id, people[0]!.id]);
    expect(res.data._entities[0]).toMatchObject({ name: 'Cat', role: 'CUSTOMER' });
    expect(selectsFrom('users')).toHaveLength(1);
  });

  it('batches addresses too: an admin reading many users costs one query per table', async () => {
    statements.length = 0;
    const res = await gql(users.url, ENTITIES_PRIVATE, { r: refs(people.map((p) => p.id)) }, { token: admin.accessToken });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((u: { email: string }) => u.email)).toEqual(people.map((p) => p.email));
    expect(selectsFrom('users')).toHaveLength(1);
    expect(selectsFrom('addresses')).toHaveLength(1);
  });

  it('shows a user their own email through a reference', async () => {
    const me = people[1]!;
    const res = await gql(users.url, ENTITIES_PRIVATE, { r: refs([me.id]) }, { token: me.accessToken });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities[0]).toEqual({ id: me.id, name: 'Ben', email: me.email, addresses: [] });
  });

  it('refuses another user’s email to customers and to anonymous callers (FORBIDDEN on the field)', async () => {
    const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }`;
    for (const token of [people[0]!.accessToken, undefined]) {
      const res = await gql(users.url, query, { r: refs([people[1]!.id]) }, { token });
      expect(errorCode(res)).toBe('FORBIDDEN');
      expect(res.errors![0]!.path).toEqual(['_entities', 0, 'email']);
      expect(JSON.stringify(res.data)).not.toContain(people[1]!.email);
    }
  });

  it('turns an invalid token into UNAUTHENTICATED rather than an anonymous read', async () => {
    const res = await gql(users.url, ENTITIES, { r: refs([people[0]!.id]) }, { token: `${people[0]!.accessToken}x` });
    // Public fields need no identity; a private one asks for it and the bad token is refused.
    expect(res.errors).toBeUndefined();
    const priv = await gql(users.url, ENTITIES_PRIVATE, { r: refs([people[0]!.id]) }, { token: `${people[0]!.accessToken}x` });
    expect(errorCode(priv)).toBe('UNAUTHENTICATED');
  });
});
