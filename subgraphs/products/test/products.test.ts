import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { createTestMongo, errorCode, gql } from '@shop/testing';
import type { RunningProductsSubgraph } from '../src/app.js';
import { ARCHIVE, CREATE, createProduct, createTestAuth, PRODUCT_FIELDS, productInput, startProducts, UPDATE, type TestAuth } from './helpers.js';

let mongo: Awaited<ReturnType<typeof createTestMongo>>;
let app: RunningProductsSubgraph;
let auth: TestAuth;
let url: string;

beforeAll(async () => {
  mongo = await createTestMongo('products');
  auth = await createTestAuth();
  app = await startProducts(mongo.name, auth);
  url = app.url;
});

afterAll(async () => {
  await app?.stop();
  await mongo?.drop();
});

const PRODUCT = `query ($id: ID!) { product(id: $id) { ${PRODUCT_FIELDS} } }`;

describe('products CRUD', () => {
  it('creates a product with defaults and normalised fields, and reads it back by id', async () => {
    const res = await gql(
      url,
      CREATE,
      { input: { sku: ' ab-12 ', name: '  Blue Mug ', price: 1250, category: 'Kitchen' } },
      { token: auth.admin },
    );
    expect(res.errors).toBeUndefined();
    const { product, userErrors } = res.data.createProduct;
    expect(userErrors).toEqual([]);
    expect(product).toMatchObject({
      sku: 'AB-12',
      name: 'Blue Mug',
      description: '',
      price: { amount: 1250, currency: 'USD' },
      category: 'Kitchen',
      images: [],
      active: true,
    });
    expect(product.id).toMatch(/^[0-9a-f]{24}$/);
    expect(new Date(product.createdAt).toISOString()).toBe(product.createdAt);

    const read = await gql(url, PRODUCT, { id: product.id });
    expect(read.data.product).toEqual(product);
  });

  it('updates only the given fields', async () => {
    const created = await createProduct(url, auth.admin, { price: 100, currency: 'eur' });
    expect(created.price).toEqual({ amount: 100, currency: 'EUR' });
    const res = await gql(url, UPDATE, { id: created.id, input: { name: 'Renamed', price: 250 } }, { token: auth.admin });
    expect(res.data.updateProduct.userErrors).toEqual([]);
    const updated = res.data.updateProduct.product;
    expect(updated).toMatchObject({ id: created.id, name: 'Renamed', price: { amount: 250, currency: 'EUR' }, sku: created.sku, category: created.category });
    expect(new Date(updated.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.updatedAt).getTime());
    expect((await gql(url, PRODUCT, { id: created.id })).data.product).toEqual(updated);
  });

  it('returns the product unchanged for an empty update', async () => {
    const created = await createProduct(url, auth.admin);
    const res = await gql(url, UPDATE, { id: created.id, input: {} }, { token: auth.admin });
    expect(res.data.updateProduct).toEqual({ product: created, userErrors: [] });
  });

  it('archives a product: still readable by id with active=false, gone from listings, archiving twice is a no-op', async () => {
    const created = await createProduct(url, auth.admin, { category: 'ArchiveMe' });
    const listed = await gql(url, `{ products(filter: { category: "ArchiveMe" }) { nodes { id } totalCount } }`);
    expect(listed.data.products).toEqual({ nodes: [{ id: created.id }], totalCount: 1 });

    const res = await gql(url, ARCHIVE, { id: created.id }, { token: auth.admin });
    expect(res.data.archiveProduct.userErrors).toEqual([]);
    expect(res.data.archiveProduct.product).toMatchObject({ id: created.id, active: false });

    const again = await gql(url, ARCHIVE, { id: created.id }, { token: auth.admin });
    expect(again.data.archiveProduct).toEqual(res.data.archiveProduct);
    const doc = await mongo.db.collection('products').findOne({ _id: new ObjectId(created.id) });
    expect(doc?.revision).toBe(2); // one create, one archive: the second archive wrote nothing

    expect((await gql(url, PRODUCT, { id: created.id })).data.product).toMatchObject({ id: created.id, active: false });
    const after = await gql(url, `{ products(filter: { category: "ArchiveMe" }) { nodes { id } totalCount } }`);
    expect(after.data.products).toEqual({ nodes: [], totalCount: 0 });
  });

  it('refuses to change an archived product', async () => {
    const created = await createProduct(url, auth.admin);
    await gql(url, ARCHIVE, { id: created.id }, { token: auth.admin });
    const res = await gql(url, UPDATE, { id: created.id, input: { name: 'Back again' } }, { token: auth.admin });
    expect(res.data.updateProduct).toEqual({
      product: null,
      userErrors: [{ code: 'ARCHIVED', field: ['id'], message: expect.any(String) }],
    });
  });

  it('returns null for an unknown or malformed id', async () => {
    for (const id of [new ObjectId().toHexString(), 'not-an-id', '', '{"$ne":null}']) {
      const res = await gql(url, PRODUCT, { id });
      expect(res.errors).toBeUndefined();
      expect(res.data.product).toBeNull();
    }
  });

  it('answers NOT_FOUND when updating or archiving an unknown id', async () => {
    for (const id of [new ObjectId().toHexString(), 'nope']) {
      const upd = await gql(url, UPDATE, { id, input: { name: 'x' } }, { token: auth.admin });
      expect(upd.data.updateProduct).toEqual({ product: null, userErrors: [{ code: 'NOT_FOUND', field: ['id'], message: expect.any(String) }] });
      const arc = await gql(url, ARCHIVE, { id }, { token: auth.admin });
      expect(arc.data.archiveProduct).toEqual({ product: null, userErrors: [{ code: 'NOT_FOUND', field: ['id'], message: expect.any(String) }] });
    }
  });

  it('never exposes the pending events through GraphQL', async () => {
    const created = await createProduct(url, auth.admin);
    const res = await gql(url, `query ($id: ID!) { product(id: $id) { id pendingEvents { id } } }`, { id: created.id });
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    const introspection = await gql(url, `{ __type(name: "Product") { fields { name } } }`);
    const fields = introspection.data.__type.fields.map((f: { name: string }) => f.name);
    expect(fields).not.toContain('pendingEvents');
    expect(fields).not.toContain('revision');
  });
});

