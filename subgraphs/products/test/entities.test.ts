import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId, type CommandStartedEvent } from 'mongodb';
import { createTestMongo, gql } from '@shop/testing';
import type { RunningProductsSubgraph } from '../src/app.js';
import { createProduct, createTestAuth, startProducts, ARCHIVE, type ProductView, type TestAuth } from './helpers.js';

let mongo: Awaited<ReturnType<typeof createTestMongo>>;
let app: RunningProductsSubgraph;
let auth: TestAuth;
let products: ProductView[];
const finds: CommandStartedEvent[] = [];

beforeAll(async () => {
  mongo = await createTestMongo('products');
  auth = await createTestAuth();
  app = await startProducts(mongo.name, auth, { mongoClientOptions: { monitorCommands: true } });
  app.client.on('commandStarted', (e) => {
    // Lookups by id only; the relay's polling reads the collection too.
    if (e.commandName === 'find' && e.command.find === 'products' && e.command.filter?._id?.$in) finds.push(e);
  });
  products = [];
  for (let i = 0; i < 6; i++) products.push(await createProduct(app.url, auth.admin, { name: `Entity ${i}` }));
  await gql(app.url, ARCHIVE, { id: products[5]!.id }, { token: auth.admin });
});

afterAll(async () => {
  await app?.stop();
  await mongo?.drop();
});

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id name active price { amount currency } } }
}`;

describe('federation entity references', () => {
  it('resolves many Product references with one Mongo query, in order, null for unknown ids', async () => {
    const unknown = new ObjectId().toHexString();
    const wanted = [products[3]!.id, products[0]!.id, unknown, products[4]!.id, 'malformed', products[1]!.id, products[5]!.id, products[0]!.id];
    finds.length = 0;
    const res = await gql(app.url, ENTITIES, { representations: wanted.map((id) => ({ __typename: 'Product', id })) });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((e: { id: string } | null) => e?.id ?? null)).toEqual(
      wanted.map((id) => (id === unknown || id === 'malformed' ? null : id)),
    );
    // Archived products still resolve: orders keep pointing at them.
    expect(res.data._entities[6]).toMatchObject({ id: products[5]!.id, active: false });
    expect(finds).toHaveLength(1);
    const $in = finds[0]!.command.filter._id.$in as ObjectId[];
    expect($in.map((id) => id.toHexString()).sort()).toEqual([products[0]!.id, products[1]!.id, products[3]!.id, products[4]!.id, products[5]!.id, unknown].sort());
    // The outbox is never read by the API.
    expect(finds[0]!.command.projection).toMatchObject({ pendingEvents: 0 });
  });

  it('batches product(id:) fields of one operation the same way', async () => {
    finds.length = 0;
    const res = await gql(
      app.url,
      `query ($a: ID!, $b: ID!, $c: ID!) { a: product(id: $a) { id } b: product(id: $b) { id } c: product(id: $c) { id } }`,
      { a: products[0]!.id, b: products[1]!.id, c: products[2]!.id },
    );
    expect(res.data).toEqual({ a: { id: products[0]!.id }, b: { id: products[1]!.id }, c: { id: products[2]!.id } });
    expect(finds).toHaveLength(1);
  });

  it('sends no query at all for references that cannot be product ids', async () => {
    finds.length = 0;
    const res = await gql(app.url, ENTITIES, { representations: [{ __typename: 'Product', id: 'nope' }] });
    expect(res.data._entities).toEqual([null]);
    expect(finds).toHaveLength(0);
  });

  it('publishes the federation SDL with Product as an entity keyed by id', async () => {
    const res = await gql(app.url, `{ _service { sdl } }`);
    expect(res.data._service.sdl).toMatch(/type Product\s+@key\(fields: "id"\)/);
    expect(res.data._service.sdl).not.toMatch(/pendingEvents/);
  });
});
