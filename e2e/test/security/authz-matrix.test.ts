import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, gql, startShop, uniqueName, type GraphQLResponse, type Shop, type ShopSubgraph } from '@shop/testing';
import { addReview, createCatalogueProduct } from '../engagement-helpers.js';
import { ADDRESS, createPromotion, orderInput, placeOrder, viewOrder, waitForStatus } from '../helpers.js';
import { apiSchema, type Principal } from './support.js';

/**
 * Who may do what: every root Query field, every Mutation, and every private entity field, for
 * four callers: anonymous, customer A on A's own data, customer B on A's data, and an admin.
 * The observed table is written to docs/SECURITY-MATRIX.md and each cell is checked against
 * EXPECTED below. Through the router, except the rows marked "direct", which ask the owning
 * subgraph itself (`_entities`), as anyone who reaches a subgraph could (zero trust).
 */

const PRINCIPALS: Principal[] = ['anonymous', 'customerA', 'customerB', 'admin'];
type Cells = Record<Principal, string>;
const row = (anonymous: string, customerA: string, customerB: string, admin: string): Cells => ({ anonymous, customerA, customerB, admin });

const ALL_OK = row('ok', 'ok', 'ok', 'ok');
const SIGNED_IN = row('UNAUTHENTICATED', 'ok', 'ok', 'ok');
const ADMIN = row('UNAUTHENTICATED', 'FORBIDDEN', 'FORBIDDEN', 'ok');
const PRIVATE = row('FORBIDDEN', 'ok', 'FORBIDDEN', 'ok');
const PRIVATE_SIGNED_IN = row('UNAUTHENTICATED', 'ok', 'FORBIDDEN', 'ok');

/** The expected outcome of every cell. */
const EXPECTED: Record<string, Cells> = {
  // Query
  'Query.me': row('null', 'ok', 'ok', 'ok'),
  'Query.order': row('UNAUTHENTICATED', 'ok', 'null', 'ok'),
  'Query.quote': ALL_OK,
  'Query.quote (with couponCode)': SIGNED_IN,
  'Query.product': ALL_OK,
  'Query.products': ALL_OK,
  'Query.promotion': ADMIN,
  'Query.search': ALL_OK,
  'Query.shippingMethods': ALL_OK,
  'Query.taxRates': ALL_OK,
  // Mutation
  'Mutation.register': ALL_OK,
  'Mutation.login': ALL_OK,
  'Mutation.refreshToken': ALL_OK,
  'Mutation.logout': ALL_OK,
  'Mutation.addAddress': SIGNED_IN,
  'Mutation.updateProfile': SIGNED_IN,
  'Mutation.createProduct': ADMIN,
  'Mutation.updateProduct': ADMIN,
  'Mutation.archiveProduct': ADMIN,
  'Mutation.setStock': ADMIN,
  'Mutation.addReview': SIGNED_IN,
  'Mutation.deleteReview': row('UNAUTHENTICATED', 'ok', 'FORBIDDEN', 'ok'),
  'Mutation.addFavourite': SIGNED_IN,
  'Mutation.removeFavourite': SIGNED_IN,
  'Mutation.placeOrder': SIGNED_IN,
  'Mutation.cancelOrder': row('UNAUTHENTICATED', 'ok', 'NOT_FOUND', 'ok'),
  'Mutation.createPromotion': ADMIN,
  'Mutation.setTaxRate': ADMIN,
  'Mutation.updateShipmentStatus': ADMIN,
  'Mutation.markNotificationsRead': row('UNAUTHENTICATED', 'ok', 'no effect', 'no effect'),
  // Private entity fields of A, through the router (A's User reached as the author of A's review)
  'User.email': PRIVATE,
  'User.addresses': PRIVATE,
  'User.orders': PRIVATE_SIGNED_IN,
  'User.favourites': PRIVATE_SIGNED_IN,
  'User.notifications': PRIVATE_SIGNED_IN,
  'Order.payment': row('UNAUTHENTICATED', 'ok', 'null', 'ok'),
  'Order.shipment': row('UNAUTHENTICATED', 'ok', 'null', 'ok'),
  // The same, asked of the owning subgraph directly
  'User.email (direct: users)': PRIVATE,
  'User.addresses (direct: users)': PRIVATE,
  'User.orders (direct: orders)': PRIVATE_SIGNED_IN,
  'User.favourites (direct: favourites)': PRIVATE_SIGNED_IN,
  'User.notifications (direct: notifications)': PRIVATE_SIGNED_IN,
  'Order (direct: orders)': row('null', 'ok', 'null', 'ok'),
  'Order.payment (direct: payments)': PRIVATE_SIGNED_IN,
  'Order.shipment (direct: shipping)': PRIVATE_SIGNED_IN,
};