describe('admin-only mutations', () => {
  const attempts = (id: string) => [
    { query: CREATE, variables: { input: productInput() } },
    { query: UPDATE, variables: { id, input: { name: 'Hacked' } } },
    { query: ARCHIVE, variables: { id } },
  ];

  it('refuses anonymous callers with UNAUTHENTICATED and changes nothing', async () => {
    const target = await createProduct(url, auth.admin);
    const before = await mongo.db.collection('products').countDocuments();
    for (const { query, variables } of attempts(target.id)) {
      const res = await gql(url, query, variables);
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
    }
    expect(await mongo.db.collection('products').countDocuments()).toBe(before);
    expect((await gql(url, PRODUCT, { id: target.id })).data.product).toEqual(target);
  });

  it('refuses customers with FORBIDDEN and changes nothing', async () => {
    const target = await createProduct(url, auth.admin);
    const before = await mongo.db.collection('products').countDocuments();
    for (const { query, variables } of attempts(target.id)) {
      const res = await gql(url, query, variables, { token: auth.customer });
      expect(errorCode(res)).toBe('FORBIDDEN');
    }
    expect(await mongo.db.collection('products').countDocuments()).toBe(before);
    expect((await gql(url, PRODUCT, { id: target.id })).data.product).toEqual(target);
  });

  it('refuses a forged or garbled token with UNAUTHENTICATED', async () => {
    const forged = `${auth.admin.slice(0, -4)}AAAA`;
    for (const token of [forged, 'garbage']) {
      const res = await gql(url, CREATE, { input: productInput() }, { token });
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
    }
  });
});

