import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { gql } from '@shop/testing';
import { ME, REFRESH, registerUser, sql, startUsers, type UsersHarness } from './harness.js';

let users: UsersHarness;
beforeAll(async () => {
  users = await startUsers();
});
afterAll(async () => {
  await users?.close();
});

const LOGOUT = `mutation ($t: String!) { logout(refreshToken: $t) }`;

async function refresh(token: string) {
  const res = await gql(users.url, REFRESH, { token });
  expect(res.errors).toBeUndefined();
  return res.data.refreshToken as {
    accessToken: string | null;
    refreshToken: string | null;
    user: { id: string; email: string; role: string } | null;
    userErrors: Array<{ code: string; field: string[] | null }>;
  };
}

function expectInvalidToken(payload: Awaited<ReturnType<typeof refresh>>) {
  expect(payload).toMatchObject({ accessToken: null, refreshToken: null, user: null });
  expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_TOKEN', field: ['token'] })]);
}

describe('refresh tokens', () => {
  it('are stored only as a sha256 hash', async () => {
    const user = await registerUser(users.url);
    const rows = await sql<{ token_hash: string }>(users.database, 'SELECT token_hash FROM refresh_tokens WHERE user_id = ?', [user.id]);
    expect(rows).toEqual([{ token_hash: createHash('sha256').update(user.refreshToken).digest('hex') }]);
  });

  it('rotate: the new pair works and the old refresh token then fails', async () => {
    const user = await registerUser(users.url);
    const next = await refresh(user.refreshToken);
    expect(next.userErrors).toEqual([]);
    expect(next.user).toMatchObject({ id: user.id, email: user.email, role: 'CUSTOMER' });
    expect(next.refreshToken).not.toBe(user.refreshToken);
    expect((await gql(users.url, ME, undefined, { token: next.accessToken })).data.me.id).toBe(user.id);

    expectInvalidToken(await refresh(user.refreshToken));
  });

  it('detect reuse: presenting a rotated token revokes the whole family, newest token included', async () => {
    const user = await registerUser(users.url);
    const second = await refresh(user.refreshToken);
    const third = await refresh(second.refreshToken!);
    expect(third.userErrors).toEqual([]);

    expectInvalidToken(await refresh(user.refreshToken)); // the leaked, already-rotated first token
    expectInvalidToken(await refresh(third.refreshToken!)); // so the legitimate newest one dies too
  });

  it('leave other sessions of the same user alone when one family is revoked', async () => {
    const user = await registerUser(users.url, 'Two Devices', 'two-devices-pw');
    const other = await gql(users.url, `mutation ($i: LoginInput!) { login(input: $i) { refreshToken } }`, {
      i: { email: user.email, password: 'two-devices-pw' },
    });
    await refresh(user.refreshToken);
    expectInvalidToken(await refresh(user.refreshToken));
    expect((await refresh(other.data.login.refreshToken)).userErrors).toEqual([]);
  });

  it('let exactly one of several concurrent uses of one token succeed', async () => {
    const user = await registerUser(users.url);
    const results = await Promise.all(Array.from({ length: 5 }, () => refresh(user.refreshToken)));
    const winners = results.filter((r) => r.userErrors.length === 0);
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((r) => r.userErrors.length > 0)) expectInvalidToken(loser);
    // A concurrent second use is indistinguishable from theft, so the family is revoked.
    expectInvalidToken(await refresh(winners[0]!.refreshToken!));
  });

  it('reject unknown, malformed and expired tokens', async () => {
    expectInvalidToken(await refresh('A'.repeat(43)));
    expectInvalidToken(await refresh('not a token'));
    expectInvalidToken(await refresh(''));
    const user = await registerUser(users.url);
    await sql(users.database, 'UPDATE refresh_tokens SET expires_at = ? WHERE user_id = ?', [new Date(Date.now() - 1000), user.id]);
    expectInvalidToken(await refresh(user.refreshToken));
  });

  it('issue access tokens with the current role from the database', async () => {
    const user = await registerUser(users.url);
    await sql(users.database, "UPDATE users SET role = 'ADMIN' WHERE id = ?", [user.id]);
    expect((await refresh(user.refreshToken)).user?.role).toBe('ADMIN');
  });
});

describe('logout', () => {
  it('revokes the session: its refresh tokens stop working', async () => {
    const user = await registerUser(users.url);
    const next = await refresh(user.refreshToken);
    const res = await gql(users.url, LOGOUT, { t: next.refreshToken });
    expect(res.data.logout).toBe(true);
    expectInvalidToken(await refresh(next.refreshToken!));
  });

  it('returns false for a token it never issued', async () => {
    expect((await gql(users.url, LOGOUT, { t: 'B'.repeat(43) })).data.logout).toBe(false);
    expect((await gql(users.url, LOGOUT, { t: 'garbage' })).data.logout).toBe(false);
  });
});
