import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { topics } from '@shop/events';
import { createTestMongo, eventually, gql } from '@shop/testing';
import type { RunningProductsSubgraph } from '../src/app.js';
import type { ProductDocument } from '../src/mappers.js';
import { ARCHIVE, consumeProductEvents, createProduct, createTestAuth, startProducts, UPDATE, type TestAuth } from './helpers.js';

let auth: TestAuth;

beforeAll(async () => {
  auth = await createTestAuth();
});

async function pendingOf(mongo: { db: import('mongodb').Db }, id: string): Promise<ProductDocument['pendingEvents']> {
  const doc = await mongo.db.collection<ProductDocument>('products').findOne({ _id: new ObjectId(id) });
  if (!doc) throw new Error(`no product ${id}`);
  return doc.pendingEvents;
}

describe('product events on Kafka', () => {
  let mongo: Awaited<ReturnType<typeof createTestMongo>>;
  let app: RunningProductsSubgraph;

  beforeAll(async () => {
    mongo = await createTestMongo('products');
    app = await startProducts(mongo.name, auth);
  });
  afterAll(async () => {
    await app?.stop();
    await mongo?.drop();
  });

  it('create, update and archive publish product.upserted, product.upserted and product.archived, in order, keyed by product id', async () => {
    const created = await createProduct(app.url, auth.admin, { price: 500 });
    const updated = await gql(app.url, UPDATE, { id: created.id, input: { price: 700, name: 'Evented' } }, { token: auth.admin });
    expect(updated.data.updateProduct.userErrors).toEqual([]);
    const archived = await gql(app.url, ARCHIVE, { id: created.id }, { token: auth.admin });
    expect(archived.data.archiveProduct.userErrors).toEqual([]);

    // The relay is woken by each write: the document's outbox empties quickly.
    await eventually(async () => ((await pendingOf(mongo, created.id)).length === 0 ? true : undefined), 10_000);

    const received = await consumeProductEvents(new Set([created.id]), (events) => events.length >= 3);
    const events = received.map((r) => r.event);
    expect(events.map((e) => e.type)).toEqual(['product.upserted', 'product.upserted', 'product.archived']);
    for (const r of received) expect(r.messageKey).toBe(created.id);
    expect(events.every((e) => e.key === created.id)).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);

    expect(events[0]!.payload).toEqual({
      id: created.id,
      sku: created.sku,
      name: created.name,
      description: created.description,
      price: { amount: 500, currency: 'USD' },
      category: created.category,
      images: created.images,
      active: true,
      createdAt: created.createdAt,
      updatedAt: created.updatedAt,
      revision: 1,
    });
    expect(events[1]!.payload).toMatchObject({ id: created.id, name: 'Evented', price: { amount: 700, currency: 'USD' }, active: true, revision: 2 });
    expect(events[2]!.payload).toEqual({
      id: created.id,
      revision: 3,
      archivedAt: archived.data.archiveProduct.product.updatedAt,
    });
  });
});

describe('relay wake-up', () => {
  let mongo: Awaited<ReturnType<typeof createTestMongo>>;
  let app: RunningProductsSubgraph;

  beforeAll(async () => {
    mongo = await createTestMongo('products');
    // A poll interval far beyond the test: only the wake-up after each write can publish in time.
    app = await startProducts(mongo.name, auth, { pollIntervalMs: 120_000 });
  });
  afterAll(async () => {
    await app?.stop();
    await mongo?.drop();
  });

  it('publishes the events of a write right away instead of waiting for the next poll', async () => {
    const warmUp = await createProduct(app.url, auth.admin); // connects the producer
    await eventually(async () => ((await pendingOf(mongo, warmUp.id)).length === 0 ? true : undefined), 15_000);
    const started = Date.now();
    const p = await createProduct(app.url, auth.admin);
    await eventually(async () => ((await pendingOf(mongo, p.id)).length === 0 ? true : undefined), 5_000, 10);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('Kafka down at write time', () => {
  let mongo: Awaited<ReturnType<typeof createTestMongo>>;
  let down: RunningProductsSubgraph | undefined;
  let up: RunningProductsSubgraph | undefined;

  beforeAll(async () => {
    mongo = await createTestMongo('products');
  });
  afterAll(async () => {
    await down?.stop();
    await up?.stop();
    await mongo?.drop();
  });

  it('accepts writes with events waiting in the documents, then delivers them once a relay reaches Kafka', async () => {
    // Nothing listens on port 1: every publish attempt fails; the shared Kafka is left alone.
    down = await startProducts(mongo.name, auth, { kafkaBrokers: '127.0.0.1:1', maxBackoffMs: 500 });

    const a = await createProduct(down.url, auth.admin, { name: 'Written while Kafka is down' });
    const b = await createProduct(down.url, auth.admin);
    const upd = await gql(down.url, UPDATE, { id: a.id, input: { price: 4242 } }, { token: auth.admin });
    expect(upd.data.updateProduct.userErrors).toEqual([]);
    const arc = await gql(down.url, ARCHIVE, { id: b.id }, { token: auth.admin });
    expect(arc.data.archiveProduct.userErrors).toEqual([]);

    // Kafka is not a readiness dependency: products stays ready and keeps taking writes.
    const ready = await fetch(down.url.replace('/graphql', '/ready'));
    expect(ready.status).toBe(200);

    // Give the relay time to try (and fail) a few times: the events stay put.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(down.relay.published).toBe(0);
    const pendingA = await pendingOf(mongo, a.id);
    const pendingB = await pendingOf(mongo, b.id);
    expect(pendingA.map((e) => e.envelope.type)).toEqual(['product.upserted', 'product.upserted']);
    expect(pendingB.map((e) => e.envelope.type)).toEqual(['product.upserted', 'product.archived']);
    expect([...pendingA, ...pendingB].every((e) => e.topic === topics.products)).toBe(true);
    expect(await down.outbox.countPending()).toBe(4);

    await down.stop();
    down = undefined;

    // The same database with a relay that reaches the real broker.
    up = await startProducts(mongo.name, auth);
    await eventually(async () => ((await up!.outbox.countPending()) === 0 ? true : undefined), 20_000);
    expect(await pendingOf(mongo, a.id)).toEqual([]);
    expect(await pendingOf(mongo, b.id)).toEqual([]);
    const docs = await mongo.db.collection<ProductDocument>('products').find({ pendingSince: { $exists: true } }).toArray();
    expect(docs).toEqual([]);

    const received = await consumeProductEvents(new Set([a.id, b.id]), (events) => events.length >= 4);
    const ofA = received.filter((r) => r.event.key === a.id).map((r) => r.event);
    const ofB = received.filter((r) => r.event.key === b.id).map((r) => r.event);
    expect(ofA.map((e) => [e.type, (e.payload as { revision: number }).revision])).toEqual([
      ['product.upserted', 1],
      ['product.upserted', 2],
    ]);
    expect(ofA[1]!.payload).toMatchObject({ price: { amount: 4242, currency: 'USD' } });
    expect(ofB.map((e) => [e.type, (e.payload as { revision: number }).revision])).toEqual([
      ['product.upserted', 1],
      ['product.archived', 2],
    ]);
    // The ids are the ones written with the change: a redelivery would be recognisable as such.
    expect(ofA.map((e) => e.id)).toEqual(pendingA.map((e) => e.id));
    expect(ofB.map((e) => e.id)).toEqual(pendingB.map((e) => e.id));
  });
});
