import { MongoServerError, ObjectId, type AnyBulkWriteOperation, type Collection, type Db } from 'mongodb';
import type { OutboxStore, PendingEvent } from '@shop/events';
import type { ProductDocument } from './mappers.js';

interface LeaseDocument {
  _id: string;
  owner: string;
  expiresAt: Date;
}

export interface MongoOutboxStoreOptions {
  /** Identifies this process in the lease; random by default. */
  owner?: string;
  /** How long a lease outlives its last renewal (the relay renews it on every loop, ≥ once per poll interval). */
  leaseMs?: number;
}

const LEASE_ID = 'products-outbox-relay';

/**
 * The products outbox without transactions: each product document carries its own unsent events
 * (`pendingEvents`, appended in the same atomic update as the change) and `pendingSince` while
 * any are pending. The relay reads documents oldest-pending first and, once Kafka acknowledged,
 * `$pull`s exactly the published event ids, so events written meanwhile stay.
 */
export class MongoOutboxStore implements OutboxStore {
  private readonly leases: Collection<LeaseDocument>;
  private readonly owner: string;
  private readonly leaseMs: number;

  constructor(
    private readonly products: Collection<ProductDocument>,
    db: Db,
    opts: MongoOutboxStoreOptions = {},
  ) {
    this.leases = db.collection<LeaseDocument>('outbox_leases');
    this.owner = opts.owner ?? new ObjectId().toHexString();
    this.leaseMs = opts.leaseMs ?? 15_000;
  }

  async fetchPending(limit: number): Promise<PendingEvent[]> {
    const docs = await this.products
      .find({ pendingSince: { $exists: true } }, { projection: { pendingEvents: 1 }, sort: { pendingSince: 1, _id: 1 }, limit })
      .toArray();
    const out: PendingEvent[] = [];
    // A crash between markSent's two updates can leave the marker on an empty outbox: clear it.
    const stale = docs.filter((d) => (d.pendingEvents ?? []).length === 0).map((d) => d._id);
    if (stale.length > 0) {
      await this.products.updateMany({ _id: { $in: stale }, pendingEvents: { $size: 0 } }, { $unset: { pendingSince: '' } });
    }
    for (const doc of docs) {
      // A document's events stay in their array order: one product's events reach Kafka in order.
      for (const e of doc.pendingEvents ?? []) {
        if (out.length >= limit) return out;
        out.push({ ref: `${doc._id.toHexString()}:${e.id}`, topic: e.topic, envelope: e.envelope });
      }
    }
    return out;
  }

  async markSent(events: PendingEvent[]): Promise<void> {
    const byProduct = new Map<string, string[]>();
    for (const e of events) {
      const [productId, eventId] = String(e.ref).split(':') as [string, string];
      byProduct.set(productId, [...(byProduct.get(productId) ?? []), eventId]);
    }
    if (byProduct.size === 0) return;
    const ops: AnyBulkWriteOperation<ProductDocument>[] = [];
    for (const [productId, eventIds] of byProduct) {
      const _id = new ObjectId(productId);
      ops.push({ updateOne: { filter: { _id }, update: { $pull: { pendingEvents: { id: { $in: eventIds } } } } } });
      // Only when nothing is left: an event appended after the pull keeps `pendingSince`.
      ops.push({ updateOne: { filter: { _id, pendingEvents: { $size: 0 } }, update: { $unset: { pendingSince: '' } } } });
    }
    await this.products.bulkWrite(ops, { ordered: true });
  }

  /** One relay per database at a time: a lease document renewed by its owner, taken over once expired. */
  async acquireLease(): Promise<boolean> {
    const now = new Date();
    try {
      const res = await this.leases.updateOne(
        { _id: LEASE_ID, $or: [{ owner: { $eq: this.owner } }, { expiresAt: { $lt: now } }] },
        { $set: { owner: this.owner, expiresAt: new Date(now.getTime() + this.leaseMs) } },
        { upsert: true },
      );
      return res.matchedCount + res.upsertedCount > 0;
    } catch (err) {
      // The upsert collided with a lease someone else holds.
      if (err instanceof MongoServerError && err.code === 11000) return false;
      throw err;
    }
  }

  async releaseLease(): Promise<void> {
    await this.leases.deleteOne({ _id: LEASE_ID, owner: { $eq: this.owner } });
  }

  /** How many events wait in documents; for tests and metrics. */
  async countPending(): Promise<number> {
    const docs = await this.products.find({ pendingSince: { $exists: true } }, { projection: { pendingEvents: 1 } }).toArray();
    return docs.reduce((n, d) => n + (d.pendingEvents?.length ?? 0), 0);
  }
}