describe('input validation', () => {
  const invalid = async (input: Record<string, unknown>) => {
    const res = await gql(url, CREATE, { input: productInput(input) }, { token: auth.admin });
    expect(res.errors).toBeUndefined();
    expect(res.data.createProduct.product).toBeNull();
    return res.data.createProduct.userErrors as Array<{ field: string[]; code: string; message: string }>;
  };

  it.each([
    [{ sku: 'x' }, ['input', 'sku']],
    [{ sku: '-LEADING-DASH' }, ['input', 'sku']],
    [{ sku: 'HAS SPACE' }, ['input', 'sku']],
    [{ sku: 'A'.repeat(65) }, ['input', 'sku']],
    [{ name: '   ' }, ['input', 'name']],
    [{ name: 'n'.repeat(201) }, ['input', 'name']],
    [{ description: 'd'.repeat(5001) }, ['input', 'description']],
    [{ price: -1 }, ['input', 'price']],
    [{ price: 1_000_000_001 }, ['input', 'price']],
    [{ currency: 'US' }, ['input', 'currency']],
    [{ currency: 'U$D' }, ['input', 'currency']],
    [{ category: '' }, ['input', 'category']],
    [{ category: 'c'.repeat(101) }, ['input', 'category']],
    [{ images: ['ftp://example.com/a.png'] }, ['input', 'images', '0']],
    [{ images: ['https://ok.example.com/a.png', 'javascript:alert(1)'] }, ['input', 'images', '1']],
    [{ images: Array.from({ length: 11 }, (_, i) => `https://img.example.com/${i}.png`) }, ['input', 'images']],
  ])('refuses %j with INVALID_INPUT at %j', async (input, field) => {
    const errors = await invalid(input);
    expect(errors).toContainEqual({ code: 'INVALID_INPUT', field, message: expect.any(String) });
  });

  it('reports every invalid field at once', async () => {
    const errors = await invalid({ sku: '!', name: '', price: -5 });
    expect(errors.map((e) => e.field)).toEqual(expect.arrayContaining([['input', 'sku'], ['input', 'name'], ['input', 'price']]));
  });

  it('applies the same rules to updates, and refuses null for a field', async () => {
    const created = await createProduct(url, auth.admin);
    const res = await gql(url, UPDATE, { id: created.id, input: { price: -1, name: null, images: ['nope'] } }, { token: auth.admin });
    expect(res.data.updateProduct.product).toBeNull();
    expect(res.data.updateProduct.userErrors).toEqual(
      expect.arrayContaining([
        { code: 'INVALID_INPUT', field: ['input', 'price'], message: expect.any(String) },
        { code: 'INVALID_INPUT', field: ['input', 'name'], message: expect.any(String) },
        { code: 'INVALID_INPUT', field: ['input', 'images', '0'], message: expect.any(String) },
      ]),
    );
    expect((await gql(url, PRODUCT, { id: created.id })).data.product).toEqual(created);
  });

  it('refuses a price that is not an integer at the schema level', async () => {
    const res = await gql(url, CREATE, { input: productInput({ price: 19.99 }) }, { token: auth.admin });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});

describe('unique SKU', () => {
  it('answers DUPLICATE for a SKU already taken, whatever its case', async () => {
    const first = await createProduct(url, auth.admin, { sku: 'DUP-CASE-1' });
    for (const sku of ['DUP-CASE-1', 'dup-case-1']) {
      const res = await gql(url, CREATE, { input: productInput({ sku }) }, { token: auth.admin });
      expect(res.data.createProduct).toEqual({
        product: null,
        userErrors: [{ code: 'DUPLICATE', field: ['input', 'sku'], message: expect.any(String) }],
      });
    }
    expect(await mongo.db.collection('products').countDocuments({ sku: 'DUP-CASE-1' })).toBe(1);
    expect((await gql(url, PRODUCT, { id: first.id })).data.product).toEqual(first);
  });

  it('answers DUPLICATE when an update takes another product’s SKU', async () => {
    await createProduct(url, auth.admin, { sku: 'TAKEN-SKU-1' });
    const other = await createProduct(url, auth.admin);
    const res = await gql(url, UPDATE, { id: other.id, input: { sku: 'taken-sku-1' } }, { token: auth.admin });
    expect(res.data.updateProduct).toEqual({
      product: null,
      userErrors: [{ code: 'DUPLICATE', field: ['input', 'sku'], message: expect.any(String) }],
    });
  });

  it('creates exactly one product when five creates of one SKU race', async () => {
    const sku = 'RACE-SKU-1';
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => gql(url, CREATE, { input: productInput({ sku, name: `Racer ${i}` }) }, { token: auth.admin })),
    );
    const payloads = results.map((r) => r.data.createProduct);
    expect(payloads.filter((p) => p.product !== null)).toHaveLength(1);
    const losers = payloads.filter((p) => p.product === null);
    expect(losers).toHaveLength(4);
    for (const p of losers) expect(p.userErrors).toEqual([{ code: 'DUPLICATE', field: ['input', 'sku'], message: expect.any(String) }]);
    expect(await mongo.db.collection('products').countDocuments({ sku })).toBe(1);
  });
});

describe('health', () => {
  it('is ready when Mongo answers', async () => {
    const res = await fetch(url.replace('/graphql', '/ready'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ready: true, checks: { mongo: 'ok' } });
  });
});
