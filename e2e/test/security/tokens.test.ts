import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, base64url, exportSPKI, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { eventually, gql, startShop, type GraphQLResponse, type Shop, type ShopSubgraph, type ShopUser } from '@shop/testing';
import { createCatalogueProduct } from '../engagement-helpers.js';
import { orderInput, placeOrder } from '../helpers.js';

/**
 * Access tokens at EVERY subgraph, reached directly (no router in between): each one verifies the
 * token itself against users' JWKS. Every kind of bad token is UNAUTHENTICATED everywhere; a token
 * signed with the previous key after a rotation keeps working until it expires, and one signed with
 * the new key works at once (a verifier refetches the JWKS when it meets an unknown kid).
 */

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}
interface KeyStore {
  current(): SigningKey;
  rotate(): Promise<string>;
  publicJwks(): Promise<JWK[]>;
}

let shop: Shop;
let keys: KeyStore;
let customer: ShopUser;
let adminId: string;
let orderId: string;
const ISSUER = 'shop-supergraph/users';
const AUDIENCE = 'shop-supergraph';

type Probe = { role: 'CUSTOMER' | 'ADMIN'; query: string; variables?: () => Record<string, unknown> };

/** One operation per subgraph that needs a signed-in caller (ADMIN where the subgraph has no customer-only field). */
const PROBES: Partial<Record<ShopSubgraph, Probe>> = {
  users: { role: 'CUSTOMER', query: '{ me { id } }' },
  products: { role: 'ADMIN', query: 'mutation { archiveProduct(id: "000000000000000000000000") { userErrors { code } } }' },
  inventory: { role: 'ADMIN', query: 'mutation { setStock(productId: "none", quantity: -1) { userErrors { code } } }' },
  orders: { role: 'CUSTOMER', query: 'query { order(id: "00000000-0000-0000-0000-000000000000") { id } }' },
  payments: {
    role: 'CUSTOMER',
    query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { payment { status } } } }',
    variables: () => ({ r: [{ __typename: 'Order', id: orderId }] }),
  },
  shipping: { role: 'ADMIN', query: 'mutation { updateShipmentStatus(id: "none", status: IN_TRANSIT) { userErrors { code } } }' },
  promotions: { role: 'ADMIN', query: '{ promotion(code: "NO-SUCH-CODE") { code } }' },
  tax: { role: 'ADMIN', query: 'mutation { setTaxRate(input: { country: "XX", rateBasisPoints: -1 }) { userErrors { code } } }' },
  ratings: { role: 'CUSTOMER', query: 'mutation { deleteReview(id: "none") { userErrors { code } } }' },
  favourites: { role: 'CUSTOMER', query: 'mutation { removeFavourite(productId: "none") { userErrors { code } } }' },
  notifications: { role: 'CUSTOMER', query: 'mutation { markNotificationsRead(ids: []) { updated } }' },
};
const GUARDED = Object.keys(PROBES) as ShopSubgraph[];

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function claimsFor(role: 'CUSTOMER' | 'ADMIN', overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const t = now();
  return { sub: role === 'ADMIN' ? adminId : customer.userId, role, iss: ISSUER, aud: AUDIENCE, iat: t, exp: t + 300, jti: `t-${Math.random()}`, ...overrides };
}

function sign(claims: Record<string, unknown>, key: CryptoKey | Uint8Array, header: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
}

const segment = (value: unknown) => base64url.encode(JSON.stringify(value));

async function probe(subgraph: ShopSubgraph, authorization: string): Promise<GraphQLResponse> {
  const p = PROBES[subgraph]!;
  return gql(shop.subgraphs[subgraph]!, p.query, p.variables?.(), { headers: { authorization } });
}

/** Per subgraph: the first error code, or 'ok' when the caller got past authentication. */
async function outcomes(authorizationFor: (role: 'CUSTOMER' | 'ADMIN') => Promise<string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const subgraph of GUARDED) {
    const res = await probe(subgraph, await authorizationFor(PROBES[subgraph]!.role));
    out[subgraph] = res.status >= 500 ? `HTTP ${res.status}` : String(res.errors?.[0]?.extensions?.code ?? 'ok');
  }
  return out;
}

