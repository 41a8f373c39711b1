import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '@shop/testing';
import { registerUser, startUsers, type SignedIn, type UsersHarness } from './harness.js';

let users: UsersHarness;
let alice: SignedIn;
let bob: SignedIn;
beforeAll(async () => {
  users = await startUsers();
  [alice, bob] = await Promise.all([registerUser(users.url, 'Alice'), registerUser(users.url, 'Bob')]);
});
afterAll(async () => {
  await users?.close();
});

const ADD = `
  mutation ($input: AddressInput!) {
    addAddress(input: $input) {
      address { id line1 line2 city region postalCode country }
      userErrors { field message code }
    }
  }`;
const MY_ADDRESSES = `query { me { id addresses { id line1 city country } } }`;

const valid = { line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' };

describe('addAddress', () => {
  it('saves an address for the signed-in user, blank optional fields as null', async () => {
    const res = await gql(users.url, ADD, { input: { ...valid, line2: '  ', region: null } }, { token: alice.accessToken });
    expect(res.errors).toBeUndefined();
    expect(res.data.addAddress).toEqual({
      address: { id: expect.any(String), line1: 'Unter den Linden 1', line2: null, city: 'Berlin', region: null, postalCode: '10117', country: 'DE' },
      userErrors: [],
    });
    const me = await gql(users.url, MY_ADDRESSES, undefined, { token: alice.accessToken });
    expect(me.data.me.addresses).toEqual([{ id: res.data.addAddress.address.id, line1: 'Unter den Linden 1', city: 'Berlin', country: 'DE' }]);
  });

  it('requires sign-in', async () => {
    const res = await gql(users.url, ADD, { input: valid });
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    expect(res.data).toBeNull();
  });

  it.each([
    ['lower-case country', { country: 'de' }, ['input', 'country']],
    ['three-letter country', { country: 'DEU' }, ['input', 'country']],
    ['unassigned country code', { country: 'XX' }, ['input', 'country']],
    ['empty line1', { line1: '  ' }, ['input', 'line1']],
    ['empty city', { city: '' }, ['input', 'city']],
    ['over-long postal code', { postalCode: '1'.repeat(21) }, ['input', 'postalCode']],
    ['over-long line2', { line2: 'x'.repeat(201) }, ['input', 'line2']],
  ])('refuses %s with INVALID_INPUT on its field', async (_label, change, field) => {
    const res = await gql(users.url, ADD, { input: { ...valid, ...change } }, { token: alice.accessToken });
    expect(res.data.addAddress.address).toBeNull();
    expect(res.data.addAddress.userErrors).toEqual([{ code: 'INVALID_INPUT', field, message: expect.any(String) }]);
  });
});

describe('address isolation', () => {
  it('keeps each customer’s addresses to themselves', async () => {
    await gql(users.url, ADD, { input: { ...valid, line1: 'Bob Street 2', city: 'Paris', postalCode: '75001', country: 'FR' } }, { token: bob.accessToken });
    const bobs = (await gql(users.url, MY_ADDRESSES, undefined, { token: bob.accessToken })).data.me.addresses;
    const alices = (await gql(users.url, MY_ADDRESSES, undefined, { token: alice.accessToken })).data.me.addresses;
    expect(bobs.map((a: { city: string }) => a.city)).toEqual(['Paris']);
    expect(alices.map((a: { city: string }) => a.city)).not.toContain('Paris');
  });

  it('refuses another customer’s addresses and email through an entity reference', async () => {
    const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name addresses { city } } } }`;
    const res = await gql(users.url, query, { r: [{ __typename: 'User', id: bob.id }] }, { token: alice.accessToken });
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0]!.path).toEqual(['_entities', 0, 'addresses']);
    expect(JSON.stringify(res.data)).not.toContain('Paris');
  });
});