/** What each row means where it is not obvious; printed under the table. */
const NOTES: Record<string, string> = {
  'Query.me': 'B and admin see themselves: `me` has no argument that could name A.',
  'Query.order': 'B gets null for A\'s order, exactly like an id that does not exist (ids cannot be probed).',
  'Query.quote (with couponCode)': 'Coupons are per customer, so applying one needs sign-in.',
  'Mutation.login': 'Credentials decide; an Authorization header plays no part (B signs in with A\'s password = is A).',
  'Mutation.refreshToken': 'A refresh token is a bearer credential: whoever holds A\'s token (the anonymous and B cells present A\'s) gets A\'s session.',
  'Mutation.logout': 'The same: presenting A\'s refresh token ends A\'s session, whoever sends it.',
  'Mutation.addAddress': 'Addresses, profile, favourites, reviews and orders are always the caller\'s own: B cannot name A.',
  'Mutation.deleteReview': 'A\'s review: its author or an admin.',
  'Mutation.cancelOrder': 'B is told NOT_FOUND for A\'s order (a userError), as for an order that does not exist.',
  'Mutation.markNotificationsRead': 'With A\'s notification ids: only the recipient marks them read; B and the admin update 0.',
  'Order.payment': 'Reached through `order(id)`: B cannot reach A\'s order at all.',
};

const PASSWORD = 'matrix password 123';
let shop: Shop;
const tokens: Record<Principal, string | null> = { anonymous: null, customerA: null, customerB: null, admin: null };
const ids: Record<Principal, string> = { anonymous: '', customerA: '', customerB: '', admin: '' };
let emailA = '';
let productMain = '';
let productStock = '';
let productUpdate = '';
let productArchive = '';
let productReview = '';
let reviewMain = '';
const reviewsOfA: string[] = [];
let orderMain = '';
const ordersToCancel: string[] = [];
let shipmentMain = '';
let coupon = '';
let notificationsOfA: string[] = [];
const refreshTokensOfA: string[] = [];
let refreshTokenOfAdmin = '';
const observed: Record<string, Cells> = {};

async function registerCustomer(label: string): Promise<{ id: string; email: string; token: string; refreshToken: string }> {
  const email = `${uniqueName(label)}@example.com`;
  const res = await gql(shop.routerUrl, `mutation ($i: RegisterInput!) { register(input: $i) { accessToken refreshToken user { id } userErrors { code } } }`, {
    i: { email, password: PASSWORD, name: label },
  });
  const p = res.data?.register;
  if (!p?.accessToken) throw new Error(`register: ${JSON.stringify(res)}`);
  return { id: p.user.id, email, token: p.accessToken, refreshToken: p.refreshToken };
}

async function login(email: string, password: string, token: string | null = null): Promise<GraphQLResponse> {
  return gql(shop.routerUrl, `mutation ($i: LoginInput!) { login(input: $i) { accessToken refreshToken user { id } userErrors { code } } }`, { i: { email, password } }, { token });
}

function at(data: unknown, path: string): unknown {
  let v = data as Record<string, unknown> | null | undefined;
  for (const key of path.split('.')) {
    if (v === null || v === undefined) return v;
    v = (v as Record<string, unknown>)[key] as Record<string, unknown>;
  }
  return v;
}

/** One cell's outcome: an auth error code, a userError code, `null`, `no effect` or `ok`. */
function outcomeOf(res: GraphQLResponse, path: string): string {
  if (res.status >= 500) return `HTTP ${res.status}`;
  const codes = (res.errors ?? []).map((e) => String(e.extensions?.code ?? 'no code'));
  for (const auth of ['UNAUTHENTICATED', 'FORBIDDEN']) if (codes.includes(auth)) return auth;
  if (codes.length > 0) return codes[0]!;
  const value = at(res.data, path) as { userErrors?: Array<{ code: string }>; updated?: number } | boolean | null | undefined;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'ok' : 'no effect';
  if (Array.isArray(value.userErrors) && value.userErrors.length > 0) return value.userErrors[0]!.code;
  if (value.updated === 0) return 'no effect';
  return 'ok';
}

