import fc from 'fast-check';
import { isInputObjectType, isListType, isNonNullType, isScalarType, isEnumType, type GraphQLField, type GraphQLInputType, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startShop, type Shop, type ShopSubgraph, type ShopUser } from '@shop/testing';
import { addReview, createCatalogueProduct } from '../engagement-helpers.js';
import { orderInput, placeOrder, waitForStatus } from '../helpers.js';
import { hostileString, operationFor, payloadSelection, variablesFor, type KnownIds } from './arbitraries.js';
import { allOk, apiSchema, bearer, codesOf, fingerprints, healthOf, post, settled, undocumentedCodes, type RawResponse } from './support.js';

/**
 * Property-based fuzzing of every mutation of the supergraph, through the router: random and
 * hostile values (any unicode, NUL, RTL, lone surrogates, injections, numbers beyond Int32 and
 * beyond 2^53, long strings, values of the wrong JSON type) in every argument. Each answer must be
 * no 5xx, JSON, only documented codes; a refused mutation must leave its stores as they were; and
 * every process still answers /health afterwards.
 */

/** The stores a mutation writes to (a refused one must leave them unchanged). */
const STORES: Record<string, ShopSubgraph[]> = {
  register: ['users'],
  login: ['users'],
  refreshToken: ['users'],
  logout: ['users'],
  addAddress: ['users'],
  updateProfile: ['users'],
  createProduct: ['products'],
  updateProduct: ['products'],
  archiveProduct: ['products'],
  setStock: ['inventory'],
  addReview: ['ratings'],
  deleteReview: ['ratings'],
  addFavourite: ['favourites'],
  removeFavourite: ['favourites'],
  placeOrder: ['orders', 'promotions', 'inventory', 'payments'],
  cancelOrder: ['orders', 'payments'],
  createPromotion: ['promotions'],
  setTaxRate: ['tax'],
  updateShipmentStatus: ['shipping'],
  markNotificationsRead: ['notifications'],
};

const ADMIN_ONLY = new Set(['createProduct', 'updateProduct', 'archiveProduct', 'setStock', 'createPromotion', 'setTaxRate', 'updateShipmentStatus']);
const RUNS = Number(process.env.SECURITY_FUZZ_RUNS ?? 25);
const MAX_BODY = 1_000_000;

let shop: Shop;
let schema: GraphQLSchema;
let customer: ShopUser;
let known: KnownIds;
let mutations: Array<GraphQLField<unknown, unknown>>;
const stats = new Map<string, number>();

beforeAll(async () => {
  // Login limits off: the fuzz wants every login to reach the credential check (limits have their own test).
  shop = await startShop({ env: { users: { LOGIN_MAX_PER_EMAIL: '0', LOGIN_MAX_PER_IP: '0' } } });
  schema = await apiSchema(shop.routerUrl);
  mutations = Object.values(schema.getMutationType()!.getFields());
  customer = await shop.register();
  const product = await createCatalogueProduct(shop, { name: 'Fuzzed kettle', price: 2500, category: 'Fuzz' }, 3);
  const reviewId = await addReview(shop, customer.token, product, 4);
  // A finished order (declined card): known to orders, payments and notifications, and not cancellable.
  const orderId = await placeOrder(shop, customer.token, orderInput([{ productId: product, quantity: 1 }], { paymentToken: 'tok_decline' }));
  await waitForStatus(shop, orderId, customer.token, 'CANCELLED');
  const notifications = await eventually(async () => {
    const rows = await shop.sql<{ id: string }>('notifications', 'SELECT id FROM notifications');
    return rows.length > 0 ? rows.map((r) => String(r.id)) : undefined;
  }, 20_000);
  known = { ids: [product, reviewId, orderId, customer.userId, ...notifications] };
  await settled(shop, ['orders', 'payments', 'inventory', 'notifications', 'ratings', 'products']);
}, 120_000);

afterAll(async () => {
  // SECURITY_FUZZ_STATS=1: what the answers were, per mutation, HTTP status and codes.
  if (process.env.SECURITY_FUZZ_STATS) console.log([...stats.entries()].sort().map(([k, v]) => `${k}: ${v}`).join('\n'));
  await shop?.stop();
});

