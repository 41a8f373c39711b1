import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import {
  SignJWT,
  base64url,
  decodeJwt,
  decodeProtectedHeader,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
} from 'jose';
import { MYSQL_URL, errorCode, gql } from '@shop/testing';
import { ME, registerUser, startUsers, type SignedIn, type UsersHarness } from './harness.js';

let users: UsersHarness;
let alice: SignedIn;
let kid: string;
let realKey: CryptoKey;
let publicJwk: JWK;

/** The signing key straight from the subgraph's table, so forged tokens differ from real ones only where intended. */
async function readSigningKey(database: string): Promise<{ kid: string; privateJwk: JWK; publicJwk: JWK }> {
  const url = new URL(MYSQL_URL);
  url.pathname = `/${database}`;
  const conn = await mysql.createConnection(url.toString());
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT kid, public_jwk, private_jwk FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1',
    );
    const row = rows[0]!;
    return { kid: row.kid as string, privateJwk: JSON.parse(row.private_jwk as string), publicJwk: JSON.parse(row.public_jwk as string) };
  } finally {
    await conn.end();
  }
}

function claims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: alice.id,
    role: 'CUSTOMER',
    iss: users.config.JWT_ISSUER,
    aud: users.config.JWT_AUDIENCE,
    iat: now,
    exp: now + 600,
    jti: 'test-jti',
    ...overrides,
  };
}

function sign(payload: Record<string, unknown>, key: CryptoKey | Uint8Array, header: Record<string, unknown> = {}) {
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT', ...header } as { alg: string }).sign(key);
}

function encodeSegment(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

async function meWith(token: string) {
  return gql(users.url, ME, undefined, { token });
}

async function expectRejected(token: string) {
  const res = await meWith(token);
  expect(errorCode(res)).toBe('UNAUTHENTICATED');
  expect(res.data?.me ?? null).toBeNull();
}

beforeAll(async () => {
  users = await startUsers();
  alice = await registerUser(users.url, 'Alice');
  const stored = await readSigningKey(users.database);
  kid = stored.kid;
  publicJwk = stored.publicJwk;
  realKey = (await importJWK(stored.privateJwk, 'ES256')) as CryptoKey;
});
afterAll(async () => {
  await users?.close();
});

describe('access tokens', () => {
  it('are ES256 JWTs with kid, sub, role, iss, aud, iat, exp (15 min) and jti', () => {
    expect(decodeProtectedHeader(alice.accessToken)).toMatchObject({ alg: 'ES256', kid, typ: 'JWT' });
    const payload = decodeJwt(alice.accessToken);
    expect(payload).toMatchObject({ sub: alice.id, role: 'CUSTOMER', iss: 'shop-supergraph/users', aud: 'shop-supergraph' });
    expect(payload.exp! - payload.iat!).toBe(15 * 60);
    expect(payload.jti).toEqual(expect.any(String));
  });

  it('accepts a token hand-signed with the real key (so the rejections below are about the one thing changed)', async () => {
    const res = await meWith(await sign(claims(), realKey));
    expect(res.errors).toBeUndefined();
    expect(res.data.me.id).toBe(alice.id);
  });

  it('rejects an expired token signed with the real key', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    await expectRejected(await sign(claims({ iat: past - 900, exp: past }), realKey));
  });

  it('rejects a token signed by a different ES256 key that claims the real kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    await expectRejected(await sign(claims(), privateKey));
  });

  it('rejects an unsigned token (alg: none)', async () => {
    const token = `${encodeSegment({ alg: 'none', typ: 'JWT', kid })}.${encodeSegment(claims())}.`;
    await expectRejected(token);
    await expectRejected(`${encodeSegment({ alg: 'none', typ: 'JWT' })}.${encodeSegment(claims({ role: 'ADMIN' }))}.`);
  });

  it('rejects a token whose signature was tampered with', async () => {
    const [h, p, s] = (await sign(claims(), realKey)).split('.') as [string, string, string];
    const i = Math.floor(s.length / 2);
    const flipped = s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    await expectRejected(`${h}.${p}.${flipped}`);
    await expectRejected(`${h}.${p}.`);
  });

  it('rejects a token whose payload was tampered with (customer promoted to ADMIN)', async () => {
    const [h, , s] = alice.accessToken.split('.') as [string, string, string];
    const forged = { ...decodeJwt(alice.accessToken), role: 'ADMIN' };
    await expectRejected(`${h}.${encodeSegment(forged)}.${s}`);
  });

  it('rejects HS256 tokens that use the public key as the HMAC secret (algorithm confusion)', async () => {
    const publicKey = (await importJWK(publicJwk, 'ES256')) as CryptoKey;
    const secrets = [
      new TextEncoder().encode(await exportSPKI(publicKey)),
      new TextEncoder().encode(JSON.stringify(publicJwk)),
    ];
    for (const secret of secrets) {
      await expectRejected(await sign(claims({ role: 'ADMIN' }), secret, { alg: 'HS256' }));
    }
  });

  it('rejects a real-key token for another issuer or audience, and one without a role', async () => {
    await expectRejected(await sign(claims({ iss: 'someone-else' }), realKey));
    await expectRejected(await sign(claims({ aud: 'another-audience' }), realKey));
    await expectRejected(await sign(claims({ role: 'SUPERUSER' }), realKey));
  });

  it('rejects a malformed Authorization header instead of treating the caller as anonymous', async () => {
    for (const header of ['Bearer', 'Basic dXNlcjpwYXNz', 'Bearer not.a.jwt', 'Bearer a b']) {
      const res = await gql(users.url, ME, undefined, { headers: { authorization: header } });
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
    }
  });
});
