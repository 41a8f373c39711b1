import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '@shop/testing';
import { LOGIN, ME, REGISTER, registerUser, startUsers, uniqueEmail, type UsersHarness } from './harness.js';

let users: UsersHarness;
beforeAll(async () => {
  users = await startUsers();
});
afterAll(async () => {
  await users?.close();
});

describe('register', () => {
  it('creates a customer, signs them in, and me returns them', async () => {
    const email = uniqueEmail('Mixed.Case');
    const res = await gql(users.url, REGISTER, { input: { email: `  ${email.toUpperCase()} `, password: 'correct horse battery', name: ' Ada ' } });
    expect(res.errors).toBeUndefined();
    const payload = res.data.register;
    expect(payload.userErrors).toEqual([]);
    expect(payload.accessToken).toMatch(/^eyJ/);
    expect(payload.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(payload.user).toMatchObject({ email: email.toLowerCase(), name: 'Ada', role: 'CUSTOMER' });
    expect(new Date(payload.user.createdAt).toISOString()).toBe(payload.user.createdAt);

    const me = await gql(users.url, ME, undefined, { token: payload.accessToken });
    expect(me.errors).toBeUndefined();
    expect(me.data.me).toEqual(payload.user);
  });

  it('returns null for me when no token is sent', async () => {
    const me = await gql(users.url, ME);
    expect(me.errors).toBeUndefined();
    expect(me.data.me).toBeNull();
  });

  it('refuses a taken email, also when it differs only in case', async () => {
    const email = uniqueEmail();
    const first = await gql(users.url, REGISTER, { input: { email, password: 'correct horse battery', name: 'One' } });
    expect(first.data.register.userErrors).toEqual([]);
    for (const again of [email, email.toUpperCase()]) {
      const res = await gql(users.url, REGISTER, { input: { email: again, password: 'another password', name: 'Two' } });
      expect(res.data.register).toMatchObject({ accessToken: null, refreshToken: null, user: null });
      expect(res.data.register.userErrors).toEqual([{ code: 'EMAIL_TAKEN', field: ['input', 'email'], message: expect.any(String) }]);
    }
  });

  it('gives exactly one of two concurrent registrations of the same email the account', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.all(
      [0, 1, 2].map((i) => gql(users.url, REGISTER, { input: { email, password: `password-${i}-long`, name: `Racer ${i}` } })),
    );
    const codes = results.map((r) => r.data.register.userErrors[0]?.code ?? 'OK').sort();
    expect(codes).toEqual(['EMAIL_TAKEN', 'EMAIL_TAKEN', 'OK']);
  });

  it('refuses a weak password with INVALID_INPUT on input.password', async () => {
    const res = await gql(users.url, REGISTER, { input: { email: uniqueEmail(), password: 'short', name: 'Weak' } });
    expect(res.data.register.accessToken).toBeNull();
    expect(res.data.register.userErrors).toEqual([{ code: 'INVALID_INPUT', field: ['input', 'password'], message: expect.stringContaining('8') }]);
  });

  it('refuses an over-long password, a malformed email and an empty name, each on its field', async () => {
    const res = await gql(users.url, REGISTER, { input: { email: 'not-an-email', password: 'x'.repeat(201), name: '   ' } });
    const fields = res.data.register.userErrors.map((e: { field: string[]; code: string }) => `${e.code}:${e.field.join('.')}`).sort();
    expect(fields).toEqual(['INVALID_INPUT:input.email', 'INVALID_INPUT:input.name', 'INVALID_INPUT:input.password']);
  });
});

describe('login', () => {
  it('signs in with the right password, whatever the email case', async () => {
    const user = await registerUser(users.url, 'Grace', 'grace-password');
    const res = await gql(users.url, LOGIN, { input: { email: user.email.toUpperCase(), password: 'grace-password' } });
    expect(res.data.login.userErrors).toEqual([]);
    expect(res.data.login.user).toMatchObject({ id: user.id, email: user.email, role: 'CUSTOMER' });
    const me = await gql(users.url, ME, undefined, { token: res.data.login.accessToken });
    expect(me.data.me.id).toBe(user.id);
  });

  it('answers a wrong password and an unknown email with the same INVALID_CREDENTIALS', async () => {
    const user = await registerUser(users.url, 'Linus', 'linus-password');
    const wrong = await gql(users.url, LOGIN, { input: { email: user.email, password: 'not-the-password' } });
    const unknown = await gql(users.url, LOGIN, { input: { email: uniqueEmail('nobody'), password: 'linus-password' } });
    const huge = await gql(users.url, LOGIN, { input: { email: user.email, password: 'x'.repeat(10_000) } });
    for (const res of [wrong, unknown, huge]) {
      expect(res.data.login).toMatchObject({ accessToken: null, refreshToken: null, user: null });
      expect(res.data.login.userErrors).toHaveLength(1);
      expect(res.data.login.userErrors[0]).toMatchObject({ code: 'INVALID_CREDENTIALS', field: null });
    }
    expect(wrong.data.login.userErrors[0].message).toBe(unknown.data.login.userErrors[0].message);
  });
});

describe('updateProfile', () => {
  const UPDATE = `mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id name email } userErrors { field code message } } }`;

  it('changes the signed-in user’s name', async () => {
    const user = await registerUser(users.url, 'Before');
    const res = await gql(users.url, UPDATE, { input: { name: '  After  ' } }, { token: user.accessToken });
    expect(res.data.updateProfile).toEqual({ user: { id: user.id, name: 'After', email: user.email }, userErrors: [] });
    const me = await gql(users.url, ME, undefined, { token: user.accessToken });
    expect(me.data.me.name).toBe('After');
  });

  it('refuses an empty or over-long name', async () => {
    const user = await registerUser(users.url);
    for (const name of ['', 'x'.repeat(101)]) {
      const res = await gql(users.url, UPDATE, { input: { name } }, { token: user.accessToken });
      expect(res.data.updateProfile.user).toBeNull();
      expect(res.data.updateProfile.userErrors).toEqual([{ code: 'INVALID_INPUT', field: ['input', 'name'], message: expect.any(String) }]);
    }
  });

  it('requires sign-in', async () => {
    const res = await gql(users.url, UPDATE, { input: { name: 'Anon' } });
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
  });
});
