import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader, type JWK } from 'jose';
import { createTokenVerifier } from '@shop/platform';
import { createTestDatabase, errorCode, eventually, gql } from '@shop/testing';
import { createUsersSubgraph, JWKS_PATH } from '../src/app.js';
import { LOGIN, ME, loginAs, registerUser, sql, startUsers, usersConfig, type UsersHarness } from './harness.js';

let users: UsersHarness;
beforeAll(async () => {
  // A rotated-in key signs at once here; the activation delay itself is covered end to end (e2e/test/security/tokens.test.ts).
  users = await startUsers({ SIGNING_KEY_ACTIVATION_SECONDS: '0' });
});
afterAll(async () => {
  await users?.close();
});

async function jwks(): Promise<JWK[]> {
  const res = await fetch(`${users.origin}${JWKS_PATH}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return ((await res.json()) as { keys: JWK[] }).keys;
}

describe('JWKS', () => {
  it('publishes the public key whose kid signs the access tokens, and no private parts', async () => {
    const user = await registerUser(users.url);
    const { kid } = decodeProtectedHeader(user.accessToken);
    const keys = await jwks();
    expect(keys.map((k) => k.kid)).toContain(kid);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
  });

  it('is enough for another subgraph to verify tokens (platform verifier with the JWKS URL)', async () => {
    const user = await registerUser(users.url);
    const verify = createTokenVerifier({
      issuer: users.config.JWT_ISSUER,
      audience: users.config.JWT_AUDIENCE,
      jwks: `${users.origin}${JWKS_PATH}`,
    });
    expect(await verify(`Bearer ${user.accessToken}`)).toEqual({ user: { id: user.id, role: 'CUSTOMER' }, error: null });
  });

  it('keeps tokens valid across a restart: the key lives in the database', async () => {
    const user = await registerUser(users.url);
    const before = await jwks();
    await users.restart();
    expect(await jwks()).toEqual(before);
    const me = await gql(users.url, ME, undefined, { token: user.accessToken });
    expect(me.data.me.id).toBe(user.id);
  });

  it('rotates: a new key signs, old tokens verify until their key is retired', async () => {
    const user = await registerUser(users.url, 'Rotator', 'rotator-password');
    const oldKid = decodeProtectedHeader(user.accessToken).kid!;
    const newKid = await users.app.keys.rotate();
    expect(newKid).not.toBe(oldKid);
    expect((await jwks()).map((k) => k.kid).sort()).toEqual([oldKid, newKid].sort());

    const again = await loginAs(users.url, user.email, 'rotator-password');
    expect(decodeProtectedHeader(again.accessToken).kid).toBe(newKid);
    expect((await gql(users.url, ME, undefined, { token: user.accessToken })).data.me.id).toBe(user.id);

    await users.app.keys.retire(oldKid);
    expect((await jwks()).map((k) => k.kid)).toEqual([newKid]);
    expect(errorCode(await gql(users.url, ME, undefined, { token: user.accessToken }))).toBe('UNAUTHENTICATED');
    expect((await gql(users.url, ME, undefined, { token: again.accessToken })).data.me.id).toBe(user.id);
  });
});

describe('start-up', () => {
  it('reports health, and readiness only when MySQL answers', async () => {
    expect(await (await fetch(`${users.origin}/health`)).json()).toMatchObject({ status: 'ok', service: 'users' });
    const ready = await fetch(`${users.origin}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { mysql: 'ok' } });
  });

  it('creates the bootstrap admin, who signs in with role ADMIN; restarting does not duplicate it', async () => {
    await users.restart();
    const res = await gql(users.url, LOGIN, { input: { email: 'admin@shop.local', password: 'admin-password' } });
    expect(res.data.login.userErrors).toEqual([]);
    expect(res.data.login.user).toMatchObject({ email: 'admin@shop.local', role: 'ADMIN' });
    expect(await sql(users.database, 'SELECT id FROM users WHERE email = ?', ['admin@shop.local'])).toHaveLength(1);
  });

  it('creates the bootstrap admin once when two instances start together', async () => {
    const db = await createTestDatabase('users');
    try {
      const config = usersConfig(db.name, { BOOTSTRAP_ADMIN_EMAIL: 'Boss@Shop.Example', BOOTSTRAP_ADMIN_PASSWORD: 'boss-password' });
      // Migrate first so the race is about the admin row, not the migration journal.
      await (await createUsersSubgraph({ ...config, BOOTSTRAP_ADMIN_EMAIL: 'first@shop.example' })).stop();
      const apps = await Promise.all([createUsersSubgraph(config), createUsersSubgraph(config)]);
      try {
        const res = await gql(apps[1]!.url, LOGIN, { input: { email: 'boss@shop.example', password: 'boss-password' } });
        expect(res.data.login.user).toMatchObject({ email: 'boss@shop.example', role: 'ADMIN' });
        expect(await sql(db.name, "SELECT id FROM users WHERE role = 'ADMIN'")).toHaveLength(2);
        expect(await sql(db.name, 'SELECT kid FROM signing_keys')).toHaveLength(1);
      } finally {
        await Promise.all(apps.map((a) => a.stop()));
      }
    } finally {
      await db.drop();
    }
  });

  it('refuses to start in production with the default admin password', async () => {
    const config = usersConfig(users.database, { NODE_ENV: 'production' });
    expect(config.BOOTSTRAP_ADMIN_PASSWORD).toBe('admin-password');
    await expect(createUsersSubgraph(config)).rejects.toThrow(/BOOTSTRAP_ADMIN_PASSWORD/);
  });

  it('starts in production once the admin password is changed', async () => {
    const app = await createUsersSubgraph(usersConfig(users.database, { NODE_ENV: 'production', BOOTSTRAP_ADMIN_PASSWORD: 'a-real-secret-123' }));
    try {
      expect((await fetch(new URL('/ready', app.url))).status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it('exits the process with an error in production with the default admin password', async () => {
    const child = spawnUsers({ NODE_ENV: 'production', MYSQL_DATABASE: users.database });
    expect(await child.exited).toBe(1);
    expect(child.output()).toContain('BOOTSTRAP_ADMIN_PASSWORD');
  });

  it('shuts down gracefully on SIGTERM: exit code 0 after the shutdown hooks ran', async () => {
    // development, not test: Apollo Server installs its own signal handlers outside NODE_ENV=test
    const child = spawnUsers({ NODE_ENV: 'development', MYSQL_DATABASE: users.database });
    await eventually(async () => (child.output().includes('users subgraph ready') ? true : undefined), 30_000);
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.output()).toContain('users stopped');
  });
});

/** The real entry point (src/index.ts) as its own process, on port 0. */
function spawnUsers(env: Record<string, string>) {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { process: child, exited, output: () => output };
}