function tokenFor(mutation: string, who: 'right' | 'anonymous' | 'garbage' | 'other'): string | null {
  const admin = ADMIN_ONLY.has(mutation);
  switch (who) {
    case 'right':
      return admin ? shop.adminToken : customer.token;
    case 'other':
      return admin ? customer.token : shop.adminToken;
    case 'garbage':
      return 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.';
    case 'anonymous':
      return null;
  }
}

/** Did the mutation refuse (error, null payload, user errors, false, nothing updated)? */
function refused(res: RawResponse, name: string): boolean {
  if (res.status !== 200 || !res.json?.data) return true;
  if (res.json.errors?.length) return true;
  const payload = res.json.data[name];
  if (payload === null || payload === undefined || payload === false) return true;
  if (typeof payload === 'object' && (payload.userErrors?.length > 0 || payload.updated === 0)) return true;
  return false;
}

async function send(name: string, query: string, variables: unknown, token: string | null): Promise<{ res: RawResponse; unchanged: boolean | null }> {
  const stores = STORES[name] ?? [];
  const before = await fingerprints(shop, stores);
  const res = await post(shop.routerUrl, { query, variables }, bearer(token));
  const key = `${name} ${res.status} ${[...new Set(codesOf(res.json))].sort().join(',')}`;
  stats.set(key, (stats.get(key) ?? 0) + 1);
  const context = `${name} ${res.status} ${res.text.slice(0, 600)}`;
  expect(res.status, context).toBeLessThan(500);
  expect(res.json, context).toBeDefined();
  expect(undocumentedCodes(res.json), context).toEqual([]);
  if (!refused(res, name)) return { res, unchanged: null };
  const after = await fingerprints(shop, stores);
  expect(after, `a refused ${name} wrote to its store: ${context}`).toEqual(before);
  return { res, unchanged: true };
}

describe('every mutation, fuzzed through the router', () => {
  it('covers the whole mutation type of the supergraph', () => {
    expect(mutations.map((m) => m.name).sort()).toEqual(Object.keys(STORES).sort());
  });

  const names = Object.keys(STORES);
  for (const name of names) {
    it(`${name}: hostile arguments never give a 5xx or an undocumented code, and a refusal writes nothing`, async () => {
      const field = mutations.find((m) => m.name === name)!;
      const query = operationFor('mutation', field, payloadSelection(field.type));
      await settled(shop, STORES[name]!);
      const who = fc.constantFrom<'right' | 'anonymous' | 'garbage' | 'other'>('right', 'right', 'right', 'right', 'right', 'right', 'anonymous', 'garbage', 'other');
      let runs = 0;
      let reachedResolvers = 0;
      await fc.assert(
        fc.asyncProperty(variablesFor(field, known), who, async (variables, principal) => {
          const { res } = await send(name, query, variables, tokenFor(name, principal));
          runs += 1;
          if (res.status === 200) reachedResolvers += 1;
        }),
        { numRuns: RUNS, interruptAfterTimeLimit: 40_000 },
      );
      // Most samples are well-typed, so they get past the router to the subgraph's own rules.
      expect(reachedResolvers).toBeGreaterThanOrEqual(runs / 3);
    });
  }
});

/** A well-formed value for an input type (the skeleton the targeted cases below change one leaf of). */
function minimal(type: GraphQLInputType, fieldName = ''): unknown {
  if (isNonNullType(type)) return minimal(type.ofType, fieldName);
  if (isListType(type)) return [minimal(type.ofType, fieldName)];
  if (isInputObjectType(type)) {
    return Object.fromEntries(Object.values(type.getFields()).filter((f) => isNonNullType(f.type)).map((f) => [f.name, minimal(f.type, f.name)]));
  }
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isScalarType(type)) {
    if (type.name === 'Int') return 1;
    if (type.name === 'Boolean') return true;
    if (type.name === 'ID') return known.ids[0];
    if (type.name === 'DateTime') return new Date().toISOString();
    if (fieldName === 'country') return 'US';
    if (fieldName === 'email') return 'someone@example.com';
    return 'x';
  }
  return null;
}