async function routerCell(who: Principal, query: string, variables: Record<string, unknown>, path: string): Promise<string> {
  return outcomeOf(await gql(shop.routerUrl, query, variables, { token: tokens[who] }), path);
}

async function directCell(subgraph: ShopSubgraph, who: Principal, representation: Record<string, unknown>, selection: string): Promise<string> {
  const res = await gql(
    shop.subgraphs[subgraph]!,
    `query ($r: [_Any!]!) { _entities(representations: $r) { ... on ${representation.__typename as string} { ${selection} } } }`,
    { r: [representation] },
    { token: tokens[who] },
  );
  return outcomeOf(res, `_entities.0.${/^\w+/.exec(selection)![0]}`);
}

/** How each row is exercised for one principal (mutations get fresh targets where they destroy one). */
function rows(): Record<string, (who: Principal) => Promise<string>> {
  const quoteInput = { items: [{ productId: productMain, quantity: 1 }], shippingAddress: ADDRESS, shippingMethod: 'STANDARD' };
  const author = (selection: string) => `query ($p: ID!) { product(id: $p) { reviews(first: 10) { nodes { author { ${selection} } } } } }`;
  const authorPath = (field: string) => `product.reviews.nodes.0.author.${field}`;
  const userOfA = () => ({ __typename: 'User', id: ids.customerA });
  const orderOfA = () => ({ __typename: 'Order', id: orderMain });
  let profile = 0;
  return {
    'Query.me': (who) => routerCell(who, '{ me { id } }', {}, 'me'),
    'Query.order': (who) => routerCell(who, 'query ($id: ID!) { order(id: $id) { id } }', { id: orderMain }, 'order'),
    'Query.quote': (who) => routerCell(who, 'query ($i: QuoteInput!) { quote(input: $i) { total { amount } userErrors { code } } }', { i: quoteInput }, 'quote'),
    'Query.quote (with couponCode)': (who) =>
      routerCell(who, 'query ($i: QuoteInput!) { quote(input: $i) { total { amount } userErrors { code } } }', { i: { ...quoteInput, couponCode: coupon } }, 'quote'),
    'Query.product': (who) => routerCell(who, 'query ($id: ID!) { product(id: $id) { id name } }', { id: productMain }, 'product'),
    'Query.products': (who) => routerCell(who, '{ products(first: 5) { totalCount nodes { id } } }', {}, 'products'),
    'Query.promotion': (who) => routerCell(who, 'query ($c: String!) { promotion(code: $c) { code timesUsed } }', { c: coupon }, 'promotion'),
    'Query.search': (who) => routerCell(who, '{ search(query: "kettle") { totalCount } }', {}, 'search'),
    'Query.shippingMethods': (who) => routerCell(who, '{ shippingMethods(country: "US") { code } }', {}, 'shippingMethods'),
    'Query.taxRates': (who) => routerCell(who, '{ taxRates(country: "US") { rateBasisPoints } }', {}, 'taxRates'),

    'Mutation.register': (who) =>
      routerCell(who, 'mutation ($i: RegisterInput!) { register(input: $i) { accessToken userErrors { code } } }', { i: { email: `${uniqueName('reg')}@example.com`, password: PASSWORD, name: 'R' } }, 'register'),
    'Mutation.login': async (who) => {
      // anonymous, A and B present A's credentials; the admin its own.
      const res = who === 'admin' ? await login('admin@shop.local', 'admin-password', tokens.admin) : await login(emailA, PASSWORD, tokens[who]);
      const payload = res.data?.login as { refreshToken?: string } | undefined;
      if (who !== 'admin' && payload?.refreshToken) refreshTokensOfA.push(payload.refreshToken);
      if (who === 'admin' && payload?.refreshToken) refreshTokenOfAdmin = payload.refreshToken;
      return outcomeOf(res, 'login');
    },
    'Mutation.refreshToken': async (who) => {
      const token = who === 'admin' ? refreshTokenOfAdmin : refreshTokensOfA.shift()!;
      const res = await gql(shop.routerUrl, 'mutation ($t: String!) { refreshToken(token: $t) { accessToken refreshToken userErrors { code } } }', { t: token }, { token: tokens[who] });
      const next = (res.data?.refreshToken as { refreshToken?: string } | undefined)?.refreshToken;
      if (next && who === 'admin') refreshTokenOfAdmin = next;
      else if (next) refreshTokensOfA.push(next);
      return outcomeOf(res, 'refreshToken');
    },
    'Mutation.logout': async (who) => {
      const token = who === 'admin' ? refreshTokenOfAdmin : refreshTokensOfA.shift()!;
      const res = await gql(shop.routerUrl, 'mutation ($t: String!) { logout(refreshToken: $t) }', { t: token }, { token: tokens[who] });
      return res.errors ? outcomeOf(res, 'logout') : res.data?.logout === true ? 'ok' : 'no effect';
    },
    'Mutation.addAddress': (who) => routerCell(who, 'mutation ($i: AddressInput!) { addAddress(input: $i) { address { id } userErrors { code } } }', { i: ADDRESS }, 'addAddress'),
    'Mutation.updateProfile': (who) =>
      routerCell(who, 'mutation ($i: UpdateProfileInput!) { updateProfile(input: $i) { user { id } userErrors { code } } }', { i: { name: `Renamed ${(profile += 1)}` } }, 'updateProfile'),
    'Mutation.createProduct': (who) =>
      routerCell(
        who,
        'mutation ($i: CreateProductInput!) { createProduct(input: $i) { product { id } userErrors { code } } }',
        { i: { sku: uniqueName('MX').replace(/_/g, '-').toUpperCase(), name: 'Matrix mug', description: 'd', price: 100, category: 'Matrix', images: [] } },
        'createProduct',
      ),
    'Mutation.updateProduct': (who) =>
      routerCell(who, 'mutation ($id: ID!, $i: UpdateProductInput!) { updateProduct(id: $id, input: $i) { product { id } userErrors { code } } }', { id: productUpdate, i: { name: 'Renamed' } }, 'updateProduct'),
    'Mutation.archiveProduct': (who) => routerCell(who, 'mutation ($id: ID!) { archiveProduct(id: $id) { product { id } userErrors { code } } }', { id: productArchive }, 'archiveProduct'),
    'Mutation.setStock': (who) =>
      routerCell(who, 'mutation ($id: ID!) { setStock(productId: $id, quantity: 50) { inventory { available } userErrors { code } } }', { id: productStock }, 'setStock'),
    'Mutation.addReview': (who) =>
      routerCell(
        who,
        'mutation ($i: AddReviewInput!) { addReview(input: $i) { review { id } userErrors { code } } }',
        { i: { productId: productReview, rating: 4, title: 'Fine', body: 'Reviewed in the matrix' } },
        'addReview',
      ),
    'Mutation.deleteReview': (who) => {
      // A's reviews: B and the anonymous caller try the first, A deletes it, the admin deletes the second.
      const target = who === 'admin' ? reviewsOfA[1]! : reviewsOfA[0]!;
      return routerCell(who, 'mutation ($id: ID!) { deleteReview(id: $id) { userErrors { code } } }', { id: target }, 'deleteReview');
    },
    'Mutation.addFavourite': (who) => routerCell(who, 'mutation ($id: ID!) { addFavourite(productId: $id) { product { id } userErrors { code } } }', { id: productMain }, 'addFavourite'),
    'Mutation.removeFavourite': (who) =>
      routerCell(who, 'mutation ($id: ID!) { removeFavourite(productId: $id) { product { id } userErrors { code } } }', { id: productStock }, 'removeFavourite'),
    'Mutation.placeOrder': (who) =>
      routerCell(
        who,
        'mutation ($i: PlaceOrderInput!) { placeOrder(input: $i) { order { id } userErrors { code } } }',
        { i: orderInput([{ productId: productStock, quantity: 1 }]) },
        'placeOrder',
      ),
    'Mutation.cancelOrder': (who) =>
      routerCell(who, 'mutation ($id: ID!) { cancelOrder(id: $id) { order { id } userErrors { code } } }', { id: who === 'admin' ? ordersToCancel[1]! : ordersToCancel[0]! }, 'cancelOrder'),
    'Mutation.createPromotion': (who) =>
      routerCell(
        who,
        'mutation ($i: CreatePromotionInput!) { createPromotion(input: $i) { promotion { code } userErrors { code } } }',
        { i: { code: uniqueName('MX').replace(/_/g, '').toUpperCase().slice(0, 30), kind: 'PERCENT', value: 5 } },
        'createPromotion',
      ),
    'Mutation.setTaxRate': (who) =>
      routerCell(who, 'mutation ($i: SetTaxRateInput!) { setTaxRate(input: $i) { taxRate { rateBasisPoints } userErrors { code } } }', { i: { country: 'DE', rateBasisPoints: 1900 } }, 'setTaxRate'),
    'Mutation.updateShipmentStatus': (who) =>
      routerCell(who, 'mutation ($id: ID!) { updateShipmentStatus(id: $id, status: IN_TRANSIT) { shipment { status } userErrors { code } } }', { id: shipmentMain }, 'updateShipmentStatus'),
    'Mutation.markNotificationsRead': (who) =>
      routerCell(who, 'mutation ($ids: [ID!]!) { markNotificationsRead(ids: $ids) { updated userErrors { code } } }', { ids: notificationsOfA }, 'markNotificationsRead'),

    'User.email': (who) => routerCell(who, author('email'), { p: productMain }, authorPath('email')),
    'User.addresses': (who) => routerCell(who, author('addresses { id }'), { p: productMain }, authorPath('addresses')),
    'User.orders': (who) => routerCell(who, author('orders(first: 5) { totalCount }'), { p: productMain }, authorPath('orders')),
    'User.favourites': (who) => routerCell(who, author('favourites(first: 5) { totalCount }'), { p: productMain }, authorPath('favourites')),
    'User.notifications': (who) => routerCell(who, author('notifications(first: 5) { totalCount }'), { p: productMain }, authorPath('notifications')),
    'Order.payment': (who) => routerCell(who, 'query ($id: ID!) { order(id: $id) { payment { status } } }', { id: orderMain }, 'order.payment'),
    'Order.shipment': (who) => routerCell(who, 'query ($id: ID!) { order(id: $id) { shipment { status } } }', { id: orderMain }, 'order.shipment'),

    'User.email (direct: users)': (who) => directCell('users', who, userOfA(), 'email'),
    'User.addresses (direct: users)': (who) => directCell('users', who, userOfA(), 'addresses { id }'),
    'User.orders (direct: orders)': (who) => directCell('orders', who, userOfA(), 'orders(first: 5) { totalCount }'),
    'User.favourites (direct: favourites)': (who) => directCell('favourites', who, userOfA(), 'favourites(first: 5) { totalCount }'),
    'User.notifications (direct: notifications)': (who) => directCell('notifications', who, userOfA(), 'notifications(first: 5) { totalCount }'),
    'Order (direct: orders)': (who) => directCell('orders', who, orderOfA(), 'id'),
    'Order.payment (direct: payments)': (who) => directCell('payments', who, orderOfA(), 'payment { status }'),
    'Order.shipment (direct: shipping)': (who) => directCell('shipping', who, orderOfA(), 'shipment { status }'),
  };
}

