import fc from 'fast-check';
import {
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLCompositeType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop, type ShopUser } from '@shop/testing';
import { addReview, createCatalogueProduct } from '../engagement-helpers.js';
import { orderInput, placeOrder } from '../helpers.js';
import { allOk, apiSchema, bearer, healthOf, post, undocumentedCodes } from './support.js';

/**
 * Random valid queries generated from the supergraph's API schema: a walk from a random root
 * field, with random (well-typed) arguments and random sub-selections, aiming at a random depth up
 * to a few levels past the router's limit (10). Each one is answered (HTTP 200, maybe with errors
 * on fields) or refused with QUERY_TOO_COMPLEX (always, when deeper than the limit); never a 5xx,
 * never an undocumented code, and every process still answers /health afterwards.
 */

const MAX_DEPTH = 10;
const RUNS = Number(process.env.SECURITY_QUERY_RUNS ?? 150);

let shop: Shop;
let schema: GraphQLSchema;
let customer: ShopUser;
let ids: string[] = [];

type Rand = () => number;
/** Aliases handed out in the query being built (each one unique). */
let aliases = 0;

/** A small deterministic PRNG (mulberry32), seeded by fast-check so a failure replays. */
function prng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

const STRINGS = ['', 'kettle', 'US', 'DE', 'STANDARD', 'EXPRESS', 'Kitchen', 'x', 'Ünïcödé ✓', '😀', 'a "quoted" \\ value', 'مرحبا', '\u0000'];

/** A GraphQL literal of the given input type (always valid against the schema). */
function literal(rand: Rand, type: GraphQLInputType, depth = 0): string {
  if (isNonNullType(type)) return literal(rand, type.ofType, depth);
  if (isListType(type)) return `[${Array.from({ length: Math.floor(rand() * 3) }, () => literal(rand, type.ofType, depth + 1)).join(', ')}]`;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) || rand() < 0.4);
    return `{ ${fields.map((f) => `${f.name}: ${literal(rand, f.type, depth + 1)}`).join(', ')} }`;
  }
  if (isEnumType(type)) return pick(rand, type.getValues()).name;
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return String(pick(rand, [0, 1, 2, 5, 10, 100, 101, -1, 2 ** 31 - 1, -(2 ** 31)]));
      case 'Float':
        return String(pick(rand, [0, 1.5, -2.25, 1e10]));
      case 'Boolean':
        return pick(rand, ['true', 'false']);
      case 'ID':
        return JSON.stringify(rand() < 0.7 && ids.length > 0 ? pick(rand, ids) : pick(rand, ['0', 'nope', '000000000000000000000000']));
      case 'DateTime':
        return JSON.stringify(pick(rand, ['2025-01-01T00:00:00.000Z', 'yesterday']));
      default:
        return JSON.stringify(pick(rand, STRINGS));
    }
  }
  return 'null';
}

function argumentsText(rand: Rand, args: readonly GraphQLArgument[]): string {
  const chosen = args.filter((a) => isNonNullType(a.type) || rand() < 0.5);
  return chosen.length ? `(${chosen.map((a) => `${a.name}: ${literal(rand, a.type)}`).join(', ')})` : '';
}

/**
 * A selection set on `type` whose leaves sit at most `target` levels deep (the first level of this
 * set is `level`). Returns the text and the depth the armor rule counts (the deepest leaf's level).
 */
function selection(rand: Rand, type: GraphQLCompositeType, level: number, target: number): { text: string; depth: number } {
  if (isAbstractType(type)) {
    const possible = schema.getPossibleTypes(type);
    const parts = possible.filter(() => rand() < 0.6).slice(0, 2);
    const spreads = parts.map((t) => selection(rand, t, level, target));
    return {
      text: `__typename ${parts.map((t, i) => `... on ${t.name} { ${spreads[i]!.text} }`).join(' ')}`,
      depth: Math.max(level, ...spreads.map((s) => s.depth)),
    };
  }
  const fields = Object.values(type.getFields());
  const leaves = fields.filter((f) => isLeafType(getNamedType(f.type)));
  const composites = fields.filter((f) => !isLeafType(getNamedType(f.type)));
  const picked: string[] = [];
  // One response key per field (the same field twice with other arguments would not validate); an alias now and then.
  const used = new Set<string>();
  const key = (name: string) => {
    if (!used.has(name) && rand() >= 0.08) {
      used.add(name);
      return '';
    }
    aliases += 1;
    return `a${aliases}: `;
  };
  let depth = level;
  // Go deeper while the target allows and there is somewhere to go.
  const branches = level < target && composites.length > 0 ? 1 + Math.floor(rand() * 2) : 0;
  // Prefer fields that lead somewhere deeper (Money, PageInfo and the like end the walk).
  const onward = composites.filter((f) => leadsDeeper(getNamedType(f.type) as GraphQLCompositeType));
  for (let i = 0; i < branches; i++) {
    const f = pick(rand, onward.length > 0 && rand() < 0.85 ? onward : composites);
    const inner = selection(rand, getNamedType(f.type) as GraphQLCompositeType, level + 1, target);
    picked.push(`${key(f.name)}${f.name}${argumentsText(rand, f.args)} { ${inner.text} }`);
    depth = Math.max(depth, inner.depth);
  }
  const leafCount = picked.length === 0 ? 1 + Math.floor(rand() * 3) : Math.floor(rand() * 2);
  for (let i = 0; i < leafCount; i++) {
    const f = leaves.length > 0 ? pick(rand, leaves) : null;
    picked.push(f ? `${key(f.name)}${f.name}${argumentsText(rand, f.args)}` : '__typename');
  }
  if (picked.length === 0) picked.push('__typename');
  return { text: picked.join(' '), depth };
}