const everywhere = (outcome: string) => Object.fromEntries(GUARDED.map((s) => [s, outcome]));

beforeAll(async () => {
  // 6 s: just over the verifiers' 5 s unknown-kid cooldown (the default is 10 s), to keep the test short.
  shop = await startShop({ env: { users: { SIGNING_KEY_ACTIVATION_SECONDS: '6' } } });
  keys = (shop.apps.users as unknown as { keys: KeyStore }).keys;
  customer = await shop.register();
  adminId = JSON.parse(Buffer.from(shop.adminToken.split('.')[1]!, 'base64url').toString()).sub as string;
  const product = await createCatalogueProduct(shop, { name: 'Token kettle', price: 1000, category: 'Tokens' }, 5);
  // payments authorises Order.payment only for an order it knows: the customer's.
  orderId = await placeOrder(shop, customer.token, orderInput([{ productId: product, quantity: 1 }]));
}, 120_000);

afterAll(async () => {
  await shop?.stop();
});

describe('a bad access token, sent straight to every subgraph', () => {
  it('covers every subgraph that has an operation needing sign-in (search has none: it is public)', () => {
    expect([...GUARDED, 'search'].sort()).toEqual(Object.keys(shop.subgraphs).sort());
  });

  it('is accepted when it is well formed and signed with the current key (the control)', async () => {
    const { kid, privateKey } = keys.current();
    expect(await outcomes(async (role) => `Bearer ${await sign(claimsFor(role), privateKey, { alg: 'ES256', kid, typ: 'JWT' })}`)).toEqual(everywhere('ok'));
  });

  const cases: Array<[string, (role: 'CUSTOMER' | 'ADMIN') => Promise<string>]> = [
    ['expired', async (role) => { const { kid, privateKey } = keys.current(); return sign(claimsFor(role, { iat: now() - 1000, exp: now() - 100 }), privateKey, { alg: 'ES256', kid }); }],
    ['not yet valid (nbf in the future)', async (role) => { const { kid, privateKey } = keys.current(); return sign(claimsFor(role, { nbf: now() + 600 }), privateKey, { alg: 'ES256', kid }); }],
    ['issued in the future (iat)', async (role) => { const { kid, privateKey } = keys.current(); return sign(claimsFor(role, { iat: now() + 600, exp: now() + 900 }), privateKey, { alg: 'ES256', kid }); }],
    ['for another issuer', async (role) => { const { kid, privateKey } = keys.current(); return sign(claimsFor(role, { iss: 'someone-else' }), privateKey, { alg: 'ES256', kid }); }],
    ['for another audience', async (role) => { const { kid, privateKey } = keys.current(); return sign(claimsFor(role, { aud: 'another-api' }), privateKey, { alg: 'ES256', kid }); }],
    ['without an expiry', async (role) => { const { kid, privateKey } = keys.current(); const c = claimsFor(role); delete c.exp; return sign(c, privateKey, { alg: 'ES256', kid }); }],
    ['with an unknown kid', async (role) => { const { privateKey } = await generateKeyPair('ES256'); return sign(claimsFor(role), privateKey, { alg: 'ES256', kid: 'no-such-kid' }); }],
    ['signed by another key under the real kid', async (role) => { const { privateKey } = await generateKeyPair('ES256'); return sign(claimsFor(role), privateKey, { alg: 'ES256', kid: keys.current().kid }); }],
    ['unsigned (alg: none)', async (role) => `${segment({ alg: 'none', typ: 'JWT', kid: keys.current().kid })}.${segment(claimsFor(role))}.`],
    ['HS256 with the public key (JWK) as the secret', async (role) => {
      const jwk = (await keys.publicJwks()).find((k) => k.kid === keys.current().kid)!;
      return sign(claimsFor(role), new TextEncoder().encode(JSON.stringify(jwk)), { alg: 'HS256', kid: jwk.kid });
    }],
    ['HS256 with the public key (PEM) as the secret', async (role) => {
      const jwk = (await keys.publicJwks()).find((k) => k.kid === keys.current().kid)!;
      const pem = await exportSPKI((await importJWK(jwk, 'ES256')) as CryptoKey);
      return sign(claimsFor(role), new TextEncoder().encode(pem), { alg: 'HS256', kid: jwk.kid });
    }],
    ['with its payload changed after signing (customer made ADMIN)', async (role) => {
      const [h, , s] = customer.token.split('.') as [string, string, string];
      const payload = JSON.parse(Buffer.from(customer.token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      return `${h}.${segment({ ...payload, role: 'ADMIN', sub: role === 'ADMIN' ? adminId : payload.sub })}.${s}`;
    }],
  ];

  for (const [name, token] of cases) {
    it(`is UNAUTHENTICATED everywhere when ${name}`, async () => {
      expect(await outcomes(async (role) => `Bearer ${await token(role)}`)).toEqual(everywhere('UNAUTHENTICATED'));
    });
  }

  it('is UNAUTHENTICATED everywhere for a malformed Authorization header', async () => {
    for (const header of ['Bearer', 'Bearer not.a.jwt', 'Basic dXNlcjpwYXNz', `Bearer ${'a'.repeat(5000)}`]) {
      expect(await outcomes(async () => header), header).toEqual(everywhere('UNAUTHENTICATED'));
    }
  });

  it('search, public, answers whatever token comes with the request', async () => {
    const res = await gql(shop.subgraphs.search!, '{ search(query: "kettle") { totalCount } }', undefined, { headers: { authorization: 'Bearer not.a.jwt' } });
    expect(res.errors).toBeUndefined();
  });
});

describe('key rotation', () => {
  it('publishes the new key at once and signs with it only after its activation delay; then its tokens work at every subgraph at once, and tokens of the previous key until they expire', async () => {
    const old = keys.current();
    const expiresAt = now() + 14;
    const oldToken = (role: 'CUSTOMER' | 'ADMIN') => sign(claimsFor(role, { exp: expiresAt }), old.privateKey, { alg: 'ES256', kid: old.kid });
    // Every subgraph has verified a token of the old key, so its JWKS cache holds only that key.
    expect(await outcomes(async (role) => `Bearer ${await oldToken(role)}`)).toEqual(everywhere('ok'));

    const newKid = await keys.rotate();
    expect(newKid).not.toBe(old.kid);
    expect((await keys.publicJwks()).map((k) => k.kid).sort()).toEqual([old.kid, newKid].sort());
    const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;
    const adminLogin = async () =>
      (await gql(shop.subgraphs.users!, 'mutation { login(input: { email: "admin@shop.local", password: "admin-password" }) { accessToken } }')).data?.login?.accessToken as string;
    // Not yet: a verifier that fetched the JWKS within its cooldown could not see the new key.
    expect(kidOf(await adminLogin())).toBe(old.kid);
    await eventually(async () => (keys.current().kid === newKid ? true : undefined), 15_000, 200);

    // The new key's tokens: every verifier meets an unknown kid and refetches the JWKS.
    const issued = await adminLogin();
    expect(kidOf(issued)).toBe(newKid);
    const fresh = keys.current();
    expect(await outcomes(async (role) => `Bearer ${role === 'ADMIN' ? issued : await sign(claimsFor(role), fresh.privateKey, { alg: 'ES256', kid: newKid })}`)).toEqual(
      everywhere('ok'),
    );
    // The old key's tokens still work after the rotation...
    expect(await outcomes(async (role) => `Bearer ${await oldToken(role)}`)).toEqual(everywhere('ok'));
    expect(await outcomes(async () => `Bearer ${shop.adminToken}`)).toEqual(everywhere('ok'));

    // ...until they expire.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (expiresAt - now() + 1) * 1000)));
    expect(await outcomes(async (role) => `Bearer ${await oldToken(role)}`)).toEqual(everywhere('UNAUTHENTICATED'));
  }, 60_000);
});
