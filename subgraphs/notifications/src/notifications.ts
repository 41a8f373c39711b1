import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { MySqlDatabase } from 'drizzle-orm/mysql-core';
import { isDuplicateKeyError } from '@shop/platform';
import { notifications, orderOwners } from './db/index.js';
import { renderNotification, type NotificationFacts } from './templates.js';

/**
 * Writing notifications: one per event, rendered from the event's facts. Runs inside the
 * consumer's transaction, so the notification and the processed-event record commit together.
 */

// Any drizzle MySQL database or transaction handle.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Tx = MySqlDatabase<any, any, any, any>;

export interface NewNotification {
  /** The event it tells about; UNIQUE, so the same event never yields a second row. */
  eventId: string;
  userId: string;
  /** When the event happened; the inbox is ordered by it. */
  occurredAt: Date;
  facts: NotificationFacts;
}

/** Thrown when an event cannot be attributed to a user yet; the consumer retries it (bounded), then dead-letters it. */
export class UnknownRecipientError extends Error {}

/**
 * Stores the notification unless this event already produced one (the UNIQUE(event_id) guard
 * behind processed_events). Returns false for such a duplicate.
 */
export async function recordNotification(tx: Tx, n: NewNotification): Promise<boolean> {
  const { title, body } = renderNotification(n.facts);
  try {
    await tx.insert(notifications).values({
      id: randomUUID(),
      userId: n.userId,
      type: n.facts.type,
      title,
      body,
      orderId: n.facts.orderId,
      eventId: n.eventId,
      createdAt: n.occurredAt,
      // Due for delivery at once; set here so every time column comes from the same (UTC) clock.
      nextDeliveryAt: new Date(),
    });
    return true;
  } catch (err) {
    // InnoDB rolls back only the failed statement: the surrounding transaction goes on.
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

/** Remembers who placed an order (the first owner learnt wins; an order never changes hands). */
export async function rememberOrderOwner(tx: Tx, orderId: string, userId: string): Promise<void> {
  await tx
    .insert(orderOwners)
    .values({ orderId, userId })
    .onDuplicateKeyUpdate({ set: { orderId: sql`${orderOwners.orderId}` } });
}

/** Who placed the order, as learnt from its order events; null when none was seen yet. */
export async function orderOwner(tx: Tx, orderId: string): Promise<string | null> {
  const rows = await tx.select({ userId: orderOwners.userId }).from(orderOwners).where(eq(orderOwners.orderId, orderId)).limit(1);
  return rows[0]?.userId ?? null;
}

/** The recipient of a payment event: its own userId when payments set it, else the order's owner. */
export async function paymentRecipient(tx: Tx, payload: { orderId: string; userId?: string | undefined }): Promise<string> {
  if (payload.userId) return payload.userId;
  const owner = await orderOwner(tx, payload.orderId);
  if (!owner) throw new UnknownRecipientError(`No owner known yet for order ${payload.orderId}`);
  return owner;
}