function leadsDeeper(type: GraphQLCompositeType): boolean {
  const types = isAbstractType(type) ? schema.getPossibleTypes(type) : [type];
  return types.some((t) => Object.values(t.getFields()).some((f) => !isLeafType(getNamedType(f.type))));
}

function randomQuery(seed: number, target: number): { query: string; depth: number } {
  const rand = prng(seed);
  aliases = 0;
  const root = schema.getQueryType()!;
  const field = pick(rand, Object.values(root.getFields()));
  const named = getNamedType(field.type);
  const args = argumentsText(rand, field.args);
  if (isLeafType(named)) return { query: `{ ${field.name}${args} }`, depth: 1 };
  const inner = selection(rand, named as GraphQLCompositeType, 2, target);
  return { query: `{ ${field.name}${args} { ${inner.text} } }`, depth: inner.depth };
}

beforeAll(async () => {
  shop = await startShop();
  schema = await apiSchema(shop.routerUrl);
  customer = await shop.register();
  const product = await createCatalogueProduct(shop, { name: 'Random kettle', price: 1500, category: 'Kitchen' }, 10);
  const review = await addReview(shop, customer.token, product, 5);
  const order = await placeOrder(shop, customer.token, orderInput([{ productId: product, quantity: 1 }]));
  ids = [product, review, order, customer.userId];
}, 120_000);

afterAll(async () => {
  await shop?.stop();
});

describe('random valid queries from the supergraph schema', () => {
  it('are answered, or refused with QUERY_TOO_COMPLEX (always when deeper than the limit); never a 5xx', async () => {
    const seen = { answered: 0, tooComplex: 0, overDepth: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.integer({ min: 1, max: MAX_DEPTH + 4 }),
        fc.constantFrom<'anonymous' | 'customer' | 'admin'>('anonymous', 'customer', 'admin'),
        async (seed, target, who) => {
          const { query, depth } = randomQuery(seed, target);
          const token = who === 'admin' ? shop.adminToken : who === 'customer' ? customer.token : null;
          const res = await post(shop.routerUrl, { query }, bearer(token));
          const context = `depth ${depth} ${res.status} ${query}\n${res.text.slice(0, 500)}`;
          expect(res.status, context).toBeLessThan(500);
          expect(undocumentedCodes(res.json), context).toEqual([]);
          const codes = (res.json?.errors ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code);
          if (depth > MAX_DEPTH) {
            seen.overDepth += 1;
            expect(res.status, context).toBe(400);
            expect([...new Set(codes)], context).toEqual(['QUERY_TOO_COMPLEX']);
          } else if (res.status === 400) {
            seen.tooComplex += 1;
            expect([...new Set(codes)], context).toEqual(['QUERY_TOO_COMPLEX']);
          } else {
            seen.answered += 1;
            expect(res.status, context).toBe(200);
            expect(res.json.data, context).toBeDefined();
          }
        },
      ),
      { numRuns: RUNS, interruptAfterTimeLimit: 45_000 },
    );
    // The walk really explores both sides of the limit.
    expect(seen.answered).toBeGreaterThan((seen.answered + seen.tooComplex + seen.overDepth) / 5);
    expect(seen.overDepth).toBeGreaterThan(0);
  }, 90_000);

  it('leaves every process of the shop answering /health', async () => {
    const health = await healthOf(shop);
    expect(health).toEqual(allOk(health));
  });
});

describe('the shape of the generated queries', () => {
  it('reaches the requested depth when the schema allows it', () => {
    const depths = Array.from({ length: 50 }, (_, seed) => randomQuery(seed, MAX_DEPTH + 2).depth);
    expect(Math.max(...depths)).toBe(MAX_DEPTH + 2);
    expect(isObjectType(schema.getQueryType())).toBe(true);
  });
});
