import type { ObjectId } from 'mongodb';
import type { Envelope } from '@shop/events';
import type { PageInfo } from '@shop/platform';

/** An event written in the same atomic update as the change it announces (see README: outbox). */
export interface PendingProductEvent {
  /** The envelope id, used to `$pull` exactly what was published. */
  id: string;
  topic: string;
  envelope: Envelope;
}

/**
 * A product as the API reads it from the `products` collection; codegen maps GraphQL `Product`
 * to it. Reads project the outbox fields away, so they cannot leak into GraphQL.
 */
export interface ProductModel {
  _id: ObjectId;
  /** Upper case; unique index. */
  sku: string;
  name: string;
  /** Lower-cased `name`: the NAME sort key (mongo-java-server has no collations). */
  nameKey: string;
  description: string;
  /** Minor units of `currency`. */
  price: number;
  currency: string;
  category: string;
  images: string[];
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
  archivedAt: Date | null;
  /** Incremented by every write; optimistic concurrency and the events' `revision`. */
  revision: number;
}

/** The stored document: the product plus its own outbox (see README: events without transactions). */
export interface ProductDocument extends ProductModel {
  /** Events of writes to this document not yet published to Kafka, oldest first. */
  pendingEvents: PendingProductEvent[];
  /** Present while `pendingEvents` is not empty: when the oldest of them was written. */
  pendingSince?: Date;
}

/** A listing page; GraphQL `ProductConnection`. The total is counted only if `totalCount` is selected. */
export interface ProductConnectionModel {
  nodes: ProductModel[];
  pageInfo: PageInfo;
  /** Counts every product the listing's filter matches (once per page, however often it is asked). */
  countTotal: () => Promise<number>;
}
