import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { ACCESS_TOKEN_ALG, createTokenVerifier, type Role, type TokenVerifier } from '@shop/platform';

/** The issuer and audience of the access tokens the users subgraph signs (the platform's defaults). */
export const TOKEN_ISSUER = 'shop-supergraph/users';
export const TOKEN_AUDIENCE = 'shop-supergraph';

const KID = 'test-key';

/** A signed-in user of the tests: their id and a bearer access token. */
export interface TestPerson {
  id: string;
  token: string;
}

export interface TestAuth {
  /** Verifies tokens against the local key set: pass it to the subgraph under test. */
  verifyToken: TokenVerifier;
  /** An access token for `sub` (a fresh user id unless given), valid for `expiresIn` (10 minutes unless given). */
  sign(role: Role, sub?: string, opts?: { expiresIn?: string | number }): Promise<string>;
  /** A fresh user id with a token for it. */
  person(role?: Role): Promise<TestPerson>;
  /** A token of a fresh ADMIN. */
  admin: string;
  /** A token of a fresh CUSTOMER. */
  customer: string;
}

/**
 * A local ES256 key set standing in for the users subgraph's JWKS, so a subgraph under test
 * verifies real signed access tokens without a users subgraph running.
 */
export async function createTestAuth(): Promise<TestAuth> {
  const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALG);
  const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: ACCESS_TOKEN_ALG, use: 'sig' };
  const sign: TestAuth['sign'] = (role, sub = randomUUID(), opts = {}) =>
    new SignJWT({ role })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: KID })
      .setSubject(sub)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(opts.expiresIn ?? '10m')
      .sign(privateKey);
  return {
    verifyToken: createTokenVerifier({ jwks: createLocalJWKSet({ keys: [jwk] }), issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE }),
    sign,
    async person(role = 'CUSTOMER') {
      const id = randomUUID();
      return { id, token: await sign(role, id) };
    },
    admin: await sign('ADMIN'),
    customer: await sign('CUSTOMER'),
  };
}
