import { MongoServerError, ObjectId, type Collection, type Db, type UpdateFilter } from 'mongodb';
import { createEvent, topicOf, type EventPayload, type EventType, type ShopEvent } from '@shop/events';
import { ErrorCode, encodeCursor, userError, type UserError } from '@shop/platform';
import type { PendingProductEvent, ProductConnectionModel, ProductDocument, ProductModel } from './mappers.js';
import { cursorOf, matchFilter, pageFilter, pageSort, type ListingQuery } from './listing.js';
import { isProductId, type CreateProductInput, type UpdateProductInput } from './validation.js';

export const PRODUCTS_COLLECTION = 'products';

/** Reads never load the per-document outbox. */
const PUBLIC_PROJECTION = { pendingEvents: 0, pendingSince: 0 } as const;

/** Optimistic-concurrency attempts before a write gives up (only under extreme contention on one product). */
const MAX_WRITE_ATTEMPTS = 10;

export interface ProductResult {
  product: ProductModel | null;
  userErrors: UserError[];
}

export function productsCollection(db: Db): Collection<ProductDocument> {
  return db.collection<ProductDocument>(PRODUCTS_COLLECTION);
}

/** Indexes the queries rely on; createIndex is idempotent, so this runs at every start-up. */
export async function ensureProductIndexes(products: Collection<ProductDocument>): Promise<void> {
  await products.createIndex({ sku: 1 }, { unique: true, name: 'sku_unique' });
  await products.createIndex({ category: 1, price: 1 }, { name: 'category_price' });
  await products.createIndex({ createdAt: 1 }, { name: 'created_at' });
  await products.createIndex({ nameKey: 1 }, { name: 'name_key' });
  await products.createIndex({ active: 1 }, { name: 'active' });
  await products.createIndex({ pendingSince: 1 }, { name: 'pending_since', sparse: true });
}

function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}

/** The full snapshot `product.upserted` carries. */
export function snapshotOf(p: ProductModel): EventPayload<'product.upserted'> {
  return {
    id: p._id.toHexString(),
    sku: p.sku,
    name: p.name,
    description: p.description,
    price: { amount: p.price, currency: p.currency },
    category: p.category,
    images: p.images,
    active: p.active,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    revision: p.revision,
  };
}

function pending<T extends EventType>(event: ShopEvent<T>): PendingProductEvent {
  return { id: event.id, topic: topicOf(event.type), envelope: event };
}

export interface CatalogOptions {
  /** Called after every write that appended an event, e.g. to wake the outbox relay. */
  onEventsWritten?: () => void;
  now?: () => Date;
}

/**
 * The catalogue's business operations. Every write is one atomic single-document operation that
 * changes the product and appends its event to the document's `pendingEvents` (README: outbox).
 */
export class Catalog {
  private readonly onEventsWritten: () => void;
  private readonly now: () => Date;

  constructor(
    private readonly products: Collection<ProductDocument>,
    opts: CatalogOptions = {},
  ) {
    this.onEventsWritten = opts.onEventsWritten ?? (() => undefined);
    this.now = opts.now ?? (() => new Date());
  }

  /** One query for any number of ids; the result is aligned with `ids` (null: unknown or malformed id). */
  async findByIds(ids: readonly string[]): Promise<Array<ProductModel | null>> {
    const valid = [...new Set(ids.filter(isProductId).map((id) => id.toLowerCase()))];
    if (valid.length === 0) return ids.map(() => null);
    const docs = await this.products
      .find({ _id: { $in: valid.map((id) => new ObjectId(id)) } }, { projection: PUBLIC_PROJECTION })
      .toArray();
    const byId = new Map<string, ProductModel>(docs.map((d) => [d._id.toHexString(), d]));
    return ids.map((id) => (isProductId(id) ? (byId.get(id.toLowerCase()) ?? null) : null));
  }

  async findById(id: string): Promise<ProductModel | null> {
    if (!isProductId(id)) return null;
    return this.products.findOne({ _id: new ObjectId(id) }, { projection: PUBLIC_PROJECTION });
  }