/** Paths to every String/ID leaf of a mutation's arguments (required fields; lists at index 0). */
function stringLeaves(field: GraphQLField<unknown, unknown>): string[][] {
  const out: string[][] = [];
  const walk = (type: GraphQLInputType, path: string[]): void => {
    if (isNonNullType(type)) return walk(type.ofType, path);
    if (isListType(type)) return walk(type.ofType, [...path, '0']);
    if (isInputObjectType(type)) {
      for (const f of Object.values(type.getFields())) if (isNonNullType(f.type)) walk(f.type, [...path, f.name]);
    } else if (isScalarType(type) && (type.name === 'String' || type.name === 'ID')) out.push(path);
  };
  for (const a of field.args) walk(a.type, [a.name]);
  return out;
}

function withLeaf(variables: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(variables);
  let node = copy as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}

describe('targeted hostile values in every string argument', () => {
  it('1 MB strings: over the body limit 413, just under it no 5xx, documented codes and nothing written', async () => {
    let cases = 0;
    for (const field of mutations) {
      const query = operationFor('mutation', field, payloadSelection(field.type));
      const base = Object.fromEntries(field.args.map((a) => [a.name, minimal(a.type, a.name)]));
      const token = ADMIN_ONLY.has(field.name) ? shop.adminToken : customer.token;
      for (const path of stringLeaves(field)) {
        const over = await post(shop.routerUrl, { query, variables: withLeaf(base, path, 'x'.repeat(MAX_BODY)) }, bearer(token));
        expect(over.status, `${field.name} ${path.join('.')}`).toBe(413);
        expect(undocumentedCodes(over.json)).toEqual([]);
        // Just under the router's limit: the router forwards it, with its own query text, to the subgraph.
        const overhead = JSON.stringify({ query, variables: withLeaf(base, path, '') }).length;
        const fill = MAX_BODY - overhead - 10;
        for (const unit of ['x', '😀']) {
          const value = unit.repeat(Math.floor(fill / Buffer.byteLength(unit)));
          await send(field.name, query, withLeaf(base, path, value), token);
          cases += 1;
        }
      }
    }
    expect(cases).toBeGreaterThan(40);
  }, 120_000);

  it('values of every wrong JSON type in every argument: refused or coerced, never a 5xx, nothing written', async () => {
    const wrongs: unknown[] = [true, 42, -1.5, 2 ** 53, 'text', '', [], [[[]]], {}, { $gt: '' }, null];
    for (const field of mutations) {
      const query = operationFor('mutation', field, payloadSelection(field.type));
      const base = Object.fromEntries(field.args.map((a) => [a.name, minimal(a.type, a.name)]));
      const token = ADMIN_ONLY.has(field.name) ? shop.adminToken : customer.token;
      for (const arg of field.args) {
        for (const wrong of wrongs) await send(field.name, query, { ...base, [arg.name]: wrong }, token);
      }
    }
  }, 120_000);

  it('strings with NUL, RTL overrides, emoji and lone surrogates in every string argument', async () => {
    const samples = fc.sample(hostileString.filter((s) => s.length < 200), { numRuns: 6, seed: 42 });
    const fixed = ['\u0000', 'a\u0000b', '\u202egnp.exe', 'مرحبا بالعالم', '😀😀😀', '\ud800', 'x\udfffy', '\ud83d'];
    for (const field of mutations) {
      const query = operationFor('mutation', field, payloadSelection(field.type));
      const base = Object.fromEntries(field.args.map((a) => [a.name, minimal(a.type, a.name)]));
      const token = ADMIN_ONLY.has(field.name) ? shop.adminToken : customer.token;
      for (const path of stringLeaves(field)) {
        for (const value of [...fixed, ...samples]) await send(field.name, query, withLeaf(base, path, value), token);
      }
    }
  }, 120_000);
});

describe('after the fuzzing', () => {
  it('every process of the shop still answers /health', async () => {
    const health = await healthOf(shop);
    expect(health).toEqual(allOk(health));
  });
});