function markdown(): string {
  const label: Record<Principal, string> = { anonymous: 'anonymous', customerA: 'customer A (own data)', customerB: "customer B (A's data)", admin: 'admin' };
  const lines = [
    '# Security matrix',
    '',
    'Generated by `e2e/test/security/authz-matrix.test.ts` against the running shop; do not edit by hand.',
    'Each cell is what the caller got: `ok` (the data or the change), `null` (no data and no error),',
    '`no effect` (accepted but nothing changed), a GraphQL error code (`UNAUTHENTICATED`, `FORBIDDEN`) or a',
    "`userErrors` code (`NOT_FOUND`). \"A's data\" is an order, review, notification or account of customer A;",
    "A's User is reached as the author of A's review. Rows marked *direct* ask the owning subgraph itself",
    '(`_entities`), bypassing the router: every subgraph authorises on its own (zero trust).',
    '',
    `| operation | ${PRINCIPALS.map((p) => label[p]).join(' | ')} |`,
    `|---|${PRINCIPALS.map(() => '---').join('|')}|`,
  ];
  for (const [operation, expected] of Object.entries(EXPECTED)) {
    const cells = PRINCIPALS.map((p) => {
      const got = observed[operation]?.[p] ?? 'not run';
      return got === expected[p] ? `\`${got}\`` : `**\`${got}\` (expected \`${expected[p]}\`)**`;
    });
    lines.push(`| \`${operation}\` | ${cells.join(' | ')} |`);
  }
  lines.push('', '## Notes', '');
  for (const [operation, note] of Object.entries(NOTES)) lines.push(`- \`${operation}\`: ${note}`);
  lines.push('');
  return lines.join('\n');
}