  /**
   * A page of active products (keyset pagination: fetch one more than asked to know if more follow).
   * The total is counted only when asked for: a storefront page rarely selects `totalCount`, and the
   * count is a second pass over every matching product.
   */
  async list(q: ListingQuery): Promise<ProductConnectionModel> {
    const rows = await this.products
      .find(pageFilter(q), { projection: PUBLIC_PROJECTION, sort: pageSort(q), limit: q.limit + 1 })
      .toArray();
    const nodes: ProductModel[] = rows.slice(0, q.limit);
    const last = nodes.at(-1);
    // An empty page (first: 0) stays where it was: its end is the position it started from.
    const endCursor = last ? cursorOf(q, last) : q.after ? encodeCursor(q.after) : null;
    let total: Promise<number> | undefined;
    const countTotal = (): Promise<number> => (total ??= this.products.countDocuments(matchFilter(q)));
    return { nodes, countTotal, pageInfo: { hasNextPage: rows.length > q.limit, endCursor } };
  }

  async create(input: CreateProductInput): Promise<ProductResult> {
    const now = this.now();
    const product: ProductModel = {
      _id: new ObjectId(),
      sku: input.sku,
      name: input.name,
      nameKey: input.name.toLowerCase(),
      description: input.description,
      price: input.price,
      currency: input.currency,
      category: input.category,
      images: input.images,
      active: true,
      createdAt: now,
      updatedAt: now,
      archivedAt: null,
      revision: 1,
    };
    const event = createEvent('product.upserted', product._id.toHexString(), snapshotOf(product));
    try {
      await this.products.insertOne({ ...product, pendingEvents: [pending(event)], pendingSince: now });
    } catch (err) {
      if (isDuplicateKey(err)) return { product: null, userErrors: [duplicateSku(input.sku)] };
      throw err;
    }
    this.onEventsWritten();
    return { product, userErrors: [] };
  }

  async update(id: string, input: UpdateProductInput): Promise<ProductResult> {
    const changes = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as UpdateProductInput;
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const current = await this.findById(id);
      if (!current) return notFound();
      if (!current.active) return { product: null, userErrors: [userError('ARCHIVED', 'Archived products cannot be changed', ['id'])] };
      if (Object.keys(changes).length === 0) return { product: current, userErrors: [] };

      const now = this.now();
      const next: ProductModel = {
        ...current,
        ...changes,
        nameKey: (changes.name ?? current.name).toLowerCase(),
        updatedAt: now,
        revision: current.revision + 1,
      };
      const event = createEvent('product.upserted', id, snapshotOf(next));
      try {
        const written = await this.writeIfUnchanged(current, {
          $set: { ...changes, nameKey: next.nameKey, updatedAt: now, revision: next.revision },
          $push: { pendingEvents: pending(event) },
          $min: { pendingSince: now },
        });
        if (written) return { product: next, userErrors: [] };
      } catch (err) {
        if (isDuplicateKey(err) && changes.sku) return { product: null, userErrors: [duplicateSku(changes.sku)] };
        throw err;
      }
    }
    throw new Error(`updateProduct ${id}: too many concurrent writes`);
  }

  /** Idempotent: archiving an archived product returns it unchanged and announces nothing. */
  async archive(id: string): Promise<ProductResult> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const current = await this.findById(id);
      if (!current) return notFound();
      if (!current.active) return { product: current, userErrors: [] };

      const now = this.now();
      const next: ProductModel = { ...current, active: false, archivedAt: now, updatedAt: now, revision: current.revision + 1 };
      const event = createEvent('product.archived', id, { id, revision: next.revision, archivedAt: now.toISOString() });
      const written = await this.writeIfUnchanged(current, {
        $set: { active: false, archivedAt: now, updatedAt: now, revision: next.revision },
        $push: { pendingEvents: pending(event) },
        $min: { pendingSince: now },
      });
      if (written) return { product: next, userErrors: [] };
    }
    throw new Error(`archiveProduct ${id}: too many concurrent writes`);
  }

  /** One atomic update, applied only if nobody wrote the product since it was read. */
  private async writeIfUnchanged(current: ProductModel, update: UpdateFilter<ProductDocument>): Promise<boolean> {
    const res = await this.products.updateOne({ _id: current._id, revision: { $eq: current.revision } }, update);
    if (res.matchedCount === 1) this.onEventsWritten();
    return res.matchedCount === 1;
  }
}

function notFound(): ProductResult {
  return { product: null, userErrors: [userError(ErrorCode.NOT_FOUND, 'No product has this id', ['id'])] };
}

function duplicateSku(sku: string): UserError {
  return userError(ErrorCode.DUPLICATE, `A product with SKU ${sku} already exists`, ['input', 'sku']);
}