beforeAll(async () => {
  // Login limits have their own test; here A signs in more often than they allow.
  shop = await startShop({ env: { users: { LOGIN_MAX_PER_EMAIL: '0', LOGIN_MAX_PER_IP: '0' } } });
  const [a, b] = await Promise.all([registerCustomer('matrix-a'), registerCustomer('matrix-b')]);
  tokens.customerA = a.token;
  tokens.customerB = b.token;
  tokens.admin = shop.adminToken;
  ids.customerA = a.id;
  ids.customerB = b.id;
  emailA = a.email;
  refreshTokensOfA.push(a.refreshToken);
  [productMain, productStock, productUpdate, productArchive, productReview] = (await Promise.all(
    ['Matrix kettle', 'Matrix teapot', 'Matrix cup', 'Matrix jug', 'Matrix pan'].map((name) => createCatalogueProduct(shop, { name, price: 1500, category: 'Matrix' }, 50)),
  )) as [string, string, string, string, string];
  reviewMain = await addReview(shop, a.token, productMain, 5);
  reviewsOfA.push(await addReview(shop, a.token, productStock, 3), await addReview(shop, a.token, productUpdate, 2));
  coupon = await createPromotion(shop, { code: uniqueName('MATRIX').replace(/_/g, '').toUpperCase().slice(0, 30) });
  await gql(shop.routerUrl, 'mutation ($i: AddressInput!) { addAddress(input: $i) { address { id } } }', { i: ADDRESS }, { token: a.token });
  await gql(shop.routerUrl, 'mutation ($id: ID!) { addFavourite(productId: $id) { product { id } } }', { id: productMain }, { token: a.token });
  orderMain = await placeOrder(shop, a.token, orderInput([{ productId: productMain, quantity: 1 }]));
  ordersToCancel.push(
    await placeOrder(shop, a.token, orderInput([{ productId: productMain, quantity: 1 }])),
    await placeOrder(shop, a.token, orderInput([{ productId: productMain, quantity: 1 }])),
  );
  await waitForStatus(shop, orderMain, a.token, 'PAID');
  shipmentMain = (await eventually(async () => (await viewOrder(shop, orderMain, a.token)).shipment ?? undefined)).id as string;
  notificationsOfA = await eventually(async () => {
    const res = await gql(shop.routerUrl, '{ me { notifications(first: 10) { nodes { id } } } }', {}, { token: a.token });
    const nodes = (res.data?.me?.notifications?.nodes ?? []) as Array<{ id: string }>;
    return nodes.length > 0 ? nodes.map((n) => n.id) : undefined;
  }, 20_000);
  expect(reviewMain).toBeTruthy();
}, 120_000);

afterAll(async () => {
  await shop?.stop();
});

describe('the authorisation matrix', () => {
  it('has a row for every root Query field and every Mutation of the supergraph', async () => {
    const schema = await apiSchema(shop.routerUrl);
    const roots = [
      ...Object.keys(schema.getQueryType()!.getFields()).map((f) => `Query.${f}`),
      ...Object.keys(schema.getMutationType()!.getFields()).map((f) => `Mutation.${f}`),
    ];
    const covered = new Set(Object.keys(EXPECTED).map((k) => k.split(' ')[0]!));
    expect(roots.filter((r) => !covered.has(r))).toEqual([]);
  });

  it('gives every caller exactly the expected outcome, and writes docs/SECURITY-MATRIX.md', async () => {
    const exercise = rows();
    expect(Object.keys(exercise).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [operation, run] of Object.entries(exercise)) {
      // The destructive cells of A's data run after B's and the anonymous attempt on the same target.
      const order: Principal[] = ['anonymous', 'customerB', 'customerA', 'admin'];
      const cells = {} as Cells;
      for (const who of order) cells[who] = await run(who);
      observed[operation] = cells;
    }
    writeFileSync(fileURLToPath(new URL('../../../docs/SECURITY-MATRIX.md', import.meta.url)), markdown());
    expect(observed).toEqual(EXPECTED);
  }, 120_000);
});
